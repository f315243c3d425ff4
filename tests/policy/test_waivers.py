"""Waivers of policy rules: reason, approver and expiry, as for built-in rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from itsmctl.validate import ValidationResult, validate_path

Make = Callable[..., Path]
LABELS = "  labels:\n    domain: commerce\n"


def waive(root: Path, rule: str, expires: str, approver: str | None) -> None:
    lines = [f"    - rule: {rule}", "      reason: Availability target renegotiated in Q1."]
    if approver:
        lines.append(f"      approver: {approver}")
    lines.append(f"      expires: {expires}")
    path = root / "services/checkout.yaml"
    text = path.read_text(encoding="utf-8")
    assert LABELS in text
    path.write_text(text.replace(LABELS, LABELS + "  waivers:\n" + "\n".join(lines) + "\n"),
                    encoding="utf-8")


def rules_of(result: ValidationResult) -> list[tuple[str, str]]:
    return [(f.rule, f.entity) for f in result.findings]


def test_waiver_with_approver_suppresses_the_policy_finding(catalog: Make, today: date,
                                                            tier1_sla: str) -> None:
    root = catalog("policies:" + tier1_sla)
    waive(root, "tier1-sla-availability", "2027-03-31", "cdo@larkspur.example")
    result = validate_path(root, today=today)
    assert rules_of(result) == [("tier1-sla-availability", "Service:storefront")]
    waived = [f for f in result.waived if f.rule == "tier1-sla-availability"]
    assert [f.entity for f in waived] == ["Service:checkout"]
    assert waived[0].waived_by is not None
    assert waived[0].waived_by.approver == "cdo@larkspur.example"


def test_expired_waiver_brings_the_finding_back_and_fails(catalog: Make, today: date,
                                                          tier1_sla: str) -> None:
    root = catalog("policies:" + tier1_sla)
    waive(root, "tier1-sla-availability", "2026-11-22", "cdo@larkspur.example")
    result = validate_path(root, today=today)
    assert sorted(rules_of(result)) == [
        ("tier1-sla-availability", "Service:checkout"),
        ("tier1-sla-availability", "Service:storefront"),
        ("waiver-expired", "Service:checkout"),
    ]
    assert result.exit_code == 1


def test_waiver_of_a_policy_needs_an_approver(catalog: Make, today: date, tier1_sla: str) -> None:
    root = catalog("policies:" + tier1_sla)
    waive(root, "tier1-sla-availability", "2027-03-31", None)
    result = validate_path(root, today=today)
    missing = [f for f in result.findings if f.rule == "waiver-approver-required"]
    assert [(f.entity, f.message, f.line) for f in missing] == [
        ("Service:checkout", "waiver of policy 'tier1-sla-availability' names no approver", 13)]
    assert result.exit_code == 1
    assert "Service:checkout" in {f.entity for f in result.waived}


def test_approver_stays_optional_for_builtin_rules(catalog: Make, today: date, tier1_sla: str,
                                                   edit: Callable[[Path, str, str], None]) -> None:
    root = catalog("policies:" + tier1_sla)
    edit(root / "services/checkout.yaml", "lastReviewed: ", "lastReviewed: 2024-01-01\n"
         "    # was: ")
    waive(root, "review-overdue", "2027-03-31", None)
    result = validate_path(root, today=today)
    assert "waiver-approver-required" not in {f.rule for f in result.findings}
    assert "review-overdue" in {f.rule for f in result.waived}


def test_the_approver_requirement_can_be_switched_off(catalog: Make, today: date,
                                                      tier1_sla: str) -> None:
    root = catalog("policies:" + tier1_sla + "rules: {waiver-approver-required: 'off'}\n")
    waive(root, "tier1-sla-availability", "2027-03-31", None)
    result = validate_path(root, today=today)
    assert rules_of(result) == [("tier1-sla-availability", "Service:storefront")]


def test_waiver_of_a_policy_another_catalog_defines_is_unknown(catalog: Make,
                                                              today: date) -> None:
    root = catalog("")
    waive(root, "tier1-sla-availability", "2027-03-31", "cdo@larkspur.example")
    assert rules_of(validate_path(root, today=today)) == [
        ("waiver-unknown-rule", "Service:checkout")]
