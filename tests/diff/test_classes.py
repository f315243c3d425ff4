"""Every change class: one edit on a branch, diffed against main, read for its meaning."""

from __future__ import annotations

import pytest

from tests.diff.conftest import GitRepo, change, classes

SLA = "slas/payments-api-sla.yaml"
API = "services/payments-api.yaml"
DB = "services/ledger-db.yaml"
CM = "change-models.yaml"
RACI = "raci.yaml"

# (file, old text, new text, entity, class, impact, words the message must contain)
CASES = [
    (SLA, "availability: 99.95", "availability: 99.9", "SLA:payments-api-sla",
     "availability-lowered", "approval-required",
     "availability 99.95% -> 99.9%: allowed downtime +21.6 min per 30 days"),
    (SLA, "availability: 99.95", "availability: 99.99", "SLA:payments-api-sla",
     "availability-raised", "review", "allowed downtime -17.3 min per 30 days"),
    (SLA, "resolution: 4h}", "resolution: 8h}", "SLA:payments-api-sla",
     "target-loosened", "approval-required", "P1 resolution 4h -> 8h"),
    (SLA, "response: 30m,", "response: 15m,", "SLA:payments-api-sla",
     "target-tightened", "review", "P2 response 30m -> 15m"),
    (SLA, "    - {priority: P3, response: 4h, resolution: 3d}\n", "", "SLA:payments-api-sla",
     "target-loosened", "approval-required", "P3 targets removed (response 4h, resolution 3d)"),
    (SLA, "    - {below: 99.0, credit: 15}", "    - {below: 99.0, credit: 10}",
     "SLA:payments-api-sla", "service-credits-reduced", "approval-required",
     "service credit below 99.0%: 15 -> 10%"),
    (SLA, "customer: Web shop", "customer: Marketplace", "SLA:payments-api-sla",
     "sla-terms-changed", "review", "customer Web shop -> Marketplace"),
    (API, "owner: payments", "owner: platform", "Service:payments-api",
     "owner-changed", "approval-required", "owner team payments -> platform"),
    (API, "  owner: payments\n", "", "Service:payments-api",
     "owner-removed", "approval-required", "the service has no owner"),
    (RACI, "role:service-owner: A", "role:service-owner: C, platform: A", "RACI:payments-api-raci",
     "accountable-changed", "approval-required",
     "Accountable for change-service: role:service-owner -> platform"),
    (RACI, "{payments: R, role:service-owner: A, cab: C}",
     "{payments: R, role:service-owner: A, cab: I}", "RACI:payments-api-raci",
     "raci-changed", "review", "change-service: cab C -> I"),
    (DB, "  sla: ledger-db-sla", ("  dependencies:\n    - {service: fraud-cache, type: hard}\n"
     "  sla: ledger-db-sla"), "Service:ledger-db", "dependency-on-less-critical-tier",
     "approval-required", ("now depends (hard) on fraud-cache, a less critical service"
     " (tier 1 depends on tier 3)")),
    (DB, "  sla: ledger-db-sla", ("  dependencies:\n    - {service: fraud-cache, type: soft}\n"
     "  sla: ledger-db-sla"), "Service:ledger-db", "dependency-added", "review",
     "now depends (soft) on fraud-cache (tier 1 depends on tier 3, soft)"),
    (API, "{service: fraud-cache, type: soft,", "{service: fraud-cache, type: hard,",
     "Service:payments-api", "dependency-on-less-critical-tier", "approval-required",
     "dependency on fraud-cache: soft -> hard"),
    (API, "    - {service: fraud-cache, type: soft, description: Fraud scores}\n", "",
     "Service:payments-api", "dependency-removed", "review", "no longer depends on fraud-cache"),
    (DB, "lifecycle: operational", "lifecycle: retired", "Service:ledger-db",
     "retired-with-dependents", "breaking",
     "lifecycle operational -> retired while payments-api still depend on it"),
    (DB, "lifecycle: operational", "lifecycle: retiring", "Service:ledger-db",
     "retiring-with-dependents", "approval-required", "while payments-api still depend on it"),
    (API, "lifecycle: operational", "lifecycle: retiring", "Service:payments-api",
     "lifecycle-changed", "review", "lifecycle operational -> retiring"),
    (API, "tier: 1", "tier: 2", "Service:payments-api", "tier-lowered", "approval-required",
     "tier 1 -> 2 (less critical)"),
    ("services/fraud-cache.yaml", "tier: 3", "tier: 2", "Service:fraud-cache", "tier-raised",
     "review", "tier 3 -> 2 (more critical)"),
    (API, "dataClassification: restricted", "dataClassification: internal",
     "Service:payments-api", "data-classification-lowered", "approval-required",
     "data classification restricted -> internal"),
    (API, "changeModels: [standard-change, normal-change]", "changeModels: [normal-change]",
     "Service:payments-api", "change-model-allowed", "review",
     "no longer allows change model standard-change"),
    (CM, "    cab: cab\n", "", "ChangeModel:normal-change", "cab-removed", "approval-required",
     "CAB authorization no longer required (was cab)"),
    (CM, "approvers: [role:change-manager, team:payments]", "approvers: [team:payments]",
     "ChangeModel:normal-change", "approver-removed", "approval-required",
     "approver role:change-manager removed"),
    (CM, "    retrospective: false\n  leadTime: 5d", "    retrospective: true\n  leadTime: 5d",
     "ChangeModel:normal-change", "retrospective-approval-allowed", "approval-required",
     "approval may now be given after implementation"),
    (CM, "{required: true, within: 5d}", "{required: false}", "ChangeModel:normal-change",
     "pir-no-longer-required", "approval-required",
     "Post Implementation Review no longer required"),
    (CM, "leadTime: 5d", "leadTime: 2d", "ChangeModel:normal-change", "lead-time-shortened",
     "approval-required", "lead time 5d -> 2d"),
    (CM, "[risk-assessment, rollback-plan, test-evidence]", "[risk-assessment, test-evidence]",
     "ChangeModel:normal-change", "artifact-no-longer-required", "approval-required",
     "rollback-plan no longer required"),
    (CM, "reviewBy: 2027-06-30}", ("reviewBy: 2027-06-30}\n    - {name: restart-pod, title:"
     " Restart a pod, risk: low, reviewBy: 2027-03-31}"), "ChangeModel:standard-change",
     "standard-change-template-added", "approval-required",
     "standard change template restart-pod pre-approved"),
    (CM, ("    - {name: year-end-freeze, from: 2026-12-15, until: 2027-01-05, reason: Peak"
     " trading}\n"), "", "ChangeModel:normal-change", "blackout-window-removed",
     "approval-required", "change freeze year-end-freeze removed"),
    (CM, "until: 2027-01-05", "until: 2026-12-31", "ChangeModel:normal-change",
     "blackout-window-removed", "approval-required",
     "change freeze year-end-freeze: until 2027-01-05 -> 2026-12-31"),
    (API, "  title: Payments API\n", ("  title: Payments API\n  waivers:\n"
     "    - {rule: service-runbook-required, reason: Moving wikis, expires: 2027-01-31}\n"),
     "Service:payments-api", "waiver-added", "approval-required",
     "waives rule service-runbook-required until 2027-01-31"),
    ("teams.yaml", "  onCall:\n    schedule: https://oncall.example.com/payments\n", "  onCall:\n",
     "Team:payments", "on-call-removed", "approval-required", "on-call schedule removed"),
    ("teams.yaml", "after: 10m}", "after: 30m}", "Team:payments", "on-call-changed", "review",
     "on-call escalation[2].after changed"),
    ("calendar.yaml", "    - {date: 2027-01-01, name: New Year's Day}",
     "    - {date: 2027-01-01, name: New Year's Day}\n    - {date: 2026-12-26, name: Boxing Day}",
     "BusinessCalendar:always-on", "support-hours-changed", "review",
     "holidays[2026-12-26] added"),
    (API, "title: Payments API", "title: Payments gateway", "Service:payments-api",
     "documentation-changed", "info", "metadata.title changed"),
    (API, "runbook: https://wiki.example.com/runbooks/payments-api",
     "runbook: https://wiki.example.com/rb/payments", "Service:payments-api", "field-changed",
     "review", ("spec.links.runbook https://wiki.example.com/runbooks/payments-api ->"
     " https://wiki.example.com/rb/payments")),
]


