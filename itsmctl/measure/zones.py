"""Where a time zone's UTC offset changes: the pieces of constant offset over a UTC range.

Business hours are written in local wall-clock time. Within a piece of constant offset a
local reading is `utc + offset`, so mapping hours to real instants is exact arithmetic and
a daylight-saving change is simply a piece boundary (23- and 25-hour days fall out).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

# No real zone changes its offset twice within six hours; sampling at this step and
# bisecting to the second finds every transition of the tz database.
_STEP = 6 * 3600


def offset_at(zone: ZoneInfo, instant: int) -> int:
    """The zone's UTC offset in seconds at a UTC epoch second."""
    offset = datetime.fromtimestamp(instant, zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


@lru_cache(maxsize=256)
def offset_pieces(zone: ZoneInfo, lo: int, hi: int) -> tuple[tuple[int, int, int], ...]:
    """[(start, end, offset)] covering the UTC epoch seconds [lo, hi), in order.

    Cached: every SLA clock, maintenance window and calendar of a run asks for the same
    whole years of the same few zones (the answer depends on nothing else)."""
    pieces: list[tuple[int, int, int]] = []
    start, offset = lo, offset_at(zone, lo)
    probe = lo
    while probe < hi:
        nxt = min(probe + _STEP, hi)
        if offset_at(zone, nxt) == offset:
            probe = nxt
            continue
        change = _first_change(zone, probe, nxt, offset)
        if change >= hi:
            break
        pieces.append((start, change, offset))
        start = probe = change
        offset = offset_at(zone, change)
    pieces.append((start, hi, offset))
    return tuple(pieces)


def _first_change(zone: ZoneInfo, lo: int, hi: int, offset: int) -> int:
    """The first second in (lo, hi] whose offset differs from `offset` (it is at lo)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if offset_at(zone, mid) == offset:
            lo = mid
        else:
            hi = mid
    return hi
