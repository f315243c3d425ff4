"""Lifecycle gates: measurable entry and exit criteria per lifecycle stage, as a rule.

A Gate (a document of a policy file, next to Policy and Scorecard) says, per stage, which
rules must pass and which evidence (`spec.evidence`) must exist and how old it may be to
enter or leave the stage, who approves the transition, and whether a move may skip it.
`validate` checks that each selected service meets the entry criteria of the stage it is in;
`diff` checks a lifecycle move against the exit criteria of the old stage and the entry
criteria of the new one (see docs/gates.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from itsmctl.durations import format_duration
from itsmctl.evidence import latest
from itsmctl.findings import Finding, JsonPath, Severity
from itsmctl.model import LIFECYCLE_STAGES, Entity
from itsmctl.policy.selector import Selector
from itsmctl.rules.common import count, lifecycle
from itsmctl.rules.registry import Rule, RuleContext

LIFECYCLE: JsonPath = ("spec", "lifecycle")


@dataclass(frozen=True, slots=True)
class Required:
    """Evidence a criterion asks for: its name and, optionally, its maximum age (minutes)."""

    name: str
    max_age: int | None = None


@dataclass(frozen=True, slots=True)
class Criteria:
    rules: tuple[str, ...] = ()
    evidence: tuple[Required, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.rules and not self.evidence


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    entry: Criteria = Criteria()
    exit: Criteria = Criteria()
    approvers: tuple[str, ...] = ()
    skippable: bool = True


@dataclass(frozen=True)
class Gate:
    name: str
    description: str
    selector: Selector
    stages: tuple[Stage, ...]
    enable_on: date | None = None
    origin: str = ""  # file:line as errors and diff show it
    definition: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    defined_in: str = ""  # file:line from the catalog root, for docs

    def stage(self, name: str | None) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    def severity(self, today: date) -> Severity:
        """A warning before `enableOn` (teams see it coming), an error from that day on."""
        return Severity.WARNING if self.enable_on and today < self.enable_on else Severity.ERROR

    def rule(self, today: date | None = None) -> Rule:
        severity = self.severity(today) if today is not None else Severity.ERROR
        summary = self.description.strip().partition("\n")[0].strip() or \
            f"A service does not meet the criteria of lifecycle gate {self.name!r}."
        return Rule(self.name, severity, "policy", summary, self._doc(), self.selector.kinds,
                    entity_check=self.check)

    def _doc(self) -> str:
        body = self.description.strip().partition("\n")[2].strip()
        lines = [body, ""] if body else []
        lines.append(f"Lifecycle gate for {self.selector.describe()}.")
        for stage in self.stages:
            parts = [f"entry {describe(stage.entry)}" if not stage.entry.empty else "",
                     f"exit {describe(stage.exit)}" if not stage.exit.empty else "",
                     f"approved by {', '.join(stage.approvers)}" if stage.approvers else "",
                     "" if stage.skippable else "may not be skipped"]
            lines.append(f"- {stage.name}: " + "; ".join(p for p in parts if p) + ".")
        if self.enable_on:
            lines.append(f"A warning before {self.enable_on}, an error from then on.")
        lines.append(f"Defined in {self.defined_in or self.origin}.")
        return "\n".join(lines)

    def check(self, service: Entity, context: RuleContext) -> Iterator[Finding]:
        """A service in stage S meets S's entry criteria; required evidence is not too old."""
        if not self.selector.matches(service):
            return
        stage = self.stage(lifecycle(service))
        if stage is None or stage.entry.empty:
            return
        for problem, path in unmet(stage.entry, service, context):
            yield context.emit(service, f"{stage.name} service {service.name!r} does not meet"
                               f" the entry criteria of gate {self.name!r}: {problem}", path,
                               "add the evidence (name, date, ref, approver) or fix the rule's"
                               " finding; or waive the gate with a reason")


