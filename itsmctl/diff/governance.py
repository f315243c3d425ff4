"""Read each field change for its governance meaning: a change class, an impact, plain words.

Detectors are a table of (kind, path pattern, function); a change no detector claims is
`field-changed` (review). Paths name list items by identity (see semantic.py), so a detector
reads `spec.targets[P1].resolution` and knows the priority without looking at positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from itsmctl.availability import MINUTES_PER_30_DAYS, allowed_downtime_minutes
from itsmctl.catalog import Catalog
from itsmctl.diff.classes import impact_of
from itsmctl.diff.process_changes import DETECTORS as PROCESS_DETECTORS
from itsmctl.diff.result import Classified, FieldChange
from itsmctl.diff.semantic import diff_values
from itsmctl.durations import parse_duration
from itsmctl.evidence import latest
from itsmctl.model import Entity, Ref
from itsmctl.rules.common import number, percent, tier

CLASSIFICATION_ORDER = ("public", "internal", "confidential", "restricted")


@dataclass(frozen=True)
class Context:
    """Both sides' catalogs (the parsed part) and the entity being read."""

    base: Catalog
    head: Catalog
    before: Entity | None
    after: Entity | None
    unreadable: frozenset[str] = frozenset()  # HEAD files that do not parse (findings)

    @property
    def entity(self) -> Entity:
        return self.after or self.before  # type: ignore[return-value]


Detector = Callable[[FieldChange, "re.Match[str]", Context], "Reading | None"]
Reading = tuple[str, str]  # (change class id, message)


def _v(value: Any) -> str:
    return "(none)" if value is None else str(value)


def _arrow(before: Any, after: Any) -> str:
    return f"{_v(before)} -> {_v(after)}"


