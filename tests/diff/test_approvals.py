"""Approvals come from the catalog: RACI Accountable, the CAB, owners of dependent services."""

from __future__ import annotations

from itsmctl.diff.result import DiffResult
from tests.diff.conftest import GitRepo


def approvers(result: DiffResult) -> dict[str, tuple[str, ...]]:
    return {a.party: a.reasons for a in result.approvals}


def test_accountable_from_the_change_activity_and_cab(repo: GitRepo) -> None:
    repo.edit("slas/payments-api-sla.yaml", "availability: 99.95", "availability: 99.9")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert set(found) == {"role:service-owner", "team:cab"}
    assert found["role:service-owner"] == (
        ("Accountable for change-service of service payments-api (RACI payments-api-raci):"
        " SLA:payments-api-sla is modified"),)
    assert found["team:cab"] == (
        ("CAB of change model normal-change, which service payments-api uses:"
        " SLA:payments-api-sla is approval-required"),)


def test_review_needs_the_accountable_but_not_the_cab(repo: GitRepo) -> None:
    repo.edit("slas/payments-api-sla.yaml", "response: 30m,", "response: 15m,")
    repo.commit()
    assert set(approvers(repo.diff("main", "feature"))) == {"role:service-owner"}


def test_info_needs_no_approval(repo: GitRepo) -> None:
    repo.edit("services/payments-api.yaml", "title: Payments API", "title: Payments")
    repo.commit()
    assert repo.diff("main", "feature").approvals == ()


def test_every_accountable_without_a_change_activity(repo: GitRepo) -> None:
    repo.edit("services/ledger-db.yaml", "tier: 1", "tier: 2")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert set(found) == {"team:platform", "role:db-owner", "team:cab", "role:service-owner"}
    assert found["role:db-owner"][0].startswith("Accountable for restore of service ledger-db")
    # payments-api hard-depends on ledger-db: now a tier inversion, a promise of its own
    assert found["role:service-owner"] == (
        "Accountable for change-service of service payments-api (RACI payments-api-raci):"
        " Service:payments-api gets a new warning (dependency-tier-inversion)",)


def test_owner_when_no_raci_is_scoped(repo: GitRepo) -> None:
    repo.edit("services/fraud-cache.yaml", "runbook: https://wiki.example.com/runbooks/fraud-cache",
              "runbook: https://wiki.example.com/fraud")
    repo.commit()
    assert approvers(repo.diff("main", "feature")) == {"team:platform": (
        ("owner of service fraud-cache (no RACI is scoped to it): Service:fraud-cache is"
        " modified"),)}


def test_breaking_needs_the_owners_of_dependent_services(repo: GitRepo) -> None:
    repo.edit("services/ledger-db.yaml", "lifecycle: operational", "lifecycle: retired")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert found["team:payments"] == (
        ("owner of service payments-api, which depends on Service:ledger-db:"
        " Service:ledger-db is breaking"),)
    assert "team:cab" in found


def test_change_model_change_needs_its_cab(repo: GitRepo) -> None:
    repo.edit("change-models.yaml", "    cab: cab\n", "")
    repo.commit()
    assert approvers(repo.diff("main", "feature")) == {"team:cab": (
        ("CAB of change model normal-change, which the change alters:"
        " ChangeModel:normal-change is approval-required"),)}


def test_removed_service_uses_base_for_approvals(repo: GitRepo) -> None:
    repo.remove("services/fraud-cache.yaml")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert "team:platform" in found  # fraud-cache's owner, read from BASE
    assert "team:payments" in found  # owner of payments-api, which still depends on it


def test_accountable_handover_needs_both_parties(repo: GitRepo) -> None:
    repo.edit("raci.yaml", "role:service-owner: A", "role:service-owner: C, platform: A")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert {"role:service-owner", "team:platform", "team:cab"} == set(found)


def test_racis_from_the_scope_index_are_those_of_the_referrers() -> None:
    """BASE's RACIs come from an index of scopes when its referrers were never built (its
    result came from the memo); both ways give the same RACIs for every service."""
    from itsmctl.catalog import Catalog
    from itsmctl.diff.approvals import _Sides, racis_of
    from itsmctl.runcontext import resolve_context
    from itsmctl.validate import validate
    from tests.conftest import EXAMPLES, TODAY

    def catalog() -> Catalog:
        return validate(resolve_context(EXAMPLES, today=TODAY)).catalog

    fresh, built = catalog(), catalog()
    for built_by_rules in ("referrers", "references"):
        vars(fresh).pop(built_by_rules, None)  # as after a memoised BASE
    sides = _Sides(fresh, built)
    services = [s.ref for s in built.of_kind("Service")]
    for ref in services:
        assert [e.name for e in sides.racis(ref, fresh)] == [e.name for e in racis_of(ref, built)]
    assert "referrers" not in vars(fresh)  # the index answered
    assert any(racis_of(ref, built) for ref in services)
