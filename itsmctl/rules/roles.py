"""Roles that RACI matrices and change models name must say who holds them."""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.parties import BUILTIN_ROLES, role_name
from itsmctl.references import PARTY
from itsmctl.rules.registry import RuleContext, catalog_rule


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
