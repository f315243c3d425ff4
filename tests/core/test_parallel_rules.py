"""Rules run on every core give exactly what one process gives: the same findings, lines,
order, waivers and caps (`validate -f json` byte for byte), however the rules are shared out."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsmctl import parallelrules
from itsmctl.catalog import Catalog
from itsmctl.findings import Finding, Severity
from itsmctl.loader import ParseMemo, load_directory
from itsmctl.model import Entity
from itsmctl.rules import all_rules
from itsmctl.rules.registry import Rule, RuleContext
from itsmctl.runcontext import resolve_context
from tests.conftest import EXAMPLES, TODAY, Invoke
from tests.generated import generated_catalog

WAIVERS = """  waivers:
  - {rule: review-overdue, reason: reviewed by hand, approver: a@example.com, expires: 2027-06-30}
  - {rule: sla-expired, reason: renewal signed, approver: a@example.com, expires: 2027-06-30}
  - {rule: team-has-members, reason: never fires, approver: a@example.com, expires: 2027-06-30}
  - {rule: dependency-on-retired, reason: too late, approver: a@example.com, expires: 2026-01-31}
"""


def break_catalog(root: Path) -> None:
    """Break a generated catalog in every way the rules see: YAML errors (syntax, a tab, an
    empty file) that references point into, schema errors, unresolved and wrong references,
    duplicate names, retired dependencies, stale reviews, expired and unachievable SLAs,
    waivers (used, unused, expired), and one document with enough findings to be capped."""
    services = sorted((root / "services").glob("*.yaml"))
    for number, path in enumerate(services):
        text = path.read_text(encoding="utf-8")
        match number % 11:
            case 0:
                text += "spec: [unclosed\n"
            case 1:
                text = text.replace("  tier: 1", "  tier: one").replace("  tier: 2", "  tier: two")
            case 2:
                text = text.replace("lifecycle: operational", "lifecycle: retired")
            case 3:
                text = text.replace("  owner: ", "  owner: service:", 1)
            case 4:
                text = text.replace("lastReviewed: '2026-", "lastReviewed: '2020-")
            case 5:
                (root / "services" / f"zz-copy-{path.name}").write_text(text, encoding="utf-8")
            case 6:
                text = text.replace("lastReviewed: '2026-", "lastReviewed: '2020-").replace(
                    "metadata:\n", "metadata:\n" + WAIVERS, 1)
            case 7:
                text = "\tname: tabbed\n" + text
            case 8:
                text = ""
            case 9:
                text = text.replace("  sla: ", "  sla: no-such-", 1)
        path.write_text(text, encoding="utf-8")
    crowded = services[10]  # 150 dangling dependencies in one document: capped at 100
    text = crowded.read_text(encoding="utf-8")
    many = ", ".join(f"{{service: gone-{i:03d}}}" for i in range(150))
    crowded.write_text(text.replace("spec:\n", f"spec:\n  dependencies: [{many}]\n", 1)
                       .replace("\n  dependencies:\n", "\n  formerDependencies:\n"),
                       encoding="utf-8")
    for number, path in enumerate(sorted((root / "slas").glob("*.yaml"))):
        text = path.read_text(encoding="utf-8")
        if number % 5 == 0:
            text = re.sub(r"availability: 99\.\d+", "availability: 90.0", text)
        elif number % 5 == 1:
            text = text.replace("until: '2027-12-31'", "until: '2026-01-31'")
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parallel-rules") / "catalog"
    generated_catalog(root, 80)
    break_catalog(root)
    return root


def _validate(invoke: Invoke, root: Path, monkeypatch: pytest.MonkeyPatch,
              workers: int) -> tuple[str, int]:
    """`validate -f json` with the rules in `workers` processes; how many were forked."""
    started: list[int] = []
    start = parallelrules._start

    def counted(*args: object) -> bool:
        started.append(1)
        return start(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(parallelrules, "worker_count", lambda catalog, requested=None: workers)
    monkeypatch.setattr(parallelrules, "_start", counted)
    result = invoke("validate", root, "-f", "json", "--no-cache", "--today", TODAY.isoformat())
    return result.output, len(started)


@pytest.mark.parametrize("where", ["examples", "broken"])
def test_parallel_validate_equals_one_process(where: str, broken: Path, invoke: Invoke,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = EXAMPLES if where == "examples" else broken
    alone, forked = _validate(invoke, root, monkeypatch, 1)
    assert forked == 0
    if where == "broken":  # the catalog breaks what it means to
        for rule in ("yaml-syntax", "schema", "ref-unresolved", "ref-into-broken-file",
                     "duplicate-name", "dependency-on-retired", "review-overdue",
                     "sla-expired", "sla-availability-achievable", "waiver-unused",
                     "waiver-expired", "more ref-unresolved findings in this document"):
            assert rule in alone
        assert '"waiver": {' in alone
    for workers in (2, 3):
        shared, forked = _validate(invoke, root, monkeypatch, workers)
        assert forked >= 1
        assert shared == alone, f"{workers} processes"


def _context(root: Path) -> tuple[RuleContext, list[Rule]]:
    context = resolve_context(root, today=TODAY)
    loaded = load_directory(context.root, context.config, context.label, ParseMemo(None))
    rules = all_rules(context.policies.rules_on(TODAY))
    return RuleContext(loaded.catalog, TODAY, {r.id: r for r in rules}, context.config), rules


@dataclass(frozen=True)
class Loaded:
    context: RuleContext = field(repr=False)
    rules: list[Rule] = field(repr=False)
    alone: list[Finding] = field(repr=False)
    """The rules' raw findings in one process."""


