"""`itsmctl measure -f csv`: one row per SLA, period, priority and clock, then availability
and KPI rows (`kind` says which); for spreadsheets and BI tools."""

from __future__ import annotations

import csv
import io

from itsmctl.measure.result import MeasureResult
from itsmctl.measure.run import format_value
from itsmctl.reporters import ReportOptions
from itsmctl.visible import spreadsheet_safe

COLUMNS = ("kind", "name", "period", "priority", "clock", "tickets", "met", "breached",
           "attainment", "attainment_target", "target", "p50_minutes", "p90_minutes",
           "availability", "agreed_minutes", "downtime_minutes", "budget_left_minutes",
           "credit", "value")


def _num(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}".rstrip("0").rstrip(".")


def render(result: MeasureResult, options: ReportOptions) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    blank = [""] * len(COLUMNS)
    for sla in result.slas:
        for p in sla.periods:
            for priority, clocks in p.clocks.items():
                for clock, c in clocks.items():
                    g = c.group
                    row = blank[:]
                    row[:13] = ["attainment", sla.plan.name, p.period, priority, clock,
                                str(g.tickets), str(g.met), str(g.breached),
                                _num(g.attainment), _num(c.target.attainment),
                                _num(c.target_minutes), _num(g.percentile(0.5)),
                                _num(g.percentile(0.9))]
                    writer.writerow(row)
            a = p.availability
            if a is not None:
                row = blank[:]
                row[0:3] = ["availability", sla.plan.name, p.period]
                row[10] = _num(a.target)
                row[13:18] = [_num(a.measured), _num(a.agreed_minutes),
                              _num(a.downtime_minutes), _num(a.budget_left_minutes),
                              _num(a.credit)]
                writer.writerow(row)
    for k in result.kpis:
        if k.kpi.metric is None:
            continue
        for kp in k.periods:
            row = blank[:]
            row[0:3] = ["kpi", f"{k.kpi.process.name}/{k.kpi.name}", kp.period]
            row[5] = str(kp.samples)
            row[10] = str(k.kpi.target) if k.kpi.target else ""
            row[18] = format_value(k.kpi.metric, kp.value)
            writer.writerow([spreadsheet_safe(c) for c in row])
    return out.getvalue()
