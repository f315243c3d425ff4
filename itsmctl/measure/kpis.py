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


DURATIONS = {"mttr": "resolved", "mtta": "responded", "request-fulfilment-time": "resolved"}
# rate metrics: (stop field, does the ticket count? (None: every one does), is it a hit?), as
# Python expressions over the ticket `t`: they are written into the counting code (below)
RATES: dict[str, tuple[str, str | None, str]] = {
    "change-success-rate": ("resolved", "t.outcome", "t.outcome == 'successful'"),
    "change-failure-rate": ("resolved", "t.outcome", "t.outcome in CHANGE_FAILED"),
    "emergency-change-share": ("opened", None, "t.change_type == 'emergency'"),
    "first-contact-resolution": ("resolved", "t.first_contact is not None", "t.first_contact"),
    "self-service-rate": ("opened", None, "t.channel in SELF_SERVICE_CHANNELS"),
    "level-zero-solvable": ("resolved", "t.lzs is not None", "t.lzs"),
    "reopen-rate": ("resolved", None, "t.reopened > 0"),
}
# value metrics: (stop field, the value: an expression over `t`, None when the ticket has none)
VALUES: dict[str, tuple[str, str]] = {
    "csat": ("resolved", "t.csat"),
    "cost-per-ticket": ("resolved", "t.cost"),
}
BACKLOG = ("backlog-age", "backlog-size")


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
        # per ticket type, one counting function written for its KPIs (see _source): `add`
        # is one call per ticket, with no loop over KPIs and no dispatch per KPI
        by_type: dict[str, list[tuple[int, Kpi, _Series]]] = {}
        self._series: dict[int, _Series] = {}
        for number, kpi in enumerate(self.kpis):
            if kpi.metric is None:
                continue
            series = self._series[number] = _Series(number, kpi.period, self.window,
                                                    self.samples)
            for kind in kpi.types:
                by_type.setdefault(kind, []).append((number, kpi, series))
        self._count: dict[str, Callable[[Ticket, bool | None], None]] = {
            kind: self._compile(entries) for kind, entries in by_type.items()}

    def add(self, ticket: Ticket, sla_met: bool | None) -> None:
        """Count one ticket into every KPI of its type."""
        count = self._count.get(ticket.type)
        if count is not None:
            count(ticket, sla_met)

    def _compile(self, entries: list[tuple[int, Kpi, _Series]]
                 ) -> Callable[[Ticket, bool | None], None]:
        """The counting function of one ticket type. Its source is made of this module's
        own text only (the expressions of RATES and VALUES, field names of Ticket, numbers);
        the catalog's values (services, priorities, the series) are bound as variables."""
        namespace: dict[str, Any] = {
            "array": array, "inf": math.inf, "clock_of": self.clock_of, "spans": self.spans,
            "mtbf": self.mtbf, "CHANGE_FAILED": CHANGE_FAILED,
            "SELF_SERVICE_CHANNELS": SELF_SERVICE_CHANNELS}
        for number, kpi, series in entries:
            namespace[f"s{number}"] = series
            namespace[f"v{number}"] = frozenset(kpi.services)
            namespace[f"p{number}"] = frozenset(kpi.priorities)
        code = compile(_source([(n, k) for n, k, _ in entries]), "<kpis>", "exec")
        exec(code, namespace)  # our own source: see the docstring
        count: Callable[[Ticket, bool | None], None] = namespace["count"]
        return count

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



_FIELDS = frozenset({"opened", "responded", "resolved"})


def _source(entries: list[tuple[int, Kpi]]) -> str:
    """`count(t, sla_met)` for these KPIs: per KPI, the test of its priorities and services,
    then what its metric counts, grouped by kind (rates, durations, values, SLA attainment,
    backlog and MTBF) as each KPI keeps its own series and its samples in ticket order."""
    kinds: list[list[str]] = [[], [], [], [], []]
    for number, kpi in entries:
        metric = kpi.metric.id if kpi.metric is not None else ""
        where, block = _metric_block(number, metric, kpi.clock == "business")
        if where < 0:
            continue
        guards = [f"t.priority in p{number}"] * bool(kpi.priorities) + \
            [f"t.service in v{number}"] * bool(kpi.services)
        if guards:
            block = [f"if {' and '.join(guards)}:", *(f"    {line}" for line in block)]
        kinds[where].extend(block)
    if kinds[3]:  # SLA attainment: a resolved ticket that had an SLA
        kinds[3] = ["if sla_met is not None and (stop := t.resolved) is not None:",
                    *(f"    {line}" for line in kinds[3])]
    body = [line for kind in kinds for line in kind] or ["pass"]
    return "def count(t, sla_met):\n" + "".join(f"    {line}\n" for line in body)


def _find(number: int) -> list[str]:
    """The lines that find the KPI's samples `b` of the period of `stop` (None: outside)."""
    s = f"s{number}"
    return [f"b = {s}.bucket if {s}.lo <= stop < {s}.hi else {s}.find(stop)",
            "if b is not None:"]


def _field(name: str) -> str:
    """A stop field written into the source: one of Ticket's instants, nothing else."""
    if name not in _FIELDS:
        raise ValueError(f"not a ticket instant: {name!r}")
    return name


def _metric_block(number: int, metric: str, business: bool) -> tuple[int, list[str]]:
    """(kind, the lines counting one ticket into KPI `number`); kind -1: nothing to count."""
    if metric in DURATIONS:
        field = _field(DURATIONS[metric])
        seconds = ["start = t.opened", "clock = clock_of(t.service, start)",
                   "seconds = clock.elapsed(start, stop) if clock else stop - start",
                   "b.values.append(seconds / 60.0)"] if business else [
                   "b.values.append((stop - t.opened) / 60.0)"]
        return 1, [f"stop = t.{field}", "if stop is not None:",
                   *(f"    {line}" for line in _find(number)),
                   *(f"        {line}" for line in seconds)]
    if metric in RATES:
        field, counts, hit = RATES[metric]
        field = _field(field)
        test = f"stop is not None and ({counts})" if counts else "stop is not None"
        return 0, [f"stop = t.{field}", f"if {test}:",
                   *(f"    {line}" for line in _find(number)),
                   "        b.counted += 1", f"        if {hit}:", "            b.hits += 1"]
    if metric in VALUES:
        field, amount = VALUES[metric]
        field = _field(field)
        return 2, [f"stop, amount = t.{field}, {amount}",
                   "if stop is not None and amount is not None:",
                   *(f"    {line}" for line in _find(number)),
                   "        b.values.append(amount)"]
    if metric == "sla-attainment":
        return 3, [*_find(number), "    b.counted += 1", "    b.hits += sla_met"]
    if metric in BACKLOG:
        return 4, [f"sp = spans.get({number})", "if sp is None:",
                   f"    sp = spans[{number}] = (array('d'), array('d'))",
                   "sp[0].append(t.opened)",
                   "sp[1].append(t.resolved if t.resolved is not None else inf)"]
    if metric == "mtbf":
        return 4, ["if t.resolved is not None:", f"    m = mtbf.get({number})",
                   "    if m is None:", f"        m = mtbf[{number}] = {{}}",
                   "    incidents = m.get(t.service)", "    if incidents is None:",
                   "        incidents = m[t.service] = []",
                   "    incidents.append((t.opened, t.resolved))"]
    return -1, []


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

