"""Built-in rules about a catalog's own policies (the policies themselves are in itsmctl.policy)."""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.model import list_of_dicts
from itsmctl.rules.registry import RuleContext, catalog_rule


@catalog_rule("waiver-approver-required", Severity.ERROR, category="waiver")
def approver_required(context: RuleContext) -> Iterable[Finding]:
    """A waiver of a policy (custom) rule does not name its approver.

    A policy is the organisation's own governance; an exception to it is a risk someone must
    accept by name, so `approver` (e.g. the e-mail of the service owner's manager) is required
    next to `reason` and `expires`. The waiver still suppresses the policy's finding, but this
    error fails the run until an approver is named. Built-in rules keep `approver` optional;
    set this rule to `off` in the config to make it optional for policies too.
    """
    for entity in context.catalog:
        for index, waiver in list_of_dicts(entity.metadata.get("waivers")):
            rule = context.rules.get(str(waiver.get("rule", "")))
            if rule is not None and rule.category == "policy" and not waiver.get("approver"):
                yield context.emit(
                    entity, f"waiver of policy {rule.id!r} names no approver",
                    ("metadata", "waivers", index),
                    "add `approver:` with who accepted the risk, e.g. an e-mail address")
