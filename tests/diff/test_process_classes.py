"""What a change to a Process means: KPI targets, matrix cells, escalation, the owner.

Each case is one edit of the example incident process on a branch of a real repository,
diffed against main."""

from __future__ import annotations

import pytest

from tests.diff.conftest import GitRepo, change, classes

INCIDENT = "processes/incident.yaml"
REF = "Process:incident-management"
MTTR = 'target: {op: "<=", value: 4h}'
CELL = "{impact: extensive, urgency: high, priority: P1}"
STEP = ("{at: 80%, of: resolution, type: hierarchical, to: role:head-of-service,"
        " notify: [role:service-owner]}")
MTTA = 'target: {op: "<=", value: 15m}'

# (old text, new text, class, impact, the message)
CASES = [
    (MTTR, 'target: {op: "<=", value: 8h}', "kpi-target-loosened", "approval-required",
     "KPI p1-mttr target <= 4h -> <= 8h"),
    (MTTR, 'target: {op: "<", value: 4h}', "kpi-target-tightened", "review",
     "KPI p1-mttr target <= 4h -> < 4h"),
    (MTTR, 'target: {op: "<=", value: 240m}', "kpi-changed", "review",
     "KPI p1-mttr target <= 4h -> <= 4h (equally strict)"),
    ('target: {op: ">=", value: 70%}', 'target: {op: ">=", value: 65%}', "kpi-target-loosened",
     "approval-required", "KPI first-contact-resolution target >= 70% -> >= 65%"),
    (MTTA, 'target: {op: "<=", value: 15}', "kpi-target-loosened", "approval-required",
     "KPI mtta target <= 15m -> <= 15"),
    ("      statistic: median\n", "      statistic: p90\n", "kpi-changed", "review",
     "KPI p1-mttr statistic: median -> p90"),
    (CELL, "{impact: extensive, urgency: high, priority: P2}", "priority-lowered",
     "approval-required", "impact extensive x urgency high: P1 -> P2"),
    ("{impact: minor, urgency: low, priority: P4}", "{impact: minor, urgency: low, priority: P3}",
     "priority-raised", "review", "impact minor x urgency low: P4 -> P3"),
    (f"    - {STEP}\n", "", "escalation-weakened", "approval-required",
     "escalation to role:head-of-service (hierarchical, resolution) at 80% removed"),
    ("{at: 50%, of: resolution, type: functional, to: role:incident-manager}",
     "{at: 70%, of: resolution, type: functional, to: role:incident-manager}",
     "escalation-weakened", "approval-required",
     "escalation to role:incident-manager (functional, resolution) moved later: 50% -> 70%"),
    ("{at: 50%, of: resolution, type: functional, to: role:incident-manager}",
     "{at: 40%, of: resolution, type: functional, to: role:incident-manager}",
     "escalation-strengthened", "review",
     "escalation to role:incident-manager (functional, resolution) moved earlier: 50% -> 40%"),
    ("to: role:executive-on-call, priorities: [P1, P2]}",
     "to: role:executive-on-call, priorities: [P1]}",
     "escalation-weakened", "approval-required",
     "escalation to role:executive-on-call (hierarchical, resolution) priorities [P1, P2] -> [P1]"),
    ("  owner: role:incident-process-owner\n", "  owner: role:head-of-service\n",
     "process-owner-changed", "approval-required",
     "process owner role:incident-process-owner -> role:head-of-service"),
]


@pytest.mark.parametrize(("old", "new", "cls", "impact", "message"), CASES,
                         ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_process_change_class(examples_repo: GitRepo, old: str, new: str, cls: str,
                              impact: str, message: str) -> None:
    examples_repo.edit(INCIDENT, old, new)
    examples_repo.commit()
    result = examples_repo.diff("main", "feature")
    found = classes(result, REF)
    assert found.get(cls) == message, found
    impacts = {i.impact.label for i in change(result, REF).impacts if i.change_class == cls}
    assert impacts == {impact}


def test_a_removed_kpi_is_a_loosened_promise(examples_repo: GitRepo) -> None:
    text = examples_repo.file(INCIDENT).read_text(encoding="utf-8")
    start = text.index("    - name: csat\n")
    end = text.index("    - name: level-zero-solvable\n")
    examples_repo.write(INCIDENT, text[:start] + text[end:])
    examples_repo.commit()
    found = classes(examples_repo.diff("main", "feature"), REF)
    assert found == {"kpi-target-loosened": "KPI csat removed: its target is no longer measured"}


def test_an_owner_change_needs_both_owners(examples_repo: GitRepo) -> None:
    examples_repo.edit(INCIDENT, "  owner: role:incident-process-owner\n",
                       "  owner: role:head-of-service\n")
    examples_repo.commit()
    result = examples_repo.diff("main", "feature")
    approvers = {a.party: a.reasons for a in result.approvals}
    assert "role:incident-process-owner" in approvers, approvers
    assert "role:head-of-service" in approvers, approvers
    assert any("owner of process incident-management" in r
               for r in approvers["role:head-of-service"])


def test_a_loosened_kpi_needs_the_process_owner_of_base(examples_repo: GitRepo) -> None:
    examples_repo.edit(INCIDENT, MTTR, 'target: {op: "<=", value: 8h}')
    examples_repo.commit()
    result = examples_repo.diff("main", "feature")
    assert result.impact is not None and result.impact.label == "approval-required"
    assert [a.party for a in result.approvals] == ["role:incident-process-owner"]


def test_a_matrix_reordered_is_no_priority_change(examples_repo: GitRepo) -> None:
    text = examples_repo.file(INCIDENT).read_text(encoding="utf-8")
    first = "      - {impact: extensive, urgency: critical, priority: P1}\n"
    second = "      - {impact: extensive, urgency: high, priority: P1}\n"
    examples_repo.write(INCIDENT, text.replace(first + second, second + first))
    examples_repo.commit()
    result = examples_repo.diff("main", "feature")
    assert REF not in {c.ref for c in result.changes}
