"""Forked worker processes end with the process that forked them.

A pool's workers wait on a queue whose write end they inherited themselves, so when their
parent dies without shutting the pool down (SIGKILL, the out-of-memory killer, a CI runner
cancelling the job) they never see it close and would sleep forever, holding memory. Each
pool's initializer calls `exit_with_parent`: a watcher thread ends the worker within
`POLL_SECONDS` of its parent going (Linux reparents an orphan, so `getppid` changes).
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import ForkContext, ForkProcess  # POSIX only

POLL_SECONDS = 0.5


def exit_with_parent() -> None:
    """In a forked worker: end this process as soon as its parent is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_SECONDS)
        os._exit(1)  # nothing to hand back: the parent that would read it is gone

    threading.Thread(target=watch, name="itsmctl-exit-with-parent", daemon=True).start()


def tracked_fork(started: list[ForkProcess]) -> ForkContext:
    """The fork context, keeping every worker it starts in `started`, so that the pool's
    owner can read a dead one's exit status once the pool has stopped (the executor does
    not report it), or kill them all at once (it only waits for them)."""
    from multiprocessing.context import ForkContext, ForkProcess

    class Tracked(ForkProcess):
        def start(self) -> None:
            super().start()
            started.append(self)

    class Context(ForkContext):
        Process = Tracked

    return Context()
