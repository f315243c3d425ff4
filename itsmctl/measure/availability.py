"""Availability per SLA and period: agreed service time, downtime, error budget, credit.

- agreed service time: the minutes the SLA's calendar is open in the period;
- downtime: the union of the service's outages inside calendar hours; where outages
  overlap an instant counts once, at the largest weight (a full outage is 1, a partial one
  its `weight`);
- planned maintenance is not downtime when the outage is `planned` *and* falls inside one
  of the SLA's `maintenanceWindows`; a planned outage outside every window is downtime;
- measured % = (agreed - downtime) / agreed; error budget = what the target allows
  (itsmctl/availability.py); the credit is the largest `serviceCredits` entry whose
  `below` the measurement is under.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from itsmctl.availability import allowed_downtime_minutes
from itsmctl.measure.plans import SlaPlan
from itsmctl.measure.records import Outage


@dataclass(frozen=True)
class AvailabilityPeriod:
    period: str
    start: float
    end: float
    partial: bool
    agreed_minutes: float
    downtime_minutes: float
    planned_minutes: float  # planned maintenance inside windows, not counted
    outages: int
    target: float | None
    measured: float | None
    budget_minutes: float | None
    credit: float

    @property
    def budget_left_minutes(self) -> float | None:
        if self.budget_minutes is None:
            return None
        return self.budget_minutes - self.downtime_minutes

    @property
    def met(self) -> bool | None:
        if self.measured is None or self.target is None:
            return None
        return self.measured >= self.target


def measure_availability(plan: SlaPlan, outages: list[Outage], period: str, start: float,
                         end: float, partial: bool) -> AvailabilityPeriod:
    """One period [start, end) of one SLA."""
    clock = plan.clock
    agreed = clock.elapsed(start, end)
    inside = [o for o in outages if o.end > start and o.start < end]
    downtime = planned = 0.0
    for a, b, full, unplanned in _segments(inside, start, end):
        if full == unplanned or plan.maintenance is None:
            downtime += full * clock.elapsed(a, b)
            continue
        in_window = sum(clock.elapsed(x, y) for x, y in plan.maintenance.open_intervals(a, b))
        outside = clock.elapsed(a, b) - in_window
        downtime += full * outside + unplanned * in_window
        planned += (full - unplanned) * in_window
    agreed_min, down_min = agreed / 60.0, downtime / 60.0
    measured = 100.0 * (agreed - downtime) / agreed if agreed > 0 else None
    target = plan.availability
    budget = allowed_downtime_minutes(target, agreed_min) if target is not None else None
    credit = plan.credit_for(measured) if measured is not None else 0.0
    return AvailabilityPeriod(period, start, end, partial, agreed_min, down_min,
                              planned / 60.0, len(inside), target, measured, budget, credit)


def _segments(outages: list[Outage], start: float, end: float
              ) -> list[tuple[float, float, float, float]]:
    """Elementary [a, b) pieces with the largest weight of all and of unplanned outages."""
    points = sorted({start, end, *(max(start, o.start) for o in outages),
                     *(min(end, o.end) for o in outages)})
    out = []
    for a, b in pairwise(points):
        covering = [o for o in outages if o.start <= a and o.end >= b]
        if not covering:
            continue
        full = max(o.weight for o in covering)
        unplanned = max((o.weight for o in covering if not o.planned), default=0.0)
        out.append((a, b, full, unplanned))
    return out
