"""The findings diff is exact: every finding HEAD adds anywhere in the catalog is new."""

from __future__ import annotations

import gc
from typing import Any

from itsmctl.validate import validate_path
from tests.conftest import Invoke
from tests.diff.conftest import TODAY, UNMAPPED, GitRepo

POSTGRES_OLA = "slas/postgres-platform-ola.yaml"
CHECKOUT = "services/checkout.yaml"


def test_lowering_a_dependency_warns_on_every_dependent_sla(examples_repo: GitRepo) -> None:
    """The issue's case: the new warnings sit on other services' OLAs, in unchanged files."""
    repo = examples_repo
    repo.edit(POSTGRES_OLA, "availability: 99.99\n", "availability: 99.95\n")
    repo.commit()
    result = repo.diff("main", "feature", fail_on=("new-warnings",))
    assert sorted((f.rule, f.file) for f in result.new_findings) == [
        ("sla-availability-achievable", "slas/customer-identity-ola.yaml"),
        ("sla-availability-achievable", "slas/order-management-ola.yaml"),
        ("sla-availability-achievable", "slas/payments-api-ola.yaml")]
    assert result.files_changed == (POSTGRES_OLA,)
    assert result.reasons == ("new-warnings: 3",) and result.exit_code == 1


def test_check_fails_on_the_new_warnings(examples_repo: GitRepo, invoke: Invoke) -> None:
    repo = examples_repo
    repo.edit(POSTGRES_OLA, "availability: 99.99\n", "availability: 99.95\n")
    repo.commit()
    run = invoke("check", str(repo.path), "--base", "main", "--no-site",
                 "--fail-on", "new-warnings", "--today", TODAY.isoformat())
    assert run.exit_code == 1, run.output
    assert "new-warnings: 3" in run.output


def test_hardening_a_dependency_warns_on_the_services_own_sla(examples_repo: GitRepo) -> None:
    repo = examples_repo
    repo.edit(CHECKOUT, "service: notifications, type: soft", "service: notifications, type: hard")
    repo.commit()
    result = repo.diff("main", "feature")
    assert ("sla-availability-achievable", "slas/checkout-sla.yaml") in {
        (f.rule, f.file) for f in result.new_findings}


def test_a_cycle_closed_through_unchanged_services_is_new(examples_repo: GitRepo) -> None:
    """postgres-platform -> checkout closes checkout -> payments-api -> postgres-platform."""
    repo = examples_repo
    repo.edit("services/postgres-platform.yaml", "  dependencies:\n",
              "  dependencies:\n    - {service: checkout, type: soft}\n")
    repo.commit()
    rules = {f.rule for f in repo.diff("main", "feature").new_findings}
    assert "dependency-cycle" in rules


def test_unchanged_files_are_parsed_once(examples_repo: GitRepo) -> None:
    repo = examples_repo
    repo.edit(POSTGRES_OLA, "availability: 99.99\n", "availability: 99.95\n")
    repo.commit()
    files = validate_path(repo.path).files  # the catalog's entity files
    assert repo.diff("main", "feature").files_parsed == files + 1  # the changed file twice
    repo.edit(POSTGRES_OLA, "availability: 99.95\n", "availability: 99.9\n")  # working tree
    assert repo.diff("main").files_parsed == files + 1


def test_a_reworded_yaml_error_is_not_new(repo: GitRepo) -> None:
    """File-level fingerprints ignore the parser's wording (which names lines and tokens)."""
    api = "services/payments-api.yaml"
    repo.git("checkout", "-q", "main")
    repo.write(api, "apiVersion: itsmctl.io/v1\nkind: Service\nmetadata: {name: payments-api\n")
    repo.commit("broken on main")
    repo.git("checkout", "-q", "feature")
    repo.git("reset", "-q", "--hard", "main")
    repo.write(api, "\n\napiVersion: itsmctl.io/v1\nkind: Service\nmetadata: [payments-api\n")
    repo.commit()
    result = repo.diff("main", "feature")
    assert [f.rule for f in result.existing_findings if f.file == api] == [
        "ref-into-broken-file", "yaml-syntax"]
    assert not [f for f in result.new_findings if f.file == api]


def test_a_repeated_file_finding_counts_each_time(repo: GitRepo) -> None:
    """Two duplicate keys where BASE had one: the second is new (fingerprints as multisets)."""
    path = "services/payments-api.yaml"
    text = repo.file(path).read_text(encoding="utf-8")
    repo.write(path, text.replace("spec:\n", "spec:\n  tier: 1\n", 1))
    repo.git("checkout", "-q", "main")
    repo.write(path, text.replace("spec:\n", "spec:\n  tier: 1\n", 1))
    repo.commit("one duplicate key")
    repo.git("checkout", "-q", "feature")
    repo.git("reset", "-q", "--hard", "main")
    repo.write(path, text.replace("spec:\n", "spec:\n  tier: 1\n  owner: payments\n", 1))
    repo.commit()
    result = repo.diff("main", "feature")
    assert [f.rule for f in result.existing_findings if f.rule != UNMAPPED] == \
        ["yaml-duplicate-key"]
    assert [f.rule for f in result.new_findings] == ["yaml-duplicate-key"]


def test_services_whose_promises_break_approve(examples_repo: GitRepo) -> None:
    """The dependents' OLAs become unachievable: their services' Accountable approve."""
    repo = examples_repo
    repo.edit(POSTGRES_OLA, "availability: 99.99\n", "availability: 99.95\n")
    repo.commit()
    reasons = [r for a in repo.diff("main", "feature").approvals for r in a.reasons]
    for service, sla in (("customer-identity", "customer-identity-ola"),
                         ("order-management", "order-management-ola"),
                         ("payments-api", "payments-api-ola")):
        assert any(f"of service {service} " in r and f"SLA:{sla} gets a new warning"
                   " (sla-availability-achievable)" in r for r in reasons), service


def test_the_diff_collects_only_the_young_generations(examples_repo: GitRepo) -> None:
    """Both sides' catalogs live to the end of a diff, as validate's does (itsmctl/heap.py):
    no full collection walks them, the findings are those of a run with the collector as
    usual, and the thresholds come back as they were."""
    repo = examples_repo
    repo.edit(POSTGRES_OLA, "availability: 99.99\n", "availability: 99.95\n")
    repo.commit()
    expected = repo.diff("main", "feature", fail_on=("new-warnings",))
    saved, seen = gc.get_threshold(), []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.set_threshold(10, 1, 1)  # any run would collect every generation
    gc.callbacks.append(note)
    try:
        result = repo.diff("main", "feature", fail_on=("new-warnings",))
        assert gc.get_threshold() == (10, 1, 1)
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*saved)
    assert 2 not in seen and 0 in seen
    assert (result.new_findings, result.existing_findings, result.changes) == (
        expected.new_findings, expected.existing_findings, expected.changes)
