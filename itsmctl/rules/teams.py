"""Teams that carry a responsibility must be made of people."""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity, list_of_dicts
from itsmctl.references import Reference
from itsmctl.rules.common import lifecycle
from itsmctl.rules.registry import RuleContext, entity_rule


def _duty(ref: Reference) -> str | None:
    """What a reference to a team makes it responsible for, or None when it is no duty."""
    source = ref.source
    if source.kind == "Service" and ref.path == ("spec", "owner"):
        return None if lifecycle(source) == "retired" else f"owns service {source.name!r}"
    if source.kind == "ChangeModel" and ref.path[:2] == ("spec", "approvals"):
        role = "is the CAB" if ref.path[-1] == "cab" else "approves changes"
        return f"{role} of change model {source.name!r}"
    if source.kind == "RACI" and len(ref.path) == 5:
        letters = source.get(*ref.path)
        if isinstance(letters, str) and "A" in letters:
            activity = source.get("spec", "activities", ref.path[2], "name")
            return f"is Accountable for {activity!r} in RACI {source.name!r}"
    return None


@entity_rule("team-has-members", Severity.WARNING, "Team")
def has_members(team: Entity, context: RuleContext) -> Iterable[Finding]:
    """A team that owns a service, is Accountable, sits as a CAB or approves changes has no members.

    An owner team is who gets paged, who approves the service's changes and who attends its
    reviews; an Accountable party answers for an outcome; a CAB or an approver authorizes
    changes. A team with no people listed can do none of this: the responsibility is a name
    only, and nobody can be asked.

    Applies to teams named as `spec.owner` of a service that is not retired, holding `A` in
    a RACI activity, or named in a change model's `approvals.cab` or `approvals.approvers`
    (as `name` or `team:name`). Passes when `spec.members` lists at least one person. Fix it
    by adding the team's members (name, email, role), or by giving the duty to the team that
    carries it.
    """
    if any(True for _ in list_of_dicts(team.get("spec", "members"))):
        return
    duties = sorted({duty for ref in context.catalog.referrers.get(team.ref, ())
                     if (duty := _duty(ref)) is not None})
    if not duties:
        return
    shown = "; ".join(duties[:3]) + (f"; and {len(duties) - 3} more" if len(duties) > 3 else "")
    path = ("spec", "members") if team.get("spec", "members") is not None else ("spec",)
    yield context.emit(
        team, f"team {team.name!r} has no members but {shown}", path,
        "list the people of the team under spec.members so someone can be asked")
