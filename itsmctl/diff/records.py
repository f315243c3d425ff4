"""`diff --records DIR`: the changed SLAs measured on the same records under BASE and HEAD.

A target reads well in a pull request whether or not the service could ever keep it. With
records (the folder `itsmctl measure` reads), every SLA whose measured promise changes (its
targets, attainment, calendar, pauses, period, availability, credits, maintenance windows,
effective dates or service; or the BusinessCalendar it uses) is measured twice over the same
tickets and outages, once as BASE declares it and once as HEAD does, and the figures that move
are reported per priority and clock, and for availability:

- `attainment-newly-missed` (approval-required): in some period HEAD's attainment (or
  availability) misses its target where BASE's met it, or a larger service credit would be
  owed: the change promises what the records say was not delivered.
- `attainment-reevaluated` (info): the figures move, no target is newly missed.
- `kpi-newly-missed` (approval-required) and `kpi-reevaluated` (info): the same for the
  KPIs of a Process whose `spec.kpis` the change edits (its target, statistic, period...).

Periods are matched by their key (`2026-11`): a change of `measurement.period` compares
periods of different lengths only where their keys agree. Records come from disk (the user's
export); the same folder gives the same reading on every run.

A records folder inside the repository is part of the change like the catalog: the reading
decides whether the CAB must approve, and a pull request must not remove an approver by
editing the records it is measured on. So when the change touches that folder
(`reevaluate_sides`), the same SLAs and KPIs are measured again under the records as BASE
has them (read through the git gateway into a temporary folder), the approval-required
readings of both are kept (a change can add approvers, never remove them), and the edit
itself is a `records-changed` pseudo-entity change for the change process owner.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from itsmctl import git
from itsmctl.catalog import Catalog
from itsmctl.diff.classes import impact_of
from itsmctl.diff.result import Classified, EntityChange, Impact, RecordsCheck
from itsmctl.durations import format_duration
from itsmctl.errors import ItsmctlError
from itsmctl.measure.availability import AvailabilityPeriod
from itsmctl.measure.evaluate import CLOCKS
from itsmctl.measure.kpis import KpiResult
from itsmctl.measure.mapping import MAX_MAPPING_BYTES, load_mapping
from itsmctl.measure.result import ClockReport, MeasureResult, SlaReport
from itsmctl.measure.run import MeasureOptions, format_value, measure_catalog, record_names
from itsmctl.model import Entity, Ref
from itsmctl.visible import clip, visible

if TYPE_CHECKING:
    from itsmctl.git import Repo

NEWLY_MISSED = "attainment-newly-missed"
REEVALUATED = "attainment-reevaluated"
KPI_NEWLY_MISSED = "kpi-newly-missed"
KPI_REEVALUATED = "kpi-reevaluated"
RECORDS_CHANGED = "records-changed"
READING_CLASSES = (NEWLY_MISSED, REEVALUATED, KPI_NEWLY_MISSED, KPI_REEVALUATED)
# the spec fields whose change can move a measured figure
MEASURED_FIELDS = ("service", "calendar", "targets", "measurement", "pauseOn", "availability",
                   "serviceCredits", "maintenanceWindows", "effective")
_SHOWN_PERIODS = 6
# BASE's record files are copied from git to a temporary folder: one larger than this cannot
# be measured, and the gate fails closed (the CAB approves) rather than fill the runner's disk
BASE_RECORD_LIMIT = 1 << 30  # 1 GiB

Pair = tuple[EntityChange, Entity]


@dataclass(frozen=True)
class _Touched:
    base: str | None  # the SLA's name at BASE (None: added)
    head: str


def reevaluate_sides(repo: Repo, base_sha: str, pairs: list[Pair], base: Catalog,
                     head: Catalog, options: MeasureOptions, changed_calendars: Iterable[str] = ()
                     ) -> tuple[list[Pair], RecordsCheck, tuple[EntityChange, ...]]:
    """`reevaluate` under the records on disk and, when the change edits a records folder
    kept in the repository, under BASE's records too; plus that edit as a change of its own.

    The approval-required readings under BASE's records that HEAD's do not repeat are added
    (marked "under BASE's records"), so edited records can add the CAB, never remove it.
    When BASE's records cannot be measured, every re-evaluated target requires the approval
    a newly missed one would (fail closed): the change may be what broke them.
    """
    calendars = list(changed_calendars)
    prefix = _inside(repo, options)
    out, checked = reevaluate(pairs, base, head, options, calendars)
    if prefix is None:  # an export outside the repository: not part of the change
        return out, checked, ()
    edited = [p for p in git.changed_paths(repo, base_sha, None, prefix) if "/" not in p]
    if not edited:
        return out, checked, ()
    base_link = git.link_on_path(repo, base_sha, prefix)
    at_base = [] if base_link is not None else [
        f for f in git.list_files(repo, base_sha, prefix) if "/" not in f.rel and not f.is_link]
    note = ""
    if base_link is not None:
        note = _fail_closed_note(f"{visible(base_link)} is a symbolic link at BASE")
        out = _fail_closed(out, base, head, calendars, note)
    elif at_base and checked.tickets is not None:
        try:
            base_pairs = _under_base_records(repo, at_base, pairs, base, head, options,
                                             calendars)
        except ItsmctlError as error:  # perhaps the change broke them: fail closed
            note = _fail_closed_note(clip(str(error), 300))
            out = _fail_closed(out, base, head, calendars, note)
        else:
            out = _union(out, base_pairs)
    name = prefix or "."
    ref = f"Records:{name}"
    listed = ", ".join(visible(p) for p in edited[:6]) + (
        f" and {len(edited) - 6} more" if len(edited) > 6 else "")
    message = (f"the change edits the records it is measured on ({listed}); the readings are"
               f" taken under BASE's records and HEAD's{note}" if at_base or base_link else
               f"the change adds the records it is measured on ({listed}); BASE has none to"
               f" measure under{note}")
    change = EntityChange("Records", name, "modified" if at_base or base_link else "added",
                          name, base_file=name if at_base or base_link else "",
                          impacts=(Classified(RECORDS_CHANGED, impact_of(RECORDS_CHANGED),
                                              message, ref),))
    return out, checked, (change,)


def _fail_closed_note(why: str) -> str:
    return (f"; BASE's records could not be measured ({why}), so every re-evaluated target"
            " requires the approval a newly missed one would")


def _fail_closed(pairs: list[Pair], base: Catalog, head: Catalog, calendars: list[str],
                 note: str) -> list[Pair]:
    """`pairs` with an approval-required reading on every re-measured SLA and Process: with
    BASE's records unreadable, no reading under them can vouch that a target was met."""
    why = note.removeprefix("; ")
    by_ref = {c.ref: (c, e) for c, e in pairs}
    wanted = [(f"SLA:{t.head}", NEWLY_MISSED) for t in _touched(pairs, base, head,
                                                                 set(calendars))]
    wanted += [(ref, KPI_NEWLY_MISSED) for ref in _processes(pairs)]
    for ref, change_class in wanted:
        found = by_ref.get(ref)
        if found is None:
            entity = head.get(Ref(*ref.split(":", 1)))
            if entity is None:
                continue
            found = (EntityChange(entity.kind, entity.name, "modified", entity.file,
                                  entity.line), entity)
        change, entity = found
        if any(i.impact >= Impact.APPROVAL_REQUIRED and i.change_class in READING_CLASSES
               for i in change.impacts):
            continue  # HEAD's records already require it
        reading = Classified(change_class, Impact.APPROVAL_REQUIRED, why, ref)
        by_ref[ref] = (replace(change, impacts=(*change.impacts, reading)), entity)
    return sorted(by_ref.values(), key=lambda p: (p[0].kind, p[0].name))


