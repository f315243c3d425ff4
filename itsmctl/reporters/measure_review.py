"""`itsmctl measure` as a monthly service review: text for the terminal, Markdown for a wiki.

One table per SLA, the SLAs that missed a promise first and, in each table, the rows that
missed first; then the KPIs (missed first), what the records held that could not be used,
and the findings. Every value that comes from records is escaped for its format.
"""

from __future__ import annotations

from collections.abc import Callable

from itsmctl.durations import format_duration
from itsmctl.findings import Finding
from itsmctl.measure.kpis import KpiResult
from itsmctl.measure.result import MeasureResult, SlaReport
from itsmctl.measure.run import format_value
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.diff_markdown import cell
from itsmctl.reporters.measure_json import records_dict
from itsmctl.reporters.wording import plural
from itsmctl.visible import visible

Table = tuple[list[str], list[list[str]]]


def plain(text: str) -> str:
    """Safe on a terminal: control, bidi and separator characters shown escaped (visible.py)."""
    return visible(text)


def minutes(value: float | None) -> str:
    if value is None:
        return "-"
    return format_duration(round(value)) if value >= 1 or value == 0 else "<1m"


def percent(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}%"


def sla_tables(sla: SlaReport) -> tuple[Table | None, Table]:
    """The availability table (periods) and the attainment table (period x priority x clock)."""
    avail_rows = []
    for p in sorted(sla.periods, key=lambda p: (p.availability is None
                                                or p.availability.met is not False, p.period)):
        a = p.availability
        if a is None:
            continue
        avail_rows.append([
            p.period + (" (partial)" if a.partial else ""),
            percent(a.measured, 3) + (" MISSED" if a.met is False else ""),
            f"{a.target:g}%" if a.target is not None else "-", f"{a.downtime_minutes:.1f} min",
            "-" if a.budget_left_minutes is None else f"{a.budget_left_minutes:.1f} min",
            f"{a.credit:g}%" if a.credit else "-"])
    availability = (["period", "availability", "target", "downtime", "budget left", "credit"],
                    avail_rows) if avail_rows else None
    rows = []
    for p in sla.periods:
        for priority, clocks in p.clocks.items():
            for clock, c in clocks.items():
                g = c.group
                rows.append((not c.missed, p.period, priority, clock, [
                    p.period, priority, clock, str(g.tickets), str(g.met), str(g.breached),
                    percent(g.attainment) + (" MISSED" if c.missed else ""),
                    f"{c.target.attainment:g}% in {minutes(c.target_minutes)}",
                    minutes(g.percentile(0.5)), minutes(g.percentile(0.9))]))
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    header = ["period", "priority", "clock", "tickets", "met", "breached", "attainment",
              "target", "p50", "p90"]
    return availability, (header, [r[4] for r in rows])


def kpi_table(kpis: tuple[KpiResult, ...]) -> Table:
    rows = []
    for result in kpis:
        kpi, metric = result.kpi, result.kpi.metric
        if metric is None:
            continue
        for p in result.periods:
            rows.append((p.met is not False, kpi.process.name, kpi.name, p.period, [
                kpi.process.name, kpi.name, p.period, format_value(metric, p.value),
                str(kpi.target) if kpi.target else "-",
                "missed" if p.met is False else "met" if p.met else "-", str(p.samples)]))
    rows.sort(key=lambda r: r[:4])
    return (["process", "kpi", "period", "value", "target", "", "samples"],
            [r[4] for r in rows])


def sla_title(sla: SlaReport) -> str:
    plan = sla.plan
    state = "MISSED" if sla.missed else "kept"
    return (f"{plan.name} ({plan.entity.get('spec', 'type', default='SLA')} for {plan.service},"
            f" calendar {plan.clock.name}, {plan.period} in {plan.zone.key}): {state}")


