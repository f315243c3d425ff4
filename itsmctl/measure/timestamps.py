"""Instants in records: ISO 8601 (or a declared strptime format) to UTC epoch seconds.

A timestamp without a UTC offset names no instant: it is refused unless the run says which
zone the export was written in (`--assume-tz`, or `timezone:` in mapping.yaml). A local
time that happens twice (the autumn hour) is read as its first occurrence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# Instants outside these years are typos (0026 for 2026) or hostile: refused, not measured.
FIRST = datetime(1970, 1, 1, tzinfo=UTC).timestamp()
LAST = datetime(2200, 1, 1, tzinfo=UTC).timestamp()


class TimestampError(ValueError):
    """An unreadable timestamp; the message says why in a few words."""


class InstantParser:
    """Parses one export's timestamps (the zone and format are decided once per run)."""

    def __init__(self, assume: ZoneInfo | None = None, fmt: str | None = None) -> None:
        self.assume = assume
        self.fmt = fmt

    def __call__(self, text: str) -> float:
        try:
            moment = (datetime.strptime(text, self.fmt) if self.fmt
                      else datetime.fromisoformat(text))
        except ValueError:
            expected = f"a time like {self.fmt!r}" if self.fmt else "an ISO 8601 timestamp"
            raise TimestampError(f"{text[:40]!r} is not {expected}") from None
        if moment.tzinfo is None:
            if self.assume is None:
                raise TimestampError(f"{text[:40]!r} has no UTC offset (pass --assume-tz ZONE"
                                     " or write the offset, e.g. +01:00 or Z)")
            moment = moment.replace(tzinfo=self.assume)
        instant = moment.timestamp()
        if not FIRST <= instant < LAST:
            raise TimestampError(f"{text[:40]!r} is outside the years 1970-2199")
        return instant


def iso_reader(parse: Callable[[str], float]) -> Callable[[str], float]:
    """`parse`, faster for the usual ISO 8601 timestamp with an offset inside the years.

    The answer is parse's: an unusual text (no offset, a typo, a strptime format) is left
    to `parse`, which reads it again and says why it is refused.
    """
    if not isinstance(parse, InstantParser) or parse.fmt is not None:
        return parse
    fromisoformat = datetime.fromisoformat

    def read(text: str) -> float:
        try:
            moment = fromisoformat(text)
        except ValueError:
            return parse(text)
        if moment.tzinfo is None:
            return parse(text)
        instant = moment.timestamp()
        return instant if FIRST <= instant < LAST else parse(text)

    return read