def _inside(repo: Repo, options: MeasureOptions) -> str | None:
    """The records folder relative to the repository root ("" for the root), or None.

    A symbolic link inside the repository on the way to the folder is refused: HEAD's tree
    would then decide which folder is measured, and BASE's records are read from BASE's tree
    at the same path (a pull request re-pointing `records -> data/v2` must not choose them).
    """
    top = Path(os.path.realpath(git.working_dir(repo)))
    here = Path(os.path.abspath(os.sep))
    for part in options.records.absolute().parts[1:]:  # `..` as the system takes it
        if part in (".", ".."):
            here = here.parent if part == ".." else here
            continue
        step = here / part
        if step.is_symlink():
            if here.is_relative_to(top):
                label = options.records_label or str(options.records)
                raise ItsmctlError(
                    f"records folder {label}: {visible(step.relative_to(top).as_posix())} is a"
                    " symbolic link in the repository (not followed)",
                    "pass the folder the link points to, by its own path (docs/measure.md)")
            here = Path(os.path.realpath(step))
        else:
            here = step
    if not here.is_relative_to(top):
        return None
    rel = here.relative_to(top).as_posix()
    return "" if rel == "." else rel


def _under_base_records(repo: Repo, files: list[git.TreeFile], pairs: list[Pair],
                        base: Catalog, head: Catalog, options: MeasureOptions,
                        calendars: list[str]) -> list[Pair]:
    """`reevaluate` on the record files as BASE has them, written to a temporary folder.

    Only what measure would read is taken (`mapping.yaml`, then the names `record_names`
    gives), plain files only (a link in BASE's tree is not followed), each streamed to disk
    after its size is checked: `mapping.yaml` against measure's 1 MiB, a record file against
    `BASE_RECORD_LIMIT`. Over a bound, BASE's records cannot be measured (fail closed).
    """
    by_name = {f.rel: f for f in files}
    label = options.records_label or str(options.records)
    with tempfile.TemporaryDirectory(prefix="itsmctl-base-records-") as tmp:
        folder = Path(tmp)
        mapping = by_name.get("mapping.yaml")
        if mapping is not None:
            _take(repo, mapping, folder, MAX_MAPPING_BYTES, label)
        wanted = {n for names in record_names(load_mapping(folder)).values() for n in names}
        for name in sorted(wanted):
            if name in by_name:
                _take(repo, by_name[name], folder, BASE_RECORD_LIMIT, label)
        at_base = replace(options, records=folder, records_label=f"{label} (BASE)")
        return reevaluate(pairs, base, head, at_base, calendars)[0]