def extra_lines(sla: SlaReport) -> list[str]:
    out = []
    if sla.open_within:
        shown = ", ".join(f"{p} {c} {n}" for (p, c), n in sorted(sla.open_within.items()))
        out.append(f"open within target (left out): {shown}")
    if sla.escalations:
        shown = ", ".join(f"{p} {s}: {n}" for (p, s), n in sorted(sla.escalations.items()))
        out.append(f"escalation thresholds crossed: {shown}")
    return out


def unusable(result: MeasureResult) -> list[str]:
    """What the records held that no figure includes (counted, never dropped silently)."""
    r = records_dict(result)
    out = []
    for key, label in (("unknownServices", "unknown services"),
                       ("unknownPriorities", "unknown priorities"),
                       ("unknownTypes", "unknown types"),
                       ("outsideEffectiveDates", "opened outside an SLA's effective dates")):
        if r[key]:
            out.append(f"{label}: " + ", ".join(f"{k} ({v})" for k, v in r[key].items()))
    if r["withoutTarget"]:
        out.append("priorities without a target: " + ", ".join(
            f"{w['sla']} {w['priority']} ({w['tickets']})" for w in r["withoutTarget"]))
    if r["badRows"]:
        out.append(f"unreadable rows left out: {r['badRows']} (see the findings)")
    if r["unusedEvents"]:
        out.append(f"status events not used: {r['unusedEvents']}")
    return out


def headline(result: MeasureResult) -> str:
    r = result.records
    missed = sum(s.missed for s in result.slas)
    return (f"{plural(r.tickets, 'ticket')} read ({r.mode}), {plural(len(result.slas), 'SLA')}"
            f" measured, {missed} with a missed promise")


def _text_table(table: Table, indent: str = "  ") -> list[str]:
    header, rows = table
    cells = [header] + [[plain(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return [indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()
            for row in cells]


def _md_table(table: Table) -> list[str]:
    header, rows = table
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return out


def _ordered(result: MeasureResult) -> list[SlaReport]:
    return sorted(result.slas, key=lambda s: (not s.missed, s.plan.name))


def _finding_line(finding: Finding, escape: Callable[[str], str]) -> str:
    where = f"{finding.file}:{finding.line}" if finding.line else finding.file
    return f"{escape(where)}: {finding.severity.label}: {escape(finding.message)} [{finding.rule}]"


def render_text(result: MeasureResult, options: ReportOptions) -> str:
    out = [f"Service review of {plain(result.root)}: {headline(result)}", ""]
    for sla in _ordered(result):
        out.append(plain(sla_title(sla)))
        availability, attainment = sla_tables(sla)
        if availability:
            out += _text_table(availability)
            out.append("")
        if attainment[1]:
            out += _text_table(attainment)
        out += ["  " + plain(line) for line in extra_lines(sla)]
        out.append("")
    kpis = kpi_table(result.kpis)
    if kpis[1]:
        out.append("KPIs")
        out += _text_table(kpis)
        out.append("")
    for line in unusable(result):
        out.append(plain(line))
    if result.findings:
        out.append("")
        out += [_finding_line(f, plain) for f in result.findings]
    counts = result.counts
    out.append("")
    out.append(f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}")
    return "\n".join(out) + "\n"


def render_markdown(result: MeasureResult, options: ReportOptions) -> str:
    out = [f"# Service review: {cell(result.root)}", "", headline(result) + ".", ""]
    for sla in _ordered(result):
        out += [f"## {cell(sla_title(sla))}", ""]
        availability, attainment = sla_tables(sla)
        if availability:
            out += _md_table(availability) + [""]
        if attainment[1]:
            out += _md_table(attainment) + [""]
        out += [f"- {cell(line)}" for line in extra_lines(sla)]
        if extra_lines(sla):
            out.append("")
    kpis = kpi_table(result.kpis)
    if kpis[1]:
        out += ["## KPIs", ""] + _md_table(kpis) + [""]
    lines = unusable(result)
    if lines:
        out += ["## Records not measured", ""] + [f"- {cell(line)}" for line in lines] + [""]
    if result.findings:
        out += ["## Findings", ""] + [f"- {_finding_line(f, cell)}" for f in result.findings]
        out.append("")
    return "\n".join(out)
