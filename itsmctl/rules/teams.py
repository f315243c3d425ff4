"""Teams that own services must be made of people."""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity, list_of_dicts
from itsmctl.rules.common import count, lifecycle
from itsmctl.rules.registry import RuleContext, entity_rule


def _owned_services(team: Entity, context: RuleContext) -> list[str]:
    """Names of the services (not retired) whose `spec.owner` is this team."""
    return sorted({ref.source.name for ref in context.catalog.referrers.get(team.ref, ())
                   if ref.source.kind == "Service" and ref.path == ("spec", "owner")
                   and lifecycle(ref.source) != "retired"})


@entity_rule("team-has-members", Severity.WARNING, "Team")
def has_members(team: Entity, context: RuleContext) -> Iterable[Finding]:
    """A team that owns a service has no members.

    An owner team is who gets paged, who approves the service's changes and who attends its
    reviews. A team with no people listed cannot be paged: the ownership is a name only.

    Applies to teams named as `spec.owner` of at least one service that is not retired.
    Passes when `spec.members` lists at least one person. Fix it by adding the team's
    members (name, email, role), or by moving the services to the team that runs them.
    """
    services = _owned_services(team, context)
    if not services or any(True for _ in list_of_dicts(team.get("spec", "members"))):
        return
    shown = ", ".join(services[:5]) + (", ..." if len(services) > 5 else "")
    path = ("spec", "members") if team.get("spec", "members") is not None else ("spec",)
    yield context.emit(
        team, f"team {team.name!r} owns {count(len(services), 'service')}"
        f" ({shown}) but has no members", path,
        "list the people of the team under spec.members so the owner team can be paged")
