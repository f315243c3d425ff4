"""`itsmctl check --records DIR`: the pull-request gate re-measures changed targets on records.

Hand computation (the scaffold's intranet-sla: office hours Monday to Friday 08:00-18:00 in
Berlin, monthly, P1 resolution 4h, the 95 % default attainment target, effective from
2026-11-23). Four P1 incidents, Monday 23 to Thursday 26 November 2026, each opened at 09:00,
responded to at 09:10 and resolved at 12:00: 3 business hours. Under 4h all four are met
(100 %); under 2h none is (0 %): the tightened target would newly be missed in 2026-11.
Tightening a target is only `target-tightened` (review) without records.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from tests.github.fake import FakeGitHub, commit, user
from tests.gitops.test_workflows import ROOT, load, steps_of, workflow_commands

if TYPE_CHECKING:
    from conftest import Git, Invoke

Edit = Callable[[Path, str, str, str], None]
SLA = "slas/intranet-sla.yaml"
NEWLY_MISSED = ("P1 resolution 4h -> 2h: 4 of 4 tickets of 2026-11 would have breached"
                " (0 did); 2026-11 attainment 100.0% -> 0.0%, below the 95% target;"
                " newly missed in 1 of 1 periods (2026-11)")


def _tickets() -> str:
    rows = ["id,type,service,priority,opened_at,responded_at,resolved_at"]
    rows += [f"INC{day},incident,intranet,P1,2026-11-{day}T09:00:00+01:00,"
             f"2026-11-{day}T09:10:00+01:00,2026-11-{day}T12:00:00+01:00"
             for day in (23, 24, 25, 26)]
    return "\n".join(rows) + "\n"


@pytest.fixture
def tightened(catalog_repo: Path, edit: Edit, run_git: Git) -> Path:
    """A pull request that lowers nothing: P1 resolution 4h -> 2h, on the records committed
    at BASE (the pull request leaves them alone)."""
    (catalog_repo / "records").mkdir()
    (catalog_repo / "records/tickets.csv").write_text(_tickets(), encoding="utf-8")
    run_git(catalog_repo, "add", "-A")
    run_git(catalog_repo, "commit", "-q", "-m", "Records of November")
    run_git(catalog_repo, "switch", "-q", "-c", "tighten")
    edit(catalog_repo, SLA, "{priority: P1, response: 30m, resolution: 4h}",
         "{priority: P1, response: 30m, resolution: 2h}")
    run_git(catalog_repo, "add", "-A")
    run_git(catalog_repo, "commit", "-q", "-m", "Resolve P1 incidents within 2h")
    return catalog_repo


def check(invoke: Invoke, repo: Path, *args: str,
          env: dict[str, str | None] | None = None) -> tuple[int, str]:
    result = invoke("check", str(repo), "--base", "main", *args, env=env)
    return result.exit_code, result.output


def test_without_records_a_tightened_target_is_only_a_review(tightened: Path,
                                                             invoke: Invoke) -> None:
    code, out = check(invoke, tightened, "--fail-on", "approval-required")
    assert code == 0, out
    assert "review: P1 resolution 4h -> 2h  (target-tightened)" in out
    assert "Records" not in out and "attainment-newly-missed" not in out
    assert out.rstrip().endswith("itsmctl check: OK (needs approval from role:service-owner)")


def test_a_target_the_records_say_would_be_missed_needs_approval(tightened: Path,
                                                                 invoke: Invoke) -> None:
    records = str(tightened / "records")
    code, out = check(invoke, tightened, "--records", records)
    assert code == 0, out  # the default --fail-on (new-errors) is not met
    assert (f"Records {records}: 4 tickets as of 2026-11-26T11:00:00Z; measured under BASE"
            " and HEAD: SLA intranet-sla") in out
    assert f"* approval-required: {NEWLY_MISSED}  (attainment-newly-missed)" in out
    assert out.rstrip().endswith("itsmctl check: OK (needs approval from role:service-owner,"
                                 " team:change-advisory-board)")
    code, out = check(invoke, tightened, "--records", records, "--fail-on", "approval-required")
    assert code == 1, out
    assert out.rstrip().endswith("itsmctl check: FAIL (diff: approval-required: 1)")


def test_the_reviews_must_cover_the_newly_missed_target(tightened: Path, tmp_path: Path,
                                                        invoke: Invoke, github: FakeGitHub,
                                                        run_git: Git) -> None:
    """--require-approvals: the CAB's approval, which only the records' reading asks for."""
    event = tmp_path / "event.json"
    head, base = (run_git(tightened, "rev-parse", ref).strip() for ref in ("HEAD", "main"))
    event.write_text(json.dumps({"pull_request": {
        "number": 3, "user": user("pat"), "head": {"sha": head}, "base": {"sha": base}}}))
    github.routes["/repos/example-org/catalog/pulls/3/reviews"] = []
    github.routes["/repos/example-org/catalog/pulls/3/commits"] = [commit(head)]
    for team in ("workplace", "change-advisory-board"):
        github.routes[f"/orgs/example-org/teams/{team}/members"] = [user("alex")]
    env: dict[str, str | None] = {
        "GITHUB_TOKEN": "t", "GITHUB_API_URL": github.url, "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "example-org/catalog"}
    code, out = check(invoke, tightened, "--require-approvals", env=env)
    assert code == 1, out
    assert "needs approval from role:service-owner" in out
    assert "change-advisory-board" not in out
    code, out = check(invoke, tightened, "--require-approvals",
                      "--records", str(tightened / "records"), env=env)
    assert code == 1, out
    assert ("itsmctl check: FAIL (approvals: needs approval from role:service-owner,"
            " team:change-advisory-board)") in out


def test_records_the_pull_request_edits_cannot_remove_the_cab(tightened: Path, invoke: Invoke,
                                                             run_git: Git) -> None:
    """The same pull request rewrites the records so that the tightened target looks met:
    BASE's records still say it would be missed, so the CAB still approves."""
    tickets = tightened / "records/tickets.csv"
    tickets.write_text(_tickets().replace("T12:00:00+01:00", "T10:00:00+01:00"),
                       encoding="utf-8")
    run_git(tightened, "commit", "-q", "-am", "Faster records")
    code, out = check(invoke, tightened, "--records", str(tightened / "records"),
                      "--fail-on", "approval-required")
    assert code == 1, out
    assert (f"* approval-required: under BASE's records: {NEWLY_MISSED}"
            "  (attainment-newly-missed)") in out
    assert ("review: the change edits the records it is measured on (tickets.csv); the"
            " readings are taken under BASE's records and HEAD's  (records-changed)") in out
    assert out.rstrip().endswith("itsmctl check: FAIL (diff: approval-required: 1)")
    code, out = check(invoke, tightened, "--records", str(tightened / "records"))
    assert "team:change-advisory-board" in out.rstrip().splitlines()[-1], out
    assert "role:change-manager" in out.rstrip().splitlines()[-1], out  # the change process


