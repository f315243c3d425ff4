"""The garbage collector while a catalog is loaded and checked: young collections only.

A run builds one large heap that lives to its end (every file's data, its entities, the
references and what the rules derive from them). CPython's full collection walks the whole
old generation each time it has grown by a quarter, so a run that builds such a heap walks it
again and again; at 10,000 services those walks found nothing to free (every full collection
of a validate collected 0 objects) and cost 1.6 s of CPU cold and 1.0 s of 3.5 s warm, growing
faster than the catalog (7.8x from 2,500 to 10,000 services, benchmarks/RESULTS.md).
The young generations are still collected as usual, so short-lived cycles are freed as before;
the old generation's thresholds come back when the block ends, however it ends.

`frozen` is the other half, for forked workers: what is alive when the block starts is left
out of every collection inside it, in this process and in the processes it forks, whose
collections would otherwise walk (and so touch, and copy) every memory page it is on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_NEVER = 1 << 30  # young collections between full ones: more than any run makes


@contextmanager
def young_collections_only() -> Iterator[None]:
    """No full collection inside the block (young ones run as usual); nests."""
    first, second, third = gc.get_threshold()
    gc.set_threshold(first, second, _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(first, second, third)


_frozen = [0]  # how many `frozen` blocks are open: only the outermost thaws


@contextmanager
def frozen() -> Iterator[None]:
    """Everything alive now is out of the collector's sight inside the block (`gc.freeze`),
    thawed when the outermost block ends; nests."""
    gc.freeze()
    _frozen[0] += 1
    try:
        yield
    finally:
        _frozen[0] -= 1
        if _frozen[0] == 0:
            gc.unfreeze()
