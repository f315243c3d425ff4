"""Counting finished tickets into SLA x period x priority groups, as they come.

Only counts and one float per ticket and clock (for the percentiles) are kept; the ticket
itself is dropped once counted, so memory does not grow with the tickets' fields.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from itsmctl.measure.evaluate import Clocked, clocked, resolution_stop, response_stop
from itsmctl.measure.kpis import KpiTally
from itsmctl.measure.periods import PeriodCache
from itsmctl.measure.plans import RESOLVED_STATUSES, SlaPlan, Target
from itsmctl.measure.records import TICKET_TYPES, Ticket
from itsmctl.model import PRIORITIES
from itsmctl.processes.spec import EscalationStep
from itsmctl.visible import spreadsheet_safe

PER_TICKET_COLUMNS = ("id", "sla", "priority", "response_minutes", "resolution_minutes",
                      "response_breached", "resolution_breached", "response_breach_at",
                      "resolution_breach_at", "escalations")


@dataclass
class Group:
    """Tickets of one SLA, period, priority and clock."""

    tickets: int = 0
    met: int = 0
    breached: int = 0
    minutes: array[float] = field(default_factory=lambda: array("d"))
    breaches: list[tuple[str, float]] = field(default_factory=list)

    def add(self, ident: str, clocked: Clocked) -> None:
        self.tickets += 1
        self.minutes.append(clocked.minutes)
        if clocked.breached:
            self.breached += 1
            if clocked.breach_at is not None:
                self.breaches.append((ident, clocked.breach_at))
        else:
            self.met += 1

    @property
    def attainment(self) -> float | None:
        return 100.0 * self.met / self.tickets if self.tickets else None

    def percentile(self, share: float) -> float | None:
        """Nearest rank: the smallest value with at least `share` of the tickets at or below."""
        if not self.minutes:
            return None
        ordered = sorted(self.minutes)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


GroupKey = tuple[str, str, str, str]  # sla, period, priority, clock


class Window(Protocol):
    def bounds(self, zone: ZoneInfo) -> tuple[float, float]: ...

Row = Callable[[list[str]], None]


@dataclass
class Tally:
    """Everything counted so far; `add` takes one finished (or, at the end, open) ticket."""

    plans: dict[str, list[SlaPlan]]
    services: frozenset[str]
    escalation: tuple[EscalationStep, ...] = ()
    kpis: KpiTally | None = None
    per_ticket: Row | None = None
    window: Window | None = None
    groups: dict[GroupKey, Group] = field(default_factory=dict)
    open_within: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    unknown_services: Counter[str] = field(default_factory=Counter)
    unknown_priorities: Counter[str] = field(default_factory=Counter)
    unknown_types: Counter[str] = field(default_factory=Counter)
    no_target: Counter[tuple[str, str]] = field(default_factory=Counter)
    not_in_force: Counter[str] = field(default_factory=Counter)
    escalations: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    tickets: int = 0
    first_line: dict[tuple[str, str], int] = field(default_factory=dict)
    latest: float = -math.inf
    earliest: float = math.inf
    measured: int = 0
    _states: dict[str, _PlanState] = field(default_factory=dict)
    _routes: dict[tuple[str, str], list[_Route]] = field(default_factory=dict)
    _steps: list[tuple[EscalationStep, float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # each step's threshold as a share and its label, once (not per ticket)
        self._steps = [(step, step.percent / 100.0, escalation_label(step))
                       for step in self.escalation if step.percent is not None]

    def see(self, instant: float | None) -> None:
        if instant is not None:
            self.latest = max(self.latest, instant)
            self.earliest = min(self.earliest, instant)

    def add(self, ticket: Ticket, as_of: float) -> None:
        self.tickets += 1
        service = ticket.service
        if service not in self.services:
            self._unknown(self.unknown_services, "service", service, ticket.line)
            return
        kind = ticket.type
        if kind not in TICKET_TYPES:
            self._unknown(self.unknown_types, "type", kind, ticket.line)
            return
        sla_met: bool | None = None
        if kind == "incident":
            priority = ticket.priority
            if priority not in PRIORITIES:
                self._unknown(self.unknown_priorities, "priority", priority, ticket.line)
                return
            routes = self._routes.get((service, priority))
            if routes is None:  # known services and P1-P4 only: bounded by the catalog
                routes = self._routes[(service, priority)] = self._route(service, priority)
            if routes:
                sla_met = self._incident(ticket, as_of, routes)
        if self.kpis is not None:
            self.kpis.add(ticket, sla_met)

    def _route(self, service: str, priority: str) -> list[_Route]:
        """The SLAs of a service in order, each with what a ticket of `priority` is measured
        on (None: the SLA has no target for it), worked out once per service and priority."""
        out: list[_Route] = []
        for plan in self.plans.get(service, ()):
            target = plan.targets.get(priority)
            state = self._plan(plan)
            compiled = None
            if target is not None:
                compiled = state.by_priority.get(priority)
                if compiled is None:
                    compiled = state.by_priority[priority] = state.compile(
                        plan, priority, target, self._steps)
            out.append((plan, state, compiled))
        return out

    def _incident(self, ticket: Ticket, as_of: float, routes: list[_Route]) -> bool | None:
        """Measure an incident under each SLA of its service; whether it met the first."""
        first: bool | None = None
        stops: tuple[float | None, float | None] | None = None
        opened = ticket.opened
        for plan, state, compiled in routes:
            since, until = plan.effective_from, plan.effective_until  # plan.in_force, inline
            if not ((since is None or opened >= since) and (until is None or opened < until)):
                self.not_in_force[state.name] += 1
                continue
            if compiled is None:
                self.no_target[(state.name, ticket.priority)] += 1
                continue
            if stops is None:  # the same for every SLA: worked out once per ticket
                stops = (response_stop(ticket), resolution_stop(ticket))
            met = self._measure(plan, state, compiled, ticket, as_of, stops)
            if first is None:
                first = met
        return first

    def _unknown(self, counter: Counter[str], kind: str, value: str, line: int) -> None:
        counter[value] += 1
        self.first_line.setdefault((kind, value), line)

    def _plan(self, plan: SlaPlan) -> _PlanState:
        state = self._states.get(plan.name)
        if state is None:
            state = self._states[plan.name] = _PlanState(plan, self.window)
        return state

    def _measure(self, plan: SlaPlan, state: _PlanState, compiled: _Compiled, ticket: Ticket,
                 as_of: float, stops: tuple[float | None, float | None]) -> bool | None:
        """Count both clocks; True when every counted clock met its target."""
        priority = ticket.priority
        clock_plans, steps = compiled
        measured: list[Clocked | None] = [None, None]
        counted = breached = False
        for index, response, seconds, paused, open_key, clock, groups in clock_plans:
            stop = stops[index]
            c = measured[index] = clocked(plan, ticket, response, seconds, as_of, stop, paused)
            if not (c.stopped or c.breached):
                self.open_within[open_key] += 1
                continue
            counted = True
            breached = breached or c.breached
            # a ticket belongs to the period of its stop; an open breached one to its breach's
            instant = stop if c.stopped else c.breach_at
            if instant is None:
                instant = as_of
            if not state.lo <= instant < state.hi:
                continue
            periods = state.periods
            period = (periods.key if periods.lo <= instant < periods.hi
                      else periods(instant))
            group = groups.get(period)  # this clock's groups by period: one look-up
            if group is None:
                group = groups[period] = self.groups[(state.name, period, priority, clock)] \
                    = Group()
            group.tickets += 1  # Group.add, written out
            group.minutes.append(c.seconds / 60.0)
            if c.breached:
                group.breached += 1
                if c.breach_at is not None:
                    group.breaches.append((ticket.id, c.breach_at))
            else:
                group.met += 1
        # the escalation steps whose threshold the ticket's clocks went past, in step order
        crossed = []
        for index, threshold, label, counter_key in steps:
            step_clock = measured[index]
            if step_clock is not None and step_clock.seconds > threshold:
                crossed.append(label)
                self.escalations[counter_key] += 1
        self.measured += 1
        if self.per_ticket is not None:
            self.per_ticket(_row(ticket, plan, measured, crossed))
        return not breached if counted else None


# one clock of an SLA for one priority: (index in CLOCKS, is it the response clock, target
# seconds, the statuses that pause it, its open_within key, its name, its groups by period)
_ClockPlan = tuple[int, bool, float, frozenset[str], tuple[str, str, str], str,
                   dict[str, Group]]
# one escalation step for one priority: (index in CLOCKS, threshold in business seconds,
# its label, its escalations key)
_StepPlan = tuple[int, float, str, tuple[str, str, str]]
_Compiled = tuple[list[_ClockPlan], list[_StepPlan]]
# one SLA of a service for one priority: the plan, its state, its clocks (None: no target)
_Route = tuple[SlaPlan, "_PlanState", _Compiled | None]


class _PlanState:
    """What the tally needs of one SLA for every ticket, worked out once."""

    __slots__ = ("by_priority", "hi", "lo", "name", "periods", "resolution_pauses")

    def __init__(self, plan: SlaPlan, window: Window | None) -> None:
        self.name = plan.name
        self.by_priority: dict[str, _Compiled] = {}
        self.periods = PeriodCache(plan.period, plan.zone)
        self.resolution_pauses = plan.pause_on | RESOLVED_STATUSES
        self.lo, self.hi = window.bounds(plan.zone) if window is not None else (
            -math.inf, math.inf)

    def compile(self, plan: SlaPlan, priority: str, target: Target,
                steps: list[tuple[EscalationStep, float, str]]) -> _Compiled:
        """The clocks a ticket of `priority` is measured on, and the escalation steps that
        apply to it with their thresholds (share x target, the product the step compares
        against), worked out once per SLA and priority rather than per ticket."""
        clock_plans: list[_ClockPlan] = []
        targets: dict[str, tuple[int, float]] = {}
        for index, (clock, seconds, paused) in enumerate((
                ("response", target.response, plan.pause_on),
                ("resolution", target.resolution, self.resolution_pauses))):
            if seconds is None:
                continue
            clock_plans.append((index, clock == "response", seconds, paused,
                                (self.name, priority, clock), clock, {}))
            targets[clock] = (index, seconds)
        step_plans: list[_StepPlan] = []
        for step, share, label in steps:
            found = targets.get(step.of)
            if found is not None and step.applies_to(priority):
                step_plans.append((found[0], share * found[1], label,
                                   (self.name, priority, label)))
        return clock_plans, step_plans


def _row(ticket: Ticket, plan: SlaPlan, measured: list[Clocked | None],
         crossed: list[str]) -> list[str]:
    """The per-ticket CSV row; `measured` holds the clocks in CLOCKS order (None: none). The
    id and priority come from the records, so they are written spreadsheet-safe (`'=...`)."""
    response, resolution = measured
    return [
        spreadsheet_safe(ticket.id), plan.name, spreadsheet_safe(ticket.priority),
        "" if response is None else format_minutes(response.seconds / 60.0),
        "" if resolution is None else format_minutes(resolution.seconds / 60.0),
        _breached_cell(response), _breached_cell(resolution),
        local_time(response.breach_at, plan) if response is not None and response.breach_at
        else "",
        local_time(resolution.breach_at, plan) if resolution is not None
        and resolution.breach_at else "",
        ";".join(crossed)]


def _breached_cell(c: Clocked | None) -> str:
    return "" if c is None or not (c.stopped or c.breached) else \
        "true" if c.breached else "false"


def escalation_label(step: EscalationStep) -> str:
    """`80% resolution (hierarchical)`: how a step is named in reports."""
    kind = f" ({step.type})" if step.type else ""
    return f"{step.percent:g}% {step.of}{kind}"


def format_minutes(minutes: float) -> str:
    """Business minutes to two decimals, trailing zeros dropped: 90, 37.5, 0.02."""
    text = f"{minutes:.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def local_time(instant: float, plan: SlaPlan) -> str:
    """An instant in the SLA's measurement zone, ISO 8601 with its offset."""
    return datetime.fromtimestamp(instant, plan.zone).isoformat(timespec="seconds")
