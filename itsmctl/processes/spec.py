"""Typed readers of a Process entity's spec: KPIs and escalation steps.

Rules, diff, the site and `itsmctl measure` read a Process through these, never through raw
YAML, so they agree on defaults (a KPI's statistic defaults to its metric's) and every
reader tolerates schema-invalid data (what cannot be read is skipped; the schema reports it).
"""

from __future__ import annotations

from dataclasses import dataclass

from itsmctl.findings import JsonPath
from itsmctl.model import Entity, list_of_dicts
from itsmctl.processes.metrics import Metric, get_metric
from itsmctl.processes.targets import Target, parse_target

CORE_PROCESSES = ("incident", "problem", "change", "request", "release")
_PERCENT_TEXT = "%"


@dataclass(frozen=True, slots=True)
class Kpi:
    """One KPI of a process, as `measure` computes it."""

    process: Entity
    index: int
    name: str
    metric: Metric | None
    statistic: str | None
    target: Target | None
    period: str
    clock: str
    priorities: tuple[str, ...]
    services: tuple[str, ...]
    types: tuple[str, ...]
    review_owner: str | None
    review_cadence: str | None

    @property
    def path(self) -> JsonPath:
        return ("spec", "kpis", self.index)


def _strings(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _text(value: object, default: str | None = None) -> str | None:
    return value if isinstance(value, str) else default


def kpis(process: Entity) -> list[Kpi]:
    """The KPIs of a process; the statistic defaults to the metric's first (e.g. mean)."""
    found = []
    for index, item in list_of_dicts(process.get("spec", "kpis")):
        metric = get_metric(item.get("metric"))
        statistic = _text(item.get("statistic"))
        if statistic is None and metric is not None:
            statistic = metric.default_statistic
        select = _mapping(item.get("select"))
        review = _mapping(item.get("review"))
        found.append(Kpi(
            process, index, str(item.get("name", "")), metric, statistic,
            parse_target(item.get("target")), _text(item.get("period"), "monthly") or "monthly",
            _text(item.get("clock"), "business") or "business",
            _strings(select.get("priority")), _strings(select.get("service")),
            _strings(select.get("type")) or (metric.records if metric else ()),
            _text(review.get("owner")), _text(review.get("cadence")),
        ))
    return found


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """One step: at `percent` of the `of` target (response or resolution), bring in `to`."""

    index: int
    percent: float | None
    of: str
    type: str
    to: str | None
    priorities: tuple[str, ...]

    @property
    def path(self) -> JsonPath:
        return ("spec", "escalation", self.index)

    def applies_to(self, priority: str) -> bool:
        return not self.priorities or priority in self.priorities


def parse_percent(value: object) -> float | None:
    """`50%` -> 50.0; anything else -> None."""
    if not isinstance(value, str) or not value.endswith(_PERCENT_TEXT):
        return None
    try:
        return float(value[:-1])
    except ValueError:
        return None


def escalation(process: Entity) -> list[EscalationStep]:
    return [
        EscalationStep(index, parse_percent(item.get("at")), str(item.get("of", "")),
                       str(item.get("type", "")), _text(item.get("to")),
                       _strings(item.get("priorities")))
        for index, item in list_of_dicts(process.get("spec", "escalation"))
    ]


def process_name(process: Entity) -> str | None:
    """The practice (`incident`, `change`...) a Process entity describes."""
    return _text(process.get("spec", "process"))