def _take(repo: Repo, file: git.TreeFile, folder: Path, limit: int, label: str) -> None:
    if file.size > limit:
        raise ItsmctlError(f"{label}/{visible(file.rel)} at BASE is {file.size:,} bytes, over"
                           f" the {limit:,}-byte bound for a file read from BASE's tree")
    git.write_blob(repo, file.sha, folder / file.rel)


def _union(head_pairs: list[Pair], base_pairs: list[Pair]) -> list[Pair]:
    """HEAD-records pairs with BASE-records readings that require approval added."""
    by_ref = {c.ref: (c, e) for c, e in head_pairs}
    for change, entity in base_pairs:
        extra = [replace(i, message=f"under BASE's records: {i.message}")
                 for i in change.impacts
                 if i.change_class in READING_CLASSES and i.impact >= Impact.APPROVAL_REQUIRED]
        found = by_ref.get(change.ref)
        have = {(i.change_class, i.message) for i in found[0].impacts} if found else set()
        extra = [i for i in extra
                 if (i.change_class, i.message.removeprefix("under BASE's records: "))
                 not in have]
        if not extra:
            continue
        if found is None:
            kept = tuple(i for i in change.impacts if i.change_class not in READING_CLASSES)
            found = (replace(change, impacts=kept), entity)
        by_ref[change.ref] = (replace(found[0], impacts=(*found[0].impacts, *extra)), found[1])
    return sorted(by_ref.values(), key=lambda p: (p[0].kind, p[0].name))


