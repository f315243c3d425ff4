"""The fast ISO 8601 reader gives the InstantParser's answer, and its refusal, for every text."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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


PARSERS = [InstantParser(), InstantParser(ZoneInfo("Europe/Berlin")),
           InstantParser(ZoneInfo("America/St_Johns")), InstantParser(ZoneInfo("UTC"))]


# each field's range, and the values one step past it that fromisoformat refuses
FIELDS = {"year": (st.one_of(st.integers(1969, 1971), st.integers(2024, 2027),
                             st.integers(2198, 2201)), st.sampled_from([0, 1, 9999])),
          "month": (st.integers(1, 12), st.sampled_from([0, 13])),
          "day": (st.integers(1, 28), st.sampled_from([0, 29, 30, 31, 32])),
          "hour": (st.integers(0, 23), st.just(24)),
          "minute": (st.integers(0, 59), st.just(60)),
          "second": (st.integers(0, 59), st.just(60)),
          "offset hour": (st.integers(0, 23), st.just(24)),
          "offset minute": (st.integers(0, 59), st.just(60))}


@st.composite
def usual(draw: st.DrawFn) -> str:
    """`YYYY-MM-DDTHH:MM:SS<offset>`, at most one field a step past its range (a 13th month,
    a 30th of February, a 24th hour, a 60th second, an offset of +24:00)."""
    stretched = draw(st.sampled_from([*FIELDS, "none", "none"]))
    value = {name: draw(bad if name == stretched else good)
             for name, (good, bad) in FIELDS.items()}
    offset = draw(st.sampled_from(["Z", "z", "+", "-"]))
    if offset in "+-":
        offset += f"{value['offset hour']:02d}:{value['offset minute']:02d}"
    return (f"{value['year']:04d}-{value['month']:02d}-{value['day']:02d}T{value['hour']:02d}"
            f":{value['minute']:02d}:{value['second']:02d}{offset}")


@st.composite
def unusual(draw: st.DrawFn) -> str:
    """A usual text with one character replaced, or a fraction, separator or offset of
    another spelling: each is left to the parser, whatever it answers."""
    text = draw(usual())
    at = draw(st.integers(0, len(text) - 1))
    odd = draw(st.sampled_from(["\u0967", "\uff11", "+", "-", " ", "_", "a", "", "00", ":"]))
    changed = text[:at] + odd + text[at + 1:]
    head = text[:19]
    return draw(st.sampled_from([
        changed, head, head + ".5Z", head + ".123456+01:00", head + ",5Z", head + ".Z",
        head + "z", head + "+0100", head + "+01", head + "+01:00:30", head + " Z",
        head + "UTC", head.replace("T", " ") + "Z", head.replace("T", "t") + "Z"]))


@settings(max_examples=300)
@given(st.one_of(usual(), unusual(), st.text(max_size=30)), st.sampled_from(PARSERS))
@example("2024-02-29T23:59:59+14:00", PARSERS[0])
@example("2026-11-22T13:00:00+24:00", PARSERS[0])
@example("2026-11-22T24:00:00Z", PARSERS[0])
@example("2200-01-01T00:00:00+05:00", PARSERS[0])
@example("2200-01-01T00:00:00Z", PARSERS[0])
@example("2199-12-31T23:59:59Z", PARSERS[0])
@example("1969-12-31T23:59:59Z", PARSERS[0])
@example("1970-01-01T00:00:00Z", PARSERS[0])
@example("2026-11-22T13:00:00z", PARSERS[0])
@example("1970-01-01T00:00:00+01:00", PARSERS[0])
@example("1970-01-01T00:00:00-01:00", PARSERS[0])
@example("2199-12-31T23:59:59-23:59", PARSERS[0])
@example("2026-02-29T10:00:00Z", PARSERS[0])
@example("2026-03-29T02:30:00", PARSERS[1])
@example("2026-10-25T02:30:00", PARSERS[1])
@example("2026-11-01T01:30:00", PARSERS[2])
def test_the_table_path_answers_as_the_parser(text: str, parser: InstantParser) -> None:
    """The same instant to the bit, or the same refusal, for each text, twice (the second
    answer comes from the day's kept midnight)."""
    read = iso_reader(parser)
    expected = outcome(parser, text)
    assert outcome(read, text) == expected
    assert outcome(read, text) == expected
