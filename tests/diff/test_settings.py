"""Config and policies in a diff: each side is read with its own, and changing them is a change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from itsmctl.errors import ConfigError
from tests.diff.conftest import GitRepo, change, classes, make_repo

CONFIG = ".itsmctl.yaml"
CONFIG_REF = f"Config:{CONFIG}"
RUNBOOK = "  links:\n    runbook: https://wiki.example.com/runbooks/fraud-cache\n"
POLICIES = """\
apiVersion: itsmctl.io/v1
kind: Policy
metadata: {name: tier1-runbook}
spec:
  severity: error
  description: Tier-1 services link a runbook.
  select: {kind: Service, spec.tier: 1}
  require:
    properties:
      spec: {required: [links]}
---
apiVersion: itsmctl.io/v1
kind: Scorecard
metadata: {name: readiness, title: Operational readiness}
spec:
  levels:
    - {name: bronze, rules: [service-runbook-required]}
    - {name: silver, rules: [review-overdue]}
"""
CHANGE_PROCESS_RACI = """\
apiVersion: itsmctl.io/v1
kind: RACI
metadata: {name: change-process-raci}
spec:
  scope: {process: change}
  activities:
    - name: authorize-change
      title: Authorize changes
      assignments: {role:change-manager: A, cab: R}
"""


def on_main(repo: GitRepo, files: dict[str, str]) -> None:
    """Commit files on main and start `feature` again from there."""
    repo.git("checkout", "-q", "main")
    for rel, text in files.items():
        repo.write(rel, text)
    repo.commit("on main")
    repo.git("checkout", "-q", "-B", "feature")


def switch_runbook_rule_off(repo: GitRepo) -> None:
    """The reviewer's pull request: the rule goes off and a runbook goes away."""
    repo.edit(CONFIG, "settings: {defaultBranch: main}\n",
              'settings: {defaultBranch: main}\nrules: {service-runbook-required: "off"}\n')
    repo.edit("services/fraud-cache.yaml", RUNBOOK, "")


def test_the_result_does_not_depend_on_what_is_checked_out(repo: GitRepo) -> None:
    on_main(repo, {CONFIG: "settings: {defaultBranch: main}\n"})
    repo.branch("pr")
    switch_runbook_rule_off(repo)
    repo.commit("switch the runbook rule off")
    outputs = {}
    for checkout in ("main", "pr"):
        repo.git("checkout", "-q", checkout)
        default = repo.cli("main", "pr")
        strict = repo.cli("main", "pr", "--fail-on", "approval-required")
        outputs[checkout] = (default.exit_code, default.output, strict.exit_code, strict.output)
    assert outputs["main"] == outputs["pr"]
    exit_code, output, strict_code, strict_output = outputs["main"]
    assert exit_code == 0, output  # no new error: on HEAD the rule is off
    assert ("Config .itsmctl.yaml  modified  [approval-required]  .itsmctl.yaml") in output
    assert ("  * approval-required: rule service-runbook-required switched off (was error)"
            "  (rule-disabled)") in output
    assert strict_code == 1
    assert strict_output.rstrip().splitlines()[-1].startswith("FAIL (approval-required: 1)")


def test_each_side_reads_its_own_policy_files(repo: GitRepo) -> None:
    on_main(repo, {CONFIG: "policyFiles: [policies/*.yaml]\n", "policies/rules.yaml": POLICIES})
    repo.branch("pr")
    repo.edit("policies/rules.yaml", "  severity: error", "  severity: info")
    repo.edit("services/payments-api.yaml",
              "  links:\n    runbook: https://wiki.example.com/runbooks/payments-api\n", "")
    repo.commit("weaken the policy")
    seen = set()
    for checkout in ("main", "pr"):
        repo.git("checkout", "-q", checkout)
        result = repo.diff("main", "pr")
        seen.add((tuple(c.ref for c in result.changes), result.reasons,
                  tuple(sorted((f.rule, f.severity.label) for f in result.new_findings))))
        assert classes(result, "Policy:tier1-runbook") == {
            "policy-changed": "policy tier1-runbook changed: severity error -> info"}
    assert len(seen) == 1
    # on HEAD the policy only informs: the one new error is the built-in runbook rule
    assert seen.pop()[2] == (("service-runbook-required", "error"), ("tier1-runbook", "info"))


