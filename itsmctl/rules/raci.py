"""RACI matrices: who is Responsible and who is Accountable for each activity."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity, list_of_dicts
from itsmctl.rules.common import lifecycle, tier
from itsmctl.rules.registry import RuleContext, entity_rule


def _activities(raci: Entity) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(index, name, assignments) of each activity whose assignments are a mapping."""
    for index, activity in list_of_dicts(raci.get("spec", "activities")):
        assignments = activity.get("assignments")
        if isinstance(assignments, dict):
            yield index, str(activity.get("name", f"#{index + 1}")), assignments


def _holding(assignments: dict[Any, Any], letter: str) -> list[str]:
    """The parties holding `letter`; YAML may give a key as a number, so names are str()ed."""
    return [str(party) for party, letters in assignments.items()
            if isinstance(letters, str) and letter in letters]


@entity_rule("raci-one-accountable", Severity.ERROR, "RACI")
def one_accountable(raci: Entity, context: RuleContext) -> Iterable[Finding]:
    """A RACI activity does not have exactly one Accountable party (A).

    Accountability is what makes an activity someone's job: the accountable party answers
    for the outcome, signs off the work and cannot delegate that answer. With no A, nobody
    owns the outcome and escalations stall; with two, each assumes the other decides.

    Passes when each activity's `assignments` give the letter `A` (alone or as `RA`) to
    exactly one party. Fix it by choosing the one party that answers for the outcome,
    usually the service owner or a process role such as `role:incident-manager`, and
    making the others Responsible (R) or Consulted (C).
    """
    for index, name, assignments in _activities(raci):
        accountable = _holding(assignments, "A")
        path = ("spec", "activities", index, "assignments")
        if not accountable:
            yield context.emit(
                raci, f"activity {name!r} has no Accountable party (A)", path,
                "give A to exactly one party: the one who answers for the outcome")
        elif len(accountable) > 1:
            yield context.emit(
                raci, f"activity {name!r} has {len(accountable)} Accountable"
                f" parties ({', '.join(accountable)}); exactly one is allowed",
                path + (accountable[1],),
                f"keep A on one party and make the others R or C (e.g. {accountable[1]}: R)")


@entity_rule("raci-responsible-required", Severity.ERROR, "RACI")
def responsible_required(raci: Entity, context: RuleContext) -> Iterable[Finding]:
    """A RACI activity has no Responsible party (R).

    The Responsible parties do the work. An activity with an accountable owner but nobody
    responsible is a task that will not be carried out: during an incident it shows up as
    "who is doing this?" when it is already too late.

    Passes when at least one party of each activity holds `R` (alone or as `RA`). Fix it by
    naming the team that performs the activity; the accountable party may also be
    responsible (`RA`) when one team both does and answers for the work.
    """
    for index, name, assignments in _activities(raci):
        if not _holding(assignments, "R"):
            yield context.emit(
                raci, f"activity {name!r} has no Responsible party (R)",
                ("spec", "activities", index, "assignments"),
                "give R to the team that does the work (a party may hold RA)")


def _has_raci(service: Entity, context: RuleContext) -> bool:
    return any(ref.source.kind == "RACI" and ref.path == ("spec", "scope", "service")
               for ref in context.catalog.referrers.get(service.ref, ()))


@entity_rule("tier1-raci-required", Severity.ERROR, "Service")
def tier1_raci(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A tier-1 service that is not retired has no RACI of its own.

    Tier 1 marks the services whose outage hurts the business most; for them, who restores,
    who decides and who informs must be agreed before the incident, not during it. A
    process-wide RACI (`scope.process`) is not enough: it does not name the people of this
    service.

    Passes when a RACI entity has `scope: {service: <this service>}`. Services that are
    retired are exempt. Fix it by adding a RACI for the service covering at least operating,
    restoring and changing it.
    """
    if tier(service) != 1 or lifecycle(service) == "retired" or _has_raci(service, context):
        return
    yield context.emit(
        service, f"tier-1 service {service.name!r} has no RACI"
        f" (no RACI has scope.service: {service.name})", ("spec", "tier"),
        f"add a RACI with scope: {{service: {service.name}}} covering operate, restore and change")