@pytest.mark.parametrize("rel,old,new,ref,cls,impact,words", CASES,
                         ids=[f"{c[4]}-{i}" for i, c in enumerate(CASES)])
def test_change_class(repo: GitRepo, rel: str, old: str, new: str, ref: str, cls: str,
                      impact: str, words: str) -> None:
    repo.edit(rel, old, new)
    repo.commit()
    result = repo.diff("main", "feature")
    found = classes(result, ref)
    assert cls in found, found
    assert words in found[cls]
    impacts = change(result, ref).impacts
    assert {i.impact.label for i in impacts if i.change_class == cls} == {impact}


def test_waiver_extended(repo: GitRepo) -> None:
    waiver = ("  title: Payments API\n  waivers:\n    - {rule: service-runbook-required,"
              " reason: Moving wikis, expires: 2027-01-31}\n")
    repo.edit(API, "  title: Payments API\n", waiver)
    repo.commit()
    repo.edit(API, "expires: 2027-01-31", "expires: 2027-06-30")
    repo.commit()
    found = classes(repo.diff("HEAD~1", "HEAD"), "Service:payments-api")
    assert found["waiver-extended"] == ("waiver of rule service-runbook-required extended:"
                                        " 2027-01-31 -> 2027-06-30")


def test_added_entity_is_info(repo: GitRepo) -> None:
    repo.write("teams-new.yaml", "apiVersion: itsmctl.io/v1\nkind: Team\nmetadata: {name: data}\n"
               "spec:\n  email: data@example.com\n  members: [{name: A B, email: a@example.com,"
               " role: lead}]\n")
    repo.commit()
    result = repo.diff("main", "feature")
    assert [(c.ref, c.status) for c in result.changes] == [("Team:data", "added")]
    assert classes(result, "Team:data") == {"entity-added": "Team data added"}
    assert result.approvals == ()


