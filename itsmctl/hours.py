"""When a BusinessCalendar's clock runs, as UTC intervals, so that two calendars can be compared.

Rules ask "does calendar B run whenever calendar A runs?" (a supporting agreement's clock must
cover the clock of the agreement it supports; a hard dependency's support hours must cover
the dependent's). Calendars name different time zones and daylight-saving rules, and list
dated holidays, so the question is answered over a concrete horizon: 53 weeks of local days
from a start date (the run's `today`), each converted to UTC with the calendar's zone. That
covers both daylight-saving switches and every holiday of the coming year.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from itsmctl.durations import parse_clock, parse_date
from itsmctl.model import Entity, list_of_dicts

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HORIZON_DAYS = 53 * 7
_LOOKAHEAD_DAYS = 26 * 7  # deadlines of incidents raised late in the horizon fall after it
DAY = 24 * 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Interval = tuple[int, int]  # [start, end) in minutes since the Unix epoch, UTC
Key = tuple[str, tuple[tuple[int, tuple[Interval, ...]], ...], frozenset[date]]


@dataclass(frozen=True, slots=True)
class Hours:
    """A calendar's running time over the horizon, merged and sorted."""

    zone: str
    intervals: tuple[Interval, ...]
    always: bool
    """Every minute of every weekday, no holidays: a 24x7 clock (in any zone)."""
    weekly_24x7: bool = False
    """Every weekday 00:00-24:00, holidays or not: round-the-clock as a support model."""
    key: Key | None = field(default=None, compare=False)
    """The calendar content it was computed from (what caches compare)."""
    _starts: list[int] = field(default_factory=list, compare=False, repr=False)
    _done: list[int] = field(default_factory=list, compare=False, repr=False)
    """Clock minutes elapsed at the end of each interval (a prefix sum, for `reach`)."""

    def __post_init__(self) -> None:
        total = 0
        for start, end in self.intervals:
            total += end - start
            self._starts.append(start)
            self._done.append(total)

    def elapsed(self, moment: int) -> int:
        """Clock minutes from the first interval up to `moment`."""
        i = bisect_right(self._starts, moment) - 1
        if i < 0:
            return 0
        start, end = self.intervals[i]
        return self._done[i] - (end - start) + min(moment, end) - start

    def reach(self, amount: int) -> int | None:
        """The earliest moment at which `amount` clock minutes have elapsed (None: too far)."""
        i = bisect_left(self._done, amount)
        if i == len(self._done):
            return None
        start, end = self.intervals[i]
        return start + amount - (self._done[i] - (end - start))

    def deadline(self, raised: int, target: int) -> int | None:
        """When a target of `target` clock minutes expires for an incident raised at `raised`."""
        return self.reach(self.elapsed(raised) + target)


def _weekly(spec: dict[str, Any]) -> dict[int, list[Interval]]:
    """Weekday (0 = Monday) -> merged (start, end) clock minutes; unreadable entries skipped."""
    hours = spec.get("weeklyHours")
    out: dict[int, list[Interval]] = {}
    if not isinstance(hours, dict):
        return out
    for day, items in hours.items():
        if day not in DAYS:
            continue
        spans = []
        for _, item in list_of_dicts(items):
            start, end = parse_clock(item.get("start")), parse_clock(item.get("end"))
            if start is not None and end is not None and start < end:
                spans.append((start, end))
        out[DAYS.index(day)] = merge(spans)
    return out


def merge(spans: list[Interval]) -> list[Interval]:
    """Sorted, with overlapping and touching intervals joined."""
    out: list[Interval] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _zone(name: Any) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name) if isinstance(name, str) and name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _minutes(local: datetime) -> int:
    return int((local.astimezone(UTC) - _EPOCH).total_seconds()) // 60


def daily_minutes(calendar: Entity) -> list[int]:
    """Open minutes of each open weekday, e.g. [600] * 5 for Monday-Friday 08:00-18:00.

    Computed once per calendar entity (every SLA on the calendar asks); a copy is returned.
    """
    hit = _DAILY.get(id(calendar))
    if hit is None or hit[0] is not calendar:
        if len(_DAILY) >= 4096:
            _DAILY.clear()
        hit = _DAILY[id(calendar)] = (calendar, tuple(
            sum(end - start for start, end in spans)
            for spans in _weekly(calendar.spec).values() if spans))
    return list(hit[1])


_DAILY: dict[int, tuple[Entity, tuple[int, ...]]] = {}
"""Each calendar entity's daily minutes, by identity (the entry holds the entity)."""


def _key(spec: dict[str, Any]) -> Key | None:
    """What decides a calendar's clock: zone, weekly hours, holidays (names do not count)."""
    zone = spec.get("timezone")
    if not isinstance(zone, str) or _zone(zone) is None:
        return None
    weekly = tuple(sorted((day, tuple(spans)) for day, spans in _weekly(spec).items()))
    holidays = frozenset(d for _, item in list_of_dicts(spec.get("holidays"))
                         if (d := parse_date(item.get("date"))) is not None)
    return zone, weekly, holidays


def calendar_hours(calendar: Entity, start: date) -> Hours | None:
    """The calendar's clock over the horizon from `start`; None when its zone is unknown.

    Computed once per distinct calendar content and start date: rules ask for the same few
    calendars thousands of times.
    """
    hit = _KEYS.get(id(calendar))
    if hit is None or hit[0] is not calendar:
        if len(_KEYS) >= 4096:
            _KEYS.clear()
        hit = _KEYS[id(calendar)] = (calendar, _key(calendar.spec))
    return _hours(hit[1], start) if hit[1] is not None else None


