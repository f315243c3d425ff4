"""`measure_path`: the catalog's promises against a folder of records, as one result."""

from __future__ import annotations

import csv
import dataclasses
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo

from itsmctl.catalog import Catalog
from itsmctl.errors import ItsmctlError
from itsmctl.findings import Finding, Severity
from itsmctl.loader import load_directory
from itsmctl.locate import Locator
from itsmctl.measure.availability import AvailabilityPeriod, measure_availability
from itsmctl.measure.calendar import BusinessClock, CalendarError, load_zone
from itsmctl.measure.evaluate import CLOCKS
from itsmctl.measure.kpis import KpiResult, KpiTally
from itsmctl.measure.mapping import RecordMapping, load_mapping
from itsmctl.measure.periods import period_bounds, periods_between
from itsmctl.measure.plans import SlaPlan, compile_plans
from itsmctl.measure.recordfile import present
from itsmctl.measure.records import (
    EventRow,
    Outage,
    RowProblem,
    Ticket,
    read_events,
    read_outages,
    read_tickets,
)
from itsmctl.measure.result import (
    ClockReport,
    MeasureResult,
    PeriodReport,
    RecordSummary,
    SlaReport,
)
from itsmctl.measure.stream import JoinStats, OutOfOrder, join_in_memory, join_streaming
from itsmctl.measure.tally import PER_TICKET_COLUMNS, Row, Tally
from itsmctl.measure.timestamps import InstantParser
from itsmctl.processes.metrics import Metric
from itsmctl.processes.spec import EscalationStep, Kpi, escalation, kpis, process_name
from itsmctl.sources import SourceFile

if TYPE_CHECKING:
    from itsmctl.config import Config
    from itsmctl.runcontext import RunContext


@dataclass(frozen=True)
class MeasureOptions:
    records: Path
    assume_tz: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    max_bad_rows: int = 0
    records_label: str | None = None
    jobs: int | None = None  # processes; None: every core for a large tickets file


def measure_path(context: RunContext, options: MeasureOptions,
                 per_ticket: IO[str] | None = None) -> MeasureResult:
    """Measure every SLA and KPI of the run's catalog against `options.records`.

    `per_ticket`, when given, receives the per-ticket CSV (the caller writes it atomically,
    so nothing is left behind when this raises). Raises ItsmctlError (exit 2) when records
    are missing or more rows are unreadable than `max_bad_rows` allows.
    """
    check_records(options)
    catalog, sources, load_findings = _load_catalog(context, options)
    result = measure_catalog(catalog, options, context.label, per_ticket)
    findings = Locator(context.limits).locate([*load_findings, *result.findings], sources)
    return dataclasses.replace(result, findings=tuple(sorted(findings, key=Finding.sort_key)))


def check_records(options: MeasureOptions) -> None:
    """A records folder that does not exist is a usage error (exit 2), said first."""
    if not options.records.is_dir():
        raise ItsmctlError(f"records folder {options.records_label or options.records}"
                           " does not exist",
                           "pass --records DIR with tickets.csv (docs/measure.md)")


