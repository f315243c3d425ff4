"""The fast ISO 8601 reader gives the InstantParser's answer, and its refusal, for every text."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from itsmctl.measure.timestamps import InstantParser, TimestampError, iso_reader

TEXTS = ["2026-03-29T01:59:59Z", "2026-03-29T03:00:00+02:00", "2026-10-25T02:30:00+01:00",
         "2026-01-01T00:00:00.250-05:00", "2026-01-01 10:00:00", "2026-13-01T00:00:00Z",
         "0026-01-01T00:00:00+00:00", "2300-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
         "not a time", "", "2026-10-25T02:30:00"]


def outcome(parse: Callable[[str], float], text: str) -> float | str:
    try:
        return parse(text)
    except TimestampError as error:
        return str(error)


@pytest.mark.parametrize("parser", [InstantParser(), InstantParser(ZoneInfo("Europe/Berlin")),
                                    InstantParser(None, "%Y-%m-%d %H:%M:%S")])
@pytest.mark.parametrize("text", TEXTS)
def test_iso_reader_answers_as_the_parser(parser: InstantParser, text: str) -> None:
    assert outcome(iso_reader(parser), text) == outcome(parser, text)


def test_a_strptime_format_is_left_to_the_parser() -> None:
    parser = InstantParser(None, "%d.%m.%Y %H:%M")
    assert iso_reader(parser) is parser