def reevaluate(pairs: list[Pair], base: Catalog, head: Catalog, options: MeasureOptions,
               changed_calendars: Iterable[str] = ()) -> tuple[list[Pair], RecordsCheck]:
    """`pairs` with the records' reading added to each re-evaluated SLA's impacts.

    An SLA that only its calendar's change moves gets an entry of its own (status
    `modified`, no field changes), like a scorecard level change does.
    """
    touched = _touched(pairs, base, head, set(changed_calendars))
    processes = _processes(pairs)
    label = options.records_label or str(options.records)
    if not touched and not processes:
        return pairs, RecordsCheck(label, None, (), None)
    # a KPI may read SLA attainment: with a KPI to re-measure, every SLA is measured
    base_run = measure_catalog(base, options, label, with_kpis=bool(processes),
                               slas=None if processes else frozenset(
                                   t.base for t in touched if t.base))
    head_run = measure_catalog(head, options, label, with_kpis=bool(processes),
                               slas=None if processes else frozenset(t.head for t in touched))
    base_reports = {r.plan.name: r for r in base_run.slas}
    head_reports = {r.plan.name: r for r in head_run.slas}
    by_ref = {c.ref: (c, e) for c, e in pairs}
    for change, _ in pairs:
        if change.ref in processes:
            was = processes[change.ref]
            readings = compare_kpis(
                [k for k in base_run.kpis if k.kpi.process.name == was],
                [k for k in head_run.kpis if k.kpi.process.name == change.name])
            if readings:
                entry, process = by_ref[change.ref]
                by_ref[change.ref] = (replace(entry, impacts=(*entry.impacts, *readings)),
                                      process)
    for t in touched:
        report = head_reports.get(t.head)
        if report is None:  # not measurable at HEAD (validate says why)
            continue
        impacts = compare(base_reports.get(t.base) if t.base else None, report)
        if not impacts:
            continue
        ref = f"SLA:{t.head}"
        found = by_ref.get(ref)
        if found is None:
            entity = report.plan.entity
            found = (EntityChange("SLA", entity.name, "modified", entity.file, entity.line),
                     entity)
        change, entity = found
        by_ref[ref] = (replace(change, impacts=(*change.impacts, *impacts)), entity)
    out = sorted(by_ref.values(), key=lambda p: (p[0].kind, p[0].name))
    return out, RecordsCheck(label, head_run.records.tickets,
                             tuple(sorted(t.head for t in touched)), _iso(head_run),
                             tuple(sorted(ref.partition(":")[2] for ref in processes)))


def _iso(run: MeasureResult) -> str | None:
    as_of = run.records.as_of
    if as_of is None:
        return None
    return datetime.fromtimestamp(as_of, UTC).isoformat(timespec="seconds").replace(
        "+00:00", "Z")


def _touched(pairs: list[Pair], base: Catalog, head: Catalog,
             calendars: set[str]) -> list[_Touched]:
    out: dict[str, _Touched] = {}
    for change, _ in pairs:
        if change.kind != "SLA" or change.status == "removed":
            continue
        if change.status == "added" or any(_measured(f.path) for f in change.fields):
            was = None if change.status == "added" else (change.renamed_from or change.name)
            out[change.name] = _Touched(was, change.name)
    if calendars:
        for entity in head.of_kind("SLA"):
            if entity.name in out:
                continue
            before = base.get(entity.ref)
            uses = {_calendar(head, entity), _calendar(base, before)}
            if calendars.intersection(u for u in uses if u):
                out[entity.name] = _Touched(before.name if before else None, entity.name)
    return [out[name] for name in sorted(out)]


def _processes(pairs: list[Pair]) -> dict[str, str | None]:
    """Processes whose KPIs a change edits: HEAD ref -> the name at BASE (None: added)."""
    out: dict[str, str | None] = {}
    for change, _ in pairs:
        if change.kind == "Process" and change.status != "removed" and (
                change.status == "added"
                or any(f.path.startswith("spec.kpis") for f in change.fields)):
            out[change.ref] = (None if change.status == "added"
                               else change.renamed_from or change.name)
    return out