def measure_catalog(catalog: Catalog, options: MeasureOptions, label: str,
                    per_ticket: IO[str] | None = None, *, slas: frozenset[str] | None = None,
                    with_kpis: bool = True) -> MeasureResult:
    """Measure a loaded catalog (from disk, or one side of a diff) against the records.

    `slas`: only these SLAs (by name); `with_kpis` False: no KPI is computed. Findings are
    not yet placed at file:line (the caller has the sources: see `measure_path`).
    """
    check_records(options)
    records_label = options.records_label or str(options.records)
    mapping = load_mapping(options.records)
    parse = InstantParser(_zone(options.assume_tz or mapping.timezone),
                          mapping.timestamp_format)
    files = _files(options.records, mapping)
    plans, findings = compile_plans(catalog)
    if slas is not None:
        plans = [p for p in plans if p.name in slas]
        findings = [f for f in findings if f.entity.partition(":")[2] in slas]
    resolve = _service_resolver(catalog, mapping)

    # outages come from monitoring, not the ITSM tool: always ISO 8601, whatever the export
    outage_parse = InstantParser(parse.assume)
    outages, outage_problems = _outages(files.get("outages"), records_label, mapping,
                                        outage_parse, resolve)
    processes = catalog.of_kind("Process") if with_kpis else []
    all_kpis = [k for p in processes for k in kpis(p)]
    steps = tuple(s for p in catalog.of_kind("Process") if process_name(p) == "incident"
                  for s in escalation(p))
    by_service: dict[str, list[SlaPlan]] = {}
    for plan in plans:
        by_service.setdefault(plan.service, []).append(plan)
    services = frozenset(e.name for e in catalog.of_kind("Service"))
    change_models = {e.name: kind for e in catalog.of_kind("ChangeModel")
                     if isinstance(kind := e.spec.get("type"), str)}
    inputs = RecordInputs(files, records_label, mapping, parse, resolve, change_models,
                          by_service, services, steps, all_kpis,
                          _Window(options.date_from, options.date_to), outages)
    window = inputs.window
    counted = None
    workers = worker_count(files["tickets"], options.jobs)
    if workers > 1:
        from itsmctl.measure.parallel import measure_parallel

        counted = measure_parallel(inputs, workers, per_ticket)
    if counted is None:
        try:
            counted = _attempt(inputs, join_streaming, per_ticket)
        except OutOfOrder:
            counted = _attempt(inputs, join_in_memory, per_ticket)
    tally, stats, kpi_tally, rows = counted
    problems = outage_problems + stats.problems
    if len(problems) > options.max_bad_rows:
        raise _too_many_bad_rows(problems, options.max_bad_rows)

    as_of = tally.latest if tally.latest != -float("inf") else None
    reports = tuple(_sla_report(plan, tally, outages if "outages" in files else None,
                                window, as_of) for plan in plans)
    kpi_results = tuple(kpi_tally.results(as_of if as_of is not None else 0.0))
    findings += _record_findings(problems, stats, tally, records_label, files)
    findings += _target_findings(reports, kpi_results)
    summary = RecordSummary(
        records_label, tally.tickets, len(problems), stats.mode, stats.peak_open,
        dict(tally.unknown_services), dict(tally.unknown_priorities), dict(tally.unknown_types),
        dict(tally.no_target), dict(tally.not_in_force), stats.orphan_events,
        tuple(stats.unknown_ticket_ids), tuple(stats.early_event_ids), len(stats.duplicates),
        len(outages), as_of)
    return MeasureResult(label, summary, reports, kpi_results,
                         tuple(sorted(findings, key=Finding.sort_key)), rows)


_UTC = ZoneInfo("UTC")
Counted = tuple[Tally, JoinStats, KpiTally, int]  # the tally, the join's stats, KPIs, rows


@dataclass(frozen=True)
class RecordInputs:
    """What every pass over the records reads and counts with, worked out once: the serial
    attempts share it, and the workers of a parallel run inherit it (itsmctl/measure/
    parallel.py)."""

    files: dict[str, Path]
    records_label: str
    mapping: RecordMapping
    parse: InstantParser
    resolve: Callable[[str], str]
    change_models: dict[str, str]
    by_service: dict[str, list[SlaPlan]]
    services: frozenset[str]
    steps: tuple[EscalationStep, ...]
    kpis: list[Kpi]
    window: _Window
    outages: list[Outage]

    def label(self, kind: str) -> str:
        return _label(self.records_label, self.files, kind)

    def tally(self, row: Row | None, kind: type[Tally] = Tally) -> Tally:
        """A fresh tally (with its KPI tally) that has seen the outages' instants."""
        kpi_tally = KpiTally(self.kpis, _clock_of(self.by_service), self.window.bounds(_UTC))
        tally = kind(self.by_service, self.services, self.steps, kpi_tally, row,
                     window=self.window)
        for outage in self.outages:
            tally.see(outage.start)
            tally.see(outage.end)
        return tally

    def rows(self, sink: IO[str]) -> PerTicketRows:
        """The per-ticket CSV of one pass, on `sink`."""
        return PerTicketRows(sink)

    def tickets(self, problems: list[RowProblem]) -> Iterator[Ticket]:
        return read_tickets(self.files["tickets"], self.label("tickets"), self.mapping,
                            self.parse, problems, self.resolve, self.change_models)

    def events(self, problems: list[RowProblem]) -> Iterator[EventRow] | None:
        if "events" not in self.files:
            return None
        return read_events(self.files["events"], self.label("events"), self.mapping,
                           self.parse, problems)


class PerTicketRows:
    """The per-ticket CSV of one pass: a header on an emptied sink (a second attempt starts
    over), then each row the tally hands over, counted."""

    def __init__(self, sink: IO[str]) -> None:
        sink.seek(0)
        sink.truncate()
        self.sink, self.rows = sink, 0
        self.writer = csv.writer(sink, lineterminator="\n")
        self.writer.writerow(PER_TICKET_COLUMNS)

    def __call__(self, cells: list[str]) -> None:
        self.rows += 1
        self.writer.writerow(cells)


