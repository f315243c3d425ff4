"""Governance rules never crash, whatever shape the data has: bad data is the schema's finding.

Random catalogs use the field names and values the rules look at, at random places and with
random types, and go through the real pipeline (YAML text in, located findings out).
"""

from __future__ import annotations

import copy as copy_module
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsmctl.catalog import Catalog
from itsmctl.config import Config
from itsmctl.limits import Limits
from itsmctl.loader import load_sources
from itsmctl.model import KINDS, Entity
from itsmctl.rules import RuleContext, all_rules
from itsmctl.sources import SourceFile
from itsmctl.validate import check_loaded
from itsmctl.yamlload import Document, parse_source

KEYS = ("owner", "lifecycle", "tier", "dependencies", "service", "type", "sla", "supportCalendar",
        "links", "runbook", "review", "lastReviewed", "interval", "availability", "targets",
        "priority", "response", "resolution", "serviceCredits", "below", "credit", "effective",
        "from", "until", "measurement", "timezone", "weeklyHours", "monday", "start", "end",
        "approvals", "cab", "approvers", "retrospective", "postImplementationReview",
        "required", "templates", "risk", "reviewBy", "blackoutWindows", "categories",
        "offerings", "name", "activities", "assignments", "scope", "members")
WORDS = ("a", "b", "c", "operational", "retiring", "retired", "design", "hard", "soft", "P1",
         "P2", "P4", "15m", "1h30m", "2w", "08:00", "24:00", "2026-01-01", "2027-02-30",
         "emergency", "normal", "standard", "low", "high", "UC", "SLA", "A", "RA", "R", "C",
         "team:a", "role:x", "service:b", "Europe/Berlin", "Mars/Olympus", "")

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 200),
                    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(WORDS))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS + WORDS), inner,
                                                 max_size=5)), max_leaves=10)
entities = st.fixed_dictionaries({
    "apiVersion": st.just("itsmctl.io/v1"),
    "kind": st.sampled_from(KINDS),
    "metadata": st.fixed_dictionaries({"name": st.sampled_from(("a", "b", "c"))}),
    "spec": st.dictionaries(st.sampled_from(KEYS), values, max_size=6),
})


@pytest.mark.slow
@settings(max_examples=60, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entities, min_size=1, max_size=4))
def test_rules_survive_any_shape(documents: list[dict[str, Any]]) -> None:
    text = yaml.safe_dump_all(documents, sort_keys=False)
    source = SourceFile(rel="random.yaml", label="random.yaml", data=text.encode())
    config = Config()
    result = check_loaded(load_sources([source], config.limits), config, today=date(2026, 11, 23))
    for finding in result.findings:
        assert finding.line is not None, finding


CASES = Path(__file__).parent / "cases"
WRONG = ("x", float("inf"), [None], {7: "RA", 8: "A", "x": None})  # and None (missing) everywhere


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path below `at` (containers and leaves)."""
    out = [at] if at else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, at + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, at + (index,))
    return out


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = copy_module.deepcopy(node)
    parent = copy
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return copy


def _catalog(documents: list[dict[str, Any]], source: SourceFile) -> Catalog:
    catalog = Catalog()
    for index, data in enumerate(documents):
        spec = data["spec"] if isinstance(data["spec"], dict) else {}
        catalog.add(Entity(data["kind"], data["metadata"]["name"], data["metadata"], spec,
                           Document(source, index, 1, data)))
    return catalog


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(CASES.glob("*/*/*.yaml")),
                         ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.name}")
def test_rules_survive_every_wrong_type_in_the_cases(path: Path) -> None:
    """Each value of each case's spec, replaced by null and by a wrong type (in rotation)."""
    source = SourceFile(rel=path.name, label=path.name, data=path.read_bytes())
    documents = [d.data for d in parse_source(source, Limits()).documents]
    rules = [r for r in all_rules() if r.category == "governance"]
    for index, document in enumerate(documents):
        for number, spot in enumerate(_paths(document["spec"], ("spec",))):
            for wrong in (None, WRONG[number % len(WRONG)]):
                mutated = list(documents)
                mutated[index] = _replace(document, spot, wrong)
                context = RuleContext(_catalog(mutated, source), date(2026, 11, 23))
                for rule in rules:
                    list(rule.run(context))