def compare_kpis(base: list[KpiResult], head: list[KpiResult]) -> list[Classified]:
    """Each KPI of HEAD next to the same-named KPI of BASE, period by period."""
    before = {k.kpi.name: k for k in base}
    out = []
    for result in head:
        kpi, old = result.kpi, before.get(result.kpi.name)
        metric = kpi.metric
        if metric is None or not result.periods:
            continue
        now = {p.period: p for p in result.periods}
        was = {p.period: p for p in old.periods} if old is not None else {}
        old_target = str(old.kpi.target) if old is not None and old.kpi.target else "none"
        new_target = str(kpi.target) if kpi.target else "none"
        if old is not None and old_target == new_target and all(
                (w := was.get(k)) is not None and (w.value, w.met) == (p.value, p.met)
                for k, p in now.items()) and len(was) == len(now):
            continue
        keys = sorted(now)
        newly = [k for k in keys if now[k].met is False
                 and not (k in was and was[k].met is False)]
        again = [k for k in keys if k in was and was[k].met is False
                 and now[k].met is not False]
        shown = (newly or again or keys)[-1]
        head_words = (f"KPI {kpi.name} {old_target} -> {new_target}" if old_target != new_target
                      else f"KPI {kpi.name} ({new_target})")
        if old is None:
            head_words = f"KPI {kpi.name} {new_target} (new)"
        value = format_value(metric, now[shown].value)
        if shown in was and was[shown].value != now[shown].value:
            value = f"{format_value(metric, was[shown].value)} -> {value}"
        verdict = ("missing the target" if now[shown].met is False
                   else "meeting the target" if now[shown].met else "no target to meet")
        words = [f"{head_words}: {shown} {value}, {verdict}"]
        if newly:
            words.append(f"newly missed in {_periods(newly, len(keys))}")
        elif again:
            words.append(f"met again in {_periods(again, len(keys))}")
        impact = Impact.APPROVAL_REQUIRED if newly else Impact.INFO
        out.append(Classified(KPI_NEWLY_MISSED if newly else KPI_REEVALUATED, impact,
                              "; ".join(words), str(Ref("Process", kpi.process.name)),
                              (f"spec.kpis[{kpi.name}].target",)))
    return out


def _calendar(catalog: Catalog, sla: Entity | None) -> str | None:
    found = catalog.resolve_field(sla, "calendar", "BusinessCalendar") if sla else None
    return found.name if found is not None else None


def _measured(path: str) -> bool:
    head, _, rest = path.partition(".")
    if head != "spec":
        return False
    field = rest.split(".", 1)[0].split("[", 1)[0]
    return field in MEASURED_FIELDS


def compare(base: SlaReport | None, head: SlaReport) -> list[Classified]:
    """What the records say of HEAD's SLA next to BASE's: one reading per moved figure."""
    out: list[Classified] = []
    entity = str(Ref("SLA", head.plan.name))
    for priority, target in sorted(head.plan.targets.items()):
        for clock in CLOCKS:
            seconds = target.seconds(clock)
            if seconds is None:
                continue
            reading = _clock(base, head, priority, clock)
            if reading is not None:
                impact, message = reading
                out.append(Classified(_class(impact), impact, message, entity,
                                      (f"spec.targets[{priority}].{clock}",)))
    available = _availability(base, head)
    if available is not None:
        impact, message, path = available
        out.append(Classified(_class(impact), impact, message, entity, (path,)))
    return out


def _class(impact: Impact) -> str:
    return NEWLY_MISSED if impact >= Impact.APPROVAL_REQUIRED else REEVALUATED


def _reports(report: SlaReport | None, priority: str, clock: str) -> dict[str, ClockReport]:
    if report is None:
        return {}
    return {p.period: c for p in report.periods
            if (c := p.clocks.get(priority, {}).get(clock)) is not None}


def _duration(seconds: float | None) -> str:
    return "none" if seconds is None else format_duration(round(seconds / 60.0))


