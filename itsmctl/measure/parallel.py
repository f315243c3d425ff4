"""Measure on every core: the tickets split by a stable hash of their id, one result.

Each forked worker owns the tickets whose id hashes to it (`zlib.crc32`, the same in every
process, unlike `hash`): a ticket, its events and every duplicate of its id land in the same
worker, which alone builds, joins and counts them. Every worker still walks the whole zipper
of stream.join_streaming: every event and every ticket row whose id and opened_at can be
read (a *step*, the same rows in every worker). So its order checks see every row, and it
counts a ticket at the very moment the one-process run does, which is what makes the figures
the same:

- a ticket is counted when the events pass its stop, so which segment between two steps it
  is counted in, then (stop, line), is the one-process run's order: per-ticket rows and
  the line of the first unknown value are merged by that key;
- the tickets held open at a step are, summed over the workers, the one-process run's: the
  peak is the largest sum (the extra steps of rows that prove bad only ever hold less);
- a ticket with a stop never reads the as-of instant, so counting it before the run's last
  instant is known changes nothing; an open ticket does, so the workers hand their open
  tickets back and the parent counts them last, in line order, as `finish` does.

Counts add, percentiles and means are taken over the merged samples (each sorts its values
first), and first rows and instants merge as minimum and maximum. Per-ticket rows go to a file
of each worker's, in a private temporary folder, each row with its key; the parent merges
the files as it reads them, so neither it nor a worker holds the rows (memory stays bounded by
the open tickets, as in one process). A file out of time order
(the in-memory join), a worker that fails, a platform without fork, or an error in the
records (the one-process run says it, at the row it says it at) make the parent run in one
process instead.
"""

from __future__ import annotations

import csv
import heapq
import io
import math
import multiprocessing
import shutil
import struct
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO
from zlib import crc32

from itsmctl.errors import ItsmctlError
from itsmctl.measure.kpis import KpiTally
from itsmctl.measure.records import (
    EventRow,
    RowProblem,
    Ticket,
    _Bad,
    _Columns,
    _header,
    _TicketReader,
    _unreadable,
)
from itsmctl.measure.stream import JoinStats, OutOfOrder, _Join
from itsmctl.measure.tally import Tally
from itsmctl.measure.timestamps import TimestampError
from itsmctl.workers import exit_with_parent, tracked_fork

if TYPE_CHECKING:
    from multiprocessing.context import ForkProcess  # POSIX only

    from itsmctl.measure.run import Counted, RecordInputs

Key = tuple[float, float, int]  # (step line, or inf after the last; stop; ticket line)
Step = tuple[int, float, Ticket | None]  # line, opened, the ticket when this worker owns it

_STATE: tuple[RecordInputs, Path | None] | None = None
# a per-ticket row in a worker's file: its key (step line or +-inf, stop, ticket line; the
# line a float only where it is exact, below 2**53), the length of its UTF-8 text, the text
_ROW_HEAD = struct.Struct("<ddqI")


def measure_parallel(inputs: RecordInputs, workers: int, per_ticket: IO[str] | None
                     ) -> Counted | None:
    """The serial attempt's result, computed in `workers` processes; None when this run
    must be made in one process (out of time order, a worker failed, an error to report)."""
    try:
        multiprocessing.get_context("fork")
    except ValueError:
        return None  # no fork on this platform (Windows): the workers need the parent's state
    started: list[ForkProcess] = []
    context = tracked_fork(started)
    try:  # a private folder (mode 0700) for the workers' per-ticket rows
        rows = Path(tempfile.mkdtemp(prefix="itsmctl-rows-")) if per_ticket is not None else None
    except OSError:
        return None  # no room for them: one process writes the rows itself
    try:
        try:
            executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                                           initargs=(inputs, rows))
            try:
                futures = [executor.submit(_measure_part, index, workers)
                           for index in range(workers)]
                parts = [future.result() for future in futures]
            except BaseException:  # Ctrl-C, SIGTERM: the workers stop now, not when counted
                _stop(executor, started)
                raise
            executor.shutdown(wait=True)
        except (BrokenProcessPool, OSError):
            return None  # a worker died (memory, a signal) or its disk filled: one process
        if any(part is None for part in parts):
            return None
        # writing the per-ticket file is the run's own: a full disk there is said once
        # (atomic_text_writer), not a reason to count everything again in one process
        return _merge(inputs, [p for p in parts if p is not None], per_ticket)
    finally:
        if rows is not None:
            shutil.rmtree(rows, ignore_errors=True)


