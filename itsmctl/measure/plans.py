"""What an SLA promises, compiled for measuring: clock, pauses, targets, periods, credits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from itsmctl.catalog import Catalog
from itsmctl.durations import parse_date, parse_duration
from itsmctl.findings import Finding, Severity
from itsmctl.measure.calendar import (
    BusinessClock,
    CalendarError,
    always_on,
    clock_from_spec,
    load_zone,
)
from itsmctl.model import PRIORITIES, Entity, list_of_dicts
from itsmctl.references import parse_ref

# The share of a priority's tickets that must meet its targets when `attainment` is not
# written: the usual contract wording ("95 % of P1 incidents resolved within 4 hours").
DEFAULT_ATTAINMENT = 95.0
# Resolution stops the clock for good only at the last resolution; a ticket that sat in
# one of these before being reopened resumes its clock (the time resolved is not counted).
RESOLVED_STATUSES = frozenset({"resolved", "closed"})


@dataclass(frozen=True)
class Target:
    priority: str
    response: float | None  # business seconds
    resolution: float | None
    attainment: float
    attainment_declared: bool
    index: int  # position in spec.targets, for the finding's file:line

    def seconds(self, clock: str) -> float | None:
        return self.response if clock == "response" else self.resolution


@dataclass(frozen=True)
class SlaPlan:
    entity: Entity
    service: str
    clock: BusinessClock
    pause_on: frozenset[str]
    targets: dict[str, Target]
    period: str
    zone: ZoneInfo
    availability: float | None
    credits: tuple[tuple[float, float], ...]  # (below, credit), highest threshold first
    maintenance: BusinessClock | None
    effective_from: float | None
    effective_until: float | None  # exclusive: the local midnight after `until`

    @property
    def name(self) -> str:
        return self.entity.name

    def in_force(self, instant: float) -> bool:
        return ((self.effective_from is None or instant >= self.effective_from)
                and (self.effective_until is None or instant < self.effective_until))

    def credit_for(self, measured: float) -> float:
        """The credit owed: the largest of those whose threshold the measurement is below."""
        owed = [credit for below, credit in self.credits if measured < below]
        return max(owed, default=0.0)


def compile_plans(catalog: Catalog) -> tuple[list[SlaPlan], list[Finding]]:
    """Every SLA of the catalog that can be measured; the others are findings saying why."""
    plans, findings = [], []
    for entity in catalog.of_kind("SLA"):
        try:
            plans.append(_plan(catalog, entity))
        except CalendarError as error:
            findings.append(entity.finding(
                "sla-not-measurable", f"{entity.name} cannot be measured: {error}",
                ("spec", "calendar"), "fix the calendar's timezone (validate reports it)",
                Severity.WARNING))
    return plans, findings


def _plan(catalog: Catalog, entity: Entity) -> SlaPlan:
    spec = entity.spec
    calendar = catalog.resolve_field(entity, "calendar", "BusinessCalendar")
    if calendar is None and isinstance(spec.get("calendar"), str):
        raise CalendarError(f"its calendar {spec['calendar']!r} is not in the catalog")
    raw_measurement = spec.get("measurement")
    measurement: dict[str, Any] = raw_measurement if isinstance(raw_measurement, dict) else {}
    zone_name = measurement.get("timezone") or (calendar.spec.get("timezone") if calendar
                                                else "UTC")
    zone = load_zone(zone_name)
    clock = (clock_from_spec(calendar.name, calendar.spec) if calendar is not None
             else always_on(zone.key))
    pause_on = frozenset(str(s) for s in spec.get("pauseOn") or () if isinstance(s, str))
    return SlaPlan(
        entity=entity, service=_service(spec.get("service")), clock=clock,
        pause_on=pause_on, targets=_targets(spec),
        period=str(measurement.get("period", "monthly")), zone=zone,
        availability=_percent(spec.get("availability")),
        credits=tuple(sorted(((float(c["below"]), float(c["credit"]))
                              for _, c in list_of_dicts(spec.get("serviceCredits"))
                              if _percent(c.get("below")) is not None
                              and _percent(c.get("credit")) is not None), reverse=True)),
        maintenance=_maintenance(spec, zone),
        effective_from=_day_start(_effective(spec, "from"), zone),
        effective_until=_day_start(_next_day(_effective(spec, "until")), zone),
    )


def _service(value: object) -> str:
    ref = parse_ref(value, "Service") if isinstance(value, str) else None
    return ref.name if ref is not None else ""


def _targets(spec: dict[str, object]) -> dict[str, Target]:
    out: dict[str, Target] = {}
    for index, item in list_of_dicts(spec.get("targets")):
        priority = item.get("priority")
        if priority not in PRIORITIES or priority in out:
            continue
        response, resolution = parse_duration(item.get("response")), \
            parse_duration(item.get("resolution"))
        declared = _percent(item.get("attainment"))
        out[str(priority)] = Target(
            str(priority), None if response is None else response * 60.0,
            None if resolution is None else resolution * 60.0,
            DEFAULT_ATTAINMENT if declared is None else declared, declared is not None, index)
    return out


def _maintenance(spec: dict[str, object], zone: ZoneInfo) -> BusinessClock | None:
    windows: dict[str, list[dict[str, str]]] = {}
    for _, item in list_of_dicts(spec.get("maintenanceWindows")):
        if isinstance(item.get("day"), str):
            windows.setdefault(item["day"], []).append(item)
    if not windows:
        return None
    return clock_from_spec("maintenance", {"timezone": zone.key, "weeklyHours": windows})


def _percent(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 <= value <= 100 else None


def _effective(spec: dict[str, object], key: str) -> date | None:
    effective = spec.get("effective")
    return parse_date(effective.get(key)) if isinstance(effective, dict) else None


def _next_day(day: date | None) -> date | None:
    return None if day is None else day + timedelta(days=1)


def _day_start(day: date | None, zone: ZoneInfo) -> float | None:
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()
