"""Durations (`1h30m`, `5d`, `26w`), clock times and dates as written in catalog YAML.

Rules compare these values, so they are parsed in one place. Every parser returns None for
text it cannot read: a malformed value is the schema's finding, never a crash in a rule.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

MINUTES = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
# at most 9 digits a unit (the schema's bound): 10**5000 weeks is no promise, and int() of
# thousands of digits raises (or takes quadratic time) past Python's own limit
_DURATION = re.compile(r"(?=\d)(?:(\d{1,9})w)?(?:(\d{1,9})d)?(?:(\d{1,9})h)?(?:(\d{1,9})m)?\Z")
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)\Z|24:00\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def parse_duration(value: Any) -> int | None:
    """`1h30m` -> 90 minutes; units w, d, h, m in that order (a day is 24 hours)."""
    return _minutes(value) if isinstance(value, str) else None


@lru_cache(maxsize=4096)
def _minutes(value: str) -> int | None:
    """Catalogs repeat a handful of durations (`15m`, `4h`) thousands of times: parse once."""
    match = _DURATION.match(value)
    if match is None:
        return None
    return sum(int(n) * MINUTES[unit] for n, unit in zip(match.groups(), "wdhm", strict=True) if n)


def format_duration(minutes: int) -> str:
    """90 -> `1h30m`, the way catalog authors write durations; 0 -> `0m`."""
    out = ""
    for unit, size in MINUTES.items():
        count, minutes = divmod(minutes, size)
        if count:
            out += f"{count}{unit}"
    return out or "0m"


def parse_clock(value: Any) -> int | None:
    """`08:30` -> 510 minutes after midnight; `24:00` (end of day) -> 1440."""
    if not isinstance(value, str) or not _CLOCK.match(value):
        return None
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def parse_date(value: Any) -> date | None:
    """`2026-11-23` -> a date; anything else (including impossible dates) -> None."""
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
