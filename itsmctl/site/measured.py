"""`render --records DIR`: what was measured, as charts on service, SLA and process pages.

Charts are drawn here as inline SVG at build time, so they read without JavaScript and print.
Each one is an image with a title and a description that says in words what it shows (every
period's value and whether it missed), and the same figures follow as a table: nothing is
said by colour alone (missed bars are also hatched and named in the labels).

- SLA page: per priority and clock, attainment per period against its attainment target;
  the error budget used per period (100 % = the budget spent).
- Service page: the error budget of each SLA of the service.
- Process page: each KPI per period against its target.

Records are hostile input like the catalog: reports are indexed once per site (by SLA, service
and process), a chart draws the newest `MAX_BARS` periods (its table lists every one, and the
description says how many are drawn), and chart ids are unique on a page even when names differ
only in punctuation (`a.b` and `a-b`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape

from itsmctl.measure.evaluate import CLOCKS
from itsmctl.measure.kpis import KpiResult
from itsmctl.measure.result import MeasureResult, PeriodReport, SlaReport
from itsmctl.measure.run import format_value
from itsmctl.model import Entity, Ref
from itsmctl.processes.metrics import Metric

WIDTH_PER_BAR, HEIGHT, LEFT, TOP, BOTTOM = 64, 120, 44, 18, 34
MET, MISSED, AXIS = "#1f4e79", "#a4262c", "#4a4a4a"
MAX_BARS = 36  # periods drawn per chart, the newest; the table below it lists every period


@dataclass(frozen=True)
class Bar:
    label: str  # the period
    value: float | None
    shown: str  # the value as written in the label and the table
    missed: bool


@dataclass(frozen=True)
class Chart:
    """One chart and its table: the template shows `svg`, then the table in <details>."""

    id: str
    title: str
    description: str
    svg: Markup
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class MeasuredIndex:
    """The reports of one `measure` run by what a page asks for, built once per site, so a
    page looks its reports up instead of scanning every report of the run."""

    measured: MeasureResult
    sla: dict[str, SlaReport] = field(default_factory=dict)  # the first report of each SLA
    by_service: dict[str, list[SlaReport]] = field(default_factory=dict)
    by_process: dict[Ref, list[KpiResult]] = field(default_factory=dict)


def index_measured(measured: MeasureResult | None) -> MeasuredIndex | None:
    if measured is None:
        return None
    index = MeasuredIndex(measured)
    for report in measured.slas:
        index.sla.setdefault(report.plan.name, report)
        index.by_service.setdefault(report.plan.service, []).append(report)
    for result in measured.kpis:
        index.by_process.setdefault(result.kpi.process.ref, []).append(result)
    return index


class _Ids:
    """Chart ids unique on one page: `a.b` and `a-b` both make `chart-a-b`, the second gets
    `chart-a-b-2` (a counter per base keeps many such names linear)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next_suffix: dict[str, int] = {}

    def take(self, text: str) -> str:
        base = ident = _safe_id(text)
        while ident in self.taken:
            n = self.next_suffix.get(base, 2)
            self.next_suffix[base] = n + 1
            ident = f"{base}-{n}"
        self.taken.add(ident)
        return ident


def measured_section(index: MeasuredIndex | None, entity: Entity) -> dict[str, Any] | None:
    """The `measured` context of an entity page (None: no records, or nothing measured)."""
    if index is None:
        return None
    ids = _Ids()
    if entity.kind == "SLA":
        report = index.sla.get(entity.name)
        charts = _sla_charts(report, entity.name, ids) if report is not None else []
    elif entity.kind == "Service":
        charts = [c for r in index.by_service.get(entity.name, [])
                  for c in _budget_chart(r, f"{entity.name}-{r.plan.name}", ids)]
    elif entity.kind == "Process":
        charts = _kpi_charts(index.by_process.get(entity.ref, []), ids)
    else:
        return None
    measured = index.measured
    as_of = measured.records.as_of
    return {"records": measured.records.label, "tickets": measured.records.tickets,
            "as_of": (datetime.fromtimestamp(as_of, UTC).isoformat(timespec="minutes")
                      .replace("+00:00", "Z") if as_of is not None else ""),
            "charts": charts}


