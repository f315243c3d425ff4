"""People: who stands behind the teams and roles the catalog names.

Roles are resolved by `itsmctl.parties.resolve_party` through the config's `roles` mapping,
the one resolver approvals and CODEOWNERS use, so a page names the same people an approval
check would ask. A person is a member of a Team (name, e-mail, GitHub login), or a holder
named in the roles mapping that no team lists (then only the name as written is known).
A holder is matched to a member by `itsmctl.members.MemberIndex`, the matcher approvals and
CODEOWNERS use too: full e-mail, else GitHub login or the e-mail's part before the @, and only
when that is one person (a holder two members match is shown as written, linked to nobody).
Display names are never matched: any member may be called anything.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from itsmctl.members import Match, MemberIndex
from itsmctl.model import Entity, Ref, list_of_dicts
from itsmctl.parties import Parties, resolve_party
from itsmctl.references import parse_ref
from itsmctl.site.pagemodel import Page, as_dict, text
from itsmctl.site.paths import Link
from itsmctl.visible import first_of

if TYPE_CHECKING:
    from itsmctl.site.context import SiteInput

PEOPLE_PAGE = "people.html"
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(eq=False)
class Person:
    """One person, with every team they belong to and what they hold or answer for."""

    key: str
    name: str
    email: str = ""
    github: str = ""
    anchor: str = ""
    teams: list[tuple[str, Link, str]] = field(default_factory=list)  # name, page, role in it
    roles: list[str] = field(default_factory=list)
    ambiguous: str = ""  # a holder several members match: the first of them, counted
    # why -> what, each link once in first-seen order (a dict, so a team owning N services
    # costs N look-ups, not N²/2 list comparisons)
    accountable: dict[str, dict[Link, None]] = field(default_factory=dict)

    def answer_for(self, why: str, what: Link) -> None:
        self.accountable.setdefault(why, {}).setdefault(what, None)

    @property
    def names(self) -> set[str]:
        """What other `members[]` entries of this person may be keyed by (lower case). Not
        the display name, which anybody may write; holders are matched by MemberIndex."""
        out = {self.key.lower()}
        if self.github:
            out.add(self.github.lower())
        if self.email:
            out |= {self.email.lower(), self.email.partition("@")[0].lower()}
        return out - {""}

    @property
    def link(self) -> Link:
        """The person's entry on the people page (plain text for one it does not list)."""
        return Link(self.name, f"{PEOPLE_PAGE}#{self.anchor}" if self.anchor else None)


@dataclass(frozen=True)
class Holders:
    """A party as written, and the teams and people it resolves to."""

    party: str
    teams: tuple[tuple[str, Link], ...]
    people: tuple[Person, ...]
    unresolved: tuple[str, ...]


