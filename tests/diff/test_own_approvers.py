"""Nobody approves their own change: each way a pull request could shrink its approver list.

Facts that decide approvers come from BASE; HEAD's are added, never substituted.
"""

from __future__ import annotations

from itsmctl.diff.result import DiffResult
from tests.diff.conftest import GitRepo

FRAUD = "services/fraud-cache.yaml"
API = "services/payments-api.yaml"
API_SLA = "slas/payments-api-sla.yaml"


def approvers(result: DiffResult) -> dict[str, tuple[str, ...]]:
    return {a.party: a.reasons for a in result.approvals}


def test_an_owner_change_needs_the_old_and_the_new_owner(repo: GitRepo) -> None:
    repo.edit(FRAUD, "owner: platform", "owner: payments")  # fraud-cache has no RACI
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert {"team:platform", "team:payments"} <= set(found)


def test_a_raci_added_by_the_change_does_not_replace_the_owner(repo: GitRepo) -> None:
    repo.write("raci-fraud.yaml",
               "apiVersion: itsmctl.io/v1\nkind: RACI\nmetadata: {name: fraud-raci}\n"
               "spec:\n  scope: {service: fraud-cache}\n  activities:\n    - name: change-service\n"
               "      assignments: {payments: RA}\n")
    repo.edit(FRAUD, "tier: 3", "tier: 4")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert found["team:platform"][0].startswith("owner of service fraud-cache (no RACI")
    assert "team:payments" in found  # the new RACI's Accountable is added


def test_a_removed_raci_still_decides(repo: GitRepo) -> None:
    text = repo.file("raci.yaml").read_text(encoding="utf-8")
    repo.write("raci.yaml", text.split("---\n")[1])  # drop payments-api-raci
    repo.edit(API_SLA, "availability: 99.95", "availability: 99.9")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert any("RACI payments-api-raci" in r for r in found["role:service-owner"])


def test_taking_over_accountability_needs_the_party_handing_it_over(repo: GitRepo) -> None:
    repo.edit("raci.yaml", "payments: R, role:service-owner: A",
              "payments: RA, role:service-owner: I")
    repo.edit(API_SLA, "availability: 99.95", "availability: 99.9")
    repo.commit()
    assert {"role:service-owner", "team:payments"} <= set(approvers(repo.diff("main", "feature")))


def test_dropping_the_change_model_keeps_its_cab(repo: GitRepo) -> None:
    repo.edit(API, "changeModels: [standard-change, normal-change]",
              "changeModels: [standard-change]")
    repo.edit(API_SLA, "availability: 99.95", "availability: 99.9")
    repo.commit()
    assert "team:cab" in approvers(repo.diff("main", "feature"))


def test_dropping_the_cab_from_the_model_keeps_it(repo: GitRepo) -> None:
    repo.edit("change-models.yaml", "    cab: cab\n", "")
    repo.edit(API_SLA, "availability: 99.95", "availability: 99.9")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert any("which service payments-api uses" in r for r in found["team:cab"])


def test_moving_an_sla_to_another_service_needs_both(repo: GitRepo) -> None:
    repo.edit(API_SLA, "service: payments-api", "service: fraud-cache")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert "role:service-owner" in found  # payments-api's Accountable (BASE)
    assert "team:platform" in found  # fraud-cache's owner (HEAD)


def test_rescoping_a_raci_keeps_the_old_services_accountable(repo: GitRepo) -> None:
    repo.edit("raci.yaml", "scope: {service: payments-api}", "scope: {service: fraud-cache}")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert any("of service payments-api" in r for r in found["role:service-owner"])


def test_removing_a_dependent_with_the_breaking_change_keeps_its_owner(repo: GitRepo) -> None:
    repo.edit(API, "    - {service: ledger-db, type: hard, description: Payment ledger}\n", "")
    repo.remove("services/ledger-db.yaml")
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert "team:payments" in found  # payments-api depended on ledger-db at BASE


def test_the_change_process_owner_of_base_stays(repo: GitRepo) -> None:
    """A change-process RACI the pull request adds makes its team an approver too; BASE's
    owner of the change process (the CAB) is not replaced."""
    repo.write("raci-change.yaml", "apiVersion: itsmctl.io/v1\nkind: RACI\nmetadata: {name: mine}\n"
               "spec:\n  scope: {process: change}\n  activities:\n    - name: change-config\n"
               "      assignments: {payments: RA}\n")
    repo.write(".itsmctl.yaml", 'rules: {service-runbook-required: "off"}\n')
    repo.commit()
    found = approvers(repo.diff("main", "feature"))
    assert found["team:cab"][0].startswith("CAB of change model normal-change")
    assert found["team:payments"][0].startswith("Accountable for change-config of the change"
                                                " process (RACI mine)")


def test_a_duplicate_cannot_shadow_a_service(repo: GitRepo) -> None:
    """A second payments-api owned by another team, in a file that sorts first: neither copy
    stands for the service, so BASE's Accountable and CAB approve, not the new owner, and
    both definitions are new findings, each at its own line."""
    text = repo.file(API).read_text(encoding="utf-8")
    repo.write("services/aaa-shadow.yaml", "# mine now\n" + text.replace(
        "owner: payments", "owner: platform").replace("tier: 1", "tier: 3"))
    repo.commit()
    result = repo.diff("main", "feature")
    found = approvers(result)
    assert set(found) == {"role:service-owner", "team:cab"}
    assert "team:platform" not in found
    assert sorted((f.file, f.line, f.rule) for f in result.new_findings) == [
        ("services/aaa-shadow.yaml", 5, "duplicate-name"), (API, 4, "duplicate-name")]
    run = repo.cli("main", "feature")
    assert run.exit_code == 1
    assert (f"5:9      error    Service 'payments-api' is also defined in {API}:1; no copy"
            " is used (references to it resolve to none) until the names are unique") in run.output
    assert ("4:9      error    Service 'payments-api' is also defined in"
            " services/aaa-shadow.yaml:2; no copy is used") in run.output