def _stop(executor: ProcessPoolExecutor, workers: list[ForkProcess]) -> None:
    """Kill the pool's workers and let it go: a worker counting a whole file would
    otherwise be waited for."""
    for worker in workers:
        if worker.is_alive():
            worker.kill()
    executor.shutdown(wait=False, cancel_futures=True)


def _init(inputs: RecordInputs, rows: Path | None) -> None:
    global _STATE  # noqa: PLW0603 - per-worker state, set once by the pool initializer
    _STATE = (inputs, rows)
    exit_with_parent()


@dataclass
class _Keyed(Tally):
    """A worker's tally: keys each counted ticket by its moment in the one-process run and
    keeps open tickets for the parent (their as-of instant is the whole run's)."""

    segment: float = -math.inf
    key: Key = (-math.inf, -math.inf, 0)
    deferred: list[Ticket] = field(default_factory=list)
    first_keys: dict[tuple[str, str], Key] = field(default_factory=dict)

    def add(self, ticket: Ticket, as_of: float) -> None:
        stop = ticket.resolved if ticket.resolved is not None else ticket.closed
        if stop is None:
            self.deferred.append(ticket)
            return
        self.key = (self.segment, stop, ticket.line)
        known = len(self.first_line)
        super().add(ticket, as_of)
        if len(self.first_line) != known:
            for name in islice(reversed(self.first_line), len(self.first_line) - known):
                self.first_keys[name] = self.key


