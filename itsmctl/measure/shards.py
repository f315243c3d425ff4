"""Counting tickets on every core, with results identical to counting them in one process.

The join (itsmctl/measure/stream.py) needs both files in order and stays in this process,
with everything that depends on its order: duplicate ids, `peakOpenTickets`, the records'
span and the as-of instant each ticket is counted at. What it hands to `Tally.add` (each
finished ticket with its events) is batched instead and counted by forked workers, which
inherit the compiled SLAs and KPIs (nothing is pickled on the way in but the tickets) and
send back each batch's counts, sample lists and per-ticket rows. Batches are merged in the
order they were made, so every counter, sample list and per-ticket row comes out in the
one-process order (tests/measure/test_shards.py compares every format). At most
`2 x workers` batches are in flight: memory stays bounded by the open tickets. Used only
when asked for (`MeasureOptions.workers`): see `worker_count`.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from itsmctl.measure.records import Ticket
from itsmctl.measure.tally import Tally, TallyPart
from itsmctl.parallelrules import cores

BATCH = 2000  # tickets per task

_TEMPLATE: tuple[Tally, bool] | None = None


def worker_count(requested: int | None = None) -> int:
    """`requested` (0: every core), else 1; 1 where fork is unavailable or unsafe (a
    multi-threaded process). Not on by default: at 200,000 tickets on 2 cores the workers
    made the run slower (16.4 s -> 24.2 s wall; the parent's CPU did not fall, pickling the
    tickets and their counts cost what counting them saved: benchmarks/RESULTS.md)."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1  # forking a multi-threaded process can deadlock the child
    if requested is None:
        return 1
    return cores() if requested == 0 else max(1, requested)


def start(template: Tally, per_ticket: bool, workers: int) -> ProcessPoolExecutor:
    """A pool whose workers count batches like `template` (forked at the first batch)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_init, initargs=(template, per_ticket))


def _init(template: Tally, per_ticket: bool) -> None:
    global _TEMPLATE  # noqa: PLW0603 - per-worker state, set once by the pool initializer
    _TEMPLATE = (template, per_ticket)


def _count(tickets: list[Ticket], as_of: list[float]) -> tuple[TallyPart, list[list[str]]]:
    assert _TEMPLATE is not None, "worker used before its initialiser ran"
    template, per_ticket = _TEMPLATE
    rows: list[list[str]] = []
    tally = template.fresh(rows.append if per_ticket else None)
    for ticket, instant in zip(tickets, as_of, strict=True):
        tally.add(ticket, instant)
    return tally.part(), rows


class Shards:
    """`add` in place of `Tally.add`; `finish` merges every batch into `tally` in order."""

    def __init__(self, executor: ProcessPoolExecutor, workers: int, tally: Tally,
                 row: Callable[[list[str]], None] | None) -> None:
        self.executor, self.tally, self.row = executor, tally, row
        self.limit = 2 * workers
        self.tickets: list[Ticket] = []
        self.as_of: list[float] = []
        self.flight: deque[Future[tuple[TallyPart, list[list[str]]]]] = deque()

    def add(self, ticket: Ticket, as_of: float) -> None:
        self.tickets.append(ticket)
        self.as_of.append(as_of)
        if len(self.tickets) >= BATCH:
            self._submit()

    def _submit(self) -> None:
        self.flight.append(self.executor.submit(_count, self.tickets, self.as_of))
        self.tickets, self.as_of = [], []
        while len(self.flight) > self.limit:
            self._merge(self.flight.popleft())

    def _merge(self, future: Future[Any]) -> None:
        part, rows = future.result()
        self.tally.merge(part)
        if self.row is not None:
            for cells in rows:
                self.row(cells)

    def finish(self) -> None:
        if self.tickets:
            self._submit()
        while self.flight:
            self._merge(self.flight.popleft())

    def abandon(self) -> None:
        """Drop what is in flight (the streaming pass stopped; the run starts again)."""
        for future in self.flight:
            future.cancel()
        self.flight.clear()
        self.tickets, self.as_of = [], []
