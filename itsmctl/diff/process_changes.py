"""What a change to a Process means: KPI targets, the priority matrix, escalation, the owner.

Detectors in the shape of governance.py's table: each reads one field change, but judges it
against the whole KPI, matrix cell or escalation step on both sides (cells and steps have no
single identity field, so a changed one arrives as one item removed and one added; both
halves give the same reading, which the classifier merges).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from itsmctl.model import Entity, list_of_dicts
from itsmctl.processes.spec import EscalationStep, escalation, parse_percent
from itsmctl.processes.targets import compare, parse_target
from itsmctl.rules.common import plain_number

if TYPE_CHECKING:
    from itsmctl.diff.governance import Context
    from itsmctl.diff.result import FieldChange

Reading = tuple[str, str]
# class id -> (impact label, summary): registered in classes.py
PROCESS_CLASSES = (
    ("kpi-target-loosened", "approval-required",
     ("A KPI target gets easier to meet (a ceiling raised, a floor lowered, < relaxed to <=,"
      " another unit or direction), or a KPI is removed.")),
    ("kpi-target-tightened", "review", "A KPI target gets harder to meet, or a KPI is added."),
    ("kpi-changed", "review",
     "A KPI's metric, statistic, period, clock, selection or review changes."),
    ("priority-lowered", "approval-required",
     ("A priority matrix cell gives a lower priority (P2 -> P3): those incidents get slower"
      " targets.")),
    ("priority-raised", "review", "A priority matrix cell gives a higher priority."),
    ("escalation-weakened", "approval-required",
     "An escalation step is removed or fires later (a higher share of the SLA target)."),
    ("escalation-strengthened", "review", "An escalation step is added or fires earlier."),
    ("process-owner-changed", "approval-required",
     "The process owner changes: the previous and the new owner approve."),
)


def _kpi(entity: Entity | None, name: str) -> dict[str, Any] | None:
    if entity is None:
        return None
    for _, item in list_of_dicts(entity.get("spec", "kpis")):
        if item.get("name") == name:
            return item
    return None


def kpi_change(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    """`spec.kpis[p1-mttr]...`: the target compared as a promise; other fields reviewed."""
    name, rest = m["key"], m["rest"] or ""
    before, after = _kpi(ctx.before, name), _kpi(ctx.after, name)
    if after is None:
        return "kpi-target-loosened", f"KPI {name} removed: its target is no longer measured"
    if before is None:
        return "kpi-target-tightened", f"KPI {name} added ({_target_text(after)})"
    if rest.startswith(".target"):
        old, new = parse_target(before.get("target")), parse_target(after.get("target"))
        verdict = compare(old, new) if old is not None and new is not None else -1
        words = f"KPI {name} target {_target_text(before)} -> {_target_text(after)}"
        if verdict < 0:
            return "kpi-target-loosened", words
        if verdict > 0:
            return "kpi-target-tightened", words
        return "kpi-changed", words + " (equally strict)"
    field = rest.lstrip(".").split(".", 1)[0] or "definition"
    words = f"KPI {name} {field}: {_short(before.get(field))} -> {_short(after.get(field))}"
    return "kpi-changed", words


def _target_text(kpi: dict[str, Any]) -> str:
    target = parse_target(kpi.get("target"))
    return str(target) if target is not None else "(no target)"


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


def _cell(entity: Entity | None, impact: Any, urgency: Any) -> str | None:
    if entity is None:
        return None
    for _, item in list_of_dicts(entity.get("spec", "priorityMatrix", "priorities")):
        if item.get("impact") == impact and item.get("urgency") == urgency:
            value = item.get("priority")
            return value if isinstance(value, str) else None
    return None


def _rank(priority: str | None) -> int | None:
    digits = priority[1:] if priority else ""
    return int(digits) if digits.isdigit() else None


def matrix_change(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading | None:
    """`spec.priorityMatrix.priorities[...]`: a cell whose priority moves up or down."""
    item = fc.after if fc.op == "added" else fc.before
    if not isinstance(item, dict):
        return None
    impact, urgency = item.get("impact"), item.get("urgency")
    old, new = _cell(ctx.before, impact, urgency), _cell(ctx.after, impact, urgency)
    cell = f"impact {impact} x urgency {urgency}"
    before, after = _rank(old), _rank(new)
    if before is None and after is None:
        return None
    if after is None:
        return "priority-lowered", f"{cell}: {old} -> no priority"
    if before is None:
        return "priority-raised", f"{cell}: no priority -> {new}"
    if after > before:
        return "priority-lowered", f"{cell}: {old} -> {new}"
    if after < before:
        return "priority-raised", f"{cell}: {old} -> {new}"
    return None  # the same priority: a description or another field of the cell changed


def _same_step(a: EscalationStep, b: EscalationStep) -> bool:
    return (a.of, a.to, a.type) == (b.of, b.to, b.type)


def _step_of(entity: Entity | None, item: dict[str, Any]) -> EscalationStep | None:
    """The step of `entity` that is the same step as `item` (same target, party and type)."""
    if entity is None:
        return None
    probe = EscalationStep(-1, parse_percent(item.get("at")), str(item.get("of", "")),
                           str(item.get("type", "")), item.get("to") if isinstance(
                               item.get("to"), str) else None, ())
    return next((s for s in escalation(entity) if _same_step(s, probe)), None)


def escalation_change(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading | None:
    """`spec.escalation[...]`: a step removed or moved later weakens the ladder."""
    item = fc.after if fc.op == "added" else fc.before
    if not isinstance(item, dict):
        return None
    old, new = _step_of(ctx.before, item), _step_of(ctx.after, item)
    step = f"escalation to {item.get('to')} ({item.get('type')}, {item.get('of')})"
    if new is None:
        return "escalation-weakened", f"{step} at {_pct(old)} removed"
    if old is None:
        return "escalation-strengthened", f"{step} added at {_pct(new)}"
    if old.percent is not None and new.percent is not None and new.percent != old.percent:
        later = new.percent > old.percent
        return ("escalation-weakened" if later else "escalation-strengthened",
                f"{step} moved {'later' if later else 'earlier'}: {_pct(old)} -> {_pct(new)}")
    if old.priorities != new.priorities:
        fewer = bool(new.priorities) and (not old.priorities
                                          or not set(old.priorities) <= set(new.priorities))
        words = (f"{step} priorities {_short(list(old.priorities) or 'all')} ->"
                 f" {_short(list(new.priorities) or 'all')}")
        return ("escalation-weakened" if fewer else "escalation-strengthened", words)
    return None


def _pct(step: EscalationStep | None) -> str:
    return "(none)" if step is None or step.percent is None else plain_number(step.percent) + "%"


def owner_change(fc: FieldChange, m: re.Match[str], ctx: Context) -> Reading:
    return "process-owner-changed", f"process owner {_short(fc.before)} -> {_short(fc.after)}"


_ITEM = r"\[(?P<key>[^\]]+)\]"
_REST = r"(?P<rest>.*)"
DETECTORS = (
    ("Process", r"spec\.owner", owner_change),
    ("Process", r"spec\.kpis" + _ITEM + _REST, kpi_change),
    ("Process", r"spec\.priorityMatrix\.priorities" + _ITEM, matrix_change),
    # a step's path quotes the whole step, lists included: `[at=80%,notify=['x'],...]`
    ("Process", r"spec\.escalation\[(?P<key>.*)\]", escalation_change),
)


def process_owners(versions: list[Entity]) -> list[tuple[str, str]]:
    """(owner party, process name) of BASE's then HEAD's version of a Process: an owner
    change needs the owner handing over and the one taking over (HEAD adds, never replaces)."""
    owners = []
    for version in versions:
        owner = version.get("spec", "owner")
        if version.kind == "Process" and isinstance(owner, str) and owner:
            owners.append((owner, version.name))
    return list(dict.fromkeys(owners))