class _Rows:
    """Per-ticket CSV rows written by a worker to its file, each with the key that places it
    (`_ROW_HEAD`). Text is encoded with surrogatepass, so any string the records held comes
    back unchanged."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.tally: _Keyed | None = None

    def __call__(self, cells: list[str]) -> None:
        assert self.tally is not None
        buffer = self.buffer
        buffer.seek(0)
        buffer.truncate()
        self.writer.writerow(cells)
        text = buffer.getvalue().encode("utf-8", "surrogatepass")
        self.file.write(_ROW_HEAD.pack(*self.tally.key, len(text)))
        self.file.write(text)


@dataclass
class _Part:
    """What one worker counted: everything the parent merges, nothing it can recompute."""

    counted: dict[str, Any]  # the tally's and its KPI tally's fields (`_counted`)
    first_keys: dict[tuple[str, str], Key]
    problems: list[RowProblem]
    duplicates: list[tuple[str, int]]
    orphan_events: int
    unknown_ids: set[str]
    early_ids: set[str]
    deferred: list[Ticket]
    open_at_steps: array[int]
    rows: Path | None  # the file of its per-ticket rows


_COUNTERS = ("open_within", "unknown_services", "unknown_priorities", "unknown_types",
             "no_target", "not_in_force", "escalations")


class _Discard(list[RowProblem]):
    """Problems another worker reports."""

    def append(self, item: RowProblem) -> None:
        pass


def _measure_part(index: int, count: int) -> _Part | None:
    assert _STATE is not None, "worker used before its initialiser ran"
    inputs, folder = _STATE
    if folder is None:
        return _count_part(inputs, index, count, None, None)
    path = folder / f"part-{index}"
    with path.open("wb", buffering=1 << 20) as file:
        return _count_part(inputs, index, count, _Rows(file), path)


def _count_part(inputs: RecordInputs, index: int, count: int, rows: _Rows | None,
                path: Path | None) -> _Part | None:
    def mine(ident: str) -> bool:
        return crc32(ident.encode("utf-8", "surrogatepass")) % count == index

    tally = inputs.tally(rows, _Keyed)
    assert isinstance(tally, _Keyed) and tally.kpis is not None
    if rows is not None:
        rows.tally = tally
    stats = JoinStats()
    # rows that name no ticket are reported by worker 0, the others by their ticket's owner
    events = inputs.events(stats.problems if index == 0 else _Discard())
    counts = array("I")
    try:
        _walk(_steps(inputs, stats.problems, mine, index == 0), events, tally, stats, mine,
              counts)
    except (OutOfOrder, ItsmctlError):
        return None
    return _Part(
        _counted(tally), tally.first_keys, stats.problems,
        stats.duplicates, stats.orphan_events, stats.orphan_ids - stats.seen,
        stats.orphan_ids & stats.seen, tally.deferred, counts, path)


def _counted(tally: Tally) -> dict[str, Any]:
    """What a tally and its KPI tally counted, as plain data to merge."""
    assert tally.kpis is not None
    names = ("groups", *_COUNTERS, "tickets", "measured", "latest", "earliest", "first_line")
    return {**{name: getattr(tally, name) for name in names}, "samples": tally.kpis.samples,
            "spans": tally.kpis.spans, "mtbf": tally.kpis.mtbf}


def _steps(inputs: RecordInputs, problems: list[RowProblem], mine: Callable[[str], bool],
           first: bool) -> Iterator[Step]:
    """read_tickets for every worker: each row whose id and opened_at read is a step, and
    only the tickets this worker owns are built (their bad rows reported)."""
    from itsmctl.measure.mapping import TICKET_FIELDS

    mapping, path, label = inputs.mapping, inputs.files["tickets"], inputs.label("tickets")
    fields = {f: mapping.ticket_columns(f) for f in TICKET_FIELDS
              if f not in mapping.constants or f in mapping.columns}
    rows, header = _header(path, label, fields)
    cols = _Columns(label, header, fields, ("id", "type", "service", "priority", "opened_at"),
                    mapping.constants)
    jsonl = path.suffix == ".jsonl"
    width = cols.width
    reader = _TicketReader(cols, mapping, inputs.parse, inputs.resolve, inputs.change_models)
    read, text = reader.read, reader.text
    for line, row in rows:
        if isinstance(row, Exception) or (not jsonl and len(row) != width):
            if first:
                problems.append(_unreadable(label, line, row) if isinstance(row, Exception)
                                else RowProblem(label, line, None, "",
                                                f"row has {len(row)} fields, the header"
                                                f" {width}"))
            continue
        ident, opened_text = text(row, "id"), text(row, "opened_at")
        ticket = None
        if mine(ident):
            try:
                ticket = reader.ticket(row, line)
            except _Bad as bad:
                problems.append(cols.problem(line, bad.field, bad.message))
            if ticket is not None:
                yield line, ticket.opened, ticket
                continue
        if ident and opened_text:
            try:
                opened = read(opened_text)
            except TimestampError:
                continue
            yield line, opened, None


def _walk(steps: Iterator[Step], events: Iterator[EventRow] | None, tally: _Keyed,
          stats: JoinStats, mine: Callable[[str], bool], counts: array[int]) -> None:
    """join_streaming over every step and event, holding only this worker's tickets."""
    join = _Join(tally, stats)
    events = events if events is not None else iter(())
    pending = next(events, None)
    first_at = pending[1] if pending is not None else None
    last_opened = last_at = -math.inf
    heap, held = join.heap, join.open
    for line, opened, ticket in steps:
        if opened < last_opened:
            raise OutOfOrder(f"tickets: line {line} opened before the line before it")
        last_opened = opened
        tally.segment = line
        while pending is not None and pending[1] < opened:
            last_at = _event(join, stats, mine, pending, last_at)
            pending = next(events, None)
        if heap and (pending is None or heap[0][0] < pending[1]):
            join.flush(pending[1] if pending is not None else math.inf)
        if ticket is not None and join.register(ticket):
            join.hold(ticket)
        counts.append(len(held))
    tally.segment = math.inf
    while pending is not None:
        last_at = _event(join, stats, mine, pending, last_at)
        pending = next(events, None)
    tally.see(first_at)
    tally.see(last_at if last_at != -math.inf else None)
    join.finish()


def _event(join: _Join, stats: JoinStats, mine: Callable[[str], bool], event: EventRow,
           last_at: float) -> float:
    ident, at, status, line = event
    if at < last_at:
        raise OutOfOrder(f"events: line {line} is earlier than the line before it")
    if join.heap and join.heap[0][0] < at:
        join.flush(at)
    ticket = join.open.get(ident)
    if ticket is not None:
        ticket.statuses.append((at, status))
    elif ident not in stats.seen and mine(ident):
        stats.orphan_events += 1
        stats.orphan_ids.add(ident)
    return at


