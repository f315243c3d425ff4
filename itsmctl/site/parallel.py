"""Render and write the pages of a large site on every core, in forked worker processes.

Each worker builds, renders and writes a contiguous chunk of pages into the staging folder;
the parent only collects the paths in page order, so the files and their bytes are the same
as a one-process render. Fork (not spawn) lets workers inherit the loaded catalog and the
compiled templates without pickling them; where fork is unavailable the render stays serial.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from itsmctl.errors import ItsmctlError
from itsmctl.site.pages import Progress, SitePlan
from itsmctl.workers import exit_with_parent, tracked_fork

if TYPE_CHECKING:
    from multiprocessing.context import ForkProcess  # POSIX only

MIN_PAGES = 400  # below this, forking costs more than it saves
CHUNK = 100      # pages per task: small enough to balance, large enough to be cheap

Writer = Callable[[str, bytes], None]  # writes one site file (posix path, bytes)
_STATE: tuple[SitePlan, Writer] | None = None


def worker_count(pages: int, requested: int | None = None) -> int:
    """How many processes to render with: `requested`, or every core for a large site."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1  # forking a multi-threaded process can deadlock the child (and 3.12 warns)
    if requested is not None:
        return max(1, requested)
    return min(os.cpu_count() or 1, 8) if pages >= MIN_PAGES else 1


def _init(plan: SitePlan, write: Writer) -> None:
    global _STATE  # noqa: PLW0603 - per-worker state, set once by the pool initializer
    _STATE = (plan, write)
    exit_with_parent()


def _render_chunk(start: int, stop: int) -> list[str]:
    assert _STATE is not None, "worker used before its initialiser ran"
    plan, write = _STATE
    written = []
    for index in range(start, stop):
        rel, data = plan.render(index)
        write(rel, data)
        written.append(rel)
    return written


def write_pages(plan: SitePlan, write: Writer, workers: int,
                progress: Progress | None = None) -> list[str]:
    """Write every page of `plan` with `write`, in `workers` processes (the graph pages in
    this one, meanwhile); paths in page order.

    The first error of any worker is raised here once every worker has stopped, so the
    caller can remove the staging folder and keep the previous site. A worker that dies
    (killed, crashed, or exited) is reported with its real cause, read from its exit status.
    """
    total = len(plan.pages)
    workers = max(1, min(workers, -(-total // CHUNK)))  # no more processes than chunks
    started: list[ForkProcess] = []
    context = tracked_fork(started)
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                                   initargs=(plan, write))
    try:
        starts = list(range(0, total, CHUNK))
        # the last chunk first: it holds the heaviest pages (people, findings, rules), so
        # no worker starts them when the others have nothing left to do
        futures: dict[int, Future[list[str]]] = {
            start: executor.submit(_render_chunk, start, min(start + CHUNK, total))
            for start in starts[-1:] + starts[:-1]}
        # made here while the workers render: the graph pages, the search index, the rest
        for rel, data in plan.late:
            write(rel, data)
        _ = plan.files
        written: list[str] = []
        for start in starts:
            written += futures[start].result()
            if progress is not None:
                progress(len(written) + len(plan.late), plan.total)
        return plan.in_order(written)
    except BrokenProcessPool as exc:
        executor.shutdown(wait=True, cancel_futures=True)
        message, hint = death_cause([p.exitcode for p in started])
        raise ItsmctlError(message, hint) from exc
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def death_cause(exit_codes: list[int | None]) -> tuple[str, str]:
    """What killed a worker, from the exit statuses of the pool's processes.

    When one worker dies the pool sends SIGTERM to the others, so a SIGTERM is the cause
    only when no worker ended otherwise. A negative status is a signal (-9: SIGKILL, what
    the kernel's out-of-memory killer sends); a positive one is the process's own exit.
    """
    kept = "the previous site is kept"
    ended = [code for code in exit_codes if code]  # None (still running) and 0 are not deaths
    causes = [code for code in ended if code != -signal.SIGTERM] or ended
    if not causes:
        return ("a page-rendering process stopped unexpectedly (its exit status is unknown)",
                f"{kept}; render again")
    code = causes[0]
    report = f"{kept}; please report it with the command and `itsmctl --version`"
    if code > 0:
        return (f"a page-rendering process stopped unexpectedly: it exited with status {code}",
                f"code in the process called exit; {report}")
    number = -code
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = "an unknown signal"
    what = f"a page-rendering process was killed by signal {number} ({name})"
    if number == signal.SIGKILL:
        oom = "SIGKILL is what the kernel's out-of-memory killer sends (or `kill -9`)"
        return (what, f"{kept}; {oom}: free some memory and render again")
    if number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL):
        return (what, f"the process crashed in native code; {report}")
    return (what, f"{kept}; something outside itsmctl stopped it; render again")
