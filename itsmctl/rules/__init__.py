"""Importing this package registers every built-in rule (see `registry.py`)."""

from itsmctl.rules import builtin, references, schema  # noqa: F401
from itsmctl.rules.registry import REGISTRY, Rule, RuleContext, all_rules, get_rule

__all__ = ["REGISTRY", "Rule", "RuleContext", "all_rules", "get_rule"]
