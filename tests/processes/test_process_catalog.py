"""The Process kind through the CLI: examples, schema, policies, scorecards and `metrics`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from click.testing import Result

from itsmctl.processes.metrics import METRICS
from tests.conftest import Invoke, run_cli

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "processes.md"
START, END = "<!-- metrics:start -->\n", "<!-- metrics:end -->"


def run(*args: str) -> Result:
    return run_cli(*args)


def test_the_examples_have_a_process_per_practice_and_validate_clean(examples_dir: Path) -> None:
    practices = set()
    for path in (examples_dir / "processes").glob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert document["kind"] == "Process"
        practices.add(document["spec"]["process"])
    assert practices >= {"incident", "problem", "change", "request", "release", "major-incident"}
    result = run("validate", str(examples_dir), "--today", "2026-11-23", "--strict")
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output


def test_a_major_incident_process_needs_its_declaration_criteria(examples_copy: Path) -> None:
    path = examples_copy / "processes" / "major-incident.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  declaration:")
    path.write_text(text[:start] + text[text.index("  communication:"):], encoding="utf-8")
    result = run("validate", str(examples_copy), "--today", "2026-11-23")
    assert result.exit_code == 1
    assert "spec: required field 'declaration' is missing" in result.output
    assert "processes/major-incident.yaml" in result.output


def test_policies_select_process_entities(examples_copy: Path) -> None:
    path = examples_copy / "processes" / "change.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("  kpis:")], encoding="utf-8")
    result = run("validate", str(examples_copy), "--today", "2026-11-23")
    assert "core-process-kpis-reviewed" in result.output
    assert "processes/change.yaml" in result.output
    # the other core processes still satisfy it
    assert result.output.count("core-process-kpis-reviewed") == 1, result.output


MATURITY = """
---
apiVersion: itsmctl.io/v1
kind: Scorecard
metadata:
  name: process-maturity
  title: Process maturity
spec:
  select:
    kind: Process
  levels:
    - name: defined
      rules: [schema, ref-unresolved, process-owner-required, process-raci-required,
              process-raci-scope]
    - name: managed
      rules: [core-process-kpis-reviewed, kpi-review-owner, kpi-target-unit,
              kpi-target-impossible, process-review-overdue]
    - name: rehearsed
      rules: [process-exercise-overdue, release-rollback-plan, process-matrix-monotonic]
"""


def test_scorecards_score_processes(examples_copy: Path) -> None:
    with (examples_copy / "policies" / "larkspur.yaml").open("a", encoding="utf-8") as policies:
        policies.write(MATURITY)
    path = examples_copy / "processes" / "request.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  owner: role:request-process-owner\n", ""), encoding="utf-8")
    result = run("score", str(examples_copy), "--today", "2026-11-23", "-f", "json")
    document = json.loads(result.output)
    card = next(c for c in document["scorecards"] if c["name"] == "process-maturity")
    # the JSON calls the scored entities "services", whatever their kind
    levels = {e["entity"]: e["level"] for e in card["services"]}
    assert levels["Process:request-fulfilment"] is None
    assert levels["Process:incident-management"] == "rehearsed"


def test_metrics_lists_every_metric_as_json() -> None:
    result = run("metrics", "-f", "json")
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert [m["id"] for m in listed] == [m.id for m in METRICS]
    mttr = listed[0]
    assert mttr["unit"] == "duration" and "opened_at" in mttr["fields"]


def test_metrics_refuses_an_unknown_id(invoke: Invoke) -> None:
    result = invoke("metrics", "mean-time-to-coffee")
    assert result.exit_code == 2
    assert "unknown metric 'mean-time-to-coffee'" in result.output


def test_the_documented_metrics_table_is_generated() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert START in text and END in text
    in_doc = text.split(START, 1)[1].split(END, 1)[0]
    assert in_doc == run("metrics", "-f", "markdown").output, (
        "docs/processes.md is stale: paste `itsmctl metrics -f markdown` between the markers")


def test_init_scaffolds_incident_and_change_processes(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert run("init", str(target)).exit_code == 0
    practices = {yaml.safe_load(p.read_text(encoding="utf-8"))["spec"]["process"]
                 for p in (target / "processes").glob("*.yaml")}
    assert practices == {"incident", "change"}
    shutil.rmtree(target / ".github")
    result = run("validate", str(target))
    assert result.exit_code == 0, result.output
