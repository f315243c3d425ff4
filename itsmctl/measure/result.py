"""What `itsmctl measure` found: per SLA and period, per KPI, and about the records."""

from __future__ import annotations

from dataclasses import dataclass, field

from itsmctl.findings import Finding, Severity, count_by_severity
from itsmctl.measure.availability import AvailabilityPeriod
from itsmctl.measure.kpis import KpiResult
from itsmctl.measure.plans import SlaPlan, Target
from itsmctl.measure.tally import Group


@dataclass(frozen=True)
class ClockReport:
    """Response or resolution of one priority in one period."""

    clock: str
    target: Target
    group: Group

    @property
    def target_minutes(self) -> float:
        seconds = self.target.seconds(self.clock)
        return 0.0 if seconds is None else seconds / 60.0

    @property
    def missed(self) -> bool:
        attainment = self.group.attainment
        return attainment is not None and attainment < self.target.attainment


@dataclass(frozen=True)
class PeriodReport:
    period: str
    availability: AvailabilityPeriod | None
    clocks: dict[str, dict[str, ClockReport]]  # priority -> clock -> report

    @property
    def missed(self) -> bool:
        availability = self.availability is not None and self.availability.met is False
        return availability or any(c.missed for p in self.clocks.values() for c in p.values())


@dataclass(frozen=True)
class SlaReport:
    plan: SlaPlan
    periods: tuple[PeriodReport, ...]
    open_within: dict[tuple[str, str], int]  # (priority, clock) -> open tickets within target
    escalations: dict[tuple[str, str], int]  # (priority, step) -> tickets past it

    @property
    def missed(self) -> bool:
        return any(p.missed for p in self.periods)


@dataclass(frozen=True)
class RecordSummary:
    """What was read, and everything that could not be used (never dropped silently)."""

    label: str
    tickets: int
    bad_rows: int
    mode: str
    peak_open: int
    unknown_services: dict[str, int]
    unknown_priorities: dict[str, int]
    unknown_types: dict[str, int]
    no_target: dict[tuple[str, str], int]
    not_in_force: dict[str, int]
    orphan_events: int
    unknown_ticket_ids: tuple[str, ...]
    early_event_ids: tuple[str, ...]
    duplicates: int
    outages: int
    as_of: float | None


@dataclass(frozen=True)
class MeasureResult:
    root: str
    records: RecordSummary
    slas: tuple[SlaReport, ...]
    kpis: tuple[KpiResult, ...]
    findings: tuple[Finding, ...]
    per_ticket_rows: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity >= Severity.ERROR for f in self.findings) else 0