def _attempt(inputs: RecordInputs, join: Callable[..., None], per_ticket: IO[str] | None
             ) -> Counted:
    """One pass of `join` over the records in this process."""
    rows = inputs.rows(per_ticket) if per_ticket is not None else None
    tally = inputs.tally(rows)
    assert tally.kpis is not None
    stats = JoinStats()
    join(inputs.tickets(stats.problems), inputs.events(stats.problems), tally, stats)
    return tally, stats, tally.kpis, rows.rows if rows is not None else tally.measured


def worker_count(tickets: Path, requested: int | None = None) -> int:
    """`requested` (--jobs), or the cores this process may use for a tickets file worth
    splitting (below MIN_PARALLEL_BYTES one process is as fast)."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1  # forking a multi-threaded process can deadlock the child (and 3.12 warns)
    if requested is not None:
        return max(1, requested)
    try:
        size = tickets.stat().st_size
    except OSError:
        return 1
    if size < MIN_PARALLEL_BYTES:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, 8))


MIN_PARALLEL_BYTES = 8 << 20  # about 50,000 tickets


class _Window:
    """The --from/--to dates as instants in a zone (each SLA measures in its own)."""

    def __init__(self, first: date | None, last: date | None) -> None:
        self.first, self.last = first, last
        self._cache: dict[str, tuple[float, float]] = {}

    def bounds(self, zone: ZoneInfo) -> tuple[float, float]:
        cached = self._cache.get(zone.key)
        if cached is None:
            lo = _midnight(self.first, zone) if self.first else -float("inf")
            # --to 9999-12-31 has no next day: the window is open-ended, as without --to
            hi = (_midnight(self.last + timedelta(days=1), zone)
                  if self.last and self.last < date.max else float("inf"))
            cached = self._cache[zone.key] = (lo, hi)
        return cached

    def holds(self, instant: float, zone: ZoneInfo) -> bool:
        lo, hi = self.bounds(zone)
        return lo <= instant < hi


def _midnight(day: date, zone: ZoneInfo) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def _load_catalog(context: RunContext, options: MeasureOptions
                  ) -> tuple[Catalog, dict[str, SourceFile], list[Finding]]:
    root, label = context.root, context.label
    config = without_records(context.config, options.records, root)
    loaded = load_directory(root, config, label)
    broken = sorted({f.file for f in loaded.findings if f.severity >= Severity.ERROR})
    notes = [Finding("catalog-not-loaded", Severity.WARNING,
                     f"{len(broken)} catalog file(s) could not be loaded (e.g. {broken[0]});"
                     " their entities are not measured", label, None, None,
                     hint="run itsmctl validate for the details")] if broken else []
    return loaded.catalog, dict(loaded.sources), notes


def without_records(config: Config, records: Path, root: Path) -> Config:
    """`config` with a records folder kept inside the catalog excluded: its files
    (`mapping.yaml`) are not catalog files, for measure, render, diff and check alike."""
    inside = _relative(records, root)
    if inside is None or inside in ("", "."):
        return config
    return dataclasses.replace(config, exclude=(*config.exclude, f"{inside}/**"))


def _relative(path: Path, root: Path) -> str | None:
    try:
        rel = Path(os.path.realpath(path)).relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return None
    return rel if rel != "." else None


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return load_zone(name)
    except CalendarError:
        raise ItsmctlError(f"--assume-tz: unknown time zone {name!r}",
                           "use an IANA name such as Europe/Berlin or UTC") from None


def record_names(mapping: RecordMapping) -> dict[str, tuple[str, ...]]:
    """The file names measure may read for each kind, in the order it tries them: the
    mapping's `files.<kind>` (a plain name) or the defaults. `diff --records` reads only
    these from BASE's tree."""
    out: dict[str, tuple[str, ...]] = {}
    for kind, defaults in (("tickets", ("tickets.csv", "tickets.jsonl")),
                           ("events", ("events.csv",)), ("outages", ("outages.csv",))):
        name = mapping.files.get(kind)
        if name is not None and (Path(name).name != name or name in ("", ".", "..")):
            raise ItsmctlError(f"mapping.yaml: files.{kind} {name!r} is not a plain file name",
                               "records are read from the records folder only")
        out[kind] = (name,) if name else defaults
    return out


def _files(records: Path, mapping: RecordMapping) -> dict[str, Path]:
    """tickets (required), events and outages (optional): plain names inside the folder."""
    found: dict[str, Path] = {}
    for kind, candidates in record_names(mapping).items():
        name = mapping.files.get(kind)
        for candidate in candidates:
            if present(records / candidate):  # a link or FIFO is refused when opened
                found[kind] = records / candidate
                break
        else:
            if kind == "tickets" or name:
                wanted = name or "tickets.csv or tickets.jsonl"
                raise ItsmctlError(f"the records folder has no {wanted}",
                                   "see docs/measure.md for the record files")
    return found


