"""Importing this package registers every built-in rule (see `registry.py`)."""

from itsmctl.rules import (  # noqa: F401  (each module registers its rules on import)
    builtin,
    calendars,
    change_models,
    dependencies,
    kpis,
    policy,
    process_escalation,
    process_matrix,
    processes,
    raci,
    references,
    reviews,
    roles,
    schema,
    service_catalog,
    services,
    slas,
    teams,
)
from itsmctl.rules.registry import REGISTRY, Rule, RuleContext, all_rules, get_rule

__all__ = ["REGISTRY", "Rule", "RuleContext", "all_rules", "get_rule"]