class Directory:
    """Every person of the catalog, and the resolution of parties to teams and people."""

    def __init__(self, site: SiteInput) -> None:
        self.site = site
        self.team_names = {t.name for t in site.catalog.of_kind("Team")}
        self.people: dict[str, Person] = {}
        self._by_name: dict[str, Person] = {}
        self._anchors = _Anchors()
        self._members: dict[str, list[Person]] = {}
        self._listed: dict[str, set[Person]] = {}  # team -> its members, beside the list
        self._others: dict[str, Person] = {}  # named at another side only (holders_at)
        self._index = MemberIndex.of(site.catalog)
        self._holders: dict[str, Person] = {}  # holders that match no one member
        # what `holders` and `raci_roles` made, once per directory: every service page of a
        # RACI's scope, the RACI's page and the people page read the same rows (read only)
        self._resolved: dict[tuple[str, str | None], Holders] = {}
        self._raci_rows: dict[tuple[int, str], tuple[Entity, list[dict[str, Any]]]] = {}
        for team in site.catalog.of_kind("Team"):
            for _, member in list_of_dicts(team.get("spec", "members")):
                self._member(team, member)
        for role in sorted(site.config.roles):
            held = self.resolve(f"role:{role}")
            for who in held.people:
                self._find(who).roles.append(role)
            for team_name in held.teams:
                for holder in self.members_of(team_name):
                    holder.roles.append(f"{role} (as a member of {team_name})")

    def _member(self, team: Entity, member: dict[str, Any]) -> None:
        name, email = text(member.get("name")), text(member.get("email"))
        github = text(member.get("github"))
        key = member_key(member)
        if not key:
            return
        person = self._by_name.get(key.lower())
        if person is None:
            person = self.people[key.lower()] = Person(key, name or key, email, github,
                                                       self._anchors.take(key))
        person.email, person.github = person.email or email, person.github or github
        role = text(member.get("role"))
        listed = self._listed.setdefault(team.name, set())
        if person not in listed:
            listed.add(person)
            self._members.setdefault(team.name, []).append(person)
            person.teams.append((team.name, self.site.link_entity(team), role))
        else:  # listed again in the same team: one entry, its roles joined
            person.teams[:] = [(t, link, _join_roles(was, role)) if t == team.name
                               else (t, link, was) for t, link, was in person.teams]
        for alias in person.names:
            self._by_name.setdefault(alias, person)

    def member(self, member: dict[str, Any]) -> Person | None:
        """The person a team's `members[]` entry is (None: it names nobody)."""
        key = member_key(member)
        return self._by_name.get(key.lower()) if key else None

    def _matched(self, who: str) -> Person | None:
        """The listed person a holder names, when it names exactly one (MemberIndex)."""
        found = self._index.match(who).member
        key = (found.email or found.github or found.name) if found is not None else ""
        return self._by_name.get(key.lower()) if key else None

    def _find(self, who: str) -> Person:
        """The person a holder names; a new entry when it names no one listed member."""
        person = self._matched(who)
        if person is None:
            person = self._holders.get(who.lower())
        if person is None:
            person = self._holders[who.lower()] = Person(who, who,
                                                         anchor=self._anchors.take(who))
            match = self._index.match(who)
            if match.ambiguous:
                person.ambiguous = first_of([m.email or m.github for m in match.candidates], 6)
            self.people["\0" + who.lower()] = person  # never a member's key
        return person

    def resolve(self, party: str, service_owner: str | None = None) -> Parties:
        return resolve_party(party, self.site.config.roles, self.team_names, service_owner)

    def holders(self, party: str, service_owner: str | None = None) -> Holders:
        """`party` as links: its teams' pages and its people's entries on the people page.

        Made once per party and owner: the roles, the teams and the people met so far only
        grow while the directory is built, and a person once found is found again."""
        key = (party, service_owner)
        made = self._resolved.get(key)
        if made is None:
            found = self.resolve(party, service_owner)
            teams = tuple((t, self.site.link_ref(Ref("Team", t), t)) for t in found.teams)
            people = tuple(self._find(p) for p in found.people)
            made = self._resolved[key] = Holders(party, teams, people, found.unresolved)
        return made

    def raci_rows(self, raci: Entity, letters: str) -> list[dict[str, Any]] | None:
        """The rows `raci_roles` made for this RACI and letters (None: not made yet)."""
        found = self._raci_rows.get((id(raci), letters))
        return found[1] if found is not None and found[0] is raci else None

    def keep_raci_rows(self, raci: Entity, letters: str,
                       rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Remember `rows` (the entry keeps `raci` alive, so its id is never reused)."""
        self._raci_rows[(id(raci), letters)] = (raci, rows)
        return rows

    def holders_at(self, party: str, roles: Mapping[str, Sequence[str]],
                   teams: Collection[str], service_owner: str | None = None,
                   members: MemberIndex | None = None) -> Holders:
        """`party` resolved through another side's roles, Teams and `members` (BASE's, for
        approvals: a member the change adds or edits holds nothing there), linked to the
        pages where they exist; adds nobody to the people page."""
        found = resolve_party(party, roles, teams, service_owner)
        links = tuple((t, self.site.link_ref(Ref("Team", t), t)
                       if self.site.catalog.get(Ref("Team", t)) is not None
                       else Link(t, None, "not in the rendered catalog")) for t in found.teams)
        index = members if members is not None else self._index
        people: list[Person] = []
        unresolved = dict.fromkeys(found.unresolved)
        for who in found.people:
            match = index.match(who)
            if match.ambiguous:
                unresolved[f"{who} names more than one member: "
                           f"{first_of([m.email or m.github for m in match.candidates], 6)}"] = None
            people.append(self._at_side(who, match))
        return Holders(party, links, tuple(people), tuple(unresolved))

    def _at_side(self, who: str, match: Match) -> Person:
        """The person a holder names among another side's members: the rendered entry when
        it is the same member (same e-mail, login and name), else an entry of that side's
        facts (not linked: the rendered catalog lists that member otherwise or not at all)."""
        member = match.member
        if member is None:
            return self._others.setdefault(who.lower(), Person(who, who))
        key = member.email or member.github or member.name
        here = self._by_name.get(key.lower())
        if (here is not None and here.email.lower() == member.email.lower()
                and here.github.lower() == match.github.lower()
                and here.name == (member.name or key)):
            return here
        return self._others.setdefault("\0" + key.lower(), Person(
            key, member.name or key, member.email, match.github))

    def members_of(self, team: str | None) -> list[Person]:
        return self._members.get(team, []) if team is not None else []

    def sorted_people(self) -> list[Person]:
        return sorted(self.people.values(), key=lambda p: (p.name.lower(), p.key.lower()))


def member_key(member: dict[str, Any]) -> str:
    """A member's identity: e-mail, else GitHub login, else name (as `Directory` keys them)."""
    return (text(member.get("email")) or text(member.get("github"))
            or text(member.get("name"))).strip()


