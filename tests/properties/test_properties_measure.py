"""Invariants of business time over random calendars, zones and instants."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st

from itsmctl.measure.calendar import WEEKDAYS, BusinessClock, clock_from_spec
from itsmctl.measure.evaluate import CLOCKS, measure_clock
from itsmctl.measure.plans import compile_plans
from itsmctl.measure.records import Ticket
from itsmctl.measure.tally import Tally, escalation_label, format_minutes, local_time
from itsmctl.measure.ticket_clock import business_elapsed, deadline
from itsmctl.model import PRIORITIES
from itsmctl.processes.spec import escalation, process_name

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata")
# around both 2026 changes of Berlin and New York, and a year end
START = datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC")).timestamp()
SPAN = int(timedelta(days=320).total_seconds())


@st.composite
def calendars(draw: st.DrawFn) -> BusinessClock:
    hours: dict[str, list[dict[str, str]]] = {}
    for day in WEEKDAYS:
        if draw(st.booleans()):
            a = draw(st.integers(0, 47)) * 30
            b = draw(st.integers(a // 30 + 1, 48)) * 30
            hours[day] = [{"start": _clock(a), "end": _clock(b)}]
    holidays = draw(st.lists(st.dates(date(2026, 3, 1), date(2027, 1, 31)), max_size=5))
    spec: dict[str, Any] = {"timezone": draw(st.sampled_from(ZONES)), "weeklyHours": hours,
                            "holidays": [{"date": d.isoformat()} for d in holidays]}
    return clock_from_spec("random", spec)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


instants = st.integers(0, SPAN).map(lambda s: START + s)


@given(calendars(), instants, instants, instants)
def test_additive_monotonic_and_bounded_by_wall_time(clock: BusinessClock, x: float, y: float,
                                                     z: float) -> None:
    a, b, c = sorted((x, y, z))
    ab, bc, ac = clock.elapsed(a, b), clock.elapsed(b, c), clock.elapsed(a, c)
    assert ab + bc == ac
    assert 0 <= ab <= ac
    assert ac <= c - a


@given(calendars(), instants, st.integers(1, 400 * 3600))
def test_reach_is_the_inverse_of_elapsed(clock: BusinessClock, start: float,
                                         seconds: int) -> None:
    reached = clock.reach(start, seconds)
    if clock.never_open:
        assert reached is None
        return
    assert reached is not None
    assert clock.elapsed(start, reached) == seconds
    # the earliest such instant: a second earlier the target was not yet reached
    assert clock.elapsed(start, reached - 1) < seconds


@given(st.sampled_from(ZONES), instants, instants)
def test_closed_calendar_is_zero(zone: str, x: float, y: float) -> None:
    clock = clock_from_spec("closed", {"timezone": zone, "weeklyHours": {}})
    assert clock.elapsed(min(x, y), max(x, y)) == 0


@given(calendars(), st.integers(0, SPAN // 60 - 4 * 1440).map(lambda m: START + m * 60))
def test_agrees_with_counting_minutes_on_the_wall_clock(clock: BusinessClock,
                                                        start: float) -> None:
    """An independent oracle: a real minute counts when its local reading is in the hours."""
    counted = 0
    for minute in range(3 * 1440):
        moment = datetime.fromtimestamp(start + minute * 60, clock.zone)
        of_day = moment.hour * 60 + moment.minute
        if moment.date() not in clock.holidays and any(
                a <= of_day < b for a, b in clock.weekly[moment.weekday()]):
            counted += 60
    assert clock.elapsed(start, start + 3 * 1440 * 60) == counted


@given(calendars(), instants, st.lists(st.tuples(instants, st.integers(0, 5 * 86400)),
                                       max_size=4), st.integers(0, 200 * 3600))
def test_paused_clock_reaches_its_target_exactly_at_the_deadline(
        clock: BusinessClock, start: float, raw: list[tuple[float, int]], target: int) -> None:
    pauses: list[tuple[float, float]] = []
    for a, length in sorted(raw):
        if a >= start and (not pauses or a > pauses[-1][1]):
            pauses.append((a, a + length))
    due = deadline(clock, start, target, pauses)
    if due is None:
        assert clock.never_open
        return
    assert business_elapsed(clock, start, due, pauses) == target
    assert business_elapsed(clock, start, due, pauses) <= clock.elapsed(start, due)


def _example_catalog() -> Any:
    from pathlib import Path

    from itsmctl.config import load_config
    from itsmctl.loader import load_directory

    root = Path(__file__).resolve().parents[2] / "examples"
    return load_directory(root, load_config(root)).catalog


CATALOG = _example_catalog()
PLANS = {p.name: p for p in compile_plans(CATALOG)[0]}
STEPS = tuple(s for p in CATALOG.of_kind("Process") if process_name(p) == "incident"
              for s in escalation(p))
NOVEMBER = (datetime(2026, 11, 1, tzinfo=ZoneInfo("Europe/Berlin")).timestamp(),
            datetime(2026, 12, 1, tzinfo=ZoneInfo("Europe/Berlin")).timestamp())


@st.composite
def outages(draw: st.DrawFn) -> Any:
    from itsmctl.measure.records import Outage

    start = NOVEMBER[0] - 86400 + draw(st.integers(0, 32 * 86400))
    length = draw(st.integers(0, 3 * 86400))
    weight = draw(st.sampled_from((1.0, 0.5, 0.1)))
    return Outage("x", start, start + length, weight, draw(st.booleans()), 1)


@given(st.sampled_from(("checkout-sla", "legacy-erp-sla")), st.lists(outages(), max_size=6),
       outages())
def test_availability_bounded_and_monotonic(name: str, found: list[Any], extra: Any) -> None:
    from itsmctl.measure.availability import measure_availability

    plan = PLANS[name]
    base = measure_availability(plan, found, "2026-11", *NOVEMBER, False)
    assert 0 <= base.downtime_minutes <= base.agreed_minutes
    assert base.measured is not None and 0 <= base.measured <= 100
    more = measure_availability(plan, [*found, extra], "2026-11", *NOVEMBER, False)
    assert more.measured is not None and more.measured <= base.measured + 1e-9
    # the union: an outage reported twice is down once
    twice = measure_availability(plan, found + found, "2026-11", *NOVEMBER, False)
    assert abs(twice.downtime_minutes - base.downtime_minutes) < 1e-6


STATUSES = ("new", "in-progress", "on-hold", "awaiting-customer", "resolved", "closed")
# whole hours up to 12 days (past every P3 target), or any second
offsets = st.integers(0, 12 * 24).map(lambda hours: hours * 3600) | st.integers(0, 12 * 86400)


@given(st.sampled_from(("checkout-sla", "legacy-erp-sla", "storefront-sla")),
       st.sampled_from(PRIORITIES), st.integers(0, 30 * 86400),
       st.lists(st.tuples(offsets, st.sampled_from(STATUSES)), max_size=6),
       st.none() | offsets, st.none() | offsets, st.none() | offsets, offsets)
@example("checkout-sla", "P3", 0, [], 60, 10 * 86400, None, 10 * 86400)  # past 100%: not P3's
@example("checkout-sla", "P1", 0, [], 60, 2 * 3600, None, 0)  # exactly at 50%: not past it
def test_the_tally_counts_each_clock_as_measuring_it_alone(
        name: str, priority: str, start: int, events: list[tuple[int, str]],
        responded: int | None, resolved: int | None, closed: int | None, later: int) -> None:
    """The tally's per-SLA, per-priority compiled path (clocks, escalation thresholds) gives
    what measure_clock, the one-clock reference, gives for each clock: minutes, breach,
    breach instant, the escalation steps gone past, and the group the clock is counted in."""
    plan = PLANS[name]
    target = plan.targets.get(priority)
    opened = NOVEMBER[0] + start
    ticket = Ticket("T1", "incident", plan.service, priority, opened, 2)
    ticket.responded, ticket.resolved, ticket.closed = (
        None if x is None else opened + x for x in (responded, resolved, closed))
    ticket.statuses = sorted((opened + at, status) for at, status in events)
    as_of = opened + later
    rows: list[list[str]] = []
    tally = Tally({plan.service: [plan]}, frozenset({plan.service}), STEPS, None, rows.append)
    tally.add(ticket, as_of)
    if target is None or not plan.in_force(opened):
        assert rows == [] and not tally.groups
        return
    clocks = {clock: measure_clock(plan, ticket, clock, seconds, as_of)
              for clock in CLOCKS if (seconds := target.seconds(clock)) is not None}
    crossed = [escalation_label(step) for step in STEPS
               if step.percent is not None and step.of in clocks
               and step.applies_to(priority)
               and clocks[step.of].seconds > step.percent / 100.0 * clocks[step.of].target]
    expected = [ticket.id, plan.name, priority]
    expected += ["" if (c := clocks.get(k)) is None else format_minutes(c.minutes)
                 for k in CLOCKS]
    expected += ["" if (c := clocks.get(k)) is None or not c.counted
                 else "true" if c.breached else "false" for k in CLOCKS]
    expected += [local_time(c.breach_at, plan) if (c := clocks.get(k)) is not None
                 and c.breach_at else "" for k in CLOCKS]
    assert rows == [[*expected, ";".join(crossed)]]
    counted = {key[3]: group for key, group in tally.groups.items()}
    for clock, c in clocks.items():
        if not c.counted:
            assert clock not in counted
            continue
        group = counted[clock]
        assert (group.tickets, group.breached, group.met) == (1, int(c.breached),
                                                               int(not c.breached))
        assert list(group.minutes) == [c.minutes]