def _availability(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    old, new = number(fc.before), number(fc.after)
    if old is None or new is None:
        return "availability-lowered" if new is None else "availability-raised", \
            f"availability target {_pct(old)} -> {_pct(new)}"
    delta = (allowed_downtime_minutes(new, MINUTES_PER_30_DAYS)
             - allowed_downtime_minutes(old, MINUTES_PER_30_DAYS))
    cls = "availability-lowered" if new < old else "availability-raised"
    return cls, (f"availability {percent(old)} -> {percent(new)}: allowed downtime"
                 f" {delta:+.1f} min per 30 days")


def _pct(value: float | None) -> str:
    return "(none)" if value is None else percent(value)


def _target(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    priority, field = m["key"], m["field"]
    if field is None:
        item = fc.after if fc.op == "added" else fc.before
        text = ", ".join(f"{k} {item[k]}" for k in ("response", "resolution")
                         if isinstance(item, dict) and k in item)
        if fc.op == "added":
            return "target-tightened", f"{priority} targets added ({text})"
        return "target-loosened", f"{priority} targets removed ({text})"
    if field not in ("response", "resolution"):
        return "sla-terms-changed", f"{priority} {field} {_arrow(fc.before, fc.after)}"
    old, new = parse_duration(fc.before), parse_duration(fc.after)
    looser = new is None or (old is not None and new > old)
    return ("target-loosened" if looser else "target-tightened",
            f"{priority} {field} {_arrow(fc.before, fc.after)}")


def _credit(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    below = m["key"]
    if fc.op == "removed" and m["field"] is None:
        return "service-credits-reduced", f"service credit below {below}% removed"
    if fc.op == "added" and m["field"] is None:
        credit = fc.after.get("credit") if isinstance(fc.after, dict) else None
        return "sla-terms-changed", f"service credit below {below}% added ({_v(credit)}%)"
    old, new = number(fc.before), number(fc.after)
    lower = new is None or (old is not None and new < old)
    return ("service-credits-reduced" if lower else "sla-terms-changed",
            f"service credit below {below}%: {_arrow(fc.before, fc.after)}%")


def _owner(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    if fc.after is None:
        return "owner-removed", f"owner team {_v(fc.before)} removed: the service has no owner"
    if fc.before is None:
        return "owner-changed", f"owner team set to {fc.after}"
    return "owner-changed", f"owner team {_arrow(fc.before, fc.after)}"


def _dependency(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading | None:
    name, field = m["key"], m["field"]
    if field == "description":
        return "documentation-changed", f"description of dependency on {name} changed"
    if field is None and fc.op == "removed":
        return "dependency-removed", f"no longer depends on {name}"
    if field not in (None, "type"):
        return None
    kind = fc.after.get("type", "hard") if isinstance(fc.after, dict) else fc.after
    base = (f"now depends ({_v(kind)}) on {name}" if field is None
            else f"dependency on {name}: {_arrow(fc.before, fc.after)}")
    inversion = _less_critical(ctx, name)
    if inversion and kind == "hard":
        return "dependency-on-less-critical-tier", f"{base}, a less critical service ({inversion})"
    suffix = f" ({inversion}, soft)" if inversion else ""
    return ("dependency-added" if field is None else "dependency-type-changed", base + suffix)


def _less_critical(ctx: Context, name: str) -> str:
    """`tier 1 -> tier 3` when the dependency is less critical than the dependent service."""
    target = ctx.head.get(Ref("Service", name))
    own = tier(ctx.after) if ctx.after is not None else None
    other = tier(target) if target is not None else None
    if own is not None and other is not None and other > own:
        return f"tier {own} depends on tier {other}"
    return ""


def _lifecycle(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    text = f"lifecycle {_arrow(fc.before, fc.after)}"
    if fc.after in ("retired", "retiring"):
        names = dependents(ctx.head, ctx.entity.ref)
        if names:
            cls = "retired-with-dependents" if fc.after == "retired" else "retiring-with-dependents"
            return cls, f"{text} while {', '.join(names)} still depend on it"
    return "lifecycle-changed", text


def dependents(catalog: Catalog, ref: Ref) -> list[str]:
    """Services (not retired) whose dependencies name `ref`, sorted."""
    return sorted({r.source.name for r in catalog.referrers.get(ref, [])
                   if r.label == "dependency" and r.source.ref != ref
                   and r.source.get("spec", "lifecycle") != "retired"})


def _tier(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    old, new = fc.before, fc.after
    if isinstance(old, int) and isinstance(new, int) and new < old:
        return "tier-raised", f"tier {old} -> {new} (more critical)"
    return "tier-lowered", f"tier {_arrow(old, new)} (less critical)"


def _classification(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    rank = {c: i for i, c in enumerate(CLASSIFICATION_ORDER)}
    old, new = rank.get(str(fc.before), -1), rank.get(str(fc.after), -1)
    cls = "data-classification-lowered" if new < old else "field-changed"
    return cls, f"data classification {_arrow(fc.before, fc.after)}"


def _change_models(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    name = m["key"]
    verb = "now allows" if fc.op == "added" else "no longer allows"
    return "change-model-allowed", f"{verb} change model {name}"


def accountable(entity: Entity | None, activity: str) -> tuple[str, ...]:
    """Parties holding A for one activity of a RACI."""
    if entity is None:
        return ()
    for item in entity.get("spec", "activities", default=[]) or []:
        if isinstance(item, dict) and item.get("name") == activity:
            assignments = item.get("assignments")
            if isinstance(assignments, dict):
                return tuple(sorted(p for p, v in assignments.items()
                                    if isinstance(v, str) and "A" in v))
    return ()


def _raci(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    activity, rest = m["key"], m["rest"] or ""
    if rest == ".title":
        return "documentation-changed", f"title of activity {activity} changed"
    old, new = accountable(ctx.before, activity), accountable(ctx.after, activity)
    if rest == "" and fc.op == "removed":
        who = f" (Accountable: {', '.join(old)})" if old else ""
        cls = "accountable-changed" if old else "raci-changed"
        return cls, f"activity {activity} removed{who}"
    if rest == "" and fc.op == "added":
        return "raci-changed", (f"activity {activity} added"
                                f" (Accountable: {', '.join(new) or 'none'})")
    if old != new:
        return "accountable-changed", (f"Accountable for {activity}: {', '.join(old) or '(none)'}"
                                       f" -> {', '.join(new) or '(none)'}")
    party = rest.removeprefix(".assignments.")
    return "raci-changed", f"{activity}: {party} {_arrow(fc.before, fc.after)}"


def _cab(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    if fc.after is None:
        return "cab-removed", f"CAB authorization no longer required (was {_v(fc.before)})"
    if fc.before is None:
        return "change-workflow-changed", f"now requires authorization by CAB {fc.after}"
    return "cab-removed", f"CAB {_arrow(fc.before, fc.after)}"


def _approver(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    if fc.op == "removed":
        return "approver-removed", f"approver {m['key']} removed"
    return "change-workflow-changed", f"approver {m['key']} added"


def _retrospective(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    if fc.after is True:
        return "retrospective-approval-allowed", "approval may now be given after implementation"
    return "change-workflow-changed", "approval must now be given before implementation"


def _pir(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    field = m["field"]
    if field == "within":
        old, new = parse_duration(fc.before), parse_duration(fc.after)
        later = new is None or (old is not None and new > old)
        return ("pir-no-longer-required" if later else "change-workflow-changed",
                f"Post Implementation Review within {_arrow(fc.before, fc.after)}")
    required = fc.after.get("required") if isinstance(fc.after, dict) else fc.after
    if required is True:
        return "change-workflow-changed", "Post Implementation Review now required"
    return "pir-no-longer-required", "Post Implementation Review no longer required"


def _lead_time(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    old, new = parse_duration(fc.before), parse_duration(fc.after)
    shorter = new is None or (old is not None and new < old)
    return ("lead-time-shortened" if shorter else "change-workflow-changed",
            f"lead time {_arrow(fc.before, fc.after)}")


def _artifact(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    if fc.op == "removed":
        return "artifact-no-longer-required", f"{m['key']} no longer required"
    return "change-workflow-changed", f"{m['key']} now required"


def _template(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    name, field = m["key"], m["field"]
    if field is None and fc.op == "added":
        return "standard-change-template-added", f"standard change template {name} pre-approved"
    if field is None:
        return "change-workflow-changed", f"standard change template {name} withdrawn"
    if field in ("reviewBy", "risk"):
        return ("standard-change-template-added",
                f"template {name}: {field} {_arrow(fc.before, fc.after)}")
    return "documentation-changed", f"template {name}: {field} changed"


def _blackout(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    name, field = m["key"], m["field"]
    if field is None:
        if fc.op == "removed":
            return "blackout-window-removed", f"change freeze {name} removed"
        return "change-workflow-changed", f"change freeze {name} added"
    shorter = (field == "until" and str(fc.after) < str(fc.before)) or \
        (field == "from" and str(fc.after) > str(fc.before))
    return ("blackout-window-removed" if shorter else "change-workflow-changed",
            f"change freeze {name}: {field} {_arrow(fc.before, fc.after)}")


def _waiver(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    rule, field = m["key"], m["field"]
    if field is None and fc.op == "added":
        until = fc.after.get("expires") if isinstance(fc.after, dict) else None
        return "waiver-added", f"waives rule {rule} until {_v(until)}"
    if field is None:
        return "waiver-removed", f"waiver of rule {rule} removed"
    if field == "expires" and str(fc.after) > str(fc.before):
        return "waiver-extended", f"waiver of rule {rule} extended: {_arrow(fc.before, fc.after)}"
    return "documentation-changed", f"waiver of rule {rule}: {field} changed"


def _evidence(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    """Evidence with its date and approver: who vouches for the sign-off or test."""
    name, field = m["key"].partition("#")[0], m["field"]
    if field is None:
        item = fc.after if fc.op == "added" else fc.before
        data = item if isinstance(item, dict) else {}
        signed = f"{_v(data.get('date'))}, approved by {_v(data.get('approver'))}"
        if fc.op == "added":
            return "evidence-added", f"evidence {name} added: {signed}"
        return "evidence-changed", f"evidence {name} removed (was {signed})"
    if field == "date":
        found = latest(ctx.after, (name,)) if ctx.after is not None else None
        who = f", approved by {found.approver}" if found is not None else ""
        later = str(fc.after) > str(fc.before)
        return ("evidence-renewed" if later else "evidence-changed",
                f"evidence {name} {'renewed' if later else 'redated'}:"
                f" {_arrow(fc.before, fc.after)}{who}")
    return "evidence-changed", f"evidence {name}: {field} {_arrow(fc.before, fc.after)}"


def _documentation(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    return "documentation-changed", f"{fc.path} {fc.op}"


def _on_call(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    if fc.op == "removed" and m["rest"] in ("", ".schedule"):
        return "on-call-removed", "on-call schedule removed"
    return "on-call-changed", f"on-call {fc.path.removeprefix('spec.onCall.')} {fc.op}"


def _calendar(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    return "support-hours-changed", f"{fc.path.removeprefix('spec.')} {fc.op}"


def _offering(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading | None:
    if fc.op != "removed" or not fc.path.endswith("]"):
        return None
    return "offering-removed", f"{fc.path.removeprefix('spec.')} withdrawn"


def _sla_terms(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    return "sla-terms-changed", f"{fc.path.removeprefix('spec.')} {_arrow(fc.before, fc.after)}"


def _workflow(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    return "change-workflow-changed", f"{fc.path.removeprefix('spec.')} {fc.op}"


_ITEM = r"\[(?P<key>[^\]]+)\]"
_FIELD = r"(?:\.(?P<field>\w+))?"
_REST = r"(?P<rest>.*)"
DETECTORS: tuple[tuple[str, str, Detector], ...] = (
    ("*", r"metadata\.waivers" + _ITEM + _FIELD, _waiver),
    ("*", r"metadata\.(title|description|labels|annotations)" + _REST, _documentation),
    ("SLA", r"spec\.availability", _availability),
    ("SLA", r"spec\.targets" + _ITEM + _FIELD, _target),
    ("SLA", r"spec\.serviceCredits" + _ITEM + _FIELD, _credit),
    ("SLA", r"spec\.(type|customer|calendar|measurement|effective|service)" + _REST, _sla_terms),
    ("Service", r"spec\.owner", _owner),
    ("Service", r"spec\.dependencies" + _ITEM + _FIELD, _dependency),
    ("Service", r"spec\.lifecycle", _lifecycle),
    ("Service", r"spec\.evidence" + _ITEM + _FIELD, _evidence),
    ("Service", r"spec\.tier", _tier),
    ("Service", r"spec\.dataClassification", _classification),
    ("Service", r"spec\.changeModels" + _ITEM, _change_models),
    ("RACI", r"spec\.activities" + _ITEM + _REST, _raci),
    ("ChangeModel", r"spec\.approvals\.cab", _cab),
    ("ChangeModel", r"spec\.approvals\.approvers" + _ITEM, _approver),
    ("ChangeModel", r"spec\.approvals\.retrospective", _retrospective),
    ("ChangeModel", r"spec\.postImplementationReview" + _FIELD, _pir),
    ("ChangeModel", r"spec\.leadTime", _lead_time),
    ("ChangeModel", r"spec\.requiredArtifacts" + _ITEM, _artifact),
    ("ChangeModel", r"spec\.templates" + _ITEM + _FIELD, _template),
    ("ChangeModel", r"spec\.blackoutWindows" + _ITEM + _FIELD, _blackout),
    ("ChangeModel", r"spec\." + _REST, _workflow),
    ("Team", r"spec\.onCall" + _REST, _on_call),
    ("BusinessCalendar", r"spec\." + _REST, _calendar),
    ("ServiceCatalog", r"spec\.categories" + _REST, _offering),
    *PROCESS_DETECTORS,
)
_COMPILED = tuple((kind, re.compile(pattern + r"\Z"), fn) for kind, pattern, fn in DETECTORS)


def leaves(fc: FieldChange) -> Iterator[FieldChange]:
    """Split a whole mapping added or removed into its fields (`spec.approvals` -> `.cab`...),
    so detectors see `spec.approvals.cab removed` whichever level the YAML changed at."""
    value = fc.after if fc.op == "added" else fc.before
    if fc.op in ("added", "removed") and isinstance(value, dict) and not fc.path.endswith("]"):
        empty: dict[str, Any] = {}
        old, new = (empty, value) if fc.op == "added" else (value, empty)
        for sub in diff_values(old, new, fc.path):
            yield from leaves(sub)
    elif fc.op in ("added", "removed") and isinstance(value, list):
        name = re.sub(r"\[.*", "", fc.path.rsplit(".", 1)[-1])
        before: list[Any] = [] if fc.op == "added" else value
        after: list[Any] = value if fc.op == "added" else []
        yield from diff_values(before, after, fc.path, name)
    else:
        yield fc


def read_change(fc: FieldChange, ctx: Context) -> Reading:
    kind = ctx.entity.kind
    for detector_kind, pattern, detector in _COMPILED:
        if detector_kind in ("*", kind):
            match = pattern.match(fc.path)
            if match is not None:
                reading = detector(fc, match, ctx)
                if reading is not None:
                    return reading
    return "field-changed", f"{fc.path} {_describe(fc)}"


def _describe(fc: FieldChange) -> str:
    if fc.op == "changed" and not isinstance(fc.before, (dict, list)):
        return _arrow(fc.before, fc.after)
    return fc.op


def classify_fields(changes: Iterable[FieldChange], ctx: Context) -> list[Classified]:
    """One Classified per distinct (class, message), with every path it covers."""
    merged: dict[tuple[str, str], list[str]] = {}
    for change in changes:
        for leaf in leaves(change):
            cls, message = read_change(leaf, ctx)
            merged.setdefault((cls, message), []).append(leaf.path)
    entity = str(ctx.entity.ref)
    return [Classified(cls, impact_of(cls), message, entity, tuple(paths))
            for (cls, message), paths in merged.items()]


def still_referenced(head: Catalog, ref: Ref) -> list[str]:
    """`service:checkout (dependency)`: who in HEAD still names a removed entity."""
    return sorted({f"{r.source.ref} ({r.label})" for r in head.referrers.get(ref, [])
                   if r.source.ref != ref})


def classify_entity(status: str, fields: tuple[FieldChange, ...], ctx: Context,
                    renamed_from: Ref | None = None) -> list[Classified]:
    """Impacts of one entity change: its status, then its field changes."""
    entity = ctx.entity
    out: list[Classified] = []

    def add(cls: str, message: str) -> None:
        out.append(Classified(cls, impact_of(cls), message, str(entity.ref)))

    gone = entity.ref if status == "removed" else renamed_from
    if status == "added":
        add("entity-added", f"{entity.kind} {entity.name} added")
    elif status == "renamed":
        add("entity-renamed", f"renamed from {renamed_from.name if renamed_from else '?'}")
    elif status == "removed" and entity.file in ctx.unreadable:
        add("entity-removed", f"{entity.kind} {entity.name} is gone: {entity.file} no longer"
            " parses (see the findings)")
    elif status == "removed" and entity.ref in ctx.head.duplicates:
        add("entity-removed", f"{entity.kind} {entity.name} is gone: it is defined more than"
            f" once ({_copies(ctx.head.duplicates[entity.ref])}), so no copy is used until the"
            " names are unique (see the findings)")
    elif status == "removed":
        add("entity-removed", f"{entity.kind} {entity.name} removed")
    if gone is not None:
        users = still_referenced(ctx.head, gone)
        if users:
            add("entity-removed-referenced",
                f"{gone.kind} {gone.name} is gone but still referenced by {', '.join(users)}")
    readings = classify_fields(fields, ctx)
    if status == "added":  # a new entity's fields matter only where they carry a risk
        readings = [r for r in readings if r.change_class in ADDED_CLASSES]
    return out + readings


def _copies(copies: list[Entity]) -> str:
    """Where the copies of a duplicated name are, in a stable order, at most four named."""
    places = sorted(f"{e.file}:{e.line}" if e.line else e.file for e in copies)
    shown = ", ".join(places[:4])
    return shown + (f" and {len(places) - 4:,} more" if len(places) > 4 else "")


# what still needs saying about an entity that is new as a whole
ADDED_CLASSES = frozenset({"waiver-added", "dependency-on-less-critical-tier",
                           "standard-change-template-added", "retired-with-dependents",
                           "retiring-with-dependents"})
