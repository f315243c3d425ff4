"""People behind every responsibility: on-call and escalation for critical services, one party
once per RACI activity."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from itsmctl.durations import format_duration, parse_duration
from itsmctl.findings import Finding, JsonPath, Severity
from itsmctl.model import IN_PRODUCTION, Entity, list_of_dicts
from itsmctl.references import PARTY, parse_ref
from itsmctl.rules.common import lifecycle, tier
from itsmctl.rules.registry import RuleContext, entity_rule
from itsmctl.rules.slas import priority_targets

ESCALATION = ("spec", "onCall", "escalation")


def _levels(team: Entity) -> list[tuple[int, int, int | None]]:
    """(index, level, after in minutes) of each readable escalation step, as written."""
    out = []
    for index, step in list_of_dicts(team.get(*ESCALATION)):
        level = step.get("level")
        if isinstance(level, int) and not isinstance(level, bool):
            out.append((index, level, parse_duration(step.get("after"))))
    return out


@entity_rule("escalation-order", Severity.ERROR, "Team")
def escalation_order(team: Entity, context: RuleContext) -> Iterable[Finding]:
    """An on-call escalation chain is out of order.

    Escalation is hierarchic and timed: level 1 (the on-call engineer) is paged first, and
    each further level is paged a little later if nobody has acknowledged. A chain whose
    levels repeat or go backwards, or whose `after` times decrease, pages the manager before
    the engineer, or two levels at once, and the paging tool's behaviour becomes a guess.

    Passes when, in the order written, levels strictly increase starting at 1 and each
    `after` is later than the previous level's (a missing `after` counts as unknown and is
    not compared). Fix it by numbering the levels 1, 2, 3 in the order they are paged, with
    increasing delays.
    """
    previous: tuple[int, int | None] | None = None
    for position, (index, level, after) in enumerate(_levels(team)):
        at: JsonPath = (*ESCALATION, index, "level")
        if position == 0 and level != 1:
            yield context.emit(team, f"escalation starts at level {level}, not 1", at,
                               "number the first step level 1: it is paged first")
        if previous is not None and level <= previous[0]:
            yield context.emit(
                team, f"escalation level {level} comes after level {previous[0]}", at,
                "list the levels in the order they are paged, each once")
        elif previous is not None and after is not None and previous[1] is not None \
                and after <= previous[1]:
            yield context.emit(
                team, f"escalation level {level} is paged after {format_duration(after)}, not"
                f" later than level {previous[0]} ({format_duration(previous[1])})",
                (*ESCALATION, index, "after"), "give each level a later `after` than the last")
        previous = (level, after)


def _p1_response(service: Entity, context: RuleContext) -> tuple[Entity, int] | None:
    sla = context.catalog.resolve_field(service, "sla", "SLA")
    if sla is None:
        return None
    for target in priority_targets(sla):
        if target.priority == "P1" and target.response is not None:
            return sla, target.response
    return None


@entity_rule("tier1-owner-on-call", Severity.ERROR, "Service")
def tier1_owner_on_call(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """The owner team of a tier-1 service has no on-call, or escalates too late for P1.

    A tier-1 outage is a P1 incident at any hour: the owner team must be pageable (an
    on-call schedule), must have an escalation chain for when the on-call engineer does not
    answer, and that chain must escalate while there is still time to meet the P1 response
    target. If the SLA promises a 15-minute response and level 2 is paged after 15 minutes,
    an unanswered page has already breached it.

    Applies to tier-1 services that are `operational` or `retiring` and name an existing
    owner team. Passes when the team has `onCall.schedule`, an `onCall.escalation` with at
    least two levels, and its first escalation (the second level's `after`) is strictly
    shorter than the P1 response of the service's SLA (equal is too late). The order of the
    chain itself is `escalation-order`'s. Fix it on the owner team.
    """
    if tier(service) != 1 or lifecycle(service) not in IN_PRODUCTION:
        return
    team = context.catalog.resolve_field(service, "owner", "Team")
    if team is None:
        return
    where = ("spec", "owner")
    if not isinstance(team.get("spec", "onCall", "schedule"), str):
        yield context.emit(service, f"owner team {team.name!r} of tier-1 service"
                           f" {service.name!r} has no on-call schedule", where,
                           f"set spec.onCall.schedule of team {team.name!r}")
    steps = sorted(_levels(team), key=lambda s: s[1])
    if len(steps) < 2:
        yield context.emit(service, f"owner team {team.name!r} of tier-1 service"
                           f" {service.name!r} has no escalation beyond the first page", where,
                           f"add escalation levels to spec.onCall.escalation of {team.name!r}")
        return
    p1, first = _p1_response(service, context), steps[1][2]
    if p1 is not None and first is not None and first >= p1[1]:
        yield context.emit(
            service, f"owner team {team.name!r} first escalates after {format_duration(first)},"
            f" not before the P1 response target {format_duration(p1[1])} of {p1[0].name!r}",
            where, f"page level {steps[1][1]} of {team.name!r} sooner than"
                   f" {format_duration(p1[1])}")


def _party_key(party: Any) -> str:
    """`commerce` and `team:commerce` are one Team; a role is itself (`role:x`)."""
    text = str(party)
    ref = parse_ref(text, PARTY)
    return f"team:{ref.name}" if ref is not None and ref.kind == "Team" else text.lower()


def _duplicates(assignments: dict[Any, Any]) -> Iterator[tuple[str, str]]:
    first: dict[str, str] = {}
    for party in assignments:
        key = _party_key(party)
        if key in first:
            yield first[key], str(party)
        else:
            first[key] = str(party)


@entity_rule("raci-party-duplicate", Severity.ERROR, "RACI")
def party_duplicate(raci: Entity, context: RuleContext) -> Iterable[Finding]:
    """One party appears twice in a RACI activity, written two ways.

    `commerce` and `team:commerce` are the same Team. Listed twice in one activity, the
    party gets two sets of letters (`R` here, `A` there): the matrix reads as if two parties
    shared the work, the one-Accountable rule is dodged or doubled, and tools that merge the
    spellings keep one of the two at random.

    Fires on the second spelling of a party within one activity's `assignments` (a bare
    name and `team:<name>` are one Team). Roles (`role:<name>`) are parties of their own,
    never merged with the teams that hold them. Fix it by keeping one entry with all its
    letters.
    """
    for index, activity in list_of_dicts(raci.get("spec", "activities")):
        assignments = activity.get("assignments")
        if not isinstance(assignments, dict):
            continue
        for first, second in _duplicates(assignments):
            yield context.emit(
                raci, f"activity {activity.get('name')!r} lists {first!r} and {second!r},"
                " the same party", ("spec", "activities", index, "assignments", second),
                f"merge the letters of {second!r} into {first!r}")
