"""Catalog parties as GitHub sees them: teams as `org/team-slug`, people as logins.

Pure functions over the catalog (no network): `codeowners` writes these handles and
`check --require-approvals` asks the API about them. Every value is re-checked against
GitHub's own syntax here, because it comes from catalog text and ends up in URLs and files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from itsmctl.catalog import Catalog
from itsmctl.members import MemberIndex
from itsmctl.model import Entity, list_of_dicts
from itsmctl.parties import Parties, resolve_party

LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?")
TEAM = re.compile(r"(?P<org>[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?)"
                  r"/(?P<slug>[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9])?)")


@dataclass(frozen=True, slots=True)
class GitHubTeam:
    org: str
    slug: str

    @property
    def handle(self) -> str:
        return f"@{self.org}/{self.slug}"


@dataclass(frozen=True)
class GitHubParties:
    """A party on GitHub: teams with a GitHub team, logins, and what has no GitHub identity.
    `fallback` maps a catalog team without `spec.github` to its members' logins."""

    teams: tuple[GitHubTeam, ...] = ()
    logins: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()
    fallback: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def handles(self) -> tuple[str, ...]:
        """CODEOWNERS owners: `@org/slug` for teams, `@login` for people (fallbacks too)."""
        people = {login: None for login in self.logins}
        people.update({login: None for _, logins in self.fallback for login in logins})
        return tuple(t.handle for t in self.teams) + tuple(f"@{p}" for p in people)


def github_team(team: Entity | None) -> GitHubTeam | None:
    """A Team's `spec.github` when it is a well-formed `org/team-slug`."""
    text = team.get("spec", "github") if team is not None else None
    match = TEAM.fullmatch(text) if isinstance(text, str) else None
    return GitHubTeam(match["org"], match["slug"]) if match else None


def member_logins(team: Entity) -> tuple[str, ...]:
    """The well-formed `members[].github` logins of a team, in file order."""
    out = [m.get("github") for _, m in list_of_dicts(team.get("spec", "members"))]
    return tuple(dict.fromkeys(v for v in out if isinstance(v, str) and LOGIN.fullmatch(v)))


def person_login(person: str, catalog: Catalog,
                 index: MemberIndex | None = None) -> str | None:
    """A person's GitHub login: the login of the one member `person` names (see
    itsmctl.members), else `person` itself when it is a well-formed login (user:<login>).
    None when it names two people: never the first of them in catalog order."""
    match = (index or MemberIndex.of(catalog)).match(person)
    if match.ambiguous:
        return None
    login = match.github
    if login and LOGIN.fullmatch(login):
        return login
    return person if LOGIN.fullmatch(person) else None


def on_github(party: str, roles: dict[str, tuple[str, ...]] | None, catalog: Catalog,
              service_owner: str | None = None) -> GitHubParties:
    """Resolve `party` (see parties.py) and map each team and person to GitHub."""
    from itsmctl.model import Ref

    teams = {t.name for t in catalog.of_kind("Team")}
    parties: Parties = resolve_party(party, roles or {}, teams, service_owner)
    found: list[GitHubTeam] = []
    fallback: list[tuple[str, tuple[str, ...]]] = []
    unresolved = list(parties.unresolved)
    for name in parties.teams:
        entity = catalog.get(Ref("Team", name))
        team = github_team(entity)
        members = member_logins(entity) if entity is not None else ()
        if team is not None:
            found.append(team)
        elif members:
            fallback.append((name, members))
        else:
            unresolved.append(f"team {name} has no GitHub team (spec.github) and no member"
                              " with a GitHub login")
    logins: list[str] = []
    index = MemberIndex.of(catalog) if parties.people else None
    for person in parties.people:
        login = person_login(person, catalog, index)
        if index is not None and index.match(person).ambiguous:
            unresolved.append(f"{person} names more than one member (write the full e-mail"
                              " or user:<login>)")
        elif login is None:
            unresolved.append(f"{person} is no GitHub login and no member's e-mail with one")
        else:
            logins.append(login)
    return GitHubParties(tuple(dict.fromkeys(found)), tuple(dict.fromkeys(logins)),
                         tuple(dict.fromkeys(unresolved)), tuple(fallback))


def merge(parts: Iterable[GitHubParties]) -> GitHubParties:
    """Several parties as one (their union, in order)."""
    teams: dict[GitHubTeam, None] = {}
    logins: dict[str, None] = {}
    unresolved: dict[str, None] = {}
    fallback: dict[tuple[str, tuple[str, ...]], None] = {}
    for part in parts:
        teams.update(dict.fromkeys(part.teams))
        logins.update(dict.fromkeys(part.logins))
        unresolved.update(dict.fromkeys(part.unresolved))
        fallback.update(dict.fromkeys(part.fallback))
    return GitHubParties(tuple(teams), tuple(logins), tuple(unresolved), tuple(fallback))