def _label(records_label: str, files: dict[str, Path], kind: str) -> str:
    return f"{records_label.rstrip('/')}/{files[kind].name}"


def _service_resolver(catalog: Catalog, mapping: RecordMapping) -> Callable[[str], str]:
    """Export names (a CI, a business service, a title) to catalog service names."""
    names = {e.name for e in catalog.of_kind("Service")}
    titles = {e.title.casefold(): e.name for e in catalog.of_kind("Service")}
    cache: dict[str, str] = {}

    def resolve(text: str) -> str:
        found = cache.get(text)
        if found is None:
            mapped = mapping.services.get(text, text)
            found = mapped if mapped in names else titles.get(mapped.casefold(), mapped)
            cache[text] = found
        return found

    return resolve


def _outages(path: Path | None, records_label: str, mapping: RecordMapping,
             parse: InstantParser, resolve: Callable[[str], str]
             ) -> tuple[list[Outage], list[RowProblem]]:
    if path is None:
        return [], []
    outages, problems = [], []
    for item in read_outages(path, f"{records_label.rstrip('/')}/{path.name}", mapping, parse):
        if isinstance(item, RowProblem):
            problems.append(item)
        else:
            outages.append(dataclasses.replace(item, service=resolve(item.service)))
    return outages, problems


def _clock_of(by_service: dict[str, list[SlaPlan]]
              ) -> Callable[[str, float], BusinessClock | None]:
    def clock_of(service: str, instant: float) -> BusinessClock | None:
        for plan in by_service.get(service, ()):
            if plan.in_force(instant):
                return plan.clock
        return None
    return clock_of


def _sla_report(plan: SlaPlan, tally: Tally, outages: list[Outage] | None, window: _Window,
                as_of: float | None) -> SlaReport:
    keys = sorted({k[1] for k in tally.groups if k[0] == plan.name})
    availability: dict[str, AvailabilityPeriod] = {}
    if outages is not None and plan.availability is not None and as_of is not None:
        availability = _availability(plan, [o for o in outages if o.service == plan.service],
                                     tally, window, as_of)
    periods = []
    for key in sorted(set(keys) | set(availability)):
        clocks: dict[str, dict[str, ClockReport]] = {}
        for priority, target in sorted(plan.targets.items()):
            for clock in CLOCKS:
                group = tally.groups.get((plan.name, key, priority, clock))
                if group is not None:
                    clocks.setdefault(priority, {})[clock] = ClockReport(clock, target, group)
        periods.append(PeriodReport(key, availability.get(key), clocks))
    open_within = {(p, c): n for (name, p, c), n in tally.open_within.items()
                   if name == plan.name}
    escalations = {(p, s): n for (name, p, s), n in tally.escalations.items()
                   if name == plan.name}
    return SlaReport(plan, tuple(periods), open_within, escalations)


def _availability(plan: SlaPlan, outages: list[Outage], tally: Tally, window: _Window,
                  as_of: float) -> dict[str, AvailabilityPeriod]:
    """Whole periods, clipped to the records' span (or --from/--to) and the SLA's dates."""
    lo, hi = window.bounds(plan.zone)
    start = lo if lo != -float("inf") else tally.earliest
    end = hi if hi != float("inf") else as_of
    if plan.effective_from is not None:
        start = max(start, plan.effective_from)
    if plan.effective_until is not None:
        end = min(end, plan.effective_until)
    out: dict[str, AvailabilityPeriod] = {}
    if not start < end:
        return out
    for key in periods_between(start, end, plan.period, plan.zone):
        p0, p1 = period_bounds(key, plan.period, plan.zone)
        a, b = max(p0, start), min(p1, end)
        if a < b:
            out[key] = measure_availability(plan, outages, key, a, b, (a, b) != (p0, p1))
    return out


def _too_many_bad_rows(problems: list[RowProblem], allowed: int) -> ItsmctlError:
    # by file and line: the join reads tickets and events interleaved, in its own order
    first = "; ".join(str(p) for p in sorted(problems, key=lambda p: (p.file, p.line))[:3])
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return ItsmctlError(
        f"{len(problems)} unreadable record rows, more than --max-bad-rows {allowed}:"
        f" {first}{more}",
        "fix the rows, map the columns in mapping.yaml, or allow them with --max-bad-rows N")