# (BASE config or None, HEAD config, class, impact, message)
CONFIG_CASES = [
    (None, 'rules: {service-runbook-required: "off"}\n', "rule-disabled", "approval-required",
     "rule service-runbook-required switched off (was error)"),
    (None, 'overrides:\n  - paths: ["legacy/**"]\n    rules: {service-runbook-required: warning}\n',
     "rule-downgraded", "approval-required",
     "rule service-runbook-required downgraded for legacy/**: error -> warning"),
    ('rules: {service-runbook-required: "off"}\n', "rules: {}\n", "rule-enabled", "review",
     "rule service-runbook-required switched on: off -> error"),
    (None, "rules: {review-overdue: error}\n", "rule-upgraded", "review",
     "rule review-overdue raised: warning -> error"),
    ('exclude: ["drafts/**"]\n', 'exclude: ["drafts/**", "legacy/**"]\n',
     "validation-scope-narrowed", "approval-required",
     "fewer files are validated: exclude adds legacy/**"),
    ("include: ['**/*.yaml', '**/*.yml']\n", "include: ['**/*.yaml']\n",
     "validation-scope-narrowed", "approval-required",
     "fewer files are validated: include drops **/*.yml"),
    ('exclude: ["drafts/**", "legacy/**"]\n', 'exclude: ["drafts/**"]\n', "config-changed",
     "review", "setting exclude[legacy/**]: legacy/** -> (none)"),
]


@pytest.mark.parametrize(("base", "head", "change_class", "impact", "message"), CONFIG_CASES,
                         ids=[c[2] for c in CONFIG_CASES])
def test_config_change_classes(repo: GitRepo, base: str | None, head: str, change_class: str,
                               impact: str, message: str) -> None:
    if base is not None:
        on_main(repo, {CONFIG: base})
    repo.write(CONFIG, head)
    result = repo.diff("main")
    assert classes(result, CONFIG_REF) == {change_class: message}
    config = change(result, CONFIG_REF)
    assert (config.kind, config.name, config.impact.label) == ("Config", CONFIG, impact)
    assert config.status == ("added" if base is None else "modified")


def test_an_unchanged_severity_is_a_plain_setting_change(repo: GitRepo) -> None:
    repo.write(CONFIG, "rules: {service-runbook-required: error}\n")
    assert classes(repo.diff("main"), CONFIG_REF) == {
        "config-changed": "setting rules: (none) -> {\"service-runbook-required\": \"error\"}"}


# (edit of policies/rules.yaml: old, new; entity; class; impact; message)
POLICY_CASES = [
    ("  severity: error", "  severity: warning", "Policy:tier1-runbook", "policy-changed",
     "approval-required", "policy tier1-runbook changed: severity error -> warning"),
    (POLICIES.split("---\n", maxsplit=1)[0] + "---\n", "", "Policy:tier1-runbook", "policy-removed",
     "approval-required", "policy tier1-runbook removed: its rule no longer runs"),
    ("    - {name: silver, rules: [review-overdue]}\n", "", "Scorecard:readiness",
     "policy-changed", "approval-required",
     ("scorecard readiness changed: levels[silver] {\"name\": \"silver\", \"rules\":"
     " [\"review-overdue\"]} -> (none)")),
    ("---\n" + POLICIES.split("---\n")[1], "", "Scorecard:readiness", "policy-removed",
     "approval-required", "scorecard readiness removed: services are no longer placed on it"),
    ("metadata: {name: tier1-runbook}", "metadata: {name: tier1-links}", "Policy:tier1-links",
     "policy-added", "review", "policy tier1-links added (error): Tier-1 services link a runbook."),
]


@pytest.mark.parametrize(("old", "new", "ref", "change_class", "impact", "message"), POLICY_CASES,
                         ids=[f"{c[2]}-{c[3]}" for c in POLICY_CASES])
def test_policy_change_classes(repo: GitRepo, old: str, new: str, ref: str, change_class: str,
                               impact: str, message: str) -> None:
    on_main(repo, {CONFIG: "policyFiles: [policies/*.yaml]\n", "policies/rules.yaml": POLICIES})
    repo.edit("policies/rules.yaml", old, new)
    result = repo.diff("main")
    assert classes(result, ref) == {change_class: message}
    assert change(result, ref).impact.label == impact
    assert change(result, ref).file == "policies/rules.yaml"
    assert CONFIG_REF not in [c.ref for c in result.changes]


