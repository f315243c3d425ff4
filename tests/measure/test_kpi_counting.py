"""The KPI counting functions written per ticket type count what each KPI's definition says.

The reference below interprets every KPI for every ticket, plainly, with the predicates the
counting used before it was compiled (kpis.py before the counting functions); the compiled
tally must give the same samples, in the same order, and the same results.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsmctl.measure.calendar import BusinessClock, clock_from_spec
from itsmctl.measure.kpis import UTC, KpiTally
from itsmctl.measure.periods import KINDS, period_key
from itsmctl.measure.records import Ticket
from itsmctl.processes.metrics import CHANGE_FAILED, METRICS, RECORD_TYPES, SELF_SERVICE_CHANNELS
from itsmctl.processes.spec import Kpi

START = 1_788_000_000.0  # 2026-08-29 (UTC)
SERVICES = ("erp", "shop", "mail")
PRIORITIES = ("P1", "P2", "P3", "P4", "P9")
BERLIN = clock_from_spec("berlin", {"timezone": "Europe/Berlin", "weeklyHours": {
    day: [{"start": "08:00", "end": "18:00"}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}})


def clock_of(service: str, instant: float) -> BusinessClock | None:
    """erp has business hours, shop only from START + 20 days, mail none."""
    if service == "erp" or (service == "shop" and instant >= START + 20 * 86400):
        return BERLIN
    return None


# the predicates as the interpreted counting had them: (stop, counts, hit) and (stop, value)
RATES: dict[str, tuple[str, Callable[[Ticket], Any], Callable[[Ticket], bool]]] = {
    "change-success-rate": ("resolved", lambda t: bool(t.outcome),
                            lambda t: t.outcome == "successful"),
    "change-failure-rate": ("resolved", lambda t: bool(t.outcome),
                            lambda t: t.outcome in CHANGE_FAILED),
    "emergency-change-share": ("opened", lambda t: True,
                               lambda t: t.change_type == "emergency"),
    "first-contact-resolution": ("resolved", lambda t: t.first_contact is not None,
                                 lambda t: bool(t.first_contact)),
    "self-service-rate": ("opened", lambda t: True,
                          lambda t: t.channel in SELF_SERVICE_CHANNELS),
    "level-zero-solvable": ("resolved", lambda t: t.lzs is not None, lambda t: bool(t.lzs)),
    "reopen-rate": ("resolved", lambda t: True, lambda t: t.reopened > 0),
}
VALUES: dict[str, tuple[str, Callable[[Ticket], float | None]]] = {
    "csat": ("resolved", lambda t: t.csat), "cost-per-ticket": ("resolved", lambda t: t.cost)}
DURATIONS = {"mttr": "resolved", "mtta": "responded", "request-fulfilment-time": "resolved"}


def reference(kpis: list[Kpi], window: tuple[float, float],
              tickets: list[tuple[Ticket, bool | None]]) -> dict[str, Any]:
    """Every KPI for every ticket, one after the other: samples, backlog spans, MTBF pairs."""
    samples: dict[tuple[int, str], list[Any]] = {}
    spans: dict[int, tuple[list[float], list[float]]] = {}
    mtbf: dict[int, dict[str, list[tuple[float, float]]]] = {}
    lo, hi = window
    for t, sla_met in tickets:
        for n, kpi in enumerate(kpis):
            metric = kpi.metric.id if kpi.metric is not None else None
            if (metric is None or t.type not in kpi.types
                    or (kpi.priorities and t.priority not in kpi.priorities)
                    or (kpi.services and t.service not in kpi.services)):
                continue

            def bucket(stop: float, n: int = n, kpi: Kpi = kpi) -> list[Any] | None:
                if not lo <= stop < hi:
                    return None
                return samples.setdefault((n, period_key(stop, kpi.period, UTC)), [[], 0, 0])

            if metric in DURATIONS:
                stop = getattr(t, DURATIONS[metric])
                if stop is not None and (b := bucket(stop)) is not None:
                    clock = clock_of(t.service, t.opened) if kpi.clock == "business" else None
                    b[0].append((clock.elapsed(t.opened, stop) if clock else stop - t.opened)
                                / 60.0)
            elif metric in RATES:
                field, counts, hit = RATES[metric]
                stop = getattr(t, field)
                if stop is not None and counts(t) and (b := bucket(stop)) is not None:
                    b[2] += 1
                    b[1] += hit(t)
            elif metric in VALUES:
                field, value = VALUES[metric]
                stop, amount = getattr(t, field), value(t)
                if stop is not None and amount is not None and (b := bucket(stop)) is not None:
                    b[0].append(amount)
            elif metric == "sla-attainment":
                if sla_met is not None and t.resolved is not None and (
                        b := bucket(t.resolved)) is not None:
                    b[2] += 1
                    b[1] += sla_met
            elif metric in ("backlog-age", "backlog-size"):
                opened, resolved = spans.setdefault(n, ([], []))
                opened.append(t.opened)
                resolved.append(t.resolved if t.resolved is not None else math.inf)
            elif metric == "mtbf" and t.resolved is not None:
                mtbf.setdefault(n, {}).setdefault(t.service, []).append((t.opened, t.resolved))
    return {"samples": {k: tuple(v) for k, v in samples.items()}, "spans": spans, "mtbf": mtbf}


def observed(tally: KpiTally) -> dict[str, Any]:
    return {"samples": {k: (list(b.values), b.hits, b.counted)
                        for k, b in tally.samples.items()},
            "spans": {n: (list(o), list(r)) for n, (o, r) in tally.spans.items()},
            "mtbf": tally.mtbf}


@st.composite
def kpi_lists(draw: st.DrawFn) -> list[Kpi]:
    out = []
    for index in range(draw(st.integers(0, 8))):
        metric = draw(st.sampled_from(METRICS))
        out.append(Kpi(
            None, index, f"k{index}", metric, metric.default_statistic, None,  # type: ignore[arg-type]
            draw(st.sampled_from(KINDS)), draw(st.sampled_from(("business", "wall"))),
            tuple(draw(st.lists(st.sampled_from(PRIORITIES), max_size=2))),
            tuple(draw(st.lists(st.sampled_from(SERVICES), max_size=2))),
            tuple(draw(st.lists(st.sampled_from(RECORD_TYPES), min_size=1, max_size=3,
                                unique=True))), None, None))
    return out


instants = st.integers(0, 90 * 86400).map(lambda s: START + s)
maybe = st.none() | st.integers(0, 40 * 86400)


@st.composite
def tickets(draw: st.DrawFn) -> tuple[Ticket, bool | None]:
    t = Ticket("T", draw(st.sampled_from((*RECORD_TYPES, "other"))),
               draw(st.sampled_from(SERVICES)), draw(st.sampled_from(PRIORITIES)),
               draw(instants), 2)
    responded, resolved = draw(maybe), draw(maybe)
    t.responded = None if responded is None else t.opened + responded
    t.resolved = None if resolved is None else t.opened + resolved
    t.channel = draw(st.sampled_from(("", "phone", *SELF_SERVICE_CHANNELS)))
    t.first_contact = draw(st.none() | st.booleans())
    t.reopened = draw(st.integers(0, 2))
    t.csat = draw(st.none() | st.floats(1, 5))
    t.lzs = draw(st.none() | st.booleans())
    t.outcome = draw(st.sampled_from(("", "successful", *CHANGE_FAILED, "other")))
    t.cost = draw(st.none() | st.floats(0, 1000))
    t.change_type = draw(st.sampled_from(("", "standard", "emergency")))
    return t, draw(st.none() | st.booleans())


windows = st.just((-math.inf, math.inf)) | st.tuples(instants, instants).map(sorted).map(tuple)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kpi_lists(), st.lists(tickets(), max_size=20), windows)
def test_compiled_counting_gives_what_each_kpi_definition_gives(
        kpis: list[Kpi], rows: list[tuple[Ticket, bool | None]],
        window: tuple[float, float]) -> None:
    tally = KpiTally(kpis, clock_of, window)
    for ticket, sla_met in rows:
        tally.add(ticket, sla_met)
    assert observed(tally) == reference(kpis, window, rows)


def test_the_counting_source_holds_no_catalog_text() -> None:
    """A KPI's name, services and priorities come from a pull request: they are bound as
    values, never written into the source that is compiled."""
    hostile = "x'):\n    import os  # "
    base = next(m for m in METRICS if m.id == "csat")
    kpi = Kpi(None, 0, hostile, base, "mean", None, "monthly", "business",  # type: ignore[arg-type]
              (hostile,), (hostile,), ("incident",), None, None)
    tally = KpiTally([kpi], clock_of)
    ticket = Ticket("T", "incident", hostile, hostile, START, 2)
    ticket.resolved, ticket.csat = START + 60, 4.0
    tally.add(ticket, None)
    assert [list(b.values) for b in tally.samples.values()] == [[4.0]]
    from itsmctl.measure import kpis as module

    assert hostile not in module._source([(0, kpi)])