def _record_findings(problems: list[RowProblem], stats: JoinStats, tally: Tally,
                     records_label: str, files: dict[str, Path]) -> list[Finding]:
    out = [Finding("record-unreadable", Severity.WARNING, f"column {p.column_name}: {p.message}"
                   if p.column_name else p.message, p.file, p.line, p.column,
                   hint="the row is left out of every figure")
           for p in problems]
    tickets = _label(records_label, files, "tickets")
    for ident, line in stats.duplicates:
        out.append(Finding("record-duplicate-id", Severity.ERROR,
                           f"ticket id {ident!r} appears more than once; the first row is used",
                           tickets, line, 1, hint="an export must list each ticket once"))
    for kind, counter in (("service", tally.unknown_services),
                          ("priority", tally.unknown_priorities), ("type", tally.unknown_types)):
        for value, count in sorted(counter.items()):
            out.append(Finding(
                f"record-unknown-{kind}", Severity.WARNING,
                f"{count} ticket(s) with {kind} {value!r}, which the catalog does not know,"
                " are not measured", tickets, tally.first_line.get((kind, value)), None,
                hint=_UNKNOWN_HINTS[kind]))
    if stats.orphan_events:
        unknown, early = stats.unknown_ticket_ids, stats.early_event_ids
        sample = ", ".join((unknown or early)[:5])
        out.append(Finding(
            "record-orphan-events", Severity.WARNING,
            f"{stats.orphan_events} status event(s) not used: {len(unknown)} ticket(s) not"
            f" in the tickets file, {len(early)} with events before opening (e.g. {sample})",
            _label(records_label, files, "events") if "events" in files else tickets,
            None, None, hint="export events and tickets for the same tickets and period"))
    return out


_UNKNOWN_HINTS = {
    "service": "map the export's names to catalog services under services: in mapping.yaml",
    "priority": "map the export's priorities to P1-P4 under values: priority: in mapping.yaml",
    "type": "map the export's types under values: type: (incident, request, change, problem)",
}


def _target_findings(reports: tuple[SlaReport, ...],
                     kpi_results: tuple[KpiResult, ...]) -> list[Finding]:
    out = []
    for report in reports:
        entity = report.plan.entity
        for period in report.periods:
            out.extend(_attainment_findings(report, period))
            a = period.availability
            if a is not None and a.met is False and a.measured is not None:
                credit = f"; a {a.credit:g}% service credit is owed" if a.credit else ""
                out.append(entity.finding(
                    "availability-below-target",
                    f"{entity.name}: availability in {period.period} was {a.measured:.3f}%,"
                    f" below the agreed {a.target:g}% ({a.downtime_minutes:.1f} min down of"
                    f" {a.agreed_minutes:.0f} agreed){credit}", ("spec", "availability"),
                    "review the outages with the service owner"))
    for result in kpi_results:
        missed = [p for p in result.periods if p.met is False]
        kpi = result.kpi
        if missed and kpi.metric is not None and kpi.target is not None:
            shown = ", ".join(f"{p.period} ({format_value(kpi.metric, p.value)})"
                              for p in missed[:6])
            more = f" and {len(missed) - 6} more" if len(missed) > 6 else ""
            out.append(kpi.process.finding(
                "kpi-target-missed",
                f"{kpi.process.name}: KPI {kpi.name} ({kpi.statistic} {kpi.metric.id}) missed"
                f" its target {kpi.target} in {shown}{more}", (*kpi.path, "target"),
                "discuss it in the process review", Severity.WARNING))
    return out


def _attainment_findings(report: SlaReport, period: PeriodReport) -> list[Finding]:
    entity = report.plan.entity
    out = []
    for priority, clocks in sorted(period.clocks.items()):
        for clock, c in clocks.items():
            if not c.missed or c.group.attainment is None:
                continue
            t = c.target
            field = "attainment" if t.attainment_declared else clock
            out.append(entity.finding(
                "sla-attainment-below-target",
                f"{entity.name}: {priority} {clock} in {period.period}: {c.group.met} of"
                f" {c.group.tickets} met the target ({c.group.attainment:.1f}%), below"
                f" {t.attainment:g}%" + ("" if t.attainment_declared else " (the default)"),
                ("spec", "targets", t.index, field), "review the breached tickets"
                " (--per-ticket) in the service review",
                Severity.ERROR if t.attainment_declared else Severity.WARNING))
    return out


def format_value(metric: Metric, value: float | None) -> str:
    """A KPI value in its unit: `4h12m`, `93.5%`, `4.1`."""
    if value is None:
        return "-"
    if metric.unit == "duration":
        from itsmctl.durations import format_duration

        return format_duration(round(value))
    if metric.unit == "percent":
        return f"{value:.1f}%"
    return f"{value:.2f}".rstrip("0").rstrip(".")
