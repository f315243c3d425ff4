"""Which Team member a person named in a party is: the one matcher every resolver uses.

A role holder or RACI party written as a person (`thomas.richter`, `jane@corp.example`,
`jdoe`) gives approvals, CODEOWNERS and the site's people page a GitHub login and a name, so
the three must agree on whom it means, and no pull request may change that silently by
adding a look-alike member. A person matches a member by the full e-mail, or else by GitHub
login or the e-mail's part before the @; it is resolved only when every match is one person
(the same e-mail and login wherever listed). Two people who match make it ambiguous, never
the first in catalog order: `validate` reports that (`role-holder-ambiguous`). Display names
are never matched: anybody can write any name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from itsmctl.catalog import Catalog
from itsmctl.model import Entity, list_of_dicts


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class Member:
    """One `members[]` entry of a Team, where it is written (`index` in the list)."""

    team: Entity
    index: int
    name: str
    email: str
    github: str

    @property
    def path(self) -> tuple[str | int, ...]:
        return ("spec", "members", self.index)


def catalog_members(catalog: Catalog) -> tuple[Member, ...]:
    """Every member of every Team, in catalog order."""
    return tuple(Member(team, index, _text(m.get("name")), _text(m.get("email")),
                        _text(m.get("github")))
                 for team in catalog.of_kind("Team")
                 for index, m in list_of_dicts(team.get("spec", "members")))


@dataclass(frozen=True)
class Match:
    """The members a person's name matched; `member` is set only when they are one person."""

    person: str
    candidates: tuple[Member, ...] = ()

    @property
    def ambiguous(self) -> bool:
        emails = {m.email.lower() for m in self.candidates} - {""}
        logins = {m.github.lower() for m in self.candidates} - {""}
        return len(emails) > 1 or len(logins) > 1

    @property
    def member(self) -> Member | None:
        """The matched member (the first listing of the one person), None if ambiguous."""
        return self.candidates[0] if self.candidates and not self.ambiguous else None

    @property
    def github(self) -> str:
        """The one person's GitHub login as written wherever listed ("" when none)."""
        if self.ambiguous:
            return ""
        return next((m.github for m in self.candidates if m.github), "")


class MemberIndex:
    """The catalog's members by full e-mail, login and e-mail local part (lower case)."""

    def __init__(self, members: Iterable[Member]) -> None:
        self.members = tuple(members)
        self._email: dict[str, list[Member]] = {}
        self._loose: dict[str, list[Member]] = {}  # login or e-mail local part
        for member in self.members:
            if member.email:
                self._email.setdefault(member.email.lower(), []).append(member)
                local = member.email.partition("@")[0].lower()
                if local:
                    self._loose.setdefault(local, []).append(member)
            if member.github and member.github.lower() != (
                    member.email.partition("@")[0].lower() if member.email else None):
                self._loose.setdefault(member.github.lower(), []).append(member)

    @classmethod
    def of(cls, catalog: Catalog) -> MemberIndex:
        return cls(catalog_members(catalog))

    def match(self, person: str) -> Match:
        """The members `person` names: by full e-mail when it has an @, else by login or
        e-mail local part (all such members, so a look-alike makes it ambiguous)."""
        wanted = person.strip().lower()
        if not wanted:
            return Match(person)
        found: Sequence[Member] = (self._email.get(wanted, []) if "@" in wanted
                                   else self._loose.get(wanted, []))
        return Match(person, tuple(found))
