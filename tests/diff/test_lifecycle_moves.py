"""Lifecycle moves through `diff`: the exit criteria of the old stage and the entry criteria
of the new one at HEAD, stages skipped, the gate's approvers (BASE's gate: a pull request
cannot weaken the gate that judges it) and the evidence with its age, in real git repos."""

from __future__ import annotations

import json

from tests.diff.conftest import GitRepo, change

GATES = "policies/larkspur.yaml"
SIGNOFF = """  evidence:
    - name: security-signoff
      date: 2026-11-02
      ref: https://security.larkspur.example/reviews/loyalty-2026
      approver: luca.moretti@larkspur.example
"""


def gate_findings(result: object) -> list[str]:
    return [f.message for f in result.new_findings  # type: ignore[attr-defined]
            if f.rule == "production-readiness"]


def readings(result: object, ref: str, cls: str) -> list[str]:
    return [i.message for i in change(result, ref).impacts  # type: ignore[arg-type]
            if i.change_class == cls]


def to_transition(repo: GitRepo, evidence: str = "") -> None:
    repo.edit("services/loyalty-programme.yaml", "lifecycle: design", "lifecycle: transition")
    if evidence:
        text = repo.file("services/loyalty-programme.yaml").read_text(encoding="utf-8")
        repo.write("services/loyalty-programme.yaml", text + evidence)


def test_a_move_that_meets_its_gate_shows_the_evidence_and_adds_the_approvers(
        examples_repo: GitRepo) -> None:
    to_transition(examples_repo, SIGNOFF)
    examples_repo.commit("loyalty into transition")
    result = examples_repo.diff("main", "feature")
    assert not gate_findings(result) and result.exit_code == 0
    # 2026-11-02 to 2026-11-23: 21 days
    assert readings(result, "Service:loyalty-programme", "lifecycle-gate") == [
        "gate production-readiness: design -> transition, criteria met at HEAD; approved by"
        " role:change-manager; evidence: security-signoff of 2026-11-02 (21 days old,"
        " approved by luca.moretti@larkspur.example)"]
    assert readings(result, "Service:loyalty-programme", "evidence-added") == [
        "evidence security-signoff added: 2026-11-02, approved by luca.moretti@larkspur.example"]
    [approval] = [a for a in result.approvals if a.party == "role:change-manager"]
    assert approval.reasons == ("approves a move to transition under gate production-readiness:"
                                " Service:loyalty-programme enters transition"
                                " (design -> transition)",)
    assert approval.entities == ("Service:loyalty-programme",)


def test_missing_entry_evidence_is_one_new_finding_and_the_move_needs_approval(
        examples_repo: GitRepo) -> None:
    to_transition(examples_repo)
    examples_repo.commit("loyalty into transition, no sign-off")
    result = examples_repo.diff("main", "feature")
    # validate's entry check at HEAD and the diff's check agree: reported once
    assert gate_findings(result) == [
        "transition service 'loyalty-programme' does not meet the entry criteria of gate"
        " 'production-readiness': evidence 'security-signoff' is missing"]
    assert result.exit_code == 1
    [reading] = readings(result, "Service:loyalty-programme", "lifecycle-gate-unmet")
    assert reading.startswith("gate production-readiness: design -> transition, 1 criterion"
                              " unmet; approved by role:change-manager; evidence:"
                              " security-signoff missing")
    assert change(result, "Service:loyalty-programme").impact.label == "approval-required"


def test_exit_criteria_of_the_old_stage_must_hold_at_head(examples_repo: GitRepo) -> None:
    """BASE's gate asks for an architecture review to leave design; HEAD has none."""
    examples_repo.git("checkout", "-q", "main")
    examples_repo.edit(GATES, """    design:
      exit:
        rules: [service-owner-required]""", """    design:
      exit:
        rules: [service-owner-required]
        evidence: [{name: architecture-review}]""")
    examples_repo.commit("design exit needs an architecture review")
    examples_repo.git("checkout", "-q", "-B", "feature")
    to_transition(examples_repo, SIGNOFF)
    examples_repo.commit("loyalty into transition")
    result = examples_repo.diff("main", "feature")
    assert gate_findings(result) == [
        "service 'loyalty-programme' leaves design without meeting the exit criteria of gate"
        " 'production-readiness': evidence 'architecture-review' is missing"]
    [finding] = [f for f in result.new_findings if f.rule == "production-readiness"]
    lines = examples_repo.file("services/loyalty-programme.yaml").read_text().splitlines()
    assert lines[finding.line - 1].strip() == "lifecycle: transition"
    [reading] = readings(result, "Service:loyalty-programme", "lifecycle-gate-unmet")
    assert "evidence: architecture-review missing; security-signoff of 2026-11-02" in reading


