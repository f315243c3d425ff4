"""The metrics table: every KPI metric a Process may declare, and what computing it needs.

One source of truth for three consumers: the `kpi-*` rules (a target's unit must match its
metric's), `itsmctl measure` (which records and fields a metric reads, which statistics it
supports) and the documentation (docs/processes.md is written from this table).

Vocabulary of the record fields is the generic ticket export of `itsmctl measure`:
`id, type, service, priority, opened_at, responded_at, resolved_at, closed_at, channel,
first_contact, reopened, csat, lzs, outcome, cost` (plus `change_type` for changes).
A ticket counts in the period of its `stop` field (the timestamp that ends what is measured);
backlog metrics are a snapshot at the end of each period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["duration", "percent", "count", "money", "score"]
Statistic = Literal["mean", "median", "p90", "rate", "count"]
Better = Literal["lower", "higher"]

UNITS: tuple[Unit, ...] = ("duration", "percent", "count", "money", "score")
STATISTICS: tuple[Statistic, ...] = ("mean", "median", "p90", "rate", "count")
RECORD_TYPES = ("incident", "request", "change", "problem")
RECORD_FIELDS = ("id", "type", "service", "priority", "opened_at", "responded_at", "resolved_at",
                 "closed_at", "channel", "first_contact", "reopened", "csat", "lzs", "outcome",
                 "cost", "change_type")
SELF_SERVICE_CHANNELS = ("self-service", "portal", "virtual-agent")
CHANGE_FAILED = ("failed", "rolled-back")
CSAT_SCALE = (1.0, 5.0)
_SPREAD: tuple[Statistic, ...] = ("mean", "median", "p90")


@dataclass(frozen=True, slots=True)
class Metric:
    """One KPI metric: what it means, how it is computed and from which record fields.

    `statistics` are the statistics a KPI may ask of it: a duration has a distribution
    (mean, median, p90); a rate is one ratio per period. `better` says which way is good,
    so diff can tell a loosened target from a tightened one and a rule can flag `>=` on
    a metric where lower is better. `scale` bounds the possible values (percent 0-100,
    CSAT 1-5); None means unbounded above (durations, counts, money start at 0).
    """

    id: str
    title: str
    unit: Unit
    formula: str
    records: tuple[str, ...]
    fields: tuple[str, ...]
    statistics: tuple[Statistic, ...]
    better: Better
    stop: str
    scale: tuple[float, float] | None = None

    @property
    def default_statistic(self) -> Statistic:
        return self.statistics[0]


METRICS: tuple[Metric, ...] = (
    Metric("mttr", "Mean time to resolve (MTTR)", "duration",
           "resolved_at - opened_at for each resolved incident; MTTR means time to RESOLVE"
           " (service restored and the incident resolved), not to repair, recover or respond."
           " With clock: business only the hours of the service's SLA calendar count.",
           ("incident",), ("service", "priority", "opened_at", "resolved_at"),
           _SPREAD, "lower", "resolved_at"),
    Metric("mtta", "Mean time to acknowledge (MTTA)", "duration",
           "responded_at - opened_at for each incident with a first response (the SLA's"
           " response target measures the same interval).",
           ("incident",), ("service", "priority", "opened_at", "responded_at"),
           _SPREAD, "lower", "responded_at"),
    Metric("mtbf", "Mean time between failures (MTBF)", "duration",
           "per service, opened_at of an incident - resolved_at of the service's previous"
           " incident (uptime between a restoration and the next failure, as ITIL defines"
           " it); the first incident of a service in the records has no interval.",
           ("incident",), ("service", "priority", "opened_at", "resolved_at"),
           ("mean", "median"), "higher", "opened_at"),
    Metric("change-success-rate", "Change success rate", "percent",
           "100 x changes with outcome successful / changes with any outcome.",
           ("change",), ("outcome", "resolved_at"), ("rate",), "higher", "resolved_at",
           (0.0, 100.0)),
    Metric("change-failure-rate", "Change failure rate", "percent",
           "100 x changes with outcome failed or rolled-back / changes with any outcome"
           " (the DORA measure; 100 - change success rate).",
           ("change",), ("outcome", "resolved_at"), ("rate",), "lower", "resolved_at",
           (0.0, 100.0)),
    Metric("emergency-change-share", "Emergency change share", "percent",
           "100 x changes with change_type emergency / all changes (change_type is the"
           " spec.type of the change's ChangeModel: standard, normal or emergency).",
           ("change",), ("change_type", "opened_at"), ("rate",), "lower", "opened_at",
           (0.0, 100.0)),
    Metric("request-fulfilment-time", "Request fulfilment time", "duration",
           "resolved_at - opened_at for each fulfilled service request.",
           ("request",), ("service", "priority", "opened_at", "resolved_at"),
           _SPREAD, "lower", "resolved_at"),
    Metric("first-contact-resolution", "First contact resolution (FCR)", "percent",
           "100 x resolved tickets with first_contact true / resolved tickets with"
           " first_contact recorded (resolved by the service desk in the first contact,"
           " without escalation or call-back).",
           ("incident", "request"), ("first_contact", "resolved_at"), ("rate",), "higher",
           "resolved_at", (0.0, 100.0)),
    Metric("csat", "Customer satisfaction (CSAT)", "score",
           "the csat survey score (1 = very dissatisfied .. 5 = very satisfied) of each"
           " resolved ticket that has one; tickets without a response are not counted.",
           ("incident", "request"), ("csat", "resolved_at"), ("mean", "median"), "higher",
           "resolved_at", CSAT_SCALE),
    Metric("self-service-rate", "Self-service rate", "percent",
           "100 x tickets opened through a self-service channel (channel self-service,"
           " portal or virtual-agent) / all tickets opened.",
           ("incident", "request"), ("channel", "opened_at"), ("rate",), "higher",
           "opened_at", (0.0, 100.0)),
    Metric("level-zero-solvable", "Level Zero Solvable (LZS)", "percent",
           "100 x resolved tickets flagged lzs true (the user could have solved it with"
           " self-help or automation) / resolved tickets with lzs recorded; lower is better,"
           " the rest is deflection potential.",
           ("incident", "request"), ("lzs", "resolved_at"), ("rate",), "lower",
           "resolved_at", (0.0, 100.0)),
    Metric("cost-per-ticket", "Cost per ticket", "money",
           "cost of each closed ticket (in the catalog's currency, the currency of the"
           " target); mean is total cost / tickets with a cost.",
           ("incident", "request", "change", "problem"), ("cost", "resolved_at"),
           ("mean", "median"), "lower", "resolved_at"),
    Metric("sla-attainment", "SLA attainment", "percent",
           "100 x tickets that met their SLA target (response and resolution, business"
           " time under the SLA's calendar) / tickets measured against an SLA.",
           ("incident", "request"),
           ("service", "priority", "opened_at", "responded_at", "resolved_at"),
           ("rate",), "higher", "resolved_at", (0.0, 100.0)),
    Metric("backlog-age", "Backlog age", "duration",
           "at the end of each period, end - opened_at of each ticket opened but not yet"
           " resolved (resolved_at empty or later than the period end).",
           ("incident", "request", "problem"), ("opened_at", "resolved_at"),
           _SPREAD, "lower", "period-end"),
    Metric("backlog-size", "Backlog size", "count",
           "at the end of each period, the number of tickets opened but not yet resolved.",
           ("incident", "request", "problem"), ("opened_at", "resolved_at"),
           ("count",), "lower", "period-end"),
    Metric("reopen-rate", "Reopen rate", "percent",
           "100 x resolved tickets with reopened > 0 / resolved tickets.",
           ("incident", "request"), ("reopened", "resolved_at"), ("rate",), "lower",
           "resolved_at", (0.0, 100.0)),
)

METRIC_BY_ID: dict[str, Metric] = {metric.id: metric for metric in METRICS}


def get_metric(metric_id: object) -> Metric | None:
    """The metric named `metric_id`, or None (schema-invalid text is not a crash)."""
    return METRIC_BY_ID.get(metric_id) if isinstance(metric_id, str) else None


@dataclass(frozen=True)
class MetricListing:
    """What `itsmctl metrics` reports: the metrics table, or the metrics asked for."""

    metrics: tuple[Metric, ...]
