"""Business time under a calendar, against cases computed by hand (each spelled out)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from itsmctl.durations import parse_duration
from itsmctl.measure.calendar import always_on, clock_from_spec
from itsmctl.measure.ticket_clock import business_elapsed, deadline

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600


def at(zone: ZoneInfo, *parts: int) -> float:
    return datetime(*parts, tzinfo=zone).timestamp()  # type: ignore[misc]


def local(zone: ZoneInfo, instant: float | None) -> str:
    assert instant is not None
    return datetime.fromtimestamp(instant, zone).isoformat()


def example_calendar(name: str) -> Any:
    spec = yaml.safe_load((EXAMPLES / "calendars" / f"{name}.yaml").read_text())["spec"]
    return clock_from_spec(name, spec)


def calendar(zone: str, days: dict[str, list[tuple[str, str]]], holidays: tuple[str, ...] = ()
             ) -> Any:
    spec = {"timezone": zone,
            "weeklyHours": {d: [{"start": a, "end": b} for a, b in r] for d, r in days.items()},
            "holidays": [{"date": h} for h in holidays]}
    return clock_from_spec("test", spec)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
ALL_DAYS = (*WEEKDAYS, "saturday", "sunday")
BERLIN_HOURS = example_calendar("berlin-business-hours")  # Mon-Fri 08:00-18:00, holidays


@pytest.mark.parametrize(("start", "end", "hours"), [
    # Friday 17:00-18:00 = 1 h, weekend closed (the autumn DST change in between changes
    # nothing), Monday 08:00-09:00 = 1 h
    ((2026, 10, 23, 17), (2026, 10, 26, 9), 2),
    # opened on Saturday: nothing counts until Monday 08:00; 08:00-10:00 = 2 h
    ((2026, 11, 21, 10), (2026, 11, 23, 10), 2),
    # Thursday 24 Dec 17:00-18:00 = 1 h; 25 and 26 Dec are holidays, 27 a Sunday; Mon 1 h
    ((2026, 12, 24, 17), (2026, 12, 28, 9), 2),
    # Labour Day (Friday 1 May) closed: Thursday 12:00-18:00 = 6 h, Monday 08:00-12:00 = 4 h
    ((2026, 4, 30, 12), (2026, 5, 4, 12), 10),
    # within one day, inside hours
    ((2026, 11, 24, 9), (2026, 11, 24, 11), 2),
    # the night before opening: nothing
    ((2026, 11, 24, 19), (2026, 11, 25, 7), 0),
    # a whole week: 5 x 10 h
    ((2026, 11, 23, 0), (2026, 11, 30, 0), 50),
])
def test_berlin_business_hours(start: tuple[int, ...], end: tuple[int, ...], hours: int) -> None:
    assert BERLIN_HOURS.elapsed(at(BERLIN, *start), at(BERLIN, *end)) == hours * HOUR


def test_deadline_across_the_year_end_skips_holiday_and_weekend() -> None:
    # Thursday 31 Dec 17:00 + 2 business hours: 17:00-18:00 is one; 1 Jan is a holiday,
    # 2-3 Jan a weekend; the second hour ends Monday 4 Jan 09:00.
    reached = BERLIN_HOURS.reach(at(BERLIN, 2026, 12, 31, 17), 2 * HOUR)
    assert local(BERLIN, reached) == "2027-01-04T09:00:00+01:00"


def test_target_reached_at_closing_time_is_reached_then() -> None:
    reached = BERLIN_HOURS.reach(at(BERLIN, 2026, 11, 23, 8), 10 * HOUR)
    assert local(BERLIN, reached) == "2026-11-23T18:00:00+01:00"


def test_opened_outside_hours_the_clock_starts_at_opening() -> None:
    reached = BERLIN_HOURS.reach(at(BERLIN, 2026, 11, 21, 10), HOUR)
    assert local(BERLIN, reached) == "2026-11-23T09:00:00+01:00"


def test_a_day_in_a_target_is_24_business_hours() -> None:
    # docs/measure.md: `1d` = 24 hours of the calendar. Mon-Fri 09:00-17:00, opened Monday
    # 10:00: Mon 7 h + Tue 8 h + Wed 8 h = 23 h, the 24th hour ends Thursday 10:00.
    nine_to_five = calendar("Europe/Berlin", {d: [("09:00", "17:00")] for d in WEEKDAYS})
    target = parse_duration("1d")
    assert target is not None
    reached = nine_to_five.reach(at(BERLIN, 2026, 11, 23, 10), target * 60)
    assert local(BERLIN, reached) == "2026-11-26T10:00:00+01:00"


# Europe/Berlin 2026: clocks go 02:00 -> 03:00 on Sunday 29 March, 03:00 -> 02:00 on 25 October.
# America/New_York 2026: 02:00 -> 03:00 on Sunday 8 March, 02:00 -> 01:00 on 1 November.
@pytest.mark.parametrize(("zone", "day", "window", "hours"), [
    (BERLIN, (2026, 3, 29), ("00:00", "24:00"), 23),
    (BERLIN, (2026, 10, 25), ("00:00", "24:00"), 25),
    (BERLIN, (2026, 3, 29), ("02:00", "03:00"), 0),   # the skipped hour never happens
    (BERLIN, (2026, 10, 25), ("02:00", "03:00"), 2),  # the repeated hour happens twice
    (BERLIN, (2026, 3, 29), ("01:00", "04:00"), 2),
    (BERLIN, (2026, 10, 25), ("01:00", "04:00"), 4),
    (NEW_YORK, (2026, 3, 8), ("00:00", "24:00"), 23),
    (NEW_YORK, (2026, 11, 1), ("00:00", "24:00"), 25),
    (NEW_YORK, (2026, 3, 8), ("01:00", "04:00"), 2),
    (NEW_YORK, (2026, 11, 1), ("01:00", "04:00"), 4),
    (NEW_YORK, (2026, 11, 1), ("01:00", "02:00"), 2),
])
def test_daylight_saving_sundays_sum_real_seconds(zone: ZoneInfo, day: tuple[int, int, int],
                                                  window: tuple[str, str], hours: int) -> None:
    clock = calendar(zone.key, {"sunday": [window]})
    start = at(zone, *day) - 6 * HOUR
    assert clock.elapsed(start, start + 40 * HOUR) == hours * HOUR


def test_24x7_with_a_holiday_across_both_berlin_changes() -> None:
    # A holiday forces the timeline (no wall-time shortcut). Saturday 12:00 to Monday 12:00
    # is 47 real hours over the spring Sunday and 49 over the autumn Sunday.
    clock = calendar("Europe/Berlin", {d: [("00:00", "24:00")] for d in ALL_DAYS},
                     holidays=("2026-01-01",))
    assert not clock.always_open
    assert clock.elapsed(at(BERLIN, 2026, 3, 28, 12), at(BERLIN, 2026, 3, 30, 12)) == 47 * HOUR
    assert clock.elapsed(at(BERLIN, 2026, 10, 24, 12), at(BERLIN, 2026, 10, 26, 12)) == 49 * HOUR
    # the holiday itself: 31 Dec 12:00 to 2 Jan 12:00 is 48 h of wall time, 24 h of business
    assert clock.elapsed(at(BERLIN, 2025, 12, 31, 12), at(BERLIN, 2026, 1, 2, 12)) == 24 * HOUR


def test_deadline_in_new_york_spring_forward() -> None:
    # Sunday-only calendar: from 00:00 on 8 March 2026, 3 business hours are 00:00-02:00 EST
    # and 03:00-04:00 EDT (02:00-03:00 does not exist): reached 04:00 EDT.
    clock = calendar("America/New_York", {"sunday": [("00:00", "24:00")]})
    reached = clock.reach(at(NEW_YORK, 2026, 3, 8), 3 * HOUR)
    assert local(NEW_YORK, reached) == "2026-03-08T04:00:00-04:00"
    # the whole 23-hour Sunday is used up at the next midnight (24:00)
    assert local(NEW_YORK, clock.reach(at(NEW_YORK, 2026, 3, 8), 23 * HOUR)) \
        == "2026-03-09T00:00:00-04:00"


def test_pause_over_closed_hours_costs_only_its_business_hours() -> None:
    # Opened Mon 23 Nov 09:00, awaiting the customer Mon 17:00 - Tue 10:00, resolved Tue 12:00.
    # Open: Mon 09-18 (9 h) + Tue 08-12 (4 h) = 13 h; paused in hours: Mon 17-18 + Tue 08-10
    # = 3 h (the night costs nothing) -> 10 h.
    opened, resolved = at(BERLIN, 2026, 11, 23, 9), at(BERLIN, 2026, 11, 24, 12)
    pauses = [(at(BERLIN, 2026, 11, 23, 17), at(BERLIN, 2026, 11, 24, 10))]
    assert business_elapsed(BERLIN_HOURS, opened, resolved, pauses) == 10 * HOUR
    # 8 h target: Mon 09-17 runs 8 h, reached the moment the pause starts
    assert local(BERLIN, deadline(BERLIN_HOURS, opened, 8 * HOUR, pauses)) \
        == "2026-11-23T17:00:00+01:00"
    # 9 h target: 8 h on Monday, the ninth after the pause ends, Tue 10:00-11:00
    assert local(BERLIN, deadline(BERLIN_HOURS, opened, 9 * HOUR, pauses)) \
        == "2026-11-24T11:00:00+01:00"


def test_open_ended_pause_never_reaches_the_target() -> None:
    opened = at(BERLIN, 2026, 11, 23, 9)
    pauses = [(at(BERLIN, 2026, 11, 23, 10), float("inf"))]
    assert deadline(BERLIN_HOURS, opened, 2 * HOUR, pauses) is None
    assert local(BERLIN, deadline(BERLIN_HOURS, opened, HOUR, pauses)) \
        == "2026-11-23T10:00:00+01:00"


def test_closed_calendar_is_zero_and_never_reached() -> None:
    closed = calendar("Europe/Berlin", {})
    assert closed.elapsed(at(BERLIN, 2026, 1, 1), at(BERLIN, 2027, 1, 1)) == 0
    assert closed.reach(at(BERLIN, 2026, 1, 1), 60) is None


def test_24x7_is_wall_time() -> None:
    clock = always_on("Europe/Berlin")
    start = at(BERLIN, 2026, 3, 28, 12)
    assert clock.elapsed(start, at(BERLIN, 2026, 3, 30, 12)) == 47 * HOUR
    assert clock.reach(start, 47 * HOUR) == at(BERLIN, 2026, 3, 30, 12)


def test_holidays_of_a_year_not_listed_are_working_days() -> None:
    # 1 Jan 2028 is not in the example's list: a Saturday anyway; Monday 3 Jan 2028 is open
    assert BERLIN_HOURS.elapsed(at(BERLIN, 2028, 1, 3), at(BERLIN, 2028, 1, 4)) == 10 * HOUR
    assert BERLIN_HOURS.elapsed(at(BERLIN, 2027, 1, 1), at(BERLIN, 2027, 1, 2)) == 0
