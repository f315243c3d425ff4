"""Who a party is: the one resolver from `team:x`, `x`, `role:y` or a person to teams and people.

RACI matrices and change models name parties; the config's `roles` mapping says who holds a
role (`roles: {change-manager: [team:platform, jane.doe]}`). Approval enforcement and the
CODEOWNERS file both need the teams and people behind a party, and must agree on them, so
this module is the only place that turns a party into them.

Forms: `team:<name>` is a Team; `role:<name>` is expanded through the mapping (roles may name
roles; a cycle ends the expansion); `user:<login>` and `@<login>` are people; a bare name is
the Team of that name when the catalog has one, else a person (a GitHub login, a member's
e-mail or its local part). The built-in role `service-owner` means the owner team of the
service in question, unless the config maps it. `role:catalog-maintainers` is who approves
config and policy changes when the catalog names no change-process owner (no RACI scoped to
process `change`, no change model with a CAB): only the config's mapping says who that is.

A party that resolves to nobody is never taken as approved: `unresolved` says why, naming
the config key that would resolve it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

SERVICE_OWNER = "service-owner"
CATALOG_MAINTAINERS = "catalog-maintainers"
BUILTIN_ROLES = {SERVICE_OWNER: "the owner team of the service a change or file concerns"}
_MAX_DEPTH = 16  # roles naming roles; deeper than this is a mistake, not an organisation


@dataclass(frozen=True, slots=True)
class Parties:
    """What a party stands for. `unresolved` says, one sentence each, what could not be."""

    teams: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.teams and not self.people


def role_name(party: str) -> str | None:
    """`role:change-manager` -> `change-manager`; None for anything that is not a role."""
    prefix, sep, name = party.partition(":")
    return name if sep and prefix.lower() == "role" else None


def resolve_party(party: str, roles: Mapping[str, Sequence[str]], teams: Collection[str],
                  service_owner: str | None = None) -> Parties:
    """The teams and people behind `party` (see the module docstring for the forms).

    `roles` is the config's mapping and `teams` the catalog's Team names, both from the
    approved side (BASE) when approvals depend on them. `service_owner` is the owner team
    of the service in question, for the built-in role; None where no service is.
    """
    out = _Collect()
    _resolve(party.strip(), roles, teams, service_owner, out, ())
    return Parties(tuple(out.teams), tuple(out.people), tuple(out.unresolved))


class _Collect:
    def __init__(self) -> None:
        self.teams: dict[str, None] = {}
        self.people: dict[str, None] = {}
        self.unresolved: dict[str, None] = {}


def _resolve(party: str, roles: Mapping[str, Sequence[str]], teams: Collection[str],
             owner: str | None, out: _Collect, path: tuple[str, ...]) -> None:
    prefix, sep, name = party.partition(":")
    kind = prefix.lower() if sep else ""
    if kind == "team" and name in teams:
        out.teams[name] = None
    elif kind == "team":
        out.unresolved[f"team:{name} is not a Team of the catalog"] = None
    elif kind == "role":
        _role(name, roles, teams, owner, out, path)
    elif kind == "user":
        out.people[name] = None
    elif party.startswith("@"):
        out.people[party[1:]] = None
    elif party in teams:
        out.teams[party] = None
    elif party:
        out.people[party] = None


def _role(name: str, roles: Mapping[str, Sequence[str]], teams: Collection[str],
          owner: str | None, out: _Collect, path: tuple[str, ...]) -> None:
    if name in path or len(path) >= _MAX_DEPTH:
        chain = " -> ".join(f"role:{r}" for r in (*path, name))
        out.unresolved[f"the roles mapping loops or nests too deep ({chain})"] = None
        return
    holders = roles.get(name)
    if holders is not None:
        for holder in holders:
            _resolve(holder.strip(), roles, teams, owner, out, (*path, name))
    elif name == SERVICE_OWNER and owner:
        _resolve(f"team:{owner}", roles, teams, owner, out, (*path, name))
    elif name == SERVICE_OWNER:
        out.unresolved["role:service-owner names no one here: the change concerns no service"
                       " (a config or policy file, a shared entity); map it in .itsmctl.yaml,"
                       " e.g. roles: {service-owner: [team:<team>]}"] = None
    else:
        out.unresolved[f"role:{name} is not mapped in the config's roles; map it in"
                       f" .itsmctl.yaml, e.g. roles: {{{name}: [team:<team>]}}"] = None
