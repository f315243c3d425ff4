"""`render --records DIR`: the home page's service review, what the latest period missed.

A service review asks what the last full period delivered, not the one still running: for
each SLA and KPI the period shown is the newest of its measured periods that had ended by
the records' as-of instant (its latest complete period; an SLA's in its measurement zone, a
KPI's in UTC, as `measure` keys them). Three lists follow, each worst first:

- SLAs whose measured availability is below the target (the largest shortfall first);
- attainment below target, per SLA, priority and clock (the largest shortfall first);
- KPIs that missed their target (the largest distance from it, relative to the target).

Each list shows at most `SHOWN` rows and counts the rest: records are hostile input, and the
SLA and process pages (linked from every row) have every figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from itsmctl.measure.evaluate import CLOCKS
from itsmctl.measure.kpis import KpiPeriod, KpiResult
from itsmctl.measure.periods import period_bounds
from itsmctl.measure.result import PeriodReport, SlaReport
from itsmctl.measure.run import format_value
from itsmctl.site.context import SiteInput
from itsmctl.site.paths import Link

SHOWN = 20  # rows per list; the rest are counted
_KPI_ZONE = ZoneInfo("UTC")  # KPI periods are keyed in UTC (measure/kpis.py)


@dataclass(frozen=True)
class ReviewRow:
    """One miss: `cells` as shown after the linked entity; `gap` orders the list (larger:
    worse)."""

    link: Link
    cells: tuple[str, ...]
    gap: float
    key: tuple[str, ...]


def service_review(site: SiteInput) -> dict[str, Any] | None:
    """The `review` context of the home page (None: rendered without --records)."""
    measured = site.measured
    if measured is None:
        return None
    as_of = measured.records.as_of
    availability: list[ReviewRow] = []
    attainment: list[ReviewRow] = []
    kpis: list[ReviewRow] = []
    reviewed = 0  # SLAs and KPIs with a complete period
    if as_of is not None:
        for report in measured.slas:
            period = _latest_sla_period(report, as_of)
            if period is not None:
                reviewed += 1
                availability += _availability(site, report, period)
                attainment += _attainment(site, report, period)
        for result in measured.kpis:
            latest = _latest_kpi_period(result, as_of)
            if latest is not None:
                reviewed += 1
                kpis += _kpi(site, result, latest)
    return {
        "records": measured.records.label, "tickets": measured.records.tickets,
        "as_of": (datetime.fromtimestamp(as_of, UTC).isoformat(timespec="minutes")
                  .replace("+00:00", "Z") if as_of is not None else ""),
        "reviewed": reviewed,
        "availability": _worst_first(availability),
        "attainment": _worst_first(attainment),
        "kpis": _worst_first(kpis),
    }


def _worst_first(rows: list[ReviewRow]) -> dict[str, Any]:
    # rounded: two SLAs measured alike must not be ordered by float noise
    ordered = sorted(rows, key=lambda r: (-round(r.gap, 9), r.key))
    return {"rows": ordered[:SHOWN], "count": len(ordered), "more": max(0, len(ordered) - SHOWN)}


def _latest_sla_period(report: SlaReport, as_of: float) -> PeriodReport | None:
    plan = report.plan
    ended = [(period_bounds(p.period, plan.period, plan.zone)[1], p) for p in report.periods]
    complete = [(end, p) for end, p in ended if end <= as_of]
    return max(complete, key=lambda pair: pair[0])[1] if complete else None


def _latest_kpi_period(result: KpiResult, as_of: float) -> KpiPeriod | None:
    period = result.kpi.period
    ended = [(period_bounds(p.period, period, _KPI_ZONE)[1], p) for p in result.periods]
    complete = [(end, p) for end, p in ended if end <= as_of]
    return max(complete, key=lambda pair: pair[0])[1] if complete else None


def _availability(site: SiteInput, report: SlaReport, period: PeriodReport) -> list[ReviewRow]:
    a = period.availability
    if a is None or a.met is not False or a.measured is None or a.target is None:
        return []
    plan = report.plan
    return [ReviewRow(site.link_entity(plan.entity),
                      (plan.service, period.period, f"{a.measured:.3f}%", f"{a.target:g}%",
                       f"{a.credit:g}%" if a.credit else "-"),
                      a.target - a.measured, (plan.name,))]


def _attainment(site: SiteInput, report: SlaReport, period: PeriodReport) -> list[ReviewRow]:
    rows = []
    plan = report.plan
    for priority in sorted(period.clocks):
        for clock in CLOCKS:
            c = period.clocks[priority].get(clock)
            if c is None or not c.missed or c.group.attainment is None:
                continue
            rows.append(ReviewRow(
                site.link_entity(plan.entity),
                (priority, clock, period.period, f"{c.group.attainment:.1f}%",
                 f"{c.target.attainment:g}%", f"{c.group.breached} of {c.group.tickets}"),
                c.target.attainment - c.group.attainment, (plan.name, priority, clock)))
    return rows


def _kpi(site: SiteInput, result: KpiResult, period: KpiPeriod) -> list[ReviewRow]:
    kpi = result.kpi
    if period.met is not False or period.value is None or kpi.target is None \
            or kpi.metric is None:
        return []
    amount = kpi.target.value.amount
    gap = abs(period.value - amount) / (abs(amount) or 1.0)
    return [ReviewRow(site.link_entity(kpi.process),
                      (kpi.name, period.period, format_value(kpi.metric, period.value),
                       str(kpi.target)),
                      gap, (kpi.process.name, kpi.name))]
