"""Custom rules run, report, grade and list exactly like built-in ones."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from itsmctl.findings import Severity
from itsmctl.rules import all_rules
from itsmctl.validate import ValidationResult, validate_path
from tests.conftest import Invoke, run_cli

Make = Callable[..., Path]
Edit = Callable[[Path, str, str], None]


def run(*args: str) -> object:
    return run_cli(*args)


def check(root: Path, today: date) -> ValidationResult:
    return validate_path(root, today=today)


def by_rule(result: ValidationResult, rule: str) -> list[tuple[str, int | None, str]]:
    return [(f.entity, f.line, f.message) for f in result.findings if f.rule == rule]


def test_referenced_entity_requirement_reports_on_the_service_line(
        catalog: Make, today: date, tier1_sla: str) -> None:
    root = catalog("policies:" + tier1_sla)
    result = check(root, today)
    found = by_rule(result, "tier1-sla-availability")
    assert [entity for entity, _, _ in found] == ["Service:checkout", "Service:storefront"]
    _, line, message = found[0]
    assert message == ("Tier-1 services promise 99.9% availability: SLA 'checkout-sla':"
                       " spec.availability: 99.9 is less than the minimum of 99.95")
    sla_line = next(i for i, text in enumerate(
        (root / "services/checkout.yaml").read_text().splitlines(), 1) if "sla:" in text)
    assert line == sla_line
    assert result.exit_code == 1


def test_findings_carry_the_policy_severity_and_appear_in_text_output(catalog: Make,
                                                                      tier1_sla: str) -> None:
    root = catalog("policies:" + tier1_sla.replace("severity: error", "severity: warning"))
    result = run("validate", str(root), "--today", "2026-11-23")
    assert result.exit_code == 0
    assert "warning  Tier-1 services promise 99.9% availability: SLA 'checkout-sla'" in \
        result.output
    assert "tier1-sla-availability" in result.output
    assert result.output.endswith("0 errors, 2 warnings, 0 info in 55 files, 61 entities\n")


def test_selector_excludes_entities_that_do_not_match(catalog: Make, today: date, tier1_sla: str,
                                                      edit: Edit) -> None:
    root = catalog("policies:" + tier1_sla)
    edit(root / "services/checkout.yaml", "tier: 1", "tier: 2")
    assert [e for e, _, _ in by_rule(check(root, today), "tier1-sla-availability")] == [
        "Service:storefront"]


def test_direct_requirement_points_at_the_offending_value(catalog: Make, today: date,
                                                          edit: Edit) -> None:
    root = catalog("""
        policies:
          - id: restricted-data-security-review
            description: Restricted-data services name a security reviewer.
            select:
              kind: Service
              spec.dataClassification: restricted
            require:
              properties:
                metadata: {required: [annotations]}
                spec:
                  properties:
                    tier: {maximum: 1}
        """)
    edit(root / "services/postgres-platform.yaml", "tier: 1", "tier: 2")
    found = sorted(by_rule(check(root, today), "restricted-data-security-review"))
    tier_line = next(i for i, text in enumerate(
        (root / "services/postgres-platform.yaml").read_text().splitlines(), 1)
        if text.strip() == "tier: 2")
    prefix = "Restricted-data services name a security reviewer: "
    assert found == [
        ("Service:customer-identity", 4, prefix + "metadata: required field 'annotations'"
         " is missing"),
        ("Service:postgres-platform", 4, prefix + "metadata: required field 'annotations'"
         " is missing"),
        ("Service:postgres-platform", tier_line, prefix + "spec.tier: 2 is greater than the"
         " maximum of 1"),
    ]


@pytest.mark.parametrize(("old", "new", "detail"), [
    ("  sla: payments-api-ola\n", "", "spec.sla is not set, so its SLA cannot be checked"),
    ("sla: payments-api-ola", "sla: nowhere-ola",
     "SLA 'nowhere-ola' does not exist, so it cannot be checked"),
])
def test_a_missing_or_dangling_reference_fails_a_via_policy(
        catalog: Make, today: date, old: str,
        new: str, detail: str, tier1_sla: str, edit: Edit) -> None:
    root = catalog("policies:" + tier1_sla + "\nrules: {service-sla-required: 'off'}\n")
    edit(root / "services/payments-api.yaml", old, new)
    messages = [m for e, _, m in by_rule(check(root, today), "tier1-sla-availability")
                if e == "Service:payments-api"]
    assert messages == [f"Tier-1 services promise 99.9% availability: {detail}"]


def test_via_a_list_field_checks_every_referenced_entity(catalog: Make, today: date) -> None:
    root = catalog("""
        policies:
          - id: tier1-change-models-rollback
            description: Tier-1 services use only change models that demand a rollback plan.
            select: {kind: Service, spec.tier: 1}
            via: spec.changeModels
            require:
              properties:
                spec:
                  properties:
                    requiredArtifacts: {contains: {const: rollback-plan}}
        """)
    result = check(root, today)
    found = [f for f in result.findings if f.rule == "tier1-change-models-rollback"]
    assert {f.entity for f in found} == {
        "Service:checkout", "Service:customer-identity", "Service:kubernetes-platform",
        "Service:order-management", "Service:payments-api", "Service:postgres-platform",
        "Service:storefront"}
    assert {f.message for f in found} == {(
        "Tier-1 services use only change models that demand a rollback plan: ChangeModel"
        " 'standard-change': spec.requiredArtifacts: no item matches the requirement")}
    assert {f.json_path for f in found} == {"spec.changeModels[0]"}


def test_rules_and_overrides_regrade_or_disable_a_policy_per_path(
        catalog: Make, today: date, tier1_sla: str) -> None:
    config = "policies:" + tier1_sla + """