def test_a_pull_request_that_only_edits_records_is_reported(catalog_repo: Path, invoke: Invoke,
                                                            run_git: Git) -> None:
    (catalog_repo / "records").mkdir()
    (catalog_repo / "records/tickets.csv").write_text(_tickets(), encoding="utf-8")
    run_git(catalog_repo, "add", "-A")
    run_git(catalog_repo, "commit", "-q", "-m", "Records of November")
    run_git(catalog_repo, "switch", "-q", "-c", "edit-records")
    code, out = check(invoke, catalog_repo, "--records", str(catalog_repo / "records"))
    assert code == 0, out
    assert "records-changed" not in out  # records unchanged: nothing to report
    (catalog_repo / "records/tickets.csv").write_text(_tickets()[:-1] + "\n", encoding="utf-8")
    with (catalog_repo / "records/tickets.csv").open("a", encoding="utf-8") as f:
        f.write("INC27,incident,intranet,P1,2026-11-27T09:00:00+01:00,,\n")
    run_git(catalog_repo, "commit", "-q", "-am", "One more")
    code, out = check(invoke, catalog_repo, "--records", str(catalog_repo / "records"))
    assert code == 0, out
    assert "Records records" in out
    assert ("review: the change edits the records it is measured on (tickets.csv)") in out
    assert "needs approval from role:change-manager" in out.rstrip().splitlines()[-1], out


def _records_with_the_change(repo: Path, edit: Edit, run_git: Git) -> None:
    """A pull request that adds the records and tightens P1 resolution to 2h."""
    run_git(repo, "switch", "-q", "-c", "tighten")
    (repo / "records").mkdir()
    (repo / "records/tickets.csv").write_text(_tickets(), encoding="utf-8")
    edit(repo, SLA, "resolution: 4h}", "resolution: 2h}")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "Resolve P1 incidents within 2h")


def test_a_pull_request_that_adds_the_records_says_base_has_none(catalog_repo: Path,
                                                                 invoke: Invoke, edit: Edit,
                                                                 run_git: Git) -> None:
    _records_with_the_change(catalog_repo, edit, run_git)
    code, out = check(invoke, catalog_repo, "--records", str(catalog_repo / "records"),
                      "--fail-on", "approval-required")
    assert code == 1, out
    assert f"* approval-required: {NEWLY_MISSED}  (attainment-newly-missed)" in out
    assert ("review: the change adds the records it is measured on (tickets.csv); BASE has"
            " none to measure under  (records-changed)") in out


