"""Business time: the seconds a BusinessCalendar is open between two instants, and its inverse.

A calendar is compiled into a timeline of open intervals in UTC epoch seconds with running
totals, so `elapsed(a, b)` is two binary searches and `reach(a, s)` (the instant `s` business
seconds after `a`, i.e. a breach instant) is one more. The timeline is built from local
readings piece by piece of constant UTC offset (see zones.py), which gives the rules:

- weekly hours are local wall-clock readings in the calendar's IANA zone; `24:00` is the next
  local midnight;
- a holiday closes its whole local date;
- across a daylight-saving change real seconds are summed: an hour the clock skips never
  counts, an hour the clock repeats counts twice (a 02:00-03:00 window is 0 h on the spring
  Sunday and 2 h on the autumn Sunday in Europe/Berlin).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from itsmctl.durations import parse_clock, parse_date
from itsmctl.measure.zones import offset_pieces

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY = 86400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Timelines are built by whole UTC years inside these bounds (records outside are refused).
FIRST_YEAR, LAST_YEAR = 1900, 2400

Hours = tuple[tuple[tuple[int, int], ...], ...]  # per weekday (Monday first): (start, end) minutes


class CalendarError(ValueError):
    """A calendar that cannot be compiled (unknown time zone)."""


@dataclass
class BusinessClock:
    """One business calendar, compiled lazily into UTC open intervals by whole years."""

    name: str
    zone: ZoneInfo
    weekly: Hours
    holidays: frozenset[date] = frozenset()
    _lo: int = field(default=0, repr=False)
    _hi: int = field(default=0, repr=False)
    _starts: list[int] = field(default_factory=list, repr=False)
    # the same starts as floats, only for bisecting with float instants: comparing a float
    # with a float is several times faster than with an int (same order, same index)
    _keys: list[float] = field(default_factory=list, repr=False)
    _ends: list[int] = field(default_factory=list, repr=False)
    _cum: list[int] = field(default_factory=list, repr=False)  # open seconds before starts[i]
    _cum_end: list[int] = field(default_factory=list, repr=False)
    always_open: bool = field(init=False)
    never_open: bool = field(init=False)

    def __post_init__(self) -> None:
        # 24x7 without holidays: business time is wall time in any zone (no timeline needed)
        self.always_open = not self.holidays and all(day == ((0, 1440),) for day in self.weekly)
        self.never_open = not any(self.weekly)

    def elapsed(self, start: float, end: float) -> float:
        """Business seconds in [start, end); 0 when end is not after start."""
        if end <= start:
            return 0
        if self.always_open:
            return end - start
        if self.never_open:
            return 0
        if not (self._lo <= start and end <= self._hi and self._hi > self._lo):
            self._cover(start, end)
        # _total(end) - _total(start), written out: this runs for every ticket and clock
        keys, starts, ends, cum = self._keys, self._starts, self._ends, self._cum
        i = bisect_right(keys, end) - 1
        total = cum[i] + min(end, ends[i]) - starts[i] if i >= 0 else 0
        i = bisect_right(keys, start) - 1
        return total - (cum[i] + min(start, ends[i]) - starts[i] if i >= 0 else 0)

    def reach(self, start: float, seconds: float) -> float | None:
        """The first instant at which `seconds` business seconds have passed since `start`.

        None when the calendar never opens. A target reached exactly at closing time is
        reached at that closing instant, not at the next opening.
        """
        if self.always_open:
            return start + seconds
        if self.never_open:
            return None
        if seconds <= 0:
            return start
        horizon = start + max(seconds, 366 * DAY)
        while True:
            self._cover(start, horizon)
            target = self._total(start) + seconds
            if self._cum_end and self._cum_end[-1] >= target:
                i = bisect_left(self._cum_end, target)
                return max(start, self._starts[i] + (target - self._cum[i]))
            if _year(horizon) >= LAST_YEAR:
                return None
            horizon = start + 2 * (horizon - start)

    def open_intervals(self, start: float, end: float) -> list[tuple[float, float]]:
        """The open intervals of [start, end), clipped to it, in order."""
        if end <= start or self.never_open:
            return []
        if self.always_open:
            return [(start, end)]
        self._cover(start, end)
        out: list[tuple[float, float]] = []
        i = max(0, bisect_right(self._keys, start) - 1)
        starts, ends = self._starts, self._ends
        while i < len(starts) and starts[i] < end:
            a, b = max(starts[i], start), min(ends[i], end)
            if a < b:
                out.append((a, b))
            i += 1
        return out

    def _total(self, instant: float) -> float:
        """Open seconds from the start of the timeline up to `instant`."""
        i = bisect_right(self._keys, instant) - 1
        if i < 0:
            return 0
        return self._cum[i] + min(instant, self._ends[i]) - self._starts[i]

    def _cover(self, start: float, end: float) -> None:
        if self._lo <= start and end <= self._hi and self._hi > self._lo:
            return
        first = min(_year(start), _year(self._lo) if self._hi else LAST_YEAR)
        last = max(_year(end), _year(self._hi - 1) if self._hi else FIRST_YEAR)
        first, last = max(first, FIRST_YEAR), min(last, LAST_YEAR)
        self._build(_year_start(first), _year_start(last + 1))

    def _build(self, lo: int, hi: int) -> None:
        intervals = _merge(self._open_intervals(lo, hi))
        self._lo, self._hi = lo, hi
        self._starts = [a for a, _ in intervals]
        self._keys = [float(a) for a in self._starts]
        self._ends = [b for _, b in intervals]
        self._cum, self._cum_end, total = [], [], 0
        for a, b in intervals:
            self._cum.append(total)
            total += b - a
            self._cum_end.append(total)

    def _open_intervals(self, lo: int, hi: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for a, b, offset in offset_pieces(self.zone, lo, hi):
            local_a, local_b = a + offset, b + offset
            for day in range(local_a // DAY, (local_b - 1) // DAY + 1):
                local_date = date.fromordinal(_EPOCH_ORDINAL + day)
                if local_date in self.holidays:
                    continue
                base = day * DAY
                for open_min, close_min in self.weekly[local_date.weekday()]:
                    x0 = max(local_a, base + open_min * 60)
                    x1 = min(local_b, base + close_min * 60)
                    if x0 < x1:
                        out.append((x0 - offset, x1 - offset))
        return out


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping or touching intervals joined (overlapping hours count once)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _year(instant: float) -> int:
    try:
        return datetime.fromtimestamp(instant, UTC).year
    except (OverflowError, OSError, ValueError):
        return LAST_YEAR if instant > 0 else FIRST_YEAR


def _year_start(year: int) -> int:
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp())


def load_zone(name: Any) -> ZoneInfo:
    try:
        if not isinstance(name, str) or not name:
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CalendarError(f"unknown time zone {name!r}") from None


def weekly_hours(spec: Mapping[str, Any]) -> Hours:
    """`weeklyHours` of a calendar spec as minutes per weekday; unreadable ranges are skipped
    (they are validate's findings, not ours to guess)."""
    raw = spec.get("weeklyHours")
    raw = raw if isinstance(raw, dict) else {}
    days = []
    for name in WEEKDAYS:
        ranges = []
        for item in raw.get(name) or ():
            if not isinstance(item, dict):
                continue
            start, end = parse_clock(item.get("start")), parse_clock(item.get("end"))
            if start is not None and end is not None and start < end:
                ranges.append((start, end))
        days.append(tuple(sorted(ranges)))
    return tuple(days)


def holidays(spec: Mapping[str, Any]) -> frozenset[date]:
    raw = spec.get("holidays")
    dates = (_date(item.get("date")) for item in raw or () if isinstance(item, dict))
    return frozenset(d for d in dates if d is not None)


def _date(value: Any) -> date | None:
    """The catalog loader keeps dates as text; a plain YAML load gives date objects."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return parse_date(value)


def clock_from_spec(name: str, spec: Mapping[str, Any]) -> BusinessClock:
    """A BusinessCalendar's spec compiled; raises CalendarError for an unknown zone."""
    return BusinessClock(name, load_zone(spec.get("timezone")), weekly_hours(spec),
                         holidays(spec))


ALWAYS: Hours = tuple(((0, 1440),) for _ in WEEKDAYS)


def always_on(zone: str = "UTC") -> BusinessClock:
    """The clock of an SLA without a calendar: every minute counts."""
    return BusinessClock("24x7", load_zone(zone), ALWAYS)
