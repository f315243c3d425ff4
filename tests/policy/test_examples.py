"""The example catalog's policy file: realistic, exercised, and clean."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from itsmctl.validate import validate_path


def test_example_policies_load_and_the_catalog_stays_clean(examples_dir: Path,
                                                            today: date) -> None:
    result = validate_path(examples_dir, today=today, display_root="examples")
    assert result.findings == ()
    assert {p.id for p in result.policies.policies} == {
        "tier1-sla-availability", "production-support-links", "business-service-knowledge-base",
        "pci-security-review", "owner-on-call", "p1-response-30m", "core-process-kpis-reviewed"}
    assert {p.id for p in result.policies.policies if p.via} == {
        "tier1-sla-availability", "owner-on-call", "p1-response-30m"}
    assert [c.name for c in result.policies.scorecards] == ["operational-readiness"]
    assert sorted((f.rule, f.entity, f.waived_by.approver) for f in result.waived
                  if f.waived_by) == [
        ("p1-response-30m", "Service:data-warehouse", "miriam.weiss@larkspur.example"),
        ("production-readiness", "Service:click-and-collect", "luca.moretti@larkspur.example"),
        ("production-support-links", "Service:legacy-erp", "lena.hoffmann@larkspur.example")]


def test_policy_files_are_not_read_as_catalog_entities(examples_dir: Path, today: date) -> None:
    result = validate_path(examples_dir, today=today, display_root="examples")
    assert "examples/policies/larkspur.yaml" not in result.file_labels
    assert "examples/services/payments-api.yaml" in result.file_labels