def _merge(inputs: RecordInputs, parts: list[_Part], per_ticket: IO[str] | None) -> Counted:
    """The workers' parts as one tally, the open tickets counted last as of the run's end.

    The open tickets are counted on a tally of their own, merged like a worker's: a tally
    keeps indexes of its groups, so only a fresh one is merged into, and nothing is added to
    it after."""
    rows = inputs.rows(per_ticket) if per_ticket is not None else None
    if rows is not None:
        rows.rows += _write_rows(rows.sink, parts)
    last = inputs.tally(rows)
    as_of = max([last.latest, *(part.counted["latest"] for part in parts)])
    for ticket in sorted((t for p in parts for t in p.deferred), key=lambda t: t.line):
        last.add(ticket, as_of)
    opened = {name: (math.inf, math.inf, line) for name, line in last.first_line.items()}
    tally = inputs.tally(None)
    kpis = tally.kpis
    assert kpis is not None
    stats = JoinStats()
    firsts: dict[tuple[str, str], tuple[Key, int]] = {}
    for counted, first_keys in [*((p.counted, p.first_keys) for p in parts),
                                (_counted(last), opened)]:
        _merge_tally(tally, counted)
        _merge_kpis(kpis, counted)
        for name, line in counted["first_line"].items():
            key = first_keys[name]
            if name not in firsts or key < firsts[name][0]:
                firsts[name] = (key, line)
    for part in parts:
        stats.problems += part.problems
        stats.duplicates += part.duplicates
        stats.orphan_events += part.orphan_events
        stats.orphan_ids |= part.unknown_ids | part.early_ids
        stats.seen |= part.early_ids
    tally.first_line = {name: line for name, (_, line) in sorted(
        firsts.items(), key=lambda item: item[1][0])}
    stats.problems.sort(key=lambda p: (p.file, p.line))
    stats.peak_open = max(map(sum, zip(*(p.open_at_steps for p in parts), strict=True)),
                          default=0)
    return tally, stats, kpis, rows.rows if rows is not None else tally.measured


def _merge_tally(tally: Tally, data: dict[str, Any]) -> None:
    for key, group in data["groups"].items():
        mine = tally.groups.get(key)
        if mine is None:
            tally.groups[key] = group
            continue
        mine.tickets += group.tickets
        mine.met += group.met
        mine.breached += group.breached
        mine.minutes.extend(group.minutes)
        mine.breaches.extend(group.breaches)
    for name in _COUNTERS:
        counter: Counter[Any] = getattr(tally, name)
        counter.update(data[name])
    tally.tickets += data["tickets"]
    tally.measured += data["measured"]
    tally.latest = max(tally.latest, data["latest"])
    tally.earliest = min(tally.earliest, data["earliest"])


def _merge_kpis(kpis: KpiTally, data: dict[str, Any]) -> None:
    for key, bucket in data["samples"].items():
        mine = kpis.samples.get(key)
        if mine is None:
            kpis.samples[key] = bucket
            continue
        mine.values.extend(bucket.values)
        mine.hits += bucket.hits
        mine.counted += bucket.counted
    for number, (opened, resolved) in data["spans"].items():
        have = kpis.spans.setdefault(number, (array("d"), array("d")))
        have[0].extend(opened)
        have[1].extend(resolved)
    for number, services in data["mtbf"].items():
        for service, incidents in services.items():
            kpis.mtbf.setdefault(number, {}).setdefault(service, []).extend(incidents)


def _write_rows(per_ticket: IO[str], parts: list[_Part]) -> int:
    """The workers' per-ticket rows in the one-process run's order (each file is in it),
    read as they are merged."""
    written = 0
    files = [part.rows.open("rb", buffering=1 << 20) for part in parts if part.rows]
    try:
        for _, text in heapq.merge(*map(_rows_of, files), key=itemgetter(0)):
            per_ticket.write(text)
            written += 1
    finally:
        for file in files:
            file.close()
    return written


def _rows_of(file: BinaryIO) -> Iterator[tuple[Key, str]]:
    """A worker's rows from its file, each with its key."""
    size, unpack, read = _ROW_HEAD.size, _ROW_HEAD.unpack, file.read
    while head := read(size):
        step, stop, line, length = unpack(head)
        yield (step, stop, line), read(length).decode("utf-8", "surrogatepass")

