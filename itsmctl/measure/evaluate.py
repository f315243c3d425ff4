"""One ticket against one SLA: business minutes, met or breached, the breach instant.

Decisions (docs/measure.md#tickets):
- response stops at `responded_at`; without one, at the first status other than `new`,
  else at the resolution;
- resolution stops at the last `resolved_at` (else `closed_at`). A ticket reopened after a
  resolution *resumes* its clock: the time it sat resolved is a pause, and it is counted
  once, in the period of its final resolution;
- both clocks pause while the ticket is in a status of the SLA's `pauseOn`;
- the ticket is measured against the target of its priority as exported (its final one),
  from `opened_at` (a priority change re-measures the whole ticket, as ServiceNow's
  retroactive start does);
- a ticket still open at the as-of instant is breached when its clock is already past the
  target (in the period of its breach instant); otherwise it is left out and counted as open.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from itsmctl.measure.plans import RESOLVED_STATUSES, SlaPlan
from itsmctl.measure.records import Ticket
from itsmctl.measure.ticket_clock import Interval, business_elapsed, deadline, merge_pauses

CLOCKS = ("response", "resolution")


class Clocked(NamedTuple):
    """One clock of one ticket under one SLA (a tuple: one is made per ticket and clock)."""

    seconds: float          # business seconds until the stop (or the as-of instant)
    target: float
    stopped: bool
    breached: bool
    breach_at: float | None  # the deadline, reported for breached tickets

    @property
    def counted(self) -> bool:
        """Met or breached; an open ticket still within its target is left out."""
        return self.stopped or self.breached

    @property
    def minutes(self) -> float:
        return self.seconds / 60.0


def pauses_of(ticket: Ticket, statuses: frozenset[str], until: float) -> list[Interval]:
    """Wall-clock intervals in which the ticket's status is one of `statuses`."""
    out: list[Interval] = []
    began: float | None = None
    for at, status in ticket.statuses:  # in time order (the stream sorts them)
        if at > until:
            break
        if status in statuses:
            if began is None:
                began = at
        elif began is not None:
            out.append((began, at))
            began = None
    if began is not None:
        out.append((began, math.inf))
    return out


def response_stop(ticket: Ticket) -> float | None:
    if ticket.responded is not None:
        return ticket.responded
    for at, status in ticket.statuses:  # in time order (the stream sorts them)
        if status != "new" and at >= ticket.opened:
            return at
    return ticket.resolved if ticket.resolved is not None else ticket.closed


def resolution_stop(ticket: Ticket) -> float | None:
    return ticket.resolved if ticket.resolved is not None else ticket.closed


def measure_clock(plan: SlaPlan, ticket: Ticket, clock: str, target: float,
                  as_of: float) -> Clocked:
    response = clock == "response"
    return clocked(plan, ticket, response, target, as_of,
                   response_stop(ticket) if response else resolution_stop(ticket),
                   plan.pause_on if response else plan.pause_on | RESOLVED_STATUSES)


def clocked(plan: SlaPlan, ticket: Ticket, response: bool, target: float, as_of: float,
            stop: float | None, paused: frozenset[str]) -> Clocked:
    """measure_clock with the stop and the pausing statuses already worked out (the tally
    computes them once per ticket and SLA, not per clock)."""
    end = stop if stop is not None else max(as_of, ticket.opened)
    pauses = pauses_of(ticket, paused, end) if ticket.statuses else []
    if len(pauses) > 1 or (pauses and pauses[0][1] <= pauses[0][0]):
        pauses = merge_pauses(pauses)  # one proper pause is merged already
    if pauses and stop is not None and not response:
        # the final resolution is the stop, not a pause
        pauses = [(a, b) for a, b in pauses if a < stop]
    seconds = (business_elapsed(plan.clock, ticket.opened, end, pauses) if pauses
               else plan.clock.elapsed(ticket.opened, end))
    breached = seconds > target
    due = deadline(plan.clock, ticket.opened, target, pauses) if breached else None
    return Clocked(seconds, target, stop is not None, breached, due)