def test_added_service_on_less_critical_tier_is_flagged(repo: GitRepo) -> None:
    text = (repo.file(API).read_text().replace("payments-api", "refunds-api")
            .replace("  sla: refunds-api-sla\n", ""))
    repo.write("services/refunds-api.yaml", text.replace("fraud-cache, type: soft",
                                                         "fraud-cache, type: hard"))
    repo.commit()
    found = classes(repo.diff("main", "feature"), "Service:refunds-api")
    assert set(found) == {"entity-added", "dependency-on-less-critical-tier"}


def test_removed_while_referenced_is_breaking(repo: GitRepo) -> None:
    repo.remove("services/fraud-cache.yaml")
    repo.commit()
    result = repo.diff("main", "feature")
    found = classes(result, "Service:fraud-cache")
    assert found["entity-removed-referenced"] == (
        "Service fraud-cache is gone but still referenced by SLA:fraud-cache-sla (service),"
        " Service:payments-api (dependency)")
    assert change(result, "Service:fraud-cache").status == "removed"
    assert result.impact is not None and result.impact.label == "breaking"


def test_removed_unreferenced_is_review(repo: GitRepo) -> None:
    repo.edit(RACI, "---\napiVersion: itsmctl.io/v1\nkind: RACI\nmetadata: {name: ledger-db-raci}",
              "---\napiVersion: itsmctl.io/v1\nkind: RACI\nmetadata: {name: ledger-db-raci}")
    repo.write("extra.yaml", "apiVersion: itsmctl.io/v1\nkind: Team\nmetadata: {name: spare}\n"
               "spec: {email: spare@example.com}\n")
    repo.commit()
    repo.remove("extra.yaml")
    repo.commit()
    result = repo.diff("HEAD~1", "HEAD")
    assert classes(result, "Team:spare") == {"entity-removed": "Team spare removed"}
    assert change(result, "Team:spare").impact.label == "review"
