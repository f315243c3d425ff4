"""Scorecards: levels, what a service lacks, `itsmctl score` in every format, level changes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from itsmctl.catalog import Catalog
from itsmctl.findings import Finding, Severity, Waiver
from itsmctl.policy import Scorecard, level_changes, score_catalog
from itsmctl.policy.scorecard import Level
from itsmctl.policy.selector import parse_selector
from itsmctl.validate import validate_path
from tests.conftest import Invoke, run_cli

Make = Callable[..., Path]
CARD = Scorecard("maturity", "Maturity", parse_selector({"kind": "Service"}), (
    Level("bronze", ("a", "b")), Level("silver", ("c",)), Level("gold", ("d", "e"))))


@pytest.fixture(scope="module")
def example_catalog() -> Catalog:
    return validate_path(Path(__file__).parents[2] / "examples", today=date(2026, 11, 23)).catalog


def fail(entity: str, rule: str, waived: bool = False) -> Finding:
    waiver = Waiver(rule, "because", "2027-01-01", "x@example.com") if waived else None
    return Finding(rule, Severity.ERROR, "m", "f.yaml", entity=f"Service:{entity}",
                   waived_by=waiver)


def levels(catalog: Catalog, findings: list[Finding]) -> dict[str, tuple[object, ...]]:
    (result,) = score_catalog(catalog, findings, [CARD]).scorecards
    return {s.name: (s.level, s.next_level, s.missing, s.waived) for s in result.services}


def test_levels_are_cumulative_and_say_what_is_missing(example_catalog: Catalog) -> None:
    got = levels(example_catalog, [
        fail("checkout", "d"), fail("checkout", "e"),
        fail("storefront", "c"),
        fail("inventory", "a"),                         # fails bronze: gold rules do not help
        fail("legacy-erp", "c", waived=True),           # a waived gap is still a gap
        fail("payments-api", "zz"),                     # not on the scorecard
    ])
    assert got["checkout"] == ("silver", "gold", ("d", "e"), ())
    assert got["storefront"] == ("bronze", "silver", ("c",), ())
    assert got["inventory"] == (None, "bronze", ("a",), ())
    assert got["legacy-erp"] == ("bronze", "silver", ("c",), ("c",))
    assert got["payments-api"] == ("gold", None, (), ())
    assert len(got) == 15  # every Service, none of the other kinds


def test_scorecard_selector_limits_who_is_scored(example_catalog: Catalog) -> None:
    card = Scorecard("prod", "Prod", parse_selector(
        {"kind": "Service", "spec.lifecycle": "retiring"}), CARD.levels)
    (result,) = score_catalog(example_catalog, [], [card]).scorecards
    assert [s.name for s in result.services] == ["legacy-erp"]
    assert result.counts() == {"gold": 1, "silver": 0, "bronze": 0, "none": 0}


def test_level_changes_report_lowered_and_raised(example_catalog: Catalog) -> None:
    base = score_catalog(example_catalog, [fail("storefront", "d")], [CARD])
    head = score_catalog(example_catalog, [fail("checkout", "c")], [CARD])
    changes = {c.entity: c for c in level_changes(base, head)}
    assert set(changes) == {"Service:checkout", "Service:storefront"}
    lowered = changes["Service:checkout"]
    assert (lowered.before, lowered.after, lowered.lowered, lowered.missing) == (
        "gold", "bronze", True, ("c",))
    raised = changes["Service:storefront"]
    assert (raised.before, raised.after, raised.lowered) == ("silver", "gold", False)


def run(*args: str) -> object:
    return run_cli(*args)


def test_score_text_table_of_the_examples(examples_dir: Path) -> None:
    result = run("score", str(examples_dir), "--today", "2026-11-23")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Operational readiness (operational-readiness): bronze < silver < gold"
    assert lines[1].split() == ["SERVICE", "LEVEL", "MISSING", "FOR", "NEXT", "LEVEL"]
    rows = {line.split()[0]: " ".join(line.split()[1:]) for line in lines[2:-1]}
    assert rows["checkout"] == "gold -"
    assert rows["data-warehouse"] == "silver gold: p1-response-30m (waived)"
    assert rows["legacy-erp"] == "bronze silver: production-support-links (waived)"
    assert "loyalty-programme" not in rows  # in design: not scored
    assert lines[-1].strip() == "gold 11, silver 1, bronze 1, none 0"


def test_score_json(examples_dir: Path) -> None:
    data = json.loads(run("score", str(examples_dir), "-f", "json",
                          "--today", "2026-11-23").output)
    (card,) = data["scorecards"]
    assert card["name"] == "operational-readiness"
    assert [lv["name"] for lv in card["levels"]] == ["bronze", "silver", "gold"]
    assert card["summary"] == {"gold": 11, "silver": 1, "bronze": 1, "none": 0}
    erp = next(s for s in card["services"] if s["name"] == "legacy-erp")
    assert erp == {"entity": "Service:legacy-erp", "name": "legacy-erp",
                   "title": "Legacy ERP (finance and purchasing)",
                   "file": f"{examples_dir}/services/legacy-erp.yaml", "level": "bronze",
                   "nextLevel": "silver", "missing": ["production-support-links"],
                   "waived": ["production-support-links"]}


def test_score_markdown_to_a_file(examples_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "score.md"
    result = run("score", str(examples_dir), "-f", "markdown", "-o", str(out),
                 "--today", "2026-11-23")
    assert result.exit_code == 0 and result.output == ""
    text = out.read_text()
    assert text.startswith("## Operational readiness\n\nLevels: **bronze** (`schema`,")
    assert "| Service | Level | Missing for next level |" in text
    assert "| Data Warehouse | silver | gold: p1-response-30m (waived) |" in text


def test_score_follows_the_validation_run(catalog: Make, tier1_sla: str) -> None:
    root = catalog("policies:" + tier1_sla + """