def test_annotations_summary_comment_and_sarif_show_the_reading(tightened: Path, tmp_path: Path,
                                                                invoke: Invoke) -> None:
    summary, sarif, comment = (tmp_path / "summary.md", tmp_path / "itsmctl.sarif",
                               tmp_path / "comment.md")
    code, out = check(invoke, tightened, "--records", str(tightened / "records"),
                      "--sarif", str(sarif), "--comment", str(comment),
                      env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 0, out
    escaped = NEWLY_MISSED.replace("%", "%25")
    assert ("::warning file=slas/intranet-sla.yaml,line=23,title=itsmctl diff%3A"
            f" approval-required::SLA intranet-sla: {escaped} (attainment-newly-missed)") in out
    assert f"itsmctl: records {tightened / 'records'}: 4 tickets as of" in out
    for report in (summary, comment):
        text = report.read_text(encoding="utf-8")
        assert (": 4 tickets as of 2026-11-26T11:00:00Z; measured under BASE and HEAD:"
                " SLA intranet-sla.") in text, report
        assert ("2026-11 attainment 100.0% -&gt; 0.0%, below the 95% target; newly missed in"
                " 1 of 1 periods (2026-11) (<code>attainment-newly-missed</code>)") in text
    run = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]
    [reading] = [r for r in run["results"] if r["ruleId"] == "attainment-newly-missed"]
    assert reading["level"] == "warning"
    assert reading["message"]["text"] == f"SLA intranet-sla: {NEWLY_MISSED}"
    location = reading["locations"][0]["physicalLocation"]
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == (
        "slas/intranet-sla.yaml", 23)  # the P1 target's line
    rule = run["tool"]["driver"]["rules"][reading["ruleIndex"]]
    assert rule["id"] == "attainment-newly-missed"


def test_no_records_no_reading_in_sarif(tightened: Path, tmp_path: Path, invoke: Invoke) -> None:
    sarif = tmp_path / "itsmctl.sarif"
    check(invoke, tightened, "--sarif", str(sarif))
    run = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]
    assert run["results"] == []
    assert "attainment-newly-missed" not in {r["id"] for r in run["tool"]["driver"]["rules"]}


def test_a_records_folder_outside_the_repository_is_refused(tightened: Path, tmp_path: Path,
                                                            invoke: Invoke) -> None:
    outside = tmp_path / "exports"
    outside.mkdir()
    (outside / "tickets.csv").write_text(_tickets(), encoding="utf-8")
    code, out = check(invoke, tightened, "--records", str(outside))
    assert code == 2
    assert f"records folder {outside} is outside the repository" in out
    (tightened / "inside").symlink_to(outside, target_is_directory=True)
    code, out = check(invoke, tightened, "--records", str(tightened / "inside"))
    assert code == 2
    assert "is outside the repository" in out


def test_a_record_file_linking_out_of_the_repository_is_never_read(tightened: Path,
                                                                   tmp_path: Path,
                                                                   invoke: Invoke) -> None:
    secret = tmp_path / "runner-secret.csv"
    secret.write_text("id,at,status\nTOKEN-1234,2026-11-23T09:00:00Z,on-hold\n")
    (tightened / "records/events.csv").symlink_to(secret)
    code, out = check(invoke, tightened, "--records", str(tightened / "records"))
    assert code == 2
    assert "events.csv is a symlink that leads outside the repository (not followed)" in out
    assert "TOKEN-1234" not in out


def test_a_record_file_linking_to_git_config_is_never_read(tightened: Path, invoke: Invoke,
                                                           run_git: Git) -> None:
    """The link stays inside the repository, but it is a link: not followed, not quoted."""
    config = tightened / ".git/config"
    config.write_text(config.read_text(encoding="utf-8") + '[http "https://github.com/"]\n'
                      "\textraheader = AUTHORIZATION: basic SECRETTOKEN123\n", encoding="utf-8")
    (tightened / "records/events.csv").symlink_to("../.git/config")
    run_git(tightened, "add", "-A")
    run_git(tightened, "commit", "-q", "-m", "Events")
    for args in ([], ["--max-bad-rows", "100", "-f", "json"]):
        code, out = check(invoke, tightened, "--records", str(tightened / "records"), *args)
        assert code == 2, out
        assert "events.csv is a symbolic link (not followed)" in out
        assert "SECRETTOKEN123" not in out and "repositoryformatversion" not in out
    result = invoke("diff", "-C", str(tightened), "main", "--records",
                    str(tightened / "records"))
    assert result.exit_code == 2, result.output
    assert "events.csv is a symbolic link (not followed)" in result.output