@pytest.fixture(scope="module")
def loaded(broken: Path) -> Loaded:
    context, rules = _context(broken)
    return Loaded(context, rules, parallelrules.run_rules(context, rules, workers=1))


@pytest.mark.slow
@given(data=st.data())
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_sharing_of_the_rules_merges_to_one_process_order(
        loaded: Loaded, data: st.DataObject) -> None:
    """However many processes, however each rule is split by entity ranges and whoever runs
    each part, the merged raw findings are one process's, in its order."""
    context, rules, alone = loaded.context, loaded.rules, loaded.alone
    assert len(alone) > 250
    workers = data.draw(st.integers(1, 4), label="workers")
    tasks = [parallelrules.Task(i, part, parts) for i, rule in enumerate(rules)
             for parts in [data.draw(st.integers(1, 3)) if rule.entity_check else 1]
             for part in range(parts)]
    owner = data.draw(st.lists(st.integers(0, workers - 1), min_size=len(tasks),
                               max_size=len(tasks)), label="owners")
    shares: list[list[parallelrules.Task]] = [[] for _ in range(workers)]
    for task, who in zip(tasks, owner, strict=True):
        shares[who].append(task)
    found = parallelrules._parallel(context, rules, shares)
    merged = [f for task in sorted(found, key=lambda t: (t.rule, t.part)) for f in found[task]]
    assert merged == alone
    planned = parallelrules.run_rules(context, rules, workers=workers)
    assert planned == alone


def _dies_in_a_worker(parent: int) -> Rule:
    def check(entity: Entity, context: RuleContext) -> Iterator[Finding]:
        if os.getpid() != parent:
            os._exit(3)  # a worker killed mid-share (memory, a signal)
        yield context.emit(entity, f"seen {entity.name}")

    return Rule("test-seen", Severity.INFO, "policy", "Seen.", "", ("Team",), entity_check=check)


def test_a_worker_that_dies_leaves_its_share_to_this_process(loaded: Loaded) -> None:
    context = loaded.context
    rules = [_dies_in_a_worker(os.getpid()), *loaded.rules]
    alone = parallelrules.run_rules(context, rules, workers=1)
    shares: list[list[parallelrules.Task]] = [
        [parallelrules.Task(i) for i in range(1, len(rules))], [parallelrules.Task(0)]]
    found = parallelrules._parallel(context, rules, shares)
    merged = [f for task in sorted(found, key=lambda t: (t.rule, t.part)) for f in found[task]]
    assert merged == alone
    assert sum(1 for f in alone if f.rule == "test-seen") == len(context.catalog.of_kind("Team"))


def test_small_catalogs_stay_in_one_process(loaded: Loaded) -> None:
    context, _ = _context(EXAMPLES)
    assert parallelrules.worker_count(context.catalog) == 1
    big = loaded.context.catalog
    assert len(big) < parallelrules.MIN_ENTITIES  # 80 services: one process too
    assert parallelrules.worker_count(big) == 1


def test_every_rule_names_the_indexes_it_builds(loaded: Loaded,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan keeps rules that build an index together, so a rule that builds one it does
    not name makes a second process build it again (role-holder-ambiguous built the
    references in a worker that the parent had built too). Each rule, run alone on a fresh
    copy of the catalog, builds only the indexes its COSTS entry names."""
    built: set[str] = set()
    derived, resolved = Catalog.derived, Catalog.resolved_dependencies

    def noted_derived(self: Catalog, name: str, entity: Entity, compute: Any) -> Any:
        built.add(name)
        return derived(self, name, entity, compute)

    def noted_resolved(self: Catalog, service: Entity) -> Any:
        built.add(parallelrules.DEPENDENCIES)
        return resolved(self, service)

    monkeypatch.setattr(Catalog, "derived", noted_derived)
    monkeypatch.setattr(Catalog, "resolved_dependencies", noted_resolved)
    source = loaded.context.catalog
    unnamed: dict[str, list[str]] = {}
    for rule in loaded.rules:
        catalog = Catalog(unparsed=dict(source.unparsed))
        for entity in [*source.entities, *(e for copies in source.duplicates.values()
                                           for e in copies)]:
            catalog.add(entity)
        built.clear()
        list(rule.run(replace(loaded.context, catalog=catalog)))
        if "references" in vars(catalog):
            built.add(parallelrules.REFERENCES)
        named = parallelrules.COSTS.get(rule.id, parallelrules.DEFAULT_COST)[1]
        if built - named:
            unnamed[rule.id] = sorted(built - named)
    assert unnamed == {}
    assert loaded.context.catalog is source  # the fixture's catalog was not touched