def _sla_charts(report: SlaReport, name: str, ids: _Ids) -> list[Chart]:
    charts = []
    for priority, target in sorted(report.plan.targets.items()):
        for clock in CLOCKS:
            bars, rows = [], []
            for period in report.periods:
                c = period.clocks.get(priority, {}).get(clock)
                if c is not None and c.group.attainment is not None:
                    bars.append(Bar(period.period, c.group.attainment,
                                    f"{c.group.attainment:.1f}%", c.missed))
                    rows.append(_attainment_row(period, priority, clock))
            if not bars:
                continue
            minutes = target.seconds(clock)
            within = f" within {_duration(minutes)}" if minutes is not None else ""
            title = f"{priority} {clock} attainment per period ({name})"
            charts.append(_chart(
                ids.take(f"{name}-{priority}-{clock}"), title,
                f"Share of {priority} tickets whose {clock} met the target{within}; the"
                f" dashed line is the {target.attainment:g}% attainment target.",
                bars, _fixed_scale(100.0, "100%"), target.attainment,
                f"target {target.attainment:g}%",
                ("Period", "Attainment", "Tickets", "Met", "Against the target"),
                tuple(rows)))
    return charts + _budget_chart(report, name, ids)


def _attainment_row(period: PeriodReport, priority: str, clock: str) -> tuple[str, ...]:
    c = period.clocks[priority][clock]
    return (period.period, f"{c.group.attainment:.1f}%", str(c.group.tickets),
            str(c.group.met), "missed" if c.missed else "met")


def _budget_chart(report: SlaReport, ident: str, ids: _Ids) -> list[Chart]:
    """Error budget used per period: downtime over what the target allows."""
    bars, rows = [], []
    for period in report.periods:
        a = period.availability
        if a is None or a.budget_minutes is None or a.measured is None:
            continue
        used = 100.0 * a.downtime_minutes / a.budget_minutes if a.budget_minutes else (
            0.0 if not a.downtime_minutes else float("inf"))
        shown = f"{used:.0f}%" if used != float("inf") else "no budget"
        label = period.period + (" (partial)" if a.partial else "")
        bars.append(Bar(label, used if used != float("inf") else None, shown, a.met is False))
        rows.append((label, f"{a.measured:.3f}%", f"{a.target:g}%" if a.target else "",
                     f"{a.downtime_minutes:.1f}", f"{a.budget_minutes:.1f}", shown,
                     f"{a.credit:g}%" if a.credit else "-"))
    if not bars:
        return []
    name = report.plan.name
    return [_chart(ids.take(f"{ident}-budget"), f"Error budget used per period ({name})",
                   f"Downtime as a share of the downtime {name} allows in each period; above"
                   " the dashed 100% line the budget is overspent and availability is below"
                   " its target.", bars, _budget_scale, 100.0, "budget",
                   ("Period", "Measured", "Target", "Downtime (min)", "Budget (min)",
                    "Budget used", "Credit"), tuple(rows))]


def _kpi_charts(results: list[KpiResult], ids: _Ids) -> list[Chart]:
    charts = []
    for result in results:
        kpi = result.kpi
        if kpi.metric is None:
            continue
        metric = kpi.metric
        bars = [Bar(p.period, p.value, format_value(metric, p.value), p.met is False)
                for p in result.periods]
        if not any(b.value is not None for b in bars):
            continue
        target = kpi.target.value.amount if kpi.target is not None else None
        written = f"target {kpi.target.op} {kpi.target.value}" if kpi.target else ""
        title = f"{kpi.name} per period ({kpi.statistic or 'mean'} {metric.id})"
        charts.append(_chart(
            ids.take(f"kpi-{kpi.name}"), title,
            f"{metric.title} per {kpi.period} period" + (f"; the dashed line is the"
                                                          f" {written}." if written else "."),
            bars, _kpi_scale(metric, target), target, written,
            ("Period", "Value", "Samples", "Against the target"),
            tuple((p.period, format_value(metric, p.value), str(p.samples),
                   "missed" if p.met is False else "met" if p.met else "-")
                  for p in result.periods)))
    return charts


Scale = Callable[[list[Bar]], tuple[float, str]]  # the drawn bars -> the top and its label


def _budget_scale(drawn: list[Bar]) -> tuple[float, str]:
    """100 %, or the most overspent drawn period."""
    top = max([100.0] + [b.value for b in drawn if b.value is not None])
    return top, f"{top:.0f}%"


def _kpi_scale(metric: Metric, target: float | None) -> Scale:
    """Percentages up to 100; other units 15 % above the largest drawn value or the target."""
    def scale(drawn: list[Bar]) -> tuple[float, str]:
        values = [b.value for b in drawn if b.value is not None]
        top = 100.0 if metric.unit == "percent" else (max(values + [target or 0.0]) * 1.15
                                                      or 1.0)
        return top, format_value(metric, top)
    return scale


