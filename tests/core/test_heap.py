"""The collector settings a run uses while its large heap is alive (itsmctl/heap.py)."""

from __future__ import annotations

import gc

from itsmctl.heap import frozen, young_collections_only


def test_frozen_nests_and_only_the_outermost_block_thaws() -> None:
    """The rules' workers fork inside a site render's frozen heap: the inner block's end
    must not thaw what the outer one froze."""
    assert gc.get_freeze_count() == 0
    with frozen():
        outer = gc.get_freeze_count()
        assert outer > 0
        with frozen():
            pass
        assert gc.get_freeze_count() >= outer
    assert gc.get_freeze_count() == 0


def test_young_collections_only_restores_the_thresholds_however_the_block_ends() -> None:
    before = gc.get_threshold()
    try:
        with young_collections_only():
            assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > before[2]
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.get_threshold() == before
