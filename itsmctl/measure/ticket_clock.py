"""A ticket's SLA clock: business time from opening to a stop, minus pauses, and its deadline.

Pauses are wall-clock intervals (a status named in the SLA's `pauseOn`, or the time a
ticket sat resolved before it was reopened); only their business seconds are taken off, so
a pause over a closed night or weekend costs nothing. The last pause may be open-ended
(`math.inf`): the ticket is still waiting on the customer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from itsmctl.measure.calendar import BusinessClock

Interval = tuple[float, float]


def business_elapsed(clock: BusinessClock, start: float, stop: float,
                     pauses: Sequence[Interval] = ()) -> float:
    """Business seconds the clock ran in [start, stop)."""
    total = clock.elapsed(start, stop)
    for a, b in pauses:
        if b > start and a < stop:
            total -= clock.elapsed(max(a, start), min(b, stop))
    return total


def deadline(clock: BusinessClock, start: float, target: float,
             pauses: Sequence[Interval] = ()) -> float | None:
    """The instant the clock reaches `target` business seconds (the breach instant).

    None when it never does (a calendar that never opens, or an open-ended pause first).
    A ticket stopped exactly at the target has met it.
    """
    cursor, remaining = start, target
    for a, b in pauses:
        if b <= cursor:
            continue
        running = clock.elapsed(cursor, max(a, cursor))
        if running >= remaining:
            return clock.reach(cursor, remaining)
        remaining -= running
        cursor = b
        if math.isinf(cursor):
            return None
    return clock.reach(cursor, remaining)


def merge_pauses(pauses: Sequence[Interval]) -> list[Interval]:
    """Sorted, disjoint pauses (overlapping statuses must not be taken off twice)."""
    out: list[Interval] = []
    for a, b in sorted(pauses):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