scorecards:
  - name: reliability
    select: {kind: Service, spec.tier: 1}
    levels:
      - {name: committed, rules: [service-sla-required]}
      - {name: strong, rules: [tier1-sla-availability]}
""")
    result = run("score", str(root), "--today", "2026-11-23")
    assert result.exit_code == 0
    assert "  checkout             committed  strong: tier1-sla-availability\n" in result.output
    assert "  payments-api         strong     -\n" in result.output
    assert "strong 5, committed 2, none 0" in result.output


def test_score_without_scorecards_is_a_usage_error(catalog: Make, invoke: Invoke) -> None:
    result = invoke("score", str(catalog("")))
    assert result.exit_code == 2
    assert "the config defines no scorecards" in result.output


def test_lowered_levels_between_two_runs(examples_dir: Path, examples_copy: Path,
                                         today: date) -> None:
    from itsmctl.policy.score import lowered_levels

    sla = examples_copy / "slas/payments-api-ola.yaml"
    sla.write_text(sla.read_text().replace("{priority: P1, response: 15m",
                                           "{priority: P1, response: 1h"))
    base = validate_path(examples_dir, today=today)
    head = validate_path(examples_copy, today=today)
    assert [c.describe() for c in lowered_levels(base, head)] == [
        "operational-readiness level lowered from gold to bronze (lacks: tier1-sla-availability)"]
    assert lowered_levels(head, base) == []


def test_a_scorecard_level_can_require_a_lifecycle_gate(tmp_path: Path, invoke: Invoke) -> None:
    """A gate's id is a rule id: a scorecard level can list it, and a waived gate is a gap."""
    root = tmp_path / "catalog"
    shutil.copytree(Path(__file__).parents[2] / "examples", root)
    with (root / "policies" / "larkspur.yaml").open("a", encoding="utf-8") as policies:
        policies.write("---\napiVersion: itsmctl.io/v1\nkind: Scorecard\nmetadata:\n"
                       "  name: launch-readiness\nspec:\n  select: {kind: Service}\n"
                       "  levels:\n    - name: ready\n      rules: [production-readiness]\n")
    result = invoke("score", str(root), "-f", "json", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    (card,) = [c for c in json.loads(result.stdout)["scorecards"]
               if c["name"] == "launch-readiness"]
    services = {s["name"]: s for s in card["services"]}
    assert services["checkout"]["level"] == "ready"
    waived = services["click-and-collect"]  # in transition, its security sign-off waived
    assert waived["level"] is None
    assert waived["missing"] == waived["waived"] == ["production-readiness"]