def _join_roles(was: str, role: str) -> str:
    roles = [r for r in was.split(", ") if r]
    return ", ".join(roles + [role]) if role and role not in roles else was


class _Anchors:
    """Unique `person-...` anchors, in the order people are met.

    Keys without ASCII letters or digits (CJK names, say) all slug to `person-x`; a counter
    per base slug continues where the last suffix ended, so N such people cost N steps, not
    N²/2. The taken set still guards a suffix that another key's slug produced (`x-2`).
    """

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next_suffix: dict[str, int] = {}

    def take(self, key: str) -> str:
        base = "person-" + (_SLUG.sub("-", key.lower()).strip("-") or "x")
        anchor = base
        while anchor in self.taken:
            n = self.next_suffix.get(base, 2)
            self.next_suffix[base] = n + 1
            anchor = f"{base}-{n}"
        self.taken.add(anchor)
        return anchor


def owner_of(service: Entity | None) -> str | None:
    """The owner team's name of a service, for `role:service-owner`."""
    owner = service.get("spec", "owner") if service is not None else None
    if not isinstance(owner, str) or not owner:
        return None
    ref = parse_ref(owner, "Team")
    return ref.name if ref is not None else None


def raci_roles(site: SiteInput, directory: Directory, raci: Entity,
               letters: str = "AR") -> list[dict[str, Any]]:
    """Per activity of a RACI, the holders of each letter in `letters`; made once per RACI
    (the directory resolves every RACI, and each service page in its scope shows the rows)."""
    made = directory.raci_rows(raci, letters)
    if made is not None:
        return made
    scope = raci.get("spec", "scope", "service")
    ref = parse_ref(scope, "Service") if isinstance(scope, str) else None
    owner = owner_of(site.catalog.get(ref))
    rows = []
    for _, activity in list_of_dicts(raci.get("spec", "activities")):
        assignments = as_dict(activity.get("assignments"))
        row: dict[str, Any] = {"title": text(activity.get("title")) or text(activity.get("name"))}
        for letter in letters:
            row[letter] = [directory.holders(str(p), owner) for p, v in sorted(assignments.items())
                           if letter in text(v).upper()]
        rows.append(row)
    return directory.keep_raci_rows(raci, letters, rows)


def build_directory(site: SiteInput) -> Directory:
    """The directory with each person's accountability: services their teams own, and
    every RACI activity where they (or a team of theirs) are Accountable."""
    directory = Directory(site)
    for service in site.catalog.of_kind("Service"):
        owner = owner_of(service)
        for person in directory.members_of(owner):
            person.answer_for(f"services of team {owner}, which owns them",
                              site.link_entity(service))
    for raci in site.catalog.of_kind("RACI"):
        # every holder of A and R is resolved here, before pages are built (in workers)
        for row in raci_roles(site, directory, raci):
            for holders in row["A"]:
                why = f"RACI activities where {holders.party} is Accountable"
                people = [p for name, _ in holders.teams for p in directory.members_of(name)]
                for person in dict.fromkeys(people + list(holders.people)):
                    person.answer_for(why, site.link_entity(raci))
    return directory


def people_page(site: SiteInput) -> Page:
    directory = site.directory
    people = directory.sorted_people()
    return Page(PEOPLE_PAGE, "people.html", "People", "People", {"people": people})


def service_people(site: SiteInput, service: Entity) -> dict[str, Any]:
    """The owner team's people and each RACI's Accountable and Responsible, resolved."""
    directory = site.directory
    owner = owner_of(service)
    members = directory.members_of(owner) if owner in directory.team_names else []
    racis = site.referrers_of(service, "RACI", "scope")
    return {"owner_people": [p.link for p in members],
            "accountability": [accountability(site, directory, r) for r in racis]}


def accountability(site: SiteInput, directory: Directory,
                   raci: Entity) -> tuple[Link, list[dict[str, Any]]]:
    """A RACI's link and its Accountable and Responsible rows, one object per RACI: the
    pages in its scope show it, and the renderer writes its table once (`sections.py`)."""
    def make() -> tuple[Link, list[dict[str, Any]]]:
        return site.link_entity(raci), raci_roles(site, directory, raci)
    return site.per_entity("accountability", raci, make)


def person_terms(person: Person) -> list[str]:
    """What search finds a person by, besides the name."""
    return [person.email, person.github, *(name for name, _, _ in person.teams), *person.roles]