def _fixed_scale(top: float, text: str) -> Scale:
    return lambda drawn: (top, text)


def _duration(seconds: float) -> str:
    from itsmctl.durations import format_duration

    return format_duration(round(seconds / 60.0))


def _chart(ident: str, title: str, explain: str, bars: list[Bar], scale: Scale,
           line: float | None, line_label: str, headers: tuple[str, ...],
           rows: tuple[tuple[str, ...], ...]) -> Chart:
    """`ident` is already unique on the page (`_Ids.take`); past `MAX_BARS` periods the newest
    are drawn and described, and the description says so (the table keeps them all). The
    scale is taken over the drawn bars only: an old outlier must not flatten the drawn ones."""
    drawn = bars[-MAX_BARS:]
    top = scale(drawn)
    words = "; ".join(f"{b.label}: {b.shown}" + (" (missed)" if b.missed else "")
                      for b in drawn)
    cut = (f" The newest {len(drawn)} of {len(bars)} periods are drawn; the table lists"
           " every one." if len(drawn) < len(bars) else "")
    description = f"{explain} {words}.{cut}"
    return Chart(ident, title, description,
                 bar_svg(ident, title, description, drawn, top[0], top[1], line, line_label),
                 headers, rows)


def _safe_id(text: str) -> str:
    return "chart-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)


def bar_svg(ident: str, title: str, description: str, bars: list[Bar], top: float,
            top_text: str, line: float | None, line_label: str) -> Markup:
    """Bars from 0 to `top`, a dashed line at `line`; every label is escaped."""
    width = LEFT + WIDTH_PER_BAR * len(bars) + 70
    height = TOP + HEIGHT + BOTTOM
    top = top if top > 0 else 1.0

    def y(value: float) -> float:
        return TOP + HEIGHT * (1 - min(max(value, 0.0), top) / top)

    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}"'
         f' height="{height}" viewBox="0 0 {width} {height}" role="img"'
         f' aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui, sans-serif"'
         ' font-size="12">'),
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        (f'<defs><pattern id="{ident}-hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
         ' patternTransform="rotate(45)"><rect width="6" height="6" fill="#a4262c"/>'
         '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>'
         '</defs>'),
        (f'<line x1="{LEFT}" y1="{TOP + HEIGHT}" x2="{width - 8}" y2="{TOP + HEIGHT}"'
         f' stroke="{AXIS}"/>'),
        (f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" fill="{AXIS}">'
         f'{escape(top_text)}</text>'),
        (f'<text x="{LEFT - 6}" y="{TOP + HEIGHT + 4}" text-anchor="end"'
         f' fill="{AXIS}">0</text>'),
    ]
    for index, bar in enumerate(bars):
        x = LEFT + 10 + index * WIDTH_PER_BAR
        bar_w = WIDTH_PER_BAR - 20
        if bar.value is not None:
            y0 = y(bar.value)
            fill = f"url(#{ident}-hatch)" if bar.missed else MET
            out.append(f'<rect x="{x}" y="{y0:.1f}" width="{bar_w}"'
                       f' height="{TOP + HEIGHT - y0:.1f}" fill="{fill}"/>')
        out.append(f'<text x="{x + bar_w / 2:.1f}" y="{(y(bar.value or 0) - 4):.1f}"'
                   f' text-anchor="middle" fill="#1a1a1a">{escape(bar.shown)}</text>'
                   if bar.value is not None else "")
        out.append(f'<text x="{x + bar_w / 2:.1f}" y="{TOP + HEIGHT + 14}"'
                   f' text-anchor="middle" fill="#1a1a1a">{escape(bar.label)}</text>')
        if bar.missed:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{TOP + HEIGHT + 27}"'
                       f' text-anchor="middle" fill="{MISSED}">missed</text>')
    if line is not None:
        ly = y(line)
        out.append(f'<line x1="{LEFT}" y1="{ly:.1f}" x2="{width - 70}" y2="{ly:.1f}"'
                   f' stroke="{AXIS}" stroke-width="1.5" stroke-dasharray="5 3"/>')
        out.append(f'<text x="{width - 66}" y="{ly + 4:.1f}" fill="{AXIS}">'
                   f'{escape(line_label)}</text>')
    out.append("</svg>")
    return Markup("\n".join(s for s in out if s) + "\n")


