"""KPIs of the catalog's Process entities, per period, from the same ticket stream.

Each metric is computed as the metrics table (itsmctl/processes/metrics.py) defines it: its
record types, its fields and the timestamp that places a ticket in a period (`stop`). KPI
periods are calendar periods in UTC, and `--from`/`--to` are UTC dates for them: a sample
counts when its stop instant falls in the window, as a ticket's does for SLA attainment.
Durations are minutes; under `clock: business` they are business minutes under the calendar
of the ticket's service's SLA (wall time when the service has none).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from itsmctl.measure.calendar import BusinessClock
from itsmctl.measure.periods import PeriodCache, period_bounds, period_key
from itsmctl.measure.records import Ticket
from itsmctl.processes.metrics import CHANGE_FAILED, SELF_SERVICE_CHANNELS
from itsmctl.processes.spec import Kpi

UTC = ZoneInfo("UTC")


def _every(ticket: Ticket) -> bool:
    """A rate metric's `counts` when every ticket of its types counts."""
    return True


DURATIONS = {"mttr": "resolved", "mtta": "responded", "request-fulfilment-time": "resolved"}
# rate metrics: (stop field, does the ticket count?, is it a hit?)
RATES: dict[str, tuple[str, Callable[[Ticket], bool], Callable[[Ticket], bool]]] = {
    "change-success-rate": ("resolved", lambda t: bool(t.outcome),
                            lambda t: t.outcome == "successful"),
    "change-failure-rate": ("resolved", lambda t: bool(t.outcome),
                            lambda t: t.outcome in CHANGE_FAILED),
    "emergency-change-share": ("opened", _every,
                               lambda t: t.change_type == "emergency"),
    "first-contact-resolution": ("resolved", lambda t: t.first_contact is not None,
                                 lambda t: bool(t.first_contact)),
    "self-service-rate": ("opened", _every,
                          lambda t: t.channel in SELF_SERVICE_CHANNELS),
    "level-zero-solvable": ("resolved", lambda t: t.lzs is not None, lambda t: bool(t.lzs)),
    "reopen-rate": ("resolved", _every, lambda t: t.reopened > 0),
}
VALUES: dict[str, tuple[str, Callable[[Ticket], float | None]]] = {
    "csat": ("resolved", lambda t: t.csat),
    "cost-per-ticket": ("resolved", lambda t: t.cost),
}
BACKLOG = ("backlog-age", "backlog-size")


_KIND_MEMO = 4096  # (type, priority) pairs whose KPI lists are kept; past it, filtered per row


@dataclass(slots=True)
class _Samples:
    values: array[float] = field(default_factory=lambda: array("d"))
    hits: int = 0
    counted: int = 0


@dataclass(frozen=True)
class KpiPeriod:
    period: str
    value: float | None
    samples: int
    met: bool | None


@dataclass(frozen=True)
class KpiResult:
    kpi: Kpi
    periods: tuple[KpiPeriod, ...]
    computed: bool  # False: the metric needs records this run does not have

    @property
    def trend(self) -> str:
        """`better`, `worse` or `same`: the last period against the one before."""
        values = [p.value for p in self.periods if p.value is not None]
        metric = self.kpi.metric
        if len(values) < 2 or metric is None:
            return ""
        last, previous = values[-1], values[-2]
        if last == previous:
            return "same"
        return "better" if (last < previous) == (metric.better == "lower") else "worse"