def test_a_mapping_yaml_in_the_records_is_no_catalog_file(tightened: Path, invoke: Invoke,
                                                           run_git: Git) -> None:
    """check and diff leave the records folder out of the catalog, on both sides, as
    measure does (its mapping.yaml is not an entity file)."""
    (tightened / "records/mapping.yaml").write_text("preset: generic\n", encoding="utf-8")
    run_git(tightened, "add", "-A")
    run_git(tightened, "commit", "-q", "-m", "Mapping")
    run_git(tightened, "switch", "-q", "main")
    run_git(tightened, "merge", "-q", "--ff-only", "tighten")  # BASE has it too
    run_git(tightened, "switch", "-q", "-c", "again")
    (tightened / "slas/intranet-sla.yaml").write_text(
        (tightened / "slas/intranet-sla.yaml").read_text(encoding="utf-8").replace(
            "resolution: 2h}", "resolution: 1h}"), encoding="utf-8")
    code, out = check(invoke, tightened, "--records", str(tightened / "records"))
    assert code == 0, out
    assert "apiVersion" not in out and "mapping.yaml" not in out
    assert "P1 resolution 2h -> 1h" in out
    result = invoke("diff", "-C", str(tightened), "main", "--records",
                    str(tightened / "records"))
    assert result.exit_code == 0, result.output
    assert "P1 resolution 2h -> 1h" in result.output
    assert "apiVersion" not in result.output and "mapping.yaml" not in result.output


def test_more_bad_rows_than_allowed_is_exit_2(tightened: Path, invoke: Invoke) -> None:
    tickets = tightened / "records/tickets.csv"
    tickets.write_text(_tickets() + "INC27,incident,intranet,P1,yesterday,,\n", encoding="utf-8")
    code, out = check(invoke, tightened, "--records", str(tightened / "records"))
    assert code == 2, out
    code, out = check(invoke, tightened, "--records", str(tightened / "records"),
                      "--max-bad-rows", "1")
    assert code == 0, out
    assert "4 tickets" in out


def _check_step_script() -> str:
    [step] = [s for s in steps_of(load(ROOT / "action.yml")) if s.get("id") == "check"]
    script: str = step["run"]
    return script


@pytest.mark.parametrize(("records", "passed"), [("records/", ["--records", "records/"]),
                                                 ("", [])])
def test_the_action_passes_its_records_input(tmp_path: Path, records: str,
                                             passed: list[str]) -> None:
    """The action's check step, run by bash with a stand-in itsmctl that logs its arguments."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["inputs"]["records"]["default"] == ""
    bin_dir, log = tmp_path / "bin", tmp_path / "args"
    bin_dir.mkdir()
    stand_in = bin_dir / "itsmctl"
    stand_in.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n', encoding="utf-8")
    stand_in.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "CATALOG_PATH": ".", "BASE_REF": "", "PR_BASE": "main", "FAIL_ON": "new-errors",
           "REQUIRE_APPROVALS": "false", "RENDER_SITE": "auto", "RECORDS": records,
           "REPORTS": str(tmp_path / "reports"), "GITHUB_OUTPUT": str(tmp_path / "output")}
    subprocess.run(["bash", "-c", _check_step_script()], env=env, cwd=tmp_path, check=True,
                   timeout=60)
    args = log.read_text(encoding="utf-8").split("\n")[:-1]
    assert args[:2] == ["check", "."]
    found = args[args.index("--records"):args.index("--records") + 2] if passed else []
    assert found == passed
    assert ("--records" in args) is bool(passed)


def test_the_scaffold_documents_records_commented_out(catalog_repo: Path, edit: Edit,
                                                      run_git: Git, invoke: Invoke,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The line the scaffold's comment offers, added to its command, gates the change."""
    workflow = (catalog_repo / ".github/workflows/itsm-pr.yml").read_text(encoding="utf-8")
    [documented] = [line.strip().removeprefix("#").split() for line in workflow.splitlines()
                    if line.strip().startswith("#   --records")]
    assert documented == ["--records", "records/"]
    [command] = workflow_commands(catalog_repo / ".github/workflows/itsm-pr.yml")
    assert "--records" not in command, "off until the catalog has records"
    command = [arg for arg in command if arg != "--require-approvals"]  # no GitHub here
    command = [arg.replace("origin/${{ github.base_ref }}", "main") for arg in command]
    _records_with_the_change(catalog_repo, edit, run_git)
    monkeypatch.chdir(catalog_repo)
    result = invoke(*command, *documented, "--fail-on", "approval-required")
    assert result.exit_code == 1, result.output
    assert "(attainment-newly-missed)" in result.output
