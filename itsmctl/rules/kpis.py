"""KPIs of a process: a known metric, a statistic it has, a target in its unit that can be met,
and someone who reviews it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity
from itsmctl.processes.metrics import METRIC_BY_ID, Metric
from itsmctl.processes.spec import Kpi, kpis
from itsmctl.processes.targets import COMPATIBLE, Target
from itsmctl.rules.common import plain_number
from itsmctl.rules.registry import RuleContext, entity_rule

_EXAMPLE = {"duration": "4h", "percent": "95%", "money": "25.00 EUR", "number": "4.2"}
_NOUN = {"duration": "a duration", "percent": "a percentage", "money": "an amount of money",
         "score": "a score", "count": "a count", "number": "a plain number"}


def _label(kpi: Kpi) -> str:
    return f"KPI {kpi.name!r}" if kpi.name else f"KPI {kpi.index + 1}"


@entity_rule("kpi-metric-unknown", Severity.ERROR, "Process")
def metric_unknown(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A KPI names a metric that is not in the metrics table.

    `itsmctl measure` computes a KPI from the formula and record fields of its metric
    (docs/processes.md lists them: mttr, mtta, mtbf, change-success-rate, csat, ...). A
    metric it does not know cannot be measured, so the KPI would never be reported.

    Passes when `metric` is an id of the metrics table. Fix the spelling.
    """
    for kpi in kpis(process):
        written = process.get(*kpi.path, "metric")
        if kpi.metric is None and isinstance(written, str):
            close = difflib.get_close_matches(written, list(METRIC_BY_ID), n=1)
            yield context.emit(
                process, f"{_label(kpi)}: no metric {written!r} in the metrics table",
                (*kpi.path, "metric"),
                f"did you mean {close[0]!r}?" if close else f"metrics: {', '.join(METRIC_BY_ID)}")