@dataclass
class KpiTally:
    kpis: list[Kpi]
    clock_of: Callable[[str, float], BusinessClock | None]
    window: tuple[float, float] = (-math.inf, math.inf)  # [from, to) instants, UTC dates
    samples: dict[tuple[int, str], _Samples] = field(default_factory=dict)
    spans: dict[int, tuple[array[float], array[float]]] = field(default_factory=dict)
    mtbf: dict[int, dict[str, list[tuple[float, float]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # per ticket type, the KPIs that read it, compiled once: (how, series, priorities,
        # services, stop field, counts, hit); `add` then dispatches on a small int
        self._by_type: dict[str, list[_Entry]] = {}
        self._series: dict[int, _Series] = {}
        self._by_kind: dict[tuple[str, str], _Plan] = {}
        for number, kpi in enumerate(self.kpis):
            if kpi.metric is None:
                continue
            series = self._series[number] = _Series(number, kpi.period, self.window,
                                                    self.samples)
            entry = _entry(number, kpi, series)
            for kind in kpi.types:
                self._by_type.setdefault(kind, []).append(entry)

    def add(self, ticket: Ticket, sla_met: bool | None) -> None:
        """Count one ticket into every KPI of its type: one loop per metric kind, over the
        KPIs of the ticket's type and priority (no dispatch per KPI)."""
        plan = self._by_kind.get((ticket.type, ticket.priority))
        if plan is None:  # the KPIs of a type and priority, filtered and sorted by kind once
            plan = _plan([e for e in self._by_type.get(ticket.type, ())
                          if not e[3] or ticket.priority in e[3]])
            if len(self._by_kind) < _KIND_MEMO:  # a hostile file's endless priorities
                self._by_kind[(ticket.type, ticket.priority)] = plan
        rates, durations, values, slas, others = plan
        for series, services, stop_field, counts, hit in rates:
            if services and ticket.service not in services:
                continue
            stop = getattr(ticket, stop_field)
            if stop is not None and (counts is None or counts(ticket)):
                bucket = series.bucket if series.lo <= stop < series.hi else series.find(stop)
                if bucket is not None:
                    bucket.counted += 1
                    bucket.hits += hit(ticket)
        for series, services, stop_field, business in durations:
            if services and ticket.service not in services:
                continue
            stop = getattr(ticket, stop_field)
            if stop is None:
                continue
            bucket = series.bucket if series.lo <= stop < series.hi else series.find(stop)
            if bucket is None:
                continue
            start = ticket.opened
            clock = self.clock_of(ticket.service, start) if business else None
            seconds = clock.elapsed(start, stop) if clock else stop - start
            bucket.values.append(seconds / 60.0)
        for series, services, stop_field, amount_of in values:
            if services and ticket.service not in services:
                continue
            stop, amount = getattr(ticket, stop_field), amount_of(ticket)
            if stop is not None and amount is not None:
                bucket = series.bucket if series.lo <= stop < series.hi else series.find(stop)
                if bucket is not None:
                    bucket.values.append(amount)
        if slas and sla_met is not None and (stop := ticket.resolved) is not None:
            for series, services in slas:
                if services and ticket.service not in services:
                    continue
                bucket = series.bucket if series.lo <= stop < series.hi else series.find(stop)
                if bucket is not None:
                    bucket.counted += 1
                    bucket.hits += sla_met
        for how, number, services in others:
            if services and ticket.service not in services:
                continue
            if how == _BACKLOG:
                opened, resolved = self.spans.setdefault(number, (array("d"), array("d")))
                opened.append(ticket.opened)
                resolved.append(ticket.resolved if ticket.resolved is not None else math.inf)
            elif how == _MTBF and ticket.resolved is not None:
                self.mtbf.setdefault(number, {}).setdefault(ticket.service, []).append(
                    (ticket.opened, ticket.resolved))

    def _bucket(self, number: int, stop: float) -> _Samples | None:
        """The samples of the period of `stop`; None outside the --from/--to window."""
        return self._series[number].find(stop)

    def results(self, as_of: float) -> list[KpiResult]:
        self._finish_mtbf()
        out = []
        for number, kpi in enumerate(self.kpis):
            if kpi.metric is not None and kpi.metric.id in BACKLOG:
                rows = self._backlog(number, kpi, as_of)
            else:
                rows = [self._period(kpi, key, bucket)
                        for (n, key), bucket in sorted(self.samples.items()) if n == number]
            out.append(KpiResult(kpi, tuple(rows), kpi.metric is not None))
        return out

    def _period(self, kpi: Kpi, key: str, bucket: _Samples) -> KpiPeriod:
        value, samples = _statistic(kpi.statistic or "mean", bucket)
        met = kpi.target.met(value) if kpi.target is not None and value is not None else None
        return KpiPeriod(key, value, samples, met)

    def _finish_mtbf(self) -> None:
        for number, services in self.mtbf.items():
            for incidents in services.values():
                incidents.sort()
                for (_, restored), (failed, _) in pairwise(incidents):
                    bucket = self._bucket(number, failed) if failed >= restored else None
                    if bucket is not None:
                        bucket.values.append((failed - restored) / 60.0)
        self.mtbf.clear()

    def _backlog(self, number: int, kpi: Kpi, as_of: float) -> list[KpiPeriod]:
        opened, resolved = self.spans.get(number, (array("d"), array("d")))
        if not opened:
            return []
        # read at each period's end (the last one: as of the records, or the window's end)
        lo, hi = self.window
        first, limit = max(min(opened), lo), min(as_of, hi)
        if first > limit:
            return []
        rows = []
        key = period_key(first, kpi.period, UTC)
        while True:
            _, end = period_bounds(key, kpi.period, UTC)
            moment = min(end, limit)
            bucket = _Samples()
            bucket.values = array("d", ((moment - o) / 60.0
                                        for o, r in zip(opened, resolved, strict=True)
                                        if o < moment <= r))
            bucket.counted = len(bucket.values)
            rows.append(self._period(kpi, key, bucket))
            if end > limit:
                return rows
            key = period_key(end, kpi.period, UTC)



_RATE, _DURATION, _BUSINESS, _VALUE, _SLA, _BACKLOG, _MTBF, _NONE = range(8)
_Entry = tuple[int, "_Series", int, tuple[str, ...], tuple[str, ...], str,
               Callable[[Ticket], Any], Callable[[Ticket], bool]]


def _never(ticket: Ticket) -> bool:
    return False


def _entry(number: int, kpi: Kpi, series: _Series) -> _Entry:
    """How `add` computes one KPI: a metric kind and what it reads, decided once."""
    metric = kpi.metric.id if kpi.metric is not None else ""
    how, stop = _NONE, "resolved"
    counts: Callable[[Ticket], Any] = _never
    hit: Callable[[Ticket], bool] = _never
    if metric in DURATIONS:
        how, stop = _BUSINESS if kpi.clock == "business" else _DURATION, DURATIONS[metric]
    elif metric in RATES:
        how = _RATE
        stop, counts, hit = RATES[metric]
    elif metric in VALUES:
        how = _VALUE
        stop, counts = VALUES[metric]
    elif metric == "sla-attainment":
        how = _SLA
    elif metric in BACKLOG:
        how = _BACKLOG
    elif metric == "mtbf":
        how = _MTBF
    return (how, series, number, kpi.priorities, kpi.services, stop, counts, hit)


# the KPIs of one ticket type and priority, by metric kind (each KPI keeps its own series,
# so counting them kind by kind gives every series the same samples in the same order)
_Plan = tuple[
    list[tuple["_Series", tuple[str, ...], str, Callable[[Ticket], Any] | None,
               Callable[[Ticket], bool]]],
    list[tuple["_Series", tuple[str, ...], str, bool]],
    list[tuple["_Series", tuple[str, ...], str, Callable[[Ticket], Any]]],
    list[tuple["_Series", tuple[str, ...]]],
    list[tuple[int, int, tuple[str, ...]]],
]


def _plan(entries: list[_Entry]) -> _Plan:
    """`add`'s loops for these entries: what each kind reads, with `counts` None for a rate
    that counts every ticket (no call needed)."""
    plan: _Plan = ([], [], [], [], [])
    for how, series, number, _, services, stop, counts, hit in entries:
        if how == _RATE:
            plan[0].append((series, services, stop, None if counts is _every else counts,
                            hit))
        elif how in (_DURATION, _BUSINESS):
            plan[1].append((series, services, stop, how == _BUSINESS))
        elif how == _VALUE:
            plan[2].append((series, services, stop, counts))
        elif how == _SLA:
            plan[3].append((series, services))
        elif how in (_BACKLOG, _MTBF):
            plan[4].append((how, number, services))
    return plan


class _Series:
    """One KPI's samples by period, remembering the bucket used last.

    Tickets arrive roughly in time order, so most samples fall in the period of the one
    before: `lo <= stop < hi` (that period clipped to the window) then finds the bucket
    without computing a period key. The answer is `find`'s either way.
    """

    __slots__ = ("bucket", "hi", "lo", "number", "periods", "samples", "window")

    def __init__(self, number: int, kind: str, window: tuple[float, float],
                 samples: dict[tuple[int, str], _Samples]) -> None:
        self.number, self.window, self.samples = number, window, samples
        self.periods = PeriodCache(kind, UTC)
        self.lo, self.hi = math.inf, -math.inf
        self.bucket = _Samples()

    def find(self, stop: float) -> _Samples | None:
        """The samples of the period of `stop`; None outside the --from/--to window."""
        lo, hi = self.window
        if not lo <= stop < hi:
            return None
        key = (self.number, self.periods(stop))
        bucket = self.samples.get(key)
        if bucket is None:
            bucket = self.samples[key] = _Samples()
        self.bucket = bucket
        self.lo, self.hi = max(self.periods.lo, lo), min(self.periods.hi, hi)
        return bucket

def _statistic(statistic: str, bucket: _Samples) -> tuple[float | None, int]:
    if statistic == "rate":
        if not bucket.counted:
            return None, 0
        return 100.0 * bucket.hits / bucket.counted, bucket.counted
    if statistic == "count":  # a backlog of 0 is a value, not a missing one
        count = max(bucket.counted, len(bucket.values))
        return float(count), count
    values = sorted(bucket.values)
    if not values:
        return None, 0
    if statistic == "mean":
        return sum(values) / len(values), len(values)
    share = 0.5 if statistic == "median" else 0.9
    if statistic == "median" and len(values) % 2 == 0:
        mid = len(values) // 2
        return (values[mid - 1] + values[mid]) / 2, len(values)
    return values[max(0, math.ceil(share * len(values)) - 1)], len(values)

