"""Roles that RACI matrices and change models name must say who holds them."""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.limits import DEFAULT_LIMITS
from itsmctl.locate import Locator
from itsmctl.members import Member, MemberIndex
from itsmctl.parties import BUILTIN_ROLES, resolve_party, role_name
from itsmctl.references import PARTY
from itsmctl.rules.registry import RuleContext, catalog_rule
from itsmctl.visible import first_of

_SHOWN = 6  # candidates named in the message; the count says how many there are


@catalog_rule("role-unmapped", Severity.WARNING)
def role_unmapped(context: RuleContext) -> Iterable[Finding]:
    """A role is used as a party but the config's `roles` mapping does not say who holds it.

    `role:change-manager` in a RACI matrix or a change model's approvers is a name only until
    the config maps it to teams or people. Without the mapping nobody can be asked for the
    approval the role gives: `itsmctl check --require-approvals` fails the pull request for
    lack of an approver, and CODEOWNERS cannot name an owner.

    Reported once per entity and role, at its first use. The built-in role `service-owner`
    (the owner team of the service concerned) needs no mapping. Fix it by mapping the role
    in `.itsmctl.yaml`, e.g. `roles: {change-manager: [team:change-advisory-board]}`.

    PASS: `roles: {incident-manager: [team:service-desk]}` with `role:incident-manager: A`.
    FAIL: `role:incident-manager: A` and no `incident-manager` under `roles`.
    """
    mapped = context.config.roles
    seen: set[tuple[str, str]] = set()
    for reference in context.catalog.references:
        name = role_name(reference.text) if reference.expected == PARTY else None
        if name is None or name in mapped or name in BUILTIN_ROLES:
            continue
        key = (str(reference.source.ref), name)
        if key in seen:
            continue
        seen.add(key)
        yield context.emit(
            reference.source, f"role:{name} is not mapped to anyone in the config's roles",
            reference.path, f"map it in .itsmctl.yaml, e.g. roles: {{{name}: [team:<team>]}}")


@catalog_rule("role-holder-ambiguous", Severity.ERROR)
def role_holder_ambiguous(context: RuleContext) -> Iterable[Finding]:
    """A role holder written as a name matches more than one Team member.

    `roles: {change-manager: [thomas.richter]}` means the member whose GitHub login or
    e-mail's part before the @ is `thomas.richter`. When two members match (another team
    lists `thomas.richter@elsewhere.example`, or gives that login to someone else), nobody
    can tell who approves: approvals and CODEOWNERS take neither of them, and a pull request
    that adds such a member would otherwise hand the role to its author. Display names are
    never matched.

    A RACI party or change model approver written as a person (`thomas.richter: A`) is held
    to the same test, and reported at that party.

    Reported at the holder in the config, naming every matching member. Fix it by writing
    the holder's full e-mail or `user:<github-login>`, or by correcting the member.

    PASS: `change-manager: [thomas.richter@larkspur.example]` with two thomas.richter members.
    FAIL: `change-manager: [thomas.richter]` with `thomas.richter@larkspur.example` and
    `thomas.richter@evil.example` listed in two teams.
    """
    roles = context.config.roles
    index = MemberIndex.of(context.catalog)
    teams = {t.name for t in context.catalog.of_kind("Team")}
    source, locator = context.config.source, Locator(DEFAULT_LIMITS)
    for reference in context.catalog.references:
        if reference.expected != PARTY:
            continue
        for person in resolve_party(reference.text, {}, teams).people:
            match = index.match(person)
            if match.ambiguous:
                where = first_of([f"{_member_at(locator, m)} ({m.email or m.github})"
                                  for m in match.candidates], _SHOWN)
                yield context.emit(
                    reference.source, f"{reference.text} matches {len(match.candidates)}"
                    f" members who are not one person: {where}", reference.path,
                    "write the party's full e-mail or user:<github-login>")
    for role, holders in roles.items():
        for position, holder in enumerate(holders):
            for person in resolve_party(holder, {}, teams).people:
                match = index.match(person)
                if not match.ambiguous:
                    continue
                line = (locator.position(source, 0, ("roles", role, position))[0]
                        if source is not None else None)
                where = first_of([f"{_member_at(locator, m)} ({m.email or m.github})"
                                  for m in match.candidates], _SHOWN)
                yield context.emit_file(
                    source.label if source is not None else context.config.file,
                    f"roles.{role}: {holder} matches {len(match.candidates)} members who are"
                    f" not one person: {where}",
                    "write the holder's full e-mail or user:<github-login>", line or 1)


def _member_at(locator: Locator, member: Member) -> str:
    """`file:line` of a team's `members[]` entry."""
    document = member.team.document
    line, _ = locator.position(document.source, document.index, member.path)
    return f"{member.team.file}:{line or member.team.line}"
