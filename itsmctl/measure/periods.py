"""Measurement periods (monthly, quarterly, yearly) in the SLA's measurement time zone.

A ticket belongs to the period of its stop time; availability is summed per period. Keys
sort in time order as text: `2026-10`, `2026-Q4`, `2026`.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

KINDS = ("weekly", "monthly", "quarterly", "yearly")


def period_key(instant: float, kind: str, zone: ZoneInfo) -> str:
    local = datetime.fromtimestamp(instant, zone)
    if kind == "monthly":
        return f"{local.year}-{local.month:02d}"
    if kind == "quarterly":
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    if kind == "weekly":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return str(local.year)


def period_start(key: str, kind: str) -> date:
    """The first local date of a period key."""
    if kind == "monthly":
        return date(int(key[:4]), int(key[5:7]), 1)
    if kind == "quarterly":
        return date(int(key[:4]), (int(key[-1]) - 1) * 3 + 1, 1)
    if kind == "weekly":
        return date.fromisocalendar(int(key[:4]), int(key[6:]), 1)
    return date(int(key), 1, 1)


def period_bounds(key: str, kind: str, zone: ZoneInfo) -> tuple[float, float]:
    """[start, end) of a period as UTC epoch seconds (local midnights in `zone`)."""
    first = period_start(key, kind)
    if kind == "monthly":
        nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    elif kind == "quarterly":
        month = first.month + 3
        nxt = date(first.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    elif kind == "weekly":
        nxt = date.fromordinal(first.toordinal() + 7)
    else:
        nxt = date(first.year + 1, 1, 1)
    return _midnight(first, zone), _midnight(nxt, zone)


def _midnight(day: date, zone: ZoneInfo) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def periods_between(start: float, end: float, kind: str, zone: ZoneInfo) -> list[str]:
    """Every period key from the one holding `start` to the one holding `end`, in order."""
    keys = [period_key(start, kind, zone)]
    while True:
        _, upper = period_bounds(keys[-1], kind, zone)
        if upper > end:
            return keys
        keys.append(period_key(upper, kind, zone))


class PeriodCache:
    """`period_key` for a stream of instants that mostly fall in the period of the last one.

    The answer is the same as period_key's: a cached period's bounds are checked, only the
    datetime arithmetic is saved. The period before the last is kept too: tickets stop out
    of order around a period's end, so the stream goes back and forth between two periods.
    """

    __slots__ = ("_before", "hi", "key", "kind", "lo", "zone")

    def __init__(self, kind: str, zone: ZoneInfo) -> None:
        self.kind, self.zone = kind, zone
        self.lo, self.hi, self.key = 0.0, 0.0, ""
        self._before = (0.0, 0.0, "")

    def __call__(self, instant: float) -> str:
        if self.lo <= instant < self.hi:
            return self.key
        lo, hi, key = before = self._before
        if not lo <= instant < hi:
            key = period_key(instant, self.kind, self.zone)
            lo, hi = period_bounds(key, self.kind, self.zone)
        self._before = (self.lo, self.hi, self.key) if self.hi > self.lo else before
        self.lo, self.hi, self.key = lo, hi, key
        return key