def test_a_policy_in_the_config_is_a_policy_change(repo: GitRepo) -> None:
    policy = ("policies:\n  - id: tier1-runbook\n    severity: error\n"
              "    description: Tier-1 services link a runbook.\n"
              "    select: {kind: Service, spec.tier: 1}\n"
              "    require: {properties: {spec: {required: [links]}}}\n")
    on_main(repo, {CONFIG: policy})
    repo.write(CONFIG, policy.replace("severity: error", "severity: info"))
    result = repo.diff("main")
    assert [c.ref for c in result.changes] == ["Policy:tier1-runbook"]
    found = change(result, "Policy:tier1-runbook")
    assert (found.file, found.line) == (CONFIG, 2)
    assert [(f.path, f.before, f.after) for f in found.fields] == [("severity", "error", "info")]


def test_approvals_go_to_the_change_process_owner(repo: GitRepo) -> None:
    repo.write(CONFIG, 'rules: {service-runbook-required: "off"}\n')
    approvals = {a.party: a for a in repo.diff("main").approvals}
    # no RACI is scoped to the change process: the CAB of the change models approves
    assert list(approvals) == ["team:cab"]
    assert approvals["team:cab"].reasons == (
        ("CAB of change model normal-change (no RACI is scoped to the change process):"
        " Config:.itsmctl.yaml is approval-required"),)
    repo.remove(CONFIG)
    on_main(repo, {"change-process.yaml": CHANGE_PROCESS_RACI})
    repo.write(CONFIG, 'rules: {service-runbook-required: "off"}\n')
    approvals = {a.party: a for a in repo.diff("main").approvals}
    assert list(approvals) == ["role:change-manager"]
    assert approvals["role:change-manager"].reasons == (
        ("Accountable for authorize-change of the change process (RACI change-process-raci):"
        " Config:.itsmctl.yaml is approval-required"),)
    assert approvals["role:change-manager"].entities == (CONFIG_REF,)


def test_a_pull_request_cannot_name_its_own_approvers(repo: GitRepo) -> None:
    """Adding a change-process RACI in the same pull request that switches a rule off must not
    move the approval to the team that wrote it: BASE's approver stays, HEAD's is added."""
    repo.write("change-process.yaml", CHANGE_PROCESS_RACI)
    repo.write(CONFIG, 'rules: {service-runbook-required: "off"}\n')
    approvals = {a.party: a.reasons for a in repo.diff("main").approvals}
    assert list(approvals) == ["role:change-manager", "team:cab"]
    assert approvals["team:cab"] == (
        ("CAB of change model normal-change (no RACI is scoped to the change process):"
         " Config:.itsmctl.yaml is approval-required"),)
    assert approvals["role:change-manager"][0].startswith(
        "Accountable for authorize-change of the change process (RACI change-process-raci)")


def test_a_config_change_that_drops_the_change_process_raci_keeps_its_owner(
        repo: GitRepo) -> None:
    """Removing the change-process RACI with the config change leaves BASE's Accountable in
    place; the CAB that HEAD now falls back to is added."""
    on_main(repo, {"change-process.yaml": CHANGE_PROCESS_RACI})
    repo.remove("change-process.yaml")
    repo.write(CONFIG, 'rules: {service-runbook-required: "off"}\n')
    assert [a.party for a in repo.diff("main").approvals] == ["role:change-manager", "team:cab"]


def test_a_config_change_that_drops_every_cab_keeps_them(repo: GitRepo) -> None:
    """No RACI for the change process: the CAB approves; a change that also removes the CAB
    from the change model still needs it, and `role:catalog-maintainers` (HEAD's fallback)."""
    repo.edit("change-models.yaml", "    cab: cab\n", "")
    repo.write(CONFIG, 'rules: {service-runbook-required: "off"}\n')
    approvals = {a.party: a.reasons for a in repo.diff("main").approvals}
    assert list(approvals) == ["role:catalog-maintainers", "team:cab"]
    assert approvals["role:catalog-maintainers"] == (
        ("no RACI is scoped to the change process and no change model names a CAB, so the"
         " config's roles.catalog-maintainers approve: Config:.itsmctl.yaml is"
         " approval-required"),)


