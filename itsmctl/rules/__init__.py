"""Importing this package registers every built-in rule (see `registry.py`).

`all_rules` and `get_rule` live here, not in `registry.py`: they need every rule module
imported, which only this package does, so the registry never imports its own package.
"""

from collections.abc import Iterable

from itsmctl.rules import (  # noqa: F401  (each module registers its rules on import)
    agreements,
    builtin,
    calendars,
    change_models,
    dependencies,
    kpis,
    lifecycle,
    people,
    policy_waivers,
    process_escalation,
    process_matrix,
    processes,
    raci,
    references,
    reviews,
    roles,
    schema,
    security,
    service_catalog,
    services,
    slas,
    support_hours,
    teams,
)
from itsmctl.rules.registry import REGISTRY, Rule, RuleContext, sorted_rules


def all_rules(extra: Iterable[Rule] = ()) -> list[Rule]:
    """The built-in rules, plus `extra` ones (a catalog's policies) for this call only.

    Custom rules belong to one catalog's config: they never enter REGISTRY, so nothing leaks
    into the next catalog checked in the same process.
    """
    return sorted_rules({**REGISTRY, **{rule.id: rule for rule in extra}}.values())


def get_rule(rule_id: str) -> Rule | None:
    return REGISTRY.get(rule_id)


__all__ = ["REGISTRY", "Rule", "RuleContext", "all_rules", "get_rule"]