def describe(criteria: Criteria) -> str:
    parts = [f"rules {', '.join(criteria.rules)}"] if criteria.rules else []
    for item in criteria.evidence:
        age = f" (at most {format_duration(item.max_age)} old)" if item.max_age else ""
        parts.append(f"evidence {item.name}{age}")
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Assessment:
    """One criterion judged for one service today: what it asks, and why it is not met
    (`problem` empty: met), with the place a finding about it points at."""

    criterion: str
    problem: str = ""
    path: JsonPath = LIFECYCLE

    @property
    def met(self) -> bool:
        return not self.problem


def assess(criteria: Criteria, service: Entity, context: RuleContext) -> Iterator[Assessment]:
    """Each criterion in the order the gate lists it: rules, then evidence."""
    for rule_id in criteria.rules:
        failing = _failures(rule_id, service, context)
        yield Assessment(f"rule {rule_id}", f"rule {rule_id} fails ({failing[0].message})"
                         if failing else "")
    for item in criteria.evidence:
        age = f" (at most {format_duration(item.max_age)} old)" if item.max_age else ""
        label = f"evidence {item.name}{age}"
        found = latest(service, (item.name,))
        if found is None:
            yield Assessment(label, f"evidence {item.name!r} is missing")
        elif found.date > context.today:
            yield Assessment(label, f"evidence {item.name!r} is dated {found.date}, in the"
                             " future", (*found.path, "date"))
        elif item.max_age is not None and \
                context.today - found.date > timedelta(minutes=item.max_age):
            yield Assessment(label, f"evidence {item.name!r} of {found.date} is"
                             f" {count(found.age(context.today), 'day')} old, more than"
                             f" {format_duration(item.max_age)}", (*found.path, "date"))
        else:
            yield Assessment(label, path=(*found.path, "date"))


def unmet(criteria: Criteria, service: Entity, context: RuleContext
          ) -> Iterator[tuple[str, JsonPath]]:
    """(what is missing, where) for each criterion the service does not meet today."""
    for item in assess(criteria, service, context):
        if not item.met:
            yield item.problem, item.path


def _failures(rule_id: str, service: Entity, context: RuleContext) -> list[Finding]:
    """The findings one rule has about `service` (run here: gates may name any rule)."""
    rule = context.rules.get(rule_id)
    if rule is None:
        return []
    bound = replace(context, rule=rule)
    if rule.entity_check is not None and service.kind in rule.kinds:
        return list(rule.entity_check(service, bound))
    if rule.catalog_check is not None:
        ref = str(service.ref)
        return [f for f in rule.catalog_check(bound) if f.entity == ref]
    return []


def stage_order(name: str) -> int:
    return LIFECYCLE_STAGES.index(name) if name in LIFECYCLE_STAGES else -1


def next_stage(name: str | None) -> str | None:
    """The stage after `name` in lifecycle order (None after `retired` or for no stage)."""
    order = stage_order(name) if name else -1
    return LIFECYCLE_STAGES[order + 1] if 0 <= order < len(LIFECYCLE_STAGES) - 1 else None


@dataclass(frozen=True)
class GateStatus:
    """Where one service stands against one gate: its stage's entry criteria, and what the
    next move asks (the exit criteria of this stage, the entry criteria of the next)."""

    gate: Gate
    stage: str
    entry: tuple[Assessment, ...]
    exit: tuple[Assessment, ...]
    next_stage: str | None
    next_entry: tuple[Assessment, ...]
    next_approvers: tuple[str, ...]

    @property
    def met(self) -> bool:
        return all(a.met for a in self.entry)

    @property
    def ready(self) -> bool:
        """The next move would pass its criteria today."""
        return all(a.met for a in (*self.exit, *self.next_entry))


def gate_status(gate: Gate, service: Entity, context: RuleContext) -> GateStatus | None:
    """The service's standing against `gate` today; None when the gate does not select it."""
    if not gate.selector.matches(service):
        return None
    current = lifecycle(service) or ""
    stage, following = gate.stage(current), next_stage(current)
    ahead = gate.stage(following)

    def judged(criteria: Criteria | None) -> tuple[Assessment, ...]:
        return tuple(assess(criteria, service, context)) if criteria else ()

    return GateStatus(gate, current, judged(stage.entry if stage else None),
                      judged(stage.exit if stage else None), following,
                      judged(ahead.entry if ahead else None), ahead.approvers if ahead else ())