def test_a_pull_request_cannot_weaken_the_gate_that_judges_it(examples_repo: GitRepo) -> None:
    """HEAD drops the sign-off from transition's entry and its approvers: BASE's gate still
    judges the move, and BASE's approvers still approve it."""
    to_transition(examples_repo)
    examples_repo.edit(GATES, """        evidence:
          - {name: security-signoff, maxAge: 52w}
      approvers: [role:change-manager]
""", "")
    examples_repo.commit("loyalty into transition, gate relaxed")
    result = examples_repo.diff("main", "feature")
    assert gate_findings(result) == [
        "transition service 'loyalty-programme' does not meet the entry criteria of gate"
        " 'production-readiness': evidence 'security-signoff' is missing"]
    assert "role:change-manager" in {a.party for a in result.approvals}
    # and the gate change itself is a policy change for the change process owner
    assert change(result, "Gate:production-readiness").status == "modified"


def test_a_gate_head_adds_applies_too(examples_repo: GitRepo) -> None:
    to_transition(examples_repo, SIGNOFF)
    examples_repo.write("policies/threat-model.yaml", """\
apiVersion: itsmctl.io/v1
kind: Gate
metadata: {name: threat-model}
spec:
  stages:
    transition:
      entry: {evidence: [{name: threat-model}]}
      approvers: [team:platform]
""")
    examples_repo.edit(".itsmctl.yaml", "policyFiles: [policies/*.yaml]",
                       "policyFiles: [policies/*.yaml]")
    examples_repo.commit("a new gate")
    result = examples_repo.diff("main", "feature")
    messages = [f.message for f in result.new_findings if f.rule == "threat-model"]
    assert any("evidence 'threat-model' is missing" in m for m in messages)
    assert "team:platform" in {a.party for a in result.approvals}


def test_skipping_a_stage_the_gate_forbids_to_skip(examples_repo: GitRepo) -> None:
    """transition -> retired jumps over operational (skippable: false) and retiring."""
    examples_repo.edit("services/click-and-collect.yaml", "lifecycle: transition",
                       "lifecycle: retired")
    examples_repo.edit("services/click-and-collect.yaml", "    - rule: production-readiness",
                       "    - rule: production-support-links")
    examples_repo.commit("pilot cancelled")
    result = examples_repo.diff("main", "feature")
    assert ("lifecycle transition -> retired skips operational, which gate"
            " 'production-readiness' does not allow to be skipped") in gate_findings(result)
    skipped = [a for a in result.approvals if a.party == "team:change-advisory-board"]
    assert skipped and any("Service:click-and-collect skips operational" in reason
                           for reason in skipped[0].reasons)


def test_a_waiver_of_the_gate_waives_the_move_but_not_its_approvers(
        examples_repo: GitRepo) -> None:
    """click-and-collect waives production-readiness: its move to operational without the
    sign-off is no finding, but the gate's approvers still approve it."""
    examples_repo.edit("services/click-and-collect.yaml", "lifecycle: transition",
                       "lifecycle: operational")
    examples_repo.commit("go live under the waiver")
    result = examples_repo.diff("main", "feature")
    assert not gate_findings(result)
    [reading] = readings(result, "Service:click-and-collect", "lifecycle-gate-unmet")
    assert "(the gate is waived until 2027-01-15)" in reading
    assert {"role:change-manager", "team:change-advisory-board"} <= {
        a.party for a in result.approvals}


def test_the_gate_and_its_evidence_in_every_format(examples_repo: GitRepo) -> None:
    to_transition(examples_repo, SIGNOFF)
    examples_repo.commit("loyalty into transition")
    text = examples_repo.cli("main", "feature").output
    assert ("lifecycle-gate" in text and "security-signoff of 2026-11-02 (21 days old,"
            " approved by luca.moretti@larkspur.example)" in text)
    markdown = examples_repo.cli("main", "feature", "--format", "markdown").output
    assert "security-signoff of 2026-11-02 (21 days old" in markdown
    data = json.loads(examples_repo.cli("main", "feature", "--format", "json").output)
    [service] = [c for c in data["changes"] if c["ref"] == "Service:loyalty-programme"]
    [gate] = [i for i in service["impacts"] if i["class"] == "lifecycle-gate"]
    assert gate["evidence"] == [{
        "name": "security-signoff", "date": "2026-11-02", "ageDays": 21,
        "approver": "luca.moretti@larkspur.example",
        "ref": "https://security.larkspur.example/reviews/loyalty-2026"}]


def test_renewed_evidence_is_shown_with_its_approver(examples_repo: GitRepo) -> None:
    examples_repo.edit("services/checkout.yaml", "      date: 2026-01-10", "      date: 2026-11-20")
    examples_repo.commit("load test repeated")
    result = examples_repo.diff("main", "feature")
    assert readings(result, "Service:checkout", "evidence-renewed") == [
        "evidence load-test renewed: 2026-01-10 -> 2026-11-20, approved by"
        " julia.schneider@larkspur.example"]
    assert not readings(result, "Service:checkout", "lifecycle-gate"), "no move, no gate"


