"""Joining tickets with their status events in one pass, holding only the open tickets.

ITSM exports are written in time order (tickets by opening, events by time). Then the two
files are merged like a zipper: a ticket is opened when its row is read, collects its events,
and is counted and forgotten as soon as the event stream has passed its resolution. Memory
grows with the tickets open at once (plus the set of ids, which duplicate detection needs),
not with the files.

When either file is not in time order the pass stops at the first row out of order and the
run starts again in memory: events are grouped by ticket first (memory then grows with the
events file). The result is the same either way; only the cost differs.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from itsmctl.measure.records import EventRow, RowProblem, Ticket
from itsmctl.measure.tally import Tally


class OutOfOrder(Exception):
    """A row earlier in time than the one before it: the zipper cannot be used."""


@dataclass
class JoinStats:
    problems: list[RowProblem] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # id, line
    orphan_events: int = 0
    orphan_ids: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    peak_open: int = 0
    mode: str = "streaming"

    @property
    def unknown_ticket_ids(self) -> list[str]:
        return sorted(self.orphan_ids - self.seen)

    @property
    def early_event_ids(self) -> list[str]:
        """Tickets with events before they were opened (those events were not used)."""
        return sorted(self.orphan_ids & self.seen)


def _stop(ticket: Ticket) -> float | None:
    return ticket.resolved if ticket.resolved is not None else ticket.closed


class _Join:
    def __init__(self, tally: Tally, stats: JoinStats) -> None:
        self.tally, self.stats = tally, stats
        self.open: dict[str, Ticket] = {}
        self.heap: list[tuple[float, int, str]] = []
        self.unresolved: list[Ticket] = []
        self.seq = 0

    def register(self, ticket: Ticket) -> bool:
        stats, tally = self.stats, self.tally
        seen = stats.seen
        if ticket.id in seen:
            stats.duplicates.append((ticket.id, ticket.line))
            return False
        seen.add(ticket.id)
        tally.earliest = min(tally.earliest, ticket.opened)
        for instant in (ticket.closed, ticket.resolved, ticket.responded, ticket.opened):
            if instant is not None and instant > tally.latest:
                tally.latest = instant
        return True

    def hold(self, ticket: Ticket) -> None:
        stop = _stop(ticket)
        self.open[ticket.id] = ticket
        if stop is None:
            self.unresolved.append(ticket)
        else:
            self.seq += 1
            heapq.heappush(self.heap, (stop, self.seq, ticket.id))
        self.stats.peak_open = max(self.stats.peak_open, len(self.open))

    def flush(self, before: float) -> None:
        """Count every held ticket whose stop is before `before` (no event can change it)."""
        heap, opened = self.heap, self.open
        while heap and heap[0][0] < before:
            _, _, ident = heapq.heappop(heap)
            ticket = opened.pop(ident)
            ticket.statuses.sort()
            self.tally.add(ticket, self.tally.latest)

    def finish(self) -> None:
        self.flush(math.inf)
        as_of = self.tally.latest
        for ticket in self.unresolved:
            self.open.pop(ticket.id, None)
            ticket.statuses.sort()
            self.tally.add(ticket, as_of)
        self.unresolved.clear()


def join_streaming(tickets: Iterator[Ticket], events: Iterator[EventRow] | None, tally: Tally,
                   stats: JoinStats) -> None:
    """The zipper; raises OutOfOrder at the first row that is earlier than its predecessor.

    The loop is written out by hand (no call per event, none per ticket but the count): it
    is the hot path of a run. It does what `_Join.register`, `hold` and `flush` do, in the
    same order, so the tickets reach the tally in the same order with the same `latest`.
    """
    join = _Join(tally, stats)
    events = events if events is not None else iter(())
    pending = next(events, None)
    first_at = pending[1] if pending is not None else None
    last_opened = last_at = -math.inf
    heap, held, seen = join.heap, join.open, stats.seen
    duplicates, unresolved, add = stats.duplicates, join.unresolved, tally.add
    heappush, heappop = heapq.heappush, heapq.heappop
    seq = peak = 0
    for item in tickets:
        opened = item.opened
        if opened < last_opened:
            raise OutOfOrder(f"tickets: line {item.line} opened before the line before it")
        last_opened = opened
        while pending is not None and pending[1] < opened:
            ident, at, status, line = pending
            if at < last_at:
                raise OutOfOrder(f"events: line {line} is earlier than the line before it")
            last_at = at
            if heap and heap[0][0] < at:
                join.flush(at)
            ticket = held.get(ident)
            if ticket is not None:
                ticket.statuses.append((at, status))
            elif ident not in seen:
                stats.orphan_events += 1
                stats.orphan_ids.add(ident)
            pending = next(events, None)
        # no event before pending's can come: count what it has passed before holding more
        if heap:
            before = pending[1] if pending is not None else math.inf
            while heap and heap[0][0] < before:  # join.flush(before), written out
                ticket = held.pop(heappop(heap)[2])
                if len(ticket.statuses) > 1:
                    ticket.statuses.sort()
                add(ticket, tally.latest)
        ident = item.id
        if ident in seen:  # join.register(item), written out
            duplicates.append((ident, item.line))
            continue
        seen.add(ident)
        tally.earliest = min(tally.earliest, opened)
        latest = tally.latest
        responded, resolved, closed = item.responded, item.resolved, item.closed
        for instant in (closed, resolved, responded, opened):
            if instant is not None and instant > latest:
                latest = instant
        tally.latest = latest
        held[ident] = item  # join.hold(item), written out
        stop = resolved if resolved is not None else closed
        if stop is None:
            unresolved.append(item)
        else:
            seq += 1
            heappush(heap, (stop, seq, ident))
        peak = max(peak, len(held))
    join.seq = seq
    stats.peak_open = max(stats.peak_open, peak)
    for ident, at, status, line in ([pending] if pending is not None else []):
        _late_event(join, stats, ident, at, status, line, last_at)
        last_at = at
    for ident, at, status, line in events:
        _late_event(join, stats, ident, at, status, line, last_at)
        last_at = at
    tally.see(first_at)
    tally.see(last_at if last_at != -math.inf else None)
    join.finish()


def _late_event(join: _Join, stats: JoinStats, ident: str, at: float, status: str, line: int,
                last_at: float) -> None:
    """An event after the last ticket opened (the tail of the events file)."""
    if at < last_at:
        raise OutOfOrder(f"events: line {line} is earlier than the line before it")
    if join.heap and join.heap[0][0] < at:
        join.flush(at)
    ticket = join.open.get(ident)
    if ticket is not None:
        ticket.statuses.append((at, status))
    elif ident not in stats.seen:
        stats.orphan_events += 1
        stats.orphan_ids.add(ident)


def join_in_memory(tickets: Iterator[Ticket], events: Iterator[EventRow] | None, tally: Tally,
                   stats: JoinStats) -> None:
    """Any order: events grouped per ticket first, then each ticket counted as it is read.
    A ticket gets the events the zipper would have given it, so the figures are the same:
    none before its opening (orphans) and none after its stop (a `closed` status after the
    resolution made a response without `responded_at` end after the resolution)."""
    stats.mode = "in-memory"
    grouped: dict[str, list[tuple[float, str]]] = {}
    for ident, at, status, _ in events or ():
        tally.see(at)
        grouped.setdefault(ident, []).append((at, status))
    join = _Join(tally, stats)
    for item in tickets:
        if not join.register(item):
            continue
        history = grouped.pop(item.id, None)
        if history:
            early = [e for e in history if e[0] < item.opened]
            if early:
                stats.orphan_events += len(early)
                stats.orphan_ids.add(item.id)
            # what the zipper collects: from the opening up to the stop, when there is one
            # (it counts a ticket once the events pass its stop, so later ones never reach it)
            stop = _stop(item)
            last = math.inf if stop is None else stop
            item.statuses = [e for e in history if item.opened <= e[0] <= last]
        if _stop(item) is None:
            join.hold(item)
        else:
            item.statuses.sort()
            tally.add(item, tally.latest)
    for ident, history in grouped.items():
        stats.orphan_events += len(history)
        stats.orphan_ids.add(ident)
    join.finish()
