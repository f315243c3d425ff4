"""Who a role's people are can change without the config changing: through the members.

`roles: {change-manager: [thomas.richter]}` names a member by login or e-mail, so a pull
request that adds a look-alike member, or edits the e-mail or GitHub login of a holder, moves
the role (to nobody when it makes the name ambiguous, or to another login) although
`.itsmctl.yaml` is untouched. Who holds a role decides approvals and CODEOWNERS, so such a
change is governance, like a change of the mapping itself: each role of BASE's and HEAD's
mapping is resolved to its people under BASE's and HEAD's members, and a role whose people
differ is a `role-holders-changed` change of the `Roles` pseudo-entity, for the change
process owner (BASE's and HEAD's, as for config changes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from itsmctl.catalog import Catalog
from itsmctl.diff.classes import impact_of
from itsmctl.diff.result import Classified, EntityChange
from itsmctl.members import MemberIndex
from itsmctl.parties import resolve_party
from itsmctl.visible import first_of

ROLE_HOLDERS_CHANGED = "role-holders-changed"
Roles = Mapping[str, Sequence[str]]


def _people(role: str, roles: Roles, catalog: Catalog, index: MemberIndex) -> tuple[str, ...]:
    """The people a role names, each as the member it resolves to (e-mail and login)."""
    teams = {t.name for t in catalog.of_kind("Team")}
    out = []
    for person in resolve_party(f"role:{role}", roles, teams).people:
        match = index.match(person)
        if match.ambiguous:
            out.append(f"{person} (ambiguous: "
                       f"{first_of([m.email or m.github for m in match.candidates], 6)})")
        elif match.member is not None:
            member = match.member
            out.append(f"{person} ({', '.join(v for v in (member.email, match.github) if v)})")
        else:
            out.append(f"{person} (no member)")
    return tuple(sorted(out))


def role_holder_changes(base: Catalog, head: Catalog, base_roles: Roles, head_roles: Roles,
                        label: str) -> tuple[EntityChange, ...]:
    """The `Roles` pseudo-entity change when a role's people differ between the members of
    BASE and HEAD under either side's mapping; () when none does."""
    indexes = (MemberIndex.of(base), MemberIndex.of(head))
    impacts: list[Classified] = []
    name = label or "(config)"
    for role in sorted(set(base_roles) | set(head_roles)):
        sides = [base_roles] + ([head_roles] if head_roles != base_roles else [])
        for roles in (r for r in sides if role in r):
            before = _people(role, roles, base, indexes[0])
            after = _people(role, roles, head, indexes[1])
            if before != after:
                impacts.append(Classified(
                    ROLE_HOLDERS_CHANGED, impact_of(ROLE_HOLDERS_CHANGED),
                    f"role:{role} names {'; '.join(before) or 'nobody'} at BASE and"
                    f" {'; '.join(after) or 'nobody'} at HEAD", f"Roles:{name}"))
                break
    if not impacts:
        return ()
    return (EntityChange("Roles", name, "modified", label, base_file=label,
                         impacts=tuple(impacts)),)
