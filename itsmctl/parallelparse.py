"""Parse many files on every core, with results identical to parsing them in one process.

Parsing YAML is most of a cold run, and each file parses alone. Forked workers inherit the
files' bytes (nothing is pickled on the way in), parse contiguous chunks and send each parse
back in the cache's JSON payload (itsmctl/parsecache.py) with each document's schema verdict
(so the schema's fast check runs on every core too), which the parent rebuilds against
its own SourceFile: the same documents, data and findings, in the same order, as a serial
parse (tests/core/test_parallel_parse.py compares them). Below `MIN_FILES`, or where fork is
unavailable or unsafe (a multi-threaded process), parsing stays in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from itsmctl.limits import Limits
from itsmctl.parsecache import decode_many, encode, judge, rebuild
from itsmctl.schemas import prepare_fast_checks
from itsmctl.sources import SourceFile
from itsmctl.workers import exit_with_parent
from itsmctl.yamlload import ParsedFile, parse_source

MIN_FILES = 1000  # below this (or MIN_BYTES), forking costs more than it saves
MIN_BYTES = 4 << 20
CHUNK = 250  # files per task: small enough to balance the cores, large enough to be cheap

_STATE: tuple[list[SourceFile], Limits] | None = None


def worker_count(sources: list[SourceFile], requested: int | None = None) -> int:
    """`requested`, or the cores this process may use when the files are worth forking for."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1  # forking a multi-threaded process can deadlock the child (and 3.12 warns)
    if requested is not None:
        return max(1, requested)
    if len(sources) < MIN_FILES or sum(s.size for s in sources) < MIN_BYTES:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, 8))


def parse_all(sources: list[SourceFile], limits: Limits,
              workers: int | None = None) -> list[ParsedFile]:
    """Parse `sources` in order; on every core when `worker_count` says it pays."""
    count = worker_count(sources, workers)
    if count > 1 and len(sources) > CHUNK:
        try:
            return _parallel(sources, limits, count)
        except (BrokenProcessPool, OSError):
            pass  # a worker died (memory, a signal): parse here, where an error shows itself
    return [parse_source(source, limits) for source in sources]


def _init(sources: list[SourceFile], limits: Limits) -> None:
    global _STATE  # noqa: PLW0603 - per-worker state, set once by the pool initializer
    _STATE = (sources, limits)
    exit_with_parent()


def _parse_chunk(start: int, stop: int) -> list[bytes]:
    assert _STATE is not None, "worker used before its initialiser ran"
    sources, limits = _STATE
    return [encode(judge(parse_source(sources[i], limits))) for i in range(start, stop)]


def _parallel(sources: list[SourceFile], limits: Limits, workers: int) -> list[ParsedFile]:
    # the bytes are read here: a git source reads through this process's git pipe, which a
    # child must never touch
    loaded = [source if source.data is not None or source.error
              else replace(source, data=source.bytes(), read=None) for source in sources]
    total = len(loaded)
    workers = min(workers, -(-total // CHUNK))
    prepare_fast_checks()  # compiled once here, not once per worker
    context = multiprocessing.get_context("fork")
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                                   initargs=(loaded, limits))
    try:
        futures: list[Future[list[bytes]]] = [
            executor.submit(_parse_chunk, start, min(start + CHUNK, total))
            for start in range(0, total, CHUNK)]
        out: list[ParsedFile] = []
        for future in futures:  # in order; each chunk is rebuilt as it arrives
            for body in decode_many(future.result()):
                source = sources[len(out)]
                parsed = rebuild(body, source) if body is not None else None
                out.append(parsed if parsed is not None else parse_source(source, limits))
        return out
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
