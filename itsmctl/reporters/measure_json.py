"""`itsmctl measure -f json` (schemaVersion 1): per SLA and period, per KPI, and the records.

Minutes are business minutes under the SLA's calendar; percentages are 0-100; instants are
ISO 8601 in the SLA's measurement time zone. Documented in docs/measure.md#json.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from itsmctl.measure.availability import AvailabilityPeriod
from itsmctl.measure.kpis import KpiResult
from itsmctl.measure.result import ClockReport, MeasureResult, SlaReport
from itsmctl.measure.tally import local_time
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.envelope import json_document


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def clock_dict(report: ClockReport, sla: SlaReport) -> dict[str, Any]:
    g = report.group
    return {
        "tickets": g.tickets, "met": g.met, "breached": g.breached,
        "attainment": _round(g.attainment), "attainmentTarget": report.target.attainment,
        "targetMinutes": _round(report.target_minutes),
        "p50Minutes": _round(g.percentile(0.5)), "p90Minutes": _round(g.percentile(0.9)),
        "breaches": [{"id": ident, "at": local_time(at, sla.plan)}
                     for ident, at in sorted(g.breaches, key=lambda b: (b[1], b[0]))],
    }


def availability_dict(a: AvailabilityPeriod, sla: SlaReport) -> dict[str, Any]:
    return {
        "measured": _round(a.measured), "target": a.target,
        "agreedMinutes": _round(a.agreed_minutes), "downtimeMinutes": _round(a.downtime_minutes),
        "plannedMaintenanceMinutes": _round(a.planned_minutes),
        "budgetMinutes": _round(a.budget_minutes),
        "budgetLeftMinutes": _round(a.budget_left_minutes), "credit": a.credit,
        "met": a.met, "outages": a.outages, "partial": a.partial,
        "from": local_time(a.start, sla.plan), "until": local_time(a.end, sla.plan),
    }


def sla_dict(sla: SlaReport) -> dict[str, Any]:
    plan = sla.plan
    return {
        "name": plan.name, "service": plan.service, "calendar": plan.clock.name,
        "period": plan.period, "timezone": plan.zone.key, "missed": sla.missed,
        "periods": [{
            "period": p.period, "missed": p.missed,
            "availability": availability_dict(p.availability, sla) if p.availability else None,
            "priorities": {priority: {clock: clock_dict(c, sla) for clock, c in clocks.items()}
                           for priority, clocks in p.clocks.items()},
        } for p in sla.periods],
        "openWithinTarget": [{"priority": p, "clock": c, "tickets": n}
                             for (p, c), n in sorted(sla.open_within.items())],
        "escalations": [{"priority": p, "step": s, "tickets": n}
                        for (p, s), n in sorted(sla.escalations.items())],
    }


def kpi_dict(result: KpiResult) -> dict[str, Any]:
    kpi = result.kpi
    return {
        "process": kpi.process.name, "name": kpi.name,
        "metric": kpi.metric.id if kpi.metric else None,
        "unit": kpi.metric.unit if kpi.metric else None, "statistic": kpi.statistic,
        "target": str(kpi.target) if kpi.target else None, "clock": kpi.clock,
        "trend": result.trend or None,
        "periods": [{"period": p.period, "value": _round(p.value), "target":
                     str(kpi.target) if kpi.target else None, "met": p.met,
                     "samples": p.samples} for p in result.periods],
    }


def records_dict(result: MeasureResult) -> dict[str, Any]:
    r = result.records
    return {
        "folder": r.label, "tickets": r.tickets, "badRows": r.bad_rows, "mode": r.mode,
        "peakOpenTickets": r.peak_open, "duplicates": r.duplicates, "outages": r.outages,
        "asOf": (datetime.fromtimestamp(r.as_of, UTC).isoformat().replace("+00:00", "Z")
                 if r.as_of is not None else None),
        "unknownServices": dict(sorted(r.unknown_services.items())),
        "unknownPriorities": dict(sorted(r.unknown_priorities.items())),
        "unknownTypes": dict(sorted(r.unknown_types.items())),
        "withoutTarget": [{"sla": s, "priority": p, "tickets": n}
                          for (s, p), n in sorted(r.no_target.items())],
        "outsideEffectiveDates": dict(sorted(r.not_in_force.items())),
        "unusedEvents": r.orphan_events,
        "eventsForUnknownTickets": list(r.unknown_ticket_ids),
        "eventsBeforeOpening": list(r.early_event_ids),
    }


def render(result: MeasureResult, options: ReportOptions) -> str:
    return json_document({
        "root": result.root,
        "summary": {**result.counts, "slas": len(result.slas),
                    "slasMissed": sum(s.missed for s in result.slas),
                    "kpis": len(result.kpis),
                    "kpisMissed": sum(any(p.met is False for p in k.periods)
                                      for k in result.kpis)},
        "records": records_dict(result),
        "slas": [sla_dict(s) for s in result.slas],
        "kpis": [kpi_dict(k) for k in result.kpis],
        "findings": [f.to_dict() for f in result.findings],
    })