def test_service_owner_in_the_change_process_raci_names_nobody_for_config(
        repo: GitRepo) -> None:
    """A config change concerns no service: `role:service-owner` in the change-process RACI is
    skipped, and with no other Accountable the chain goes on to the CAB."""
    only_owner = CHANGE_PROCESS_RACI.replace("role:change-manager: A", "role:service-owner: A")
    on_main(repo, {"change-process.yaml": only_owner})
    repo.write(CONFIG, 'rules: {service-runbook-required: "off"}\n')
    approvals = {a.party: a.reasons for a in repo.diff("main").approvals}
    assert list(approvals) == ["team:cab"]
    assert approvals["team:cab"][0].startswith(
        "CAB of change model normal-change (the change-process RACI names only"
        " role:service-owner as Accountable, and a config or policy change concerns no"
        " service)")


def test_a_broken_config_names_its_side(repo: GitRepo) -> None:
    on_main(repo, {CONFIG: "rules: [not, a, mapping]\n"})
    repo.write(CONFIG, "rules: {}\n")
    with pytest.raises(ConfigError, match=r"\(in merge base with main\)"):
        repo.diff(None)
    result = repo.cli("main")
    assert result.exit_code == 2
    assert "(in main)" in result.output


def test_an_unknown_rule_on_the_base_does_not_block_its_fix(repo: GitRepo) -> None:
    """A typo (or a rule an itsmctl upgrade renamed) on main must not make every pull
    request, including the one that fixes it, exit 2."""
    on_main(repo, {CONFIG: 'rules: {no-such-rule: "off"}\n'})
    repo.write(CONFIG, "rules: {}\n")
    repo.commit("fix the config")
    result = repo.diff("main", "feature")
    assert result.exit_code == 0
    assert change(result, CONFIG_REF).status == "modified"


def test_an_unknown_rule_names_its_side(repo: GitRepo) -> None:
    repo.write(CONFIG, "rules: {no-such-rule: error}\n")
    repo.commit("unknown rule on the branch")
    with pytest.raises(ConfigError, match=r"unknown rule 'no-such-rule' \(in feature\)"):
        repo.diff("main", "feature")


def test_an_explicit_config_applies_to_both_sides(repo: GitRepo, tmp_path: Path) -> None:
    on_main(repo, {CONFIG: "settings: {defaultBranch: main}\n"})
    switch_runbook_rule_off(repo)
    chosen = tmp_path / "ci.yaml"
    chosen.write_text("rules: {}\n", encoding="utf-8")
    result = repo.cli("main", "--config", str(chosen))
    assert result.exit_code == 1  # the user's config keeps the rule on: a new error
    assert "FAIL (new-errors: 1)" in result.output
    assert "Config" not in result.output


def test_json_and_github_show_the_config_like_an_entity(repo: GitRepo) -> None:
    repo.write(CONFIG, 'rules: {service-runbook-required: "off"}\n')
    data = json.loads(repo.cli("main", "-f", "json").output)
    [config] = [c for c in data["changes"] if c["kind"] == "Config"]
    assert config["fields"] == [{"path": "rules", "op": "added", "before": None,
                                 "after": {"service-runbook-required": "off"}}]
    assert [i["class"] for i in config["impacts"]] == ["rule-disabled"]
    github = repo.cli("main", "-f", "github").output
    assert ("::warning file=.itsmctl.yaml,title=itsmctl diff%3A approval-required::Config"
            " .itsmctl.yaml: rule"
            " service-runbook-required switched off (was error) (rule-disabled)") in github


def test_a_catalog_in_a_subfolder_reads_its_own_config_and_policies(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "mono", catalog="catalog")
    on_main(repo, {CONFIG: "policyFiles: [policies/*.yaml]\n", "policies/rules.yaml": POLICIES})
    repo.edit("policies/rules.yaml", "  severity: error", "  severity: warning")
    repo.edit(CONFIG, "policyFiles:", 'rules: {review-overdue: "off"}\npolicyFiles:')
    result = repo.diff("main")
    assert [(c.ref, c.file) for c in result.changes] == [
        ("Config:catalog/.itsmctl.yaml", "catalog/.itsmctl.yaml"),
        ("Policy:tier1-runbook", "catalog/policies/rules.yaml")]
    assert classes(result, "Config:catalog/.itsmctl.yaml") == {
        "rule-disabled": "rule review-overdue switched off (was warning)"}