_KEYS: dict[int, tuple[Entity, Key | None]] = {}
"""Each calendar entity's key, by identity (the entry holds the entity: ids are not reused)."""


@lru_cache(maxsize=256)
def _hours(key: Key, start: date) -> Hours:
    name, weekly_items, holidays = key
    zone, weekly = _zone(name), dict(weekly_items)
    weekly_24x7 = all(weekly.get(d) == ((0, DAY),) for d in range(7))
    spans = []
    # a day before the start: zones east of UTC open the UTC day on the previous local one
    for offset in range(-1, HORIZON_DAYS + _LOOKAHEAD_DAYS):
        day = start + timedelta(days=offset)
        if day in holidays:
            continue
        midnight = datetime.combine(day, time(), tzinfo=zone)
        for begin, end in weekly.get(day.weekday(), ()):
            spans.append((_minutes(midnight + timedelta(minutes=begin)),
                          _minutes(_local(day, end, zone))))
    return Hours(name, tuple(merge(spans)), weekly_24x7 and not holidays, weekly_24x7, key)


def _local(day: date, minute: int, zone: Any) -> datetime:
    """Wall-clock `minute` of `day` in `zone` (24:00 is the next midnight)."""
    if minute >= DAY:
        return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)


def first_gap(needed: Hours, available: Hours, start: date) -> datetime | None:
    """The first moment within the horizon when `needed` runs and `available` does not."""
    if needed.key is None or available.key is None:
        return _first_gap(needed, available, start)
    return _gap_cached(needed.key, available.key, start)


@lru_cache(maxsize=4096)
def _gap_cached(needed: Key, available: Key, start: date) -> datetime | None:
    return _first_gap(_hours(needed, start), _hours(available, start), start)


def _first_gap(needed: Hours, available: Hours, start: date) -> datetime | None:
    """The first moment within the horizon when `needed` runs and `available` does not.

    Both clocks are clipped to [start, start + horizon) in UTC; None when `available` covers
    `needed` throughout.
    """
    if available.always:
        return None
    low = _minutes(datetime.combine(start, time(), tzinfo=UTC))
    high = low + HORIZON_DAYS * DAY
    cover = available.intervals
    j = 0
    for begin, end in needed.intervals:
        begin, end = max(begin, low), min(end, high)
        while begin < end:
            while j < len(cover) and cover[j][1] <= begin:
                j += 1
            if j == len(cover) or cover[j][0] > begin:
                return _moment(begin)
            begin = cover[j][1]
    return None


def describe_moment(moment: datetime, zone: str) -> str:
    """`Saturday 2026-11-28 10:00 Europe/Berlin`: a gap as the supported side reads its clock."""
    tz = _zone(zone) or UTC
    local = moment.astimezone(tz)
    return f"{DAYS[local.weekday()].capitalize()} {local:%Y-%m-%d %H:%M} {zone}"


def late_incident(supported: Hours, target: int, supporting: Hours, own: int,
                  start: date) -> tuple[datetime, datetime, datetime] | None:
    """See `_late_incident`; answered once per pair of calendar contents and targets."""
    if supported.key is None or supporting.key is None:
        return _late_incident(supported, target, supporting, own, start)
    return _late_cached(supported.key, target, supporting.key, own, start)


@lru_cache(maxsize=4096)
def _late_cached(supported: Key, target: int, supporting: Key, own: int,
                 start: date) -> tuple[datetime, datetime, datetime] | None:
    return _late_incident(_hours(supported, start), target, _hours(supporting, start), own,
                          start)


def _late_incident(supported: Hours, target: int, supporting: Hours, own: int,
                   start: date) -> tuple[datetime, datetime, datetime] | None:
    """An incident whose supporting deadline falls after the supported one (the first such
    breakpoint): (raised, supported due, supporting due), or None when there is none.

    The supporting promise holds when, for an incident raised at any moment of the horizon,
    its deadline (`own` minutes of its clock) falls no later than the supported deadline
    (`target` minutes of the supported clock). Both deadlines are piecewise linear in the
    moment raised, so if it fails anywhere it fails at a breakpoint: an interval boundary of
    either clock, or a moment whose deadline lands on one; checking those is exact.
    """
    low = _minutes(datetime.combine(start, time(), tzinfo=UTC))
    high = low + HORIZON_DAYS * DAY
    bounds = [b for interval in (*supported.intervals, *supporting.intervals) for b in interval]
    candidates = {low, *bounds}
    for bound in bounds:  # moments whose deadline lands on a boundary
        for clock, amount in ((supported, target), (supporting, own)):
            back = clock.elapsed(bound) - amount
            moment = clock.reach(back) if back >= 0 else None
            if moment is not None:
                candidates.add(moment)
    for raised in sorted(c for c in candidates if low <= c < high):
        due, own_due = supported.deadline(raised, target), supporting.deadline(raised, own)
        if due is not None and own_due is not None and own_due > due:
            return _moment(raised), _moment(due), _moment(own_due)
    return None


def _moment(minutes: int) -> datetime:
    return _EPOCH + timedelta(minutes=minutes)
