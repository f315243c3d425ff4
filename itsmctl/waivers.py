"""Apply entities' waivers: suppress what they cover until they expire, then report them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from itsmctl.catalog import Catalog
from itsmctl.findings import Finding, Severity, Waiver
from itsmctl.model import Entity


@dataclass(frozen=True)
class WaiverOutcome:
    active: list[Finding]
    waived: list[Finding]


def _expired(waiver: Waiver, today: date) -> bool:
    try:
        return date.fromisoformat(waiver.expires) < today
    except ValueError:
        return False  # a malformed date is a schema finding already


def apply_waivers(findings: list[Finding], catalog: Catalog, today: date,
                  known_rules: set[str]) -> WaiverOutcome:
    by_entity: dict[str, Entity] = {str(e.ref): e for e in catalog if e.waivers}
    active: list[Finding] = []
    waived: list[Finding] = []
    used: set[tuple[str, str]] = set()
    for finding in findings:
        entity = by_entity.get(finding.entity)
        waiver = _matching(entity, finding.rule) if entity else None
        if waiver is None or _expired(waiver, today):
            active.append(finding)
            continue
        waived.append(replace(finding, waived_by=waiver))
        used.add((finding.entity, waiver.rule))
    for entity in by_entity.values():
        active.extend(_waiver_findings(entity, today, known_rules, used))
    return WaiverOutcome(active, waived)


def active_waiver(entity: Entity | None, rule: str, today: date) -> Waiver | None:
    """The entity's waiver of `rule` in force on `today`, if any."""
    waiver = _matching(entity, rule) if entity is not None else None
    return None if waiver is None or _expired(waiver, today) else waiver


def _matching(entity: Entity, rule: str) -> Waiver | None:
    return next((w for w in entity.waivers if w.rule == rule), None)


def _waiver_findings(entity: Entity, today: date, known_rules: set[str],
                     used: set[tuple[str, str]]) -> list[Finding]:
    out = []
    for index, waiver in enumerate(entity.waivers):
        path: tuple[str | int, ...] = ("metadata", "waivers", index)
        if waiver.rule not in known_rules:
            out.append(entity.finding(
                "waiver-unknown-rule", f"waiver names unknown rule {waiver.rule!r}", path,
                "run `itsmctl rules` for the list of rule ids"))
        elif _expired(waiver, today):
            out.append(entity.finding(
                "waiver-expired", f"waiver of {waiver.rule!r} expired on {waiver.expires}",
                path + ("expires",), "renew it with a fresh reason and expiry, or fix the finding"))
        elif (str(entity.ref), waiver.rule) not in used:
            out.append(entity.finding(
                "waiver-unused", f"waiver of {waiver.rule!r} suppresses nothing", path,
                "the entity satisfies the rule now: remove the waiver", Severity.INFO))
    return out
