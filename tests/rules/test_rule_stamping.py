"""`Rule.run` stamps each finding with the rule's id and severity: checks never restate them."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Iterator
from datetime import date

from itsmctl.catalog import Catalog
from itsmctl.findings import Finding, Severity
from itsmctl.rules import all_rules
from itsmctl.rules.registry import Rule, RuleContext


def _body_strings(check: object) -> set[str]:
    """String constants of a check's code, its docstring left out."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(check)))  # type: ignore[arg-type]
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    body = function.body[1:] if ast.get_docstring(function) else function.body
    return {n.value for stmt in body for n in ast.walk(stmt)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_no_builtin_check_restates_its_rule_id() -> None:
    for rule in all_rules():
        for check in (rule.entity_check, rule.catalog_check):
            if check is not None and rule.category != "policy":
                assert rule.id not in _body_strings(check), rule.id


def test_run_stamps_id_and_severity_on_what_a_check_yields() -> None:
    def check(context: RuleContext) -> Iterator[Finding]:
        yield Finding("something-else", Severity.INFO, "message", "file.yaml")

    rule = Rule("stamped", Severity.WARNING, "governance", "s.", "d", catalog_check=check)
    context = RuleContext(Catalog(), date(2026, 1, 1))
    [finding] = rule.run(context)
    assert (finding.rule, finding.severity, finding.message) == (
        "stamped", Severity.WARNING, "message")
