"""Importing this package registers every built-in rule (see `registry.py`)."""

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
from itsmctl.rules.registry import REGISTRY, Rule, RuleContext, all_rules, get_rule

__all__ = ["REGISTRY", "Rule", "RuleContext", "all_rules", "get_rule"]
