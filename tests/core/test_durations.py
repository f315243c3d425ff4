"""The one parser of catalog durations, clock times and dates."""

from __future__ import annotations

from datetime import date

import pytest

from itsmctl.durations import format_duration, parse_clock, parse_date, parse_duration


@pytest.mark.parametrize(("text", "minutes"), [
    ("15m", 15), ("4h", 240), ("1h30m", 90), ("90m", 90), ("5d", 7200), ("2w", 20160),
    ("26w", 262080), ("1w2d3h4m", 10080 + 2880 + 180 + 4), ("0m", 0),
])
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("value", ["", "h", "1", "1x", "30m1h", "1.5h", " 1h", "1h ", "-1h",
                                   "1H", None, 15, ["1h"]])
def test_unreadable_durations_are_none(value: object) -> None:
    assert parse_duration(value) is None


@pytest.mark.parametrize(("minutes", "text"), [(0, "0m"), (90, "1h30m"), (1440, "1d"),
                                               (10080 + 60, "1w1h"), (262080, "26w")])
def test_format_duration(minutes: int, text: str) -> None:
    assert format_duration(minutes) == text
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(("text", "minutes"), [("00:00", 0), ("08:30", 510), ("23:59", 1439),
                                               ("24:00", 1440)])
def test_parse_clock(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("value", ["24:01", "25:00", "8:00", "08:60", "0800", None, 800])
def test_unreadable_clock_times_are_none(value: object) -> None:
    assert parse_clock(value) is None


def test_parse_date() -> None:
    assert parse_date("2026-11-23") == date(2026, 11, 23)
    for value in ("2026-02-30", "20261123", "2026-1-5", "", None, 20261123, date(2026, 1, 1)):
        assert parse_date(value) is None
