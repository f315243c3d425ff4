"""Period keys of a stream of instants: the cache answers as period_key does, in any order."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from itsmctl.measure.periods import KINDS, PeriodCache, period_key

BERLIN = ZoneInfo("Europe/Berlin")
# around the ends of 2026's months, quarters, ISO weeks and years, and both DST changes
EDGES = [datetime(2026, m, 1, tzinfo=BERLIN).timestamp() for m in range(1, 13)] + [
    datetime(2027, 1, 1, tzinfo=BERLIN).timestamp(),
    datetime(2026, 3, 29, 3, tzinfo=BERLIN).timestamp(),
    datetime(2026, 10, 25, 2, tzinfo=BERLIN).timestamp(),
    datetime(2026, 6, 8, tzinfo=BERLIN).timestamp(),  # a Monday
]
INSTANTS = st.builds(lambda edge, delta: edge + delta, st.sampled_from(EDGES),
                     st.integers(-3 * 86400, 3 * 86400) | st.sampled_from([-1, 0, 1]))


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(KINDS), zone=st.sampled_from([BERLIN, ZoneInfo("UTC")]),
       instants=st.lists(INSTANTS, max_size=40))
def test_the_cache_gives_period_key_for_instants_going_back_and_forth(
        kind: str, zone: ZoneInfo, instants: list[float]) -> None:
    cache = PeriodCache(kind, zone)
    for instant in instants:
        assert cache(instant) == period_key(instant, kind, zone)
        assert cache.lo <= instant < cache.hi  # the bounds read after a call are its period's


def test_tickets_stopping_either_side_of_a_month_end_get_their_own_month() -> None:
    cache = PeriodCache("monthly", BERLIN)
    end = datetime(2026, 10, 1, tzinfo=BERLIN).timestamp()
    assert [cache(t) for t in (end - 1, end, end - 60, end + 60, end - 1)] == [
        "2026-09", "2026-10", "2026-09", "2026-10", "2026-09"]