rules: {tier1-sla-availability: warning}
overrides:
  - paths: [services/storefront.yaml]
    rules: {tier1-sla-availability: "off"}
"""
    result = check(catalog(config), today)
    found = [f for f in result.findings if f.rule == "tier1-sla-availability"]
    assert [(f.entity, f.severity) for f in found] == [("Service:checkout", Severity.WARNING)]


def test_unknown_policy_id_in_rules_is_a_config_error(catalog: Make, tier1_sla: str,
                                                      invoke: Invoke) -> None:
    root = catalog("policies:" + tier1_sla + "\nrules: {tier1-sla-availabilty: warning}\n")
    result = invoke("validate", str(root))
    assert result.exit_code == 2
    assert "did you mean 'tier1-sla-availability'?" in result.output


def test_json_and_sarif_report_policies_like_builtin_rules(catalog: Make, tier1_sla: str) -> None:
    root = catalog("policies:" + tier1_sla)
    data = json.loads(run("validate", str(root), "-f", "json", "--today", "2026-11-23").output)
    finding = next(f for f in data["findings"] if f["rule"] == "tier1-sla-availability")
    assert finding["file"].endswith("services/checkout.yaml") and finding["line"]
    assert finding["severity"] == "error" and finding["path"] == "spec.sla"
    sarif = json.loads(run("validate", str(root), "-f", "sarif", "--today", "2026-11-23").output)
    driver = sarif["runs"][0]["tool"]["driver"]["rules"]
    result = next(r for r in sarif["runs"][0]["results"]
                  if r["ruleId"] == "tier1-sla-availability")
    rule = driver[result["ruleIndex"]]
    assert rule["id"] == "tier1-sla-availability"
    assert rule["shortDescription"]["text"] == "Tier-1 services promise 99.9% availability."
    assert rule["properties"]["category"] == "policy"
    github = run("validate", str(root), "-f", "github", "--today", "2026-11-23").output
    assert "tier1-sla-availability" in github
    junit = run("validate", str(root), "-f", "junit", "--today", "2026-11-23").output
    assert "tier1-sla-availability" in junit and "services/checkout.yaml" in junit


def test_policies_do_not_leak_into_the_next_catalog(catalog: Make, examples_dir: Path,
                                                    today: date, tier1_sla: str) -> None:
    probe = tier1_sla.replace("tier1-sla-availability", "leak-probe")
    custom = check(catalog("policies:" + probe), today)
    assert by_rule(custom, "leak-probe")
    plain = check(examples_dir, today)
    assert "leak-probe" not in {r.id for r in all_rules()}
    assert "leak-probe" not in {r.id for r in plain.policies.rules}
    assert not by_rule(plain, "leak-probe")
    assert run("rules", "leak-probe").exit_code == 2


def test_rules_command_lists_policies_with_their_docs(catalog: Make, tier1_sla: str) -> None:
    root = catalog("policies:" + tier1_sla)
    result = run("rules", "-C", str(root), "tier1-sla-availability")
    assert result.exit_code == 0
    assert result.output.startswith("tier1-sla-availability  [error, policy] (Service)\n"
                                    "    Tier-1 services promise 99.9% availability.\n"
                                    "    Agreed by the service management board.\n")
    assert "Applies to the entities named by spec.sla of Service where spec.tier = 1" \
        in result.output
    assert "Defined in .itsmctl.yaml:" in result.output  # from the catalog root
    listed = json.loads(run("rules", "-C", str(root), "-f", "json").output)
    assert listed[-1]["id"] == "tier1-sla-availability" and listed[-1]["category"] == "policy"


def test_requirements_are_compiled_once_per_run(
        catalog: Make, today: date, monkeypatch: pytest.MonkeyPatch, tier1_sla: str) -> None:
    import itsmctl.schemas

    compiled: list[object] = []
    real = itsmctl.schemas.compile_schema

    def counting(schema: dict[str, object]) -> object:
        compiled.append(schema.get("$id"))
        return real(schema)

    monkeypatch.setattr(itsmctl.schemas, "compile_schema", counting)
    result = check(catalog("policies:" + tier1_sla), today)
    assert len(by_rule(result, "tier1-sla-availability")) == 2
    assert compiled == ["https://itsmctl.io/schemas/v1/policy-tier1-sla-availability.json"]


@pytest.mark.parametrize("pattern", [r"^\\p{Lu}", r"(?<=^[A-Z]+)[a-z]"],
                         ids=["unicode-class", "variable-lookbehind"])
def test_a_pattern_the_engine_runs_is_accepted_in_a_policy(catalog: Make, today: date,
                                                           edit: Edit, pattern: str) -> None:
    """A policy's pattern was checked with Python's `re` but run with `regex`: `\\p{Lu}` or a
    variable-length lookbehind, which the engine runs, made the config 'not a valid JSON
    Schema' (exit 2)."""
    root = catalog(f"""
        policies:
          - id: titles-capitalised
            severity: error
            description: Titles start with a capital letter.
            select: {{kind: Service}}
            require:
              properties:
                metadata:
                  properties:
                    title: {{pattern: "{pattern}"}}
        """)
    edit(root / "services/checkout.yaml", "title: Checkout", "title: checkout")
    result = check(root, today)
    assert [entity for entity, _, _ in by_rule(result, "titles-capitalised")] == [
        "Service:checkout"]