def test_head_cannot_postpone_or_switch_off_the_gate_for_its_own_move(
        examples_repo: GitRepo) -> None:
    """HEAD moves enableOn to next year (warnings only) and switches the gate off in the
    config: BASE's gate and BASE's grading still make the missing sign-off an error."""
    to_transition(examples_repo)
    examples_repo.edit(GATES, "enableOn: 2026-10-01", "enableOn: 2027-10-01")
    examples_repo.edit(".itsmctl.yaml", "policyFiles: [policies/*.yaml]",
                       "policyFiles: [policies/*.yaml]\nrules: {production-readiness: off}")
    examples_repo.commit("loyalty into transition, gate postponed and switched off")
    result = examples_repo.diff("main", "feature")
    errors = [f for f in result.new_findings
              if f.rule == "production-readiness" and f.severity.label == "error"]
    assert [f.message for f in errors] == [
        "transition service 'loyalty-programme' does not meet the entry criteria of gate"
        " 'production-readiness': evidence 'security-signoff' is missing"]
    assert result.exit_code == 1


def add_wallet(repo: GitRepo, stage: str) -> None:
    """A new service, a copy of loyalty-programme, added directly in `stage`."""
    text = repo.file("services/loyalty-programme.yaml").read_text(encoding="utf-8")
    text = text.replace("name: loyalty-programme", "name: rewards-wallet")
    repo.write("services/rewards-wallet.yaml",
               text.replace("lifecycle: design", f"lifecycle: {stage}") + SIGNOFF)


def test_a_service_added_in_a_later_stage_is_judged_as_a_move_from_proposed(
        examples_repo: GitRepo) -> None:
    """Adding a service directly in operational does not skip the gate's approvers: it
    enters operational from proposed, jumping over transition."""
    add_wallet(examples_repo, "operational")
    examples_repo.commit("a new service, straight into operational")
    result = examples_repo.diff("main", "feature")
    assert change(result, "Service:rewards-wallet").status == "added"
    [reading] = readings(result, "Service:rewards-wallet", "lifecycle-gate-unmet")
    assert reading.startswith("gate production-readiness: proposed -> operational (added),")
    assert "approved by role:change-manager, team:change-advisory-board" in reading
    [manager] = [a for a in result.approvals if a.party == "role:change-manager"]
    assert manager.reasons == (
        "approves a move to transition under gate production-readiness:"
        " Service:rewards-wallet skips transition (added, proposed -> operational)",
        "approves a move to operational under gate production-readiness:"
        " Service:rewards-wallet enters operational (added, proposed -> operational)")
    [board] = [a for a in result.approvals if a.party == "team:change-advisory-board"]
    assert board.entities == ("Service:rewards-wallet",)
    # operational's entry criteria, as validate reports them at HEAD, once
    assert any("operational service 'rewards-wallet' does not meet the entry criteria" in m
               and "'load-test' is missing" in m for m in gate_findings(result))


def test_an_added_service_cannot_skip_a_stage_the_base_gate_forbids_to_skip(
        examples_repo: GitRepo) -> None:
    """BASE's gate makes transition non-skippable; a delete-and-add that rename pairing does
    not pair (loyalty-programme removed, rewards-wallet added in operational) meets it."""
    examples_repo.git("checkout", "-q", "main")
    examples_repo.edit(GATES, "      approvers: [role:change-manager]\n",
                       "      approvers: [role:change-manager]\n      skippable: false\n")
    examples_repo.commit("transition may not be skipped")
    examples_repo.git("checkout", "-q", "-B", "feature")
    add_wallet(examples_repo, "operational")
    examples_repo.edit("services/rewards-wallet.yaml", "Larkspur Club loyalty programme",
                       "Rewards wallet")
    examples_repo.remove("services/loyalty-programme.yaml")
    # HEAD relaxes the gate again: BASE's gate still judges the added service
    examples_repo.edit(GATES, "      skippable: false\n", "", )
    examples_repo.commit("loyalty replaced by a wallet, live at once")
    result = examples_repo.diff("main", "feature")
    assert change(result, "Service:rewards-wallet").status == "added"
    assert ("lifecycle proposed -> operational (added) skips transition, which gate"
            " 'production-readiness' does not allow to be skipped") in gate_findings(result)
    assert result.exit_code == 1


def test_a_service_added_in_proposed_meets_only_the_gates_of_proposed(
        examples_repo: GitRepo) -> None:
    """The example gate says nothing about proposed: no reading; a gate HEAD adds for
    proposed is read, with its approvers."""
    add_wallet(examples_repo, "proposed")
    examples_repo.commit("a new idea")
    result = examples_repo.diff("main", "feature")
    assert not readings(result, "Service:rewards-wallet", "lifecycle-gate")
    assert not gate_findings(result)
    examples_repo.write("policies/ideas.yaml", """\
apiVersion: itsmctl.io/v1
kind: Gate
metadata: {name: idea-intake}
spec:
  stages:
    proposed:
      approvers: [team:platform]
""")
    examples_repo.commit("ideas are approved by the platform team")
    result = examples_repo.diff("main", "feature")
    assert readings(result, "Service:rewards-wallet", "lifecycle-gate") == [
        "gate idea-intake: added in proposed, criteria met at HEAD; approved by team:platform"]
    [platform] = [a for a in result.approvals if a.party == "team:platform"]
    assert platform.reasons == ("approves a move to proposed under gate idea-intake:"
                                " Service:rewards-wallet enters proposed (added in proposed)",)
