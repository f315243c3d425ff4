"""The metrics table is the contract with `measure`: every metric of issue 15 is there, and
every entry is complete and consistent (units, statistics, record fields, scales)."""

from __future__ import annotations

import pytest

from itsmctl.processes.metrics import (
    METRICS,
    RECORD_FIELDS,
    RECORD_TYPES,
    STATISTICS,
    UNITS,
    get_metric,
)
from itsmctl.processes.targets import Target, Value, compare, parse_target, parse_value

ISSUE_METRICS = {
    "mttr": "duration", "mtta": "duration", "mtbf": "duration",
    "change-success-rate": "percent", "change-failure-rate": "percent",
    "emergency-change-share": "percent", "request-fulfilment-time": "duration",
    "first-contact-resolution": "percent", "csat": "score", "self-service-rate": "percent",
    "level-zero-solvable": "percent", "cost-per-ticket": "money", "sla-attainment": "percent",
    "backlog-age": "duration",
}


@pytest.mark.parametrize(("metric_id", "unit"), sorted(ISSUE_METRICS.items()))
def test_every_metric_of_the_issue_has_its_unit(metric_id: str, unit: str) -> None:
    metric = get_metric(metric_id)
    assert metric is not None and metric.unit == unit


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.id)
def test_each_entry_is_complete(metric: object) -> None:
    from itsmctl.processes.metrics import Metric

    assert isinstance(metric, Metric)
    assert metric.unit in UNITS and metric.formula and metric.title
    assert metric.statistics and set(metric.statistics) <= set(STATISTICS)
    assert set(metric.fields) <= set(RECORD_FIELDS)
    assert metric.records and set(metric.records) <= set(RECORD_TYPES)
    assert metric.stop in (*RECORD_FIELDS, "period-end")
    # a percentage is one ratio per period; a distribution has mean/median/p90, not a rate
    assert (metric.unit == "percent") == (metric.statistics == ("rate",))
    if metric.unit == "percent":
        assert metric.scale == (0.0, 100.0)


def test_mttr_is_time_to_resolve() -> None:
    mttr = get_metric("mttr")
    assert mttr is not None and "RESOLVE" in mttr.formula
    assert mttr.fields[-2:] == ("opened_at", "resolved_at")


def test_csat_is_on_a_one_to_five_scale() -> None:
    csat = get_metric("csat")
    assert csat is not None and csat.scale == (1.0, 5.0) and csat.better == "higher"


def test_ids_are_unique_and_unknown_ids_are_none() -> None:
    assert len({m.id for m in METRICS}) == len(METRICS)
    assert get_metric("mean-time-to-coffee") is None and get_metric(3) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("4h", Value("duration", 240.0)),
    ("1h30m", Value("duration", 90.0)),
    ("95%", Value("percent", 95.0)),
    ("99.5%", Value("percent", 99.5)),
    ("25.00 EUR", Value("money", 25.0, "EUR")),
    (4.2, Value("number", 4.2)),
    (40, Value("number", 40.0)),
    ("4.2", Value("number", 4.2)),
    (True, None), ("fast", None), ("95 %%", None), (float("nan"), None), ("25 eur", None),
])
def test_target_values_carry_their_unit(text: object, expected: Value | None) -> None:
    assert parse_value(text) == expected


def test_targets_compare_by_what_they_promise() -> None:
    def target(op: str, value: object) -> Target:
        parsed = parse_target({"op": op, "value": value})
        assert parsed is not None
        return parsed

    assert compare(target("<=", "4h"), target("<=", "8h")) == -1  # slower allowed: looser
    assert compare(target("<=", "4h"), target("<=", "2h")) == 1
    assert compare(target(">=", "95%"), target(">=", "90%")) == -1
    assert compare(target(">=", "95%"), target(">", "95%")) == 1
    assert compare(target("<=", "4h"), target("<", "4h")) == 1
    assert compare(target("<=", "4h"), target("<=", "240m")) == 0
    assert compare(target("<=", "4h"), target(">=", "4h")) == -1  # direction flipped
    assert target("<=", "4h").met(240) and not target("<", "4h").met(240)
    assert target(">=", "95%").met(95.0) and not target(">", "95%").met(95.0)
    assert parse_target({"op": "==", "value": "4h"}) is None
    assert str(target("<=", "1h30m")) == "<= 1h30m"
    assert str(target(">=", "25 EUR")) == ">= 25.00 EUR"