@entity_rule("kpi-statistic-invalid", Severity.ERROR, "Process")
def statistic_invalid(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A KPI asks its metric for a statistic the metric does not have.

    A duration such as MTTR has a distribution (mean, median, p90); a percentage such as
    the change success rate is one ratio per period (`rate`); a count is a `count`. A p90
    of a rate has no meaning, and `measure` could only guess what was meant.

    Passes when `statistic` is absent (the metric's default) or one the metrics table lists
    for the metric. Fix it by choosing one of those named in the hint.
    """
    for kpi in kpis(process):
        metric, statistic = kpi.metric, kpi.statistic
        if metric is not None and statistic is not None and statistic not in metric.statistics:
            yield context.emit(
                process, f"{_label(kpi)}: {metric.id} has no {statistic}",
                (*kpi.path, "statistic"),
                f"{metric.id} ({metric.unit}) supports: {', '.join(metric.statistics)}")


@entity_rule("kpi-target-unit", Severity.ERROR, "Process")
def target_unit(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A KPI's target is written in a different unit than its metric's.

    The written form of a target carries its unit: `4h` is a duration, `95%` a percent,
    `25.00 EUR` money, a plain number a score or a count. A change success rate with the
    target `4h`, or an MTTR with `95%`, cannot be compared with what `measure` computes.

    Passes when the target's unit matches the metric's (a score or count takes a plain
    number). Fix it by writing the target in the unit the hint shows.
    """
    for kpi in kpis(process):
        metric, target = kpi.metric, kpi.target
        if metric is None or target is None:
            continue
        wanted = COMPATIBLE[metric.unit]
        if target.value.unit != wanted:
            yield context.emit(
                process, f"{_label(kpi)}: {metric.id} is {_NOUN[metric.unit]}, but the"
                f" target {target.value} is {_NOUN[target.value.unit]}",
                (*kpi.path, "target", "value"),
                f"write the target as {_NOUN[metric.unit]}, e.g. {_EXAMPLE[wanted]}")


def _impossible(metric: Metric, target: Target) -> str | None:
    """Why no value on the metric's scale can meet the target, or None."""
    low, high = metric.scale if metric.scale is not None else (0.0, None)
    amount, op = target.value.amount, target.op
    scale = f"{plain_number(low)}..{plain_number(high)}" if high is not None else ""
    if high is not None and not low <= amount <= high:
        return f"{target.value} is outside the {metric.unit} scale {scale}"
    if (op == "<" and amount <= low) or (op == "<=" and amount < low):
        return f"{metric.id} is never {op} {target.value}"
    if high is not None and ((op == ">" and amount >= high) or (op == ">=" and amount > high)):
        return f"{metric.id} is never {op} {target.value}"
    return None


@entity_rule("kpi-target-impossible", Severity.ERROR, "Process")
def target_impossible(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A KPI's target lies outside the values its metric can take, or can never be met.

    Rates are percentages from 0 to 100; CSAT is a score from 1 to 5; durations, counts and
    money start at 0. A first contact resolution target of `>= 120%`, a CSAT of `>= 8`
    (someone thought of a 1-10 survey) or an MTTR `< 0m` can never be met and says nothing
    about the process.

    Passes when the value lies on the metric's scale and some value on the scale meets it.
    Fix the value, or pick the metric that was meant.
    """
    for kpi in kpis(process):
        metric, target = kpi.metric, kpi.target
        if metric is None or target is None or target.value.unit != COMPATIBLE[metric.unit]:
            continue
        reason = _impossible(metric, target)
        if reason:
            yield context.emit(process, f"{_label(kpi)}: {reason}",
                               (*kpi.path, "target", "value"),
                               "set a target the metric can reach")


@entity_rule("kpi-target-direction", Severity.WARNING, "Process")
def target_direction(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A KPI's target points the wrong way for its metric.

    For some metrics lower is better (MTTR, change failure rate, cost per ticket), for
    others higher (change success rate, CSAT, MTBF). `mttr >= 4h` asks for slow
    resolutions: it is almost always the operator reversed.

    Passes when a lower-is-better metric has a ceiling (`<=`, `<`) and a higher-is-better
    metric a floor (`>=`, `>`). Fix the operator.
    """
    for kpi in kpis(process):
        metric, target = kpi.metric, kpi.target
        if metric is None or target is None:
            continue
        if target.upper != (metric.better == "lower"):
            wanted = "<=" if metric.better == "lower" else ">="
            yield context.emit(
                process, f"{_label(kpi)}: {metric.better} {metric.id} is better, but the"
                f" target is {target}", (*kpi.path, "target", "op"),
                f"use {wanted} {target.value}")


@entity_rule("kpi-review-owner", Severity.WARNING, "Process")
def review_owner(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A KPI has no review owner.

    A KPI is worth declaring only if someone looks at it at the agreed cadence and acts on
    a miss (the seeds: weekly and monthly reviews). A KPI without an owner is measured and
    ignored.

    Passes when each KPI has `review: {owner: <party>, cadence: ...}`. Fix it by naming the
    party, usually the process owner or the manager of the team that runs the practice.
    """
    for kpi in kpis(process):
        if kpi.review_owner is None:
            where = (*kpi.path, "review") if process.get(*kpi.path, "review") is not None \
                else kpi.path
            yield context.emit(
                process, f"{_label(kpi)} has no review owner", where,
                f"add review: {{owner: {process.get('spec', 'owner') or 'role:process-owner'},"
                f" cadence: monthly}}")


@entity_rule("kpi-name-unique", Severity.ERROR, "Process")
def name_unique(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """Two KPIs of one process share a name.

    Reports, the site and diff name a KPI by its process and name: a KPI whose target is
    loosened is found by name in the base and head revisions. Two with one name make that
    ambiguous.

    Passes when the KPI names of a process are unique. Rename one of them.
    """
    seen: set[str] = set()
    for kpi in kpis(process):
        if kpi.name and kpi.name in seen:
            yield context.emit(process, f"KPI name {kpi.name!r} is used twice",
                               (*kpi.path, "name"), "give each KPI of the process its own name")
        seen.add(kpi.name)
