"""The audit of every entity-local declaration (`entity_rule(..., local=Local(...))`).

A declared-local rule's findings are memoised per entity (itsmctl/rulememo.py), keyed by the
entity, the rule and what `Local` says it reads: a wrong declaration would serve stale
findings. So each declaration is held to two checks:

- its code: the check, and every function it hands the context to, uses the context only to
  emit, to read the day (when `Local.today`), and the config only as the argument of the very
  function `Local.config` names (whose result is keyed); nothing reaches a catalog;
- its findings: run with a catalog that raises on any access (and, where it reads no config,
  the default config; where it reads no day, another day), it reports for each entity exactly
  what it reports with the real catalog, over examples/, every rule's case files and a
  generated catalog.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import FunctionType
from typing import Any

import pytest

from itsmctl.catalog import Catalog
from itsmctl.config import Config
from itsmctl.loader import LoadResult, load_directory, load_sources
from itsmctl.rulememo import memoised
from itsmctl.rules import all_rules
from itsmctl.rules.registry import Rule, RuleContext
from itsmctl.runcontext import resolve_context
from itsmctl.sources import SourceFile
from tests.conftest import EXAMPLES, TODAY
from tests.generated import generated_catalog
from tests.rules.test_rule_cases import CASES, case_config

LOCAL = [rule for rule in all_rules() if memoised(rule)]
CATALOG_WORDS = {"catalog", "referrers", "references", "rules"}
CLOCK_WORDS = {"today", "now", "clock_today", "utcnow"}  # the day comes from the context only


class NoCatalog(Catalog):
    """A catalog that raises on any access: a local rule never needs one."""

    def __getattribute__(self, name: str) -> Any:
        raise AssertionError(f"an entity-local rule read the catalog ({name})")


# ---- the code ---------------------------------------------------------------------------------

def _function(node: ast.expr, scope: dict[str, Any]) -> Any:
    """The object a call's callee names in `scope` (a name or a dotted module path)."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _function(node.value, scope)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def context_uses(func: FunctionType, param: str, rule: Rule,
                 seen: set[tuple[Any, str]] | None = None) -> list[str]:
    """What `func` does with its context parameter `param` that a local rule may not (empty:
    nothing); functions it passes the context to are audited alike."""
    seen = set() if seen is None else seen
    if (func.__code__, param) in seen:
        return []
    seen.add((func.__code__, param))
    assert rule.local is not None
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    allowed = {"emit", "emit_file"} | ({"today"} if rule.local.today else set())
    problems: list[str] = []
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    where = f"{func.__module__}.{func.__qualname__}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in CATALOG_WORDS:
            problems.append(f"{where}: .{node.attr}")
        if (isinstance(node, ast.Attribute) and node.attr in CLOCK_WORDS and not (
                isinstance(node.value, ast.Name) and node.value.id == param)) or (
                isinstance(node, ast.Name) and node.id in CLOCK_WORDS):
            problems.append(f"{where}: a clock ({ast.unparse(node)})")
        if not (isinstance(node, ast.Name) and node.id == param):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.attr in allowed:
            continue
        if isinstance(parent, ast.Attribute) and parent.attr == "config":
            call = parents.get(parent)
            named = _function(call.func, func.__globals__) if isinstance(call, ast.Call) else None
            if named is not None and named is rule.local.config and call.args == [parent]:
                continue  # `declared(context.config)`: the keyed part, and only it
            problems.append(f"{where}: {param}.config other than through Local.config")
            continue
        if isinstance(parent, ast.Call) and node in parent.args:
            callee = _function(parent.func, func.__globals__)
            if isinstance(callee, FunctionType):
                position = parent.args.index(node)
                names = inspect.signature(callee).parameters
                problems += context_uses(callee, list(names)[position], rule, seen)
                continue
        if isinstance(parent, ast.keyword) and isinstance(parents.get(parent), ast.Call):
            callee = _function(parents[parent].func, func.__globals__)  # type: ignore[attr-defined]
            if isinstance(callee, FunctionType) and parent.arg is not None:
                problems += context_uses(callee, parent.arg, rule, seen)
                continue
        problems.append(f"{where}: {ast.unparse(parent) if parent else param}")
    return problems


def _helper(entity: Any, ctx: RuleContext) -> Any:
    return ctx.catalog.get(entity)


@pytest.mark.parametrize("rule", LOCAL, ids=lambda r: r.id)
def test_a_local_rule_uses_the_context_only_as_declared(rule: Rule) -> None:
    check = rule.entity_check
    assert isinstance(check, FunctionType)
    param = list(inspect.signature(check).parameters)[1]
    assert context_uses(check, param, rule) == []


def test_the_code_audit_finds_what_a_local_rule_may_not_do() -> None:
    """The audit itself: a catalog read, a day or config read not declared, a context handed
    to a helper that reads the catalog, or aliased, are each found."""
    from itsmctl.rules.registry import Local

    def reads(entity: Any, context: RuleContext) -> Any:
        yield context.emit(entity, str(context.today))
        yield _helper(entity, context)
        alias = context
        yield alias, context.config.roles

    rule = Rule("x", all_rules()[0].severity, "governance", "", "", ("Team",),
                entity_check=reads, local=Local(today=False))
    problems = "\n".join(context_uses(reads, "context", rule))
    for expected in ("context.today", "_helper: .catalog", "alias = context",
                     "context.config other"):
        assert expected in problems, problems


# ---- the findings -----------------------------------------------------------------------------

def _catalogs(tmp: Path) -> list[tuple[str, LoadResult, Config]]:
    out = []
    generated_catalog(tmp / "generated", 40)
    for name, root in (("examples", EXAMPLES), ("generated", tmp / "generated")):
        context = resolve_context(root, today=TODAY)
        out.append((name, load_directory(context.root, context.config, context.label),
                    context.config))
    for path in sorted(CASES.glob("*/*/*.yaml")):
        config = case_config(path)
        source = SourceFile(rel=path.name, label=path.name, data=path.read_bytes())
        out.append((str(path.relative_to(CASES)), load_sources([source], config.limits), config))
    return out


def test_local_rules_report_the_same_without_a_catalog(tmp_path: Path) -> None:
    assert {"schema", "timezone-valid", "security-review-current"} <= {r.id for r in LOCAL}
    fired: set[str] = set()
    for name, loaded, config in _catalogs(tmp_path):
        real = RuleContext(loaded.catalog, TODAY, {}, config)
        for rule in LOCAL:
            assert rule.local is not None
            bare = replace(real, catalog=NoCatalog(), rule=rule)
            if rule.local.config is None:
                bare = replace(bare, config=replace(Config(), limits=config.limits))
            if not rule.local.today:
                bare = replace(bare, today=date(1999, 1, 1))
            for kind in rule.kinds:
                for entity in loaded.catalog.of_kind(kind):
                    expected = rule.run_on(entity, replace(real, rule=rule))
                    assert rule.run_on(entity, bare) == expected, (name, rule.id, entity.ref)
                    fired |= {f.rule for f in expected}
    # the comparison saw findings of (nearly) every local rule, not only silence
    assert len(fired) >= len(LOCAL) - 2, sorted({r.id for r in LOCAL} - fired)