def _clock(base: SlaReport | None, head: SlaReport, priority: str, clock: str
           ) -> tuple[Impact, str] | None:
    before, after = _reports(base, priority, clock), _reports(head, priority, clock)
    if not after:
        return None
    old = base.plan.targets.get(priority) if base is not None else None
    new = head.plan.targets[priority]
    old_seconds = old.seconds(clock) if old is not None else None
    same_figures = all((b := before.get(k)) is not None
                       and (b.group.tickets, b.group.met) == (a.group.tickets, a.group.met)
                       for k, a in after.items()) and len(before) == len(after)
    if (same_figures and old is not None and old_seconds == new.seconds(clock)
            and old.attainment == new.attainment):
        return None
    keys = sorted(after)
    newly = [k for k in keys if after[k].missed and not (k in before and before[k].missed)]
    again = [k for k in keys if k in before and before[k].missed and not after[k].missed]
    shown = (newly or again or keys)[-1]
    a = after[shown]
    tickets = sum(r.group.tickets for r in after.values())
    breached = sum(r.group.breached for r in after.values())
    if old is None:
        head_words = f"{priority} {clock} target {_duration(new.seconds(clock))} (new)"
        did = ""
    else:
        moved = old_seconds != new.seconds(clock)
        head_words = (f"{priority} {clock} {_duration(old_seconds)} ->"
                      f" {_duration(new.seconds(clock))}" if moved
                      else f"{priority} {clock} ({_duration(new.seconds(clock))})")
        did = f" ({sum(r.group.breached for r in before.values())} did)"
    span = keys[0] if len(keys) == 1 else f"{keys[0]} to {keys[-1]}"
    words = [f"{head_words}: {breached} of {tickets} tickets of {span} would have breached{did}"]
    b = before.get(shown)
    figures = (f"{b.group.attainment:.1f}% -> {a.group.attainment:.1f}%"
               if b is not None and b.group.attainment is not None
               and a.group.attainment is not None
               else f"{a.group.attainment:.1f}%" if a.group.attainment is not None else "-")
    verdict = (f"below the {new.attainment:g}% target" if a.missed
               else f"meeting the {new.attainment:g}% target")
    words.append(f"{shown} attainment {figures}, {verdict}")
    if newly:
        words.append(f"newly missed in {_periods(newly, len(keys))}")
    elif again:
        words.append(f"met again in {_periods(again, len(keys))}")
    return (Impact.APPROVAL_REQUIRED if newly else Impact.INFO), "; ".join(words)


def _periods(keys: list[str], of: int) -> str:
    shown = ", ".join(keys[-_SHOWN_PERIODS:])
    more = f" and {len(keys) - _SHOWN_PERIODS} more" if len(keys) > _SHOWN_PERIODS else ""
    return f"{len(keys)} of {of} periods ({shown}{more})"


def _availability(base: SlaReport | None, head: SlaReport
                  ) -> tuple[Impact, str, str] | None:
    after = {p.period: p.availability for p in head.periods if p.availability is not None}
    if not after or head.plan.availability is None:
        return None
    before: dict[str, AvailabilityPeriod] = {} if base is None else {
        p.period: p.availability for p in base.periods if p.availability is not None}

    def key(a: AvailabilityPeriod | None) -> tuple[object, ...]:
        return () if a is None else (a.target, a.measured, a.credit, a.met)

    if all(key(before.get(k)) == key(a) for k, a in after.items()):
        return None
    keys = sorted(after)
    newly = [k for k in keys if after[k].met is False
             and (k not in before or before[k].met is not False)]
    credit = [k for k in keys if after[k].credit > (before[k].credit if k in before else 0.0)]
    shown = (newly or credit or keys)[-1]
    a, b = after[shown], before.get(shown)
    old = base.plan.availability if base is not None else None
    new = head.plan.availability
    head_words = (f"availability {old:g}% -> {new:g}%" if old is not None and old != new
                  else f"availability {new:g}%" + (" (new)" if old is None else ""))
    measured = f"{a.measured:.3f}%" if a.measured is not None else "-"
    if b is not None and b.measured is not None and b.measured != a.measured:
        measured = f"{b.measured:.3f}% -> {measured}"
    verdict = (f"below the {new:g}% target" if a.met is False else f"meeting the {new:g}% target")
    if a.met is False and b is not None and b.met and old is not None and old != new:
        verdict += f" (BASE's {old:g}% was met)"
    words = [f"{head_words}: {shown} measured {measured}, {verdict}"]
    if a.credit or (b is not None and b.credit):
        owed = b.credit if b is not None else 0.0
        words.append(f"a {a.credit:g}% service credit would be owed ({owed:g}% under BASE)"
                     if a.credit != owed else f"a {a.credit:g}% service credit owed either way")
    if newly:
        words.append(f"newly missed in {_periods(newly, len(keys))}")
    elif credit:
        words.append(f"a larger credit in {_periods(credit, len(keys))}")
    path = "spec.availability" if old != new or b is None else (
        "spec.serviceCredits" if base is not None
        and base.plan.credits != head.plan.credits else "spec.availability")
    return (Impact.APPROVAL_REQUIRED if newly or credit else Impact.INFO), "; ".join(words), path
