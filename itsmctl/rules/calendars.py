"""Time zones and business hours: the clock that SLA targets are measured against."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from itsmctl.durations import parse_clock
from itsmctl.findings import Finding, JsonPath, Severity
from itsmctl.model import Entity, list_of_dicts
from itsmctl.rules.registry import RuleContext, entity_rule

_OFFSET = re.compile(r"(?:UTC|GMT)\s*(?P<sign>[+-])(?P<hours>\d{1,2})(?::?00)?\Z", re.IGNORECASE)
TIMEZONE_FIELDS = {"BusinessCalendar": ("spec", "timezone"),
                   "SLA": ("spec", "measurement", "timezone")}


@cache
def _zones() -> frozenset[str]:
    """The IANA zones this Python knows (system tz database or the tzdata package), once."""
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


@cache
def _zones_by_lower() -> dict[str, str]:
    return {zone.lower(): zone for zone in _zones()}


def _zone_hint(text: str) -> str:
    offset = _OFFSET.match(text)
    if offset is not None:
        sign = "-" if offset["sign"] == "+" else "+"
        return (f"an offset ignores daylight saving: name the place (e.g. Europe/Paris), or"
                f" write Etc/GMT{sign}{int(offset['hours'])} (POSIX signs are inverted)")
    exact = _zones_by_lower().get(text.lower())
    if exact is not None:
        return f"zone names are case-sensitive: did you mean {exact!r}?"
    close = difflib.get_close_matches(text, sorted(_zones()), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "use an IANA name such as Europe/Berlin, America/New_York or UTC"


@entity_rule("timezone-valid", Severity.ERROR, *TIMEZONE_FIELDS)
def timezone_valid(entity: Entity, context: RuleContext) -> Iterable[Finding]:
    """A time zone is not an IANA time zone name.

    Business hours and SLA measurement periods are wall-clock times; they only mean
    something in a named zone with its daylight-saving rules. An offset such as `GMT+1` is
    not a zone and is an hour off half of the year; a misspelt zone makes tools that read the
    catalog fall back to UTC, or fail.

    Checks `spec.timezone` of a BusinessCalendar and `spec.measurement.timezone` of an SLA
    against the IANA database Python ships with (the system's or the `tzdata` package);
    without any database the rule checks nothing. Fix it with a name such as `Europe/Berlin`
    or `UTC` (the message suggests the closest one).
    """
    path = TIMEZONE_FIELDS[entity.kind]
    text = entity.get(*path)
    if not isinstance(text, str) or not text or not _zones() or text in _zones():
        return
    yield context.emit(entity, f"unknown time zone {text!r}", path, _zone_hint(text))


def _intervals(calendar: Entity) -> Iterator[tuple[str, list[tuple[int, int, int]]]]:
    """(day, [(index, start, end)]) with clock times in minutes; unreadable entries skipped."""
    hours: Any = calendar.get("spec", "weeklyHours")
    if not isinstance(hours, dict):
        return
    for day, items in hours.items():
        parsed = []
        for index, item in list_of_dicts(items):
            start, end = parse_clock(item.get("start")), parse_clock(item.get("end"))
            if start is not None and end is not None:
                parsed.append((index, start, end))
        yield str(day), parsed


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _span(start: int, end: int) -> str:
    return f"{_clock(start)}-{_clock(end)}"


@entity_rule("calendar-hours-valid", Severity.ERROR, "BusinessCalendar")
def hours_valid(calendar: Entity, context: RuleContext) -> Iterable[Finding]:
    """A business-hours interval ends before it starts, or overlaps another one of its day.

    Support hours decide when SLA clocks run. An interval that ends before it starts
    (`18:00-08:00`) counts no time at all, and overlapping intervals count the same hour
    twice: either way the measured response and resolution times are wrong.

    Passes when each interval's `start` is before its `end` (`24:00` ends a day) and the
    intervals of one day do not overlap (touching, like 08:00-12:00 and 12:00-18:00, is
    fine). Hours past midnight belong to the next day: write `22:00-24:00` on Monday and
    `00:00-06:00` on Tuesday.
    """
    for day, intervals in _intervals(calendar):
        base: JsonPath = ("spec", "weeklyHours", day)
        valid = []
        for index, start, end in intervals:
            if start >= end:
                yield context.emit(
                    calendar, f"{day} {_span(start, end)}: start is not before"
                    " end", base + (index, "end"),
                    "hours past midnight belong to the next day: split the interval at 24:00")
            else:
                valid.append((start, end, index))
        latest: tuple[int, int, int] | None = None
        for start, end, index in sorted(valid):
            if latest is not None and start < latest[1]:
                yield context.emit(
                    calendar, f"{day} {_span(start, end)} overlaps"
                    f" {_span(latest[0], latest[1])}", base + (index,),
                    "merge the two intervals or make them touch end to start")
            if latest is None or end > latest[1]:
                latest = (start, end, index)
