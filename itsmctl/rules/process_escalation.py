"""Escalation steps of a process: thresholds of the SLA target elapsed, in ascending order."""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity
from itsmctl.processes.spec import EscalationStep, escalation
from itsmctl.rules.common import plain_number
from itsmctl.rules.registry import RuleContext, entity_rule


def _overlaps(a: EscalationStep, b: EscalationStep) -> bool:
    """Two steps can fire for one ticket: same target, and priorities in common (or all)."""
    if a.of != b.of:
        return False
    return not a.priorities or not b.priorities or bool(set(a.priorities) & set(b.priorities))


@entity_rule("process-escalation-thresholds", Severity.ERROR, "Process")
def escalation_thresholds(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """Escalation thresholds do not ascend, or one lies beyond 100% of the SLA target.

    An escalation step fires when a ticket has used a share of its SLA response or
    resolution target (`at: 80%` of `resolution`). Steps are read in order as the ladder
    of who is brought in next; a later step with a lower threshold would fire first, so the
    ladder is not what the document says. A threshold above 100% fires only after the
    target is breached: escalation is there to prevent the breach.

    Passes when, among steps that can fire for the same ticket (same `of`, overlapping
    `priorities`), each threshold is at least the one before it, and every threshold is at
    most 100%. The parties named are checked by `ref-unresolved` (teams) and the roles
    mapping (roles). Fix the order or the threshold named in the message.
    """
    steps = escalation(process)
    for position, step in enumerate(steps):
        if step.percent is None:
            continue
        if step.percent > 100:
            yield context.emit(
                process, f"escalation step {step.index + 1} fires at"
                f" {plain_number(step.percent)}% of the {step.of} target, after the breach",
                (*step.path, "at"), "escalate before the target is breached: at most 100%")
        earlier = [s for s in steps[:position] if s.percent is not None and _overlaps(s, step)]
        highest = max(earlier, key=lambda s: s.percent or 0.0, default=None)
        if highest is not None and highest.percent is not None and step.percent < highest.percent:
            yield context.emit(
                process, f"escalation step {step.index + 1} ({plain_number(step.percent)}% of"
                f" {step.of}, to {step.to}) comes after step {highest.index + 1}"
                f" ({plain_number(highest.percent)}%): thresholds must ascend",
                (*step.path, "at"), "list the steps in the order they fire, or fix the threshold")
