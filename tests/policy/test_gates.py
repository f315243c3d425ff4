"""Lifecycle gates through `validate`: entry criteria per stage, evidence age, enableOn, and
malformed gates as configuration errors (exit 2) at file:line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Invoke, run_cli

GATES = "policies/larkspur.yaml"
TODAY = "2026-11-23"


def validate(root: Path, today: str = TODAY) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = run_cli("validate", root, "--format", "json", "--today", today)
    return result.exit_code, json.loads(result.output) if result.output.startswith("{") else {}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def gate_findings(report: dict) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in report["findings"] if f["rule"] == "production-readiness"]


def test_the_example_services_pass_their_gate(examples_copy: Path) -> None:
    code, report = validate(examples_copy)
    assert code == 0 and not gate_findings(report)


def test_a_service_moved_to_transition_needs_its_security_signoff(examples_copy: Path) -> None:
    path = examples_copy / "services/loyalty-programme.yaml"
    edit(path, "lifecycle: design", "lifecycle: transition")
    _, report = validate(examples_copy)
    found = gate_findings(report)
    assert [f["entity"] for f in found] == ["Service:loyalty-programme"]
    assert "evidence 'security-signoff' is missing" in found[0]["message"]


def test_missing_evidence_fails_the_entry_criteria_of_the_stage(examples_copy: Path) -> None:
    edit(examples_copy / "services/inventory.yaml", "    - name: dr-test\n",
         "    - name: dr-drill\n")
    code, report = validate(examples_copy)
    found = gate_findings(report)
    assert code == 1
    assert [(f["entity"], f["severity"]) for f in found] == [("Service:inventory", "error")]
    assert "operational service 'inventory' does not meet the entry criteria" in found[0]["message"]
    assert "evidence 'dr-test' is missing" in found[0]["message"]


def test_evidence_past_its_maximum_age_is_reported_on_its_date(examples_copy: Path) -> None:
    _, report = validate(examples_copy, today="2027-03-01")  # checkout's are of 2026-01
    stale = [f for f in gate_findings(report) if "old, more than 52w" in f["message"]]
    assert stale and all(f["path"].startswith("spec.evidence[") and f["path"].endswith(".date")
                         for f in stale)
    checkout = examples_copy / "services/checkout.yaml"
    lines = checkout.read_text(encoding="utf-8").splitlines()
    mine = [f for f in stale if f["entity"] == "Service:checkout"]
    assert mine and lines[mine[0]["line"] - 1].strip().startswith("date:")


def test_a_failing_rule_of_the_criteria_fails_the_gate(examples_copy: Path) -> None:
    edit(examples_copy / "teams/commerce.yaml", "after: 10m}", "after: 20m}")
    _, report = validate(examples_copy)
    messages = [f["message"] for f in gate_findings(report)]
    assert any("rule tier1-owner-on-call fails" in m for m in messages)


def test_before_enable_on_the_gate_only_warns(examples_copy: Path) -> None:
    edit(examples_copy / GATES, "enableOn: 2026-10-01", "enableOn: 2027-01-01")
    edit(examples_copy / "services/inventory.yaml", "    - name: dr-test\n",
         "    - name: dr-drill\n")
    code, report = validate(examples_copy)
    assert code == 0
    assert [f["severity"] for f in gate_findings(report)] == ["warning"]


def test_a_malformed_gate_is_a_configuration_error_at_its_line(examples_copy: Path,
                                                              invoke: Invoke) -> None:
    path = examples_copy / GATES
    edit(path, "      skippable: false", "      skipable: false")
    result = invoke("validate", examples_copy, "--today", TODAY, code=2)
    lines = path.read_text().splitlines()
    typo = next(i for i, text in enumerate(lines) if "skipable" in text) + 1
    assert f"larkspur.yaml:{typo}: spec.stages.operational: unknown field 'skipable'" \
        in result.output
    assert "did you mean 'skippable'?" in result.output


def test_a_gate_naming_an_unknown_rule_suggests_the_closest(examples_copy: Path,
                                                            invoke: Invoke) -> None:
    edit(examples_copy / GATES, "rules: [service-runbook-required,",
         "rules: [service-runbook-requird,")
    result = invoke("validate", examples_copy, "--today", TODAY, code=2)
    assert "unknown rule 'service-runbook-requird'" in result.output
    assert "did you mean 'service-runbook-required'?" in result.output


def test_the_example_in_transition_waives_its_missing_security_signoff(
        examples_copy: Path) -> None:
    """click-and-collect pilots in transition before its sign-off: the gate is waived with a
    reason, an approver and an expiry; past the expiry the gate fails again."""
    code, report = validate(examples_copy)
    waived = [f for f in report["waived"] if f["rule"] == "production-readiness"]
    assert code == 0 and [f["entity"] for f in waived] == ["Service:click-and-collect"]
    assert "evidence 'security-signoff' is missing" in waived[0]["message"]
    code, report = validate(examples_copy, today="2027-01-16")
    assert code == 1
    assert any(f["rule"] == "waiver-expired" and f["entity"] == "Service:click-and-collect"
               for f in report["findings"])
    assert [f["entity"] for f in gate_findings(report)
            if "'security-signoff' is missing" in f["message"]] == ["Service:click-and-collect"]
