"""Numbers the site computes from the catalog: allowed downtime, service hours, blast radius.

All arithmetic lives here (not in templates) so it is unit-tested and shown the same way
on every page; the allowed-downtime formula itself is `itsmctl.availability`'s, shared with diff.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass
from typing import Any

from itsmctl.availability import MINUTES_PER_MONTH, MONTH_DAYS, allowed_downtime_minutes
from itsmctl.catalog import Catalog
from itsmctl.durations import parse_clock
from itsmctl.model import Entity, Ref

PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def format_minutes(minutes: float) -> str:
    """43.83 -> `43.8 min`; 219.2 -> `3.7 h (219 min)`; 0.44 -> `26.3 s`."""
    if minutes < 1:
        return f"{minutes * 60:.1f} s"
    if minutes < 60:
        return f"{minutes:.1f} min"
    return f"{minutes / 60:.1f} h ({minutes:.0f} min)"


def percent(value: Any) -> float | None:
    """A schema-valid percentage, or None (a bad value is a schema finding, shown as such)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 <= value <= 100 else None


@dataclass(frozen=True)
class Downtime:
    """The allowed downtime of one SLA target, per month and per measurement period."""

    availability: float
    per_month: str
    period: str
    per_period: str
    service_hours_per_week: float | None
    per_month_in_hours: str | None


def downtime(sla: Entity, weekly: float | None) -> Downtime | None:
    """The SLA's allowed downtime; `weekly` is its calendar's service hours a week (None: no
    calendar), passed in so a calendar that thousands of SLAs share is summed once."""
    availability = percent(sla.get("spec", "availability"))
    if availability is None:
        return None
    period = sla.get("spec", "measurement", "period")
    months = PERIOD_MONTHS.get(period, 1) if isinstance(period, str) else 1
    in_hours = None
    if weekly is not None and weekly < 7 * 24:
        # the service time of a month: its weeks (MONTH_DAYS / 7) times a week's service hours
        service_minutes = MONTH_DAYS / 7 * weekly * 60
        in_hours = format_minutes(allowed_downtime_minutes(availability, service_minutes))
    return Downtime(
        availability=availability,
        per_month=format_minutes(allowed_downtime_minutes(availability, MINUTES_PER_MONTH)),
        period=period if isinstance(period, str) and period in PERIOD_MONTHS else "monthly",
        per_period=format_minutes(allowed_downtime_minutes(availability,
                                                           months * MINUTES_PER_MONTH)),
        service_hours_per_week=weekly,
        per_month_in_hours=in_hours,
    )


def day_minutes(spans: Any) -> int:
    """Minutes covered by one day's list of {start, end} spans (malformed spans count 0)."""
    total = 0
    if isinstance(spans, list):
        for span in spans:
            if isinstance(span, dict):
                start, end = parse_clock(span.get("start")), parse_clock(span.get("end"))
                if start is not None and end is not None and end > start:
                    total += end - start
    return total


def weekly_hours(calendar: Entity) -> float:
    hours = calendar.get("spec", "weeklyHours", default={})
    if not isinstance(hours, dict):
        return 0.0
    return sum(day_minutes(hours.get(day)) for day in WEEKDAYS) / 60.0


def dependents_graph(catalog: Catalog) -> dict[Ref, list[tuple[Entity, str]]]:
    """Service -> the services that depend on it directly, with hard|soft."""
    out: dict[Ref, list[tuple[Entity, str]]] = {}
    for service in catalog.of_kind("Service"):
        for target, kind in catalog.dependencies(service):
            out.setdefault(target.ref, []).append((service, kind))
    for items in out.values():
        items.sort(key=lambda pair: (pair[0].name, pair[1]))
    return out


@dataclass(frozen=True)
class Impacted:
    """A service in the blast radius: how many hops away, and whether every hop is hard."""

    service: Entity
    distance: int
    hard: bool


def blast_radius(service: Entity, dependents: dict[Ref, list[tuple[Entity, str]]],
                 shown: int | None = None) -> tuple[list[Impacted], int]:
    """Every service that depends on `service`, directly or transitively (cycle-safe): the
    `shown` nearest (None: all), nearest first, then by name, and how many there are.

    A dependent is `hard` when some chain of hard dependencies links it to `service`:
    an outage of `service` then takes it down too. Only the shown are made `Impacted` (a
    service page lists 50 of what can be hundreds): the search keeps plain tuples.
    """
    best: dict[Ref, tuple[int, bool, Entity]] = {}  # distance, hard, the dependent
    queue: deque[tuple[Entity, int, bool]] = deque([(service, 0, True)])
    while queue:
        current, distance, hard = queue.popleft()
        for dependent, kind in dependents.get(current.ref, []):
            if dependent.ref == service.ref:
                continue
            chain_hard = hard and kind == "hard"
            seen = best.get(dependent.ref)
            if seen is not None and (seen[1] or not chain_hard):
                continue
            best[dependent.ref] = (seen[0] if seen else distance + 1, chain_hard, dependent)
            queue.append((dependent, distance + 1, chain_hard))
    def order(item: tuple[int, bool, Entity]) -> tuple[int, str]:
        return item[0], item[2].name
    found = (sorted(best.values(), key=order) if shown is None
             else heapq.nsmallest(shown, best.values(), key=order))  # sorted(...)[:shown]
    return [Impacted(d, distance, hard) for distance, hard, d in found], len(best)
