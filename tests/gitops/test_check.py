"""`itsmctl check` in a real git repository: a pull-request-like branch off `main`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from itsmctl.check import run_check
from itsmctl.reporters.ci_files import ReportFiles, write_reports

if TYPE_CHECKING:
    from conftest import Git, Invoke

Edit = Callable[[Path, str, str, str], None]
SLA = "slas/intranet-sla.yaml"
TODAY = date(2026, 11, 23)  # as the conftest's ITSMCTL_TODAY


@pytest.fixture
def lowered_sla(catalog_repo: Path, edit: Edit, run_git: Git) -> Path:
    """A branch that lowers the intranet's availability, committed like a pull request."""
    run_git(catalog_repo, "switch", "-q", "-c", "lower-sla")
    edit(catalog_repo, SLA, "availability: 99.5 ", "availability: 99.0 ")
    run_git(catalog_repo, "commit", "-q", "-am", "Lower the intranet SLA")
    return catalog_repo


Check = Callable[..., tuple[int, str]]


@pytest.fixture
def check(invoke: Invoke) -> Check:
    """`check(repo, *args)` -> (exit code, output) of `itsmctl check REPO ARGS`."""

    def run(repo: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
        result = invoke("check", str(repo), *args, env=env)
        return result.exit_code, result.output

    return run


def test_a_clean_branch_passes(catalog_repo: Path, run_git: Git, check: Check) -> None:
    run_git(catalog_repo, "switch", "-q", "-c", "nothing")
    code, out = check(catalog_repo, "--base", "main")
    assert code == 0, out
    assert "OK: 0 entities changed" in out
    assert out.rstrip().endswith("itsmctl check: OK")


def test_the_diff_shows_the_lowered_sla(lowered_sla: Path, check: Check) -> None:
    code, out = check(lowered_sla)  # default base: merge base with main
    assert code == 0, out
    assert "SLA intranet-sla" in out
    assert "spec.availability: 99.5 -> 99.0" in out
    assert "approval-required" in out
    assert "merge base with main" in out


@pytest.mark.parametrize(("fail_on", "expected"), [
    ((), 0),
    (("breaking",), 0),
    (("approval-required",), 1),
    (("new-errors", "approval-required"), 1),
    (("none",), 0),
])
def test_exit_code_follows_fail_on(lowered_sla: Path, fail_on: tuple[str, ...],
                                   expected: int, check: Check) -> None:
    args = [arg for item in fail_on for arg in ("--fail-on", item)]
    code, out = check(lowered_sla, "--base", "main", *args)
    assert code == expected, out
    if expected:
        assert "itsmctl check: FAIL (diff: approval-required: 1)" in out


def test_validation_errors_fail_the_check(catalog_repo: Path, edit: Edit, run_git: Git,
                                          check: Check) -> None:
    run_git(catalog_repo, "switch", "-q", "-c", "broken")
    edit(catalog_repo, "services/intranet.yaml", "owner: workplace", "owner: nobody")
    code, out = check(catalog_repo, "--base", "main")
    assert code == 1
    assert "ref-unresolved" in out
    assert "FAIL (validate:" in out


@pytest.mark.parametrize(("actions", "github"), [("true", True), ("false", False), (None, False)])
def test_format_auto_is_github_on_actions_and_text_elsewhere(lowered_sla: Path, check: Check,
                                                              actions: str | None,
                                                              github: bool) -> None:
    code, out = check(lowered_sla, "--base", "main", "-f", "auto",
                      env={"GITHUB_ACTIONS": actions})
    assert code == 0, out
    assert ("::warning file=slas/intranet-sla.yaml" in out) is github
    assert out.startswith("OK: 0 errors, 0 warnings") is not github  # the text report
    # auto is the default: the same report without -f
    assert check(lowered_sla, "--base", "main", env={"GITHUB_ACTIONS": actions}) == (code, out)


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_output_writes_the_report_to_a_file_instead_of_stdout(lowered_sla: Path, tmp_path: Path,
                                                             check: Check, fmt: str) -> None:
    _, shown = check(lowered_sla, "--base", "main", "-f", fmt)
    report = tmp_path / "reports" / "check.out"
    report.parent.mkdir()
    code, out = check(lowered_sla, "--base", "main", "-f", fmt, "-o", str(report))
    assert (code, out) == (0, "")
    assert report.read_text(encoding="utf-8") == shown
    assert [p.name for p in report.parent.iterdir()] == ["check.out"]  # no temporary left
    if fmt == "json":
        assert json.loads(shown)["tool"]["name"] == "itsmctl"


def test_step_summary_is_appended_and_annotations_written(lowered_sla: Path,
                                                          tmp_path: Path, check: Check) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    code, out = check(lowered_sla, "--base", "main", env=env)
    assert code == 0, out
    assert out.startswith("itsmctl: 0 errors")  # github format by default under Actions
    assert ("::warning file=slas/intranet-sla.yaml,line=19,"  # the availability field
            "title=itsmctl diff%3A approval-required::SLA intranet-sla") in out
    text = summary.read_text(encoding="utf-8")
    # never "passed" while approvals are outstanding
    headline = "## itsmctl check needs approval from role:service-owner, team:change-advisory-board"
    assert text.startswith(f"## an earlier step\n{headline}\n"), "appended, as GitHub"
    assert "| SLA <code>intranet-sla</code> | modified | **approval-required** |" in text
    check(lowered_sla, "--base", "main", env=env)
    assert summary.read_text(encoding="utf-8").count(headline) == 2


def test_no_step_summary_without_the_variable(lowered_sla: Path, run_git: Git,
                                              check: Check) -> None:
    code, out = check(lowered_sla, "--base", "main")
    assert code == 0
    assert "::" not in out, "no annotations outside GitHub Actions"
    assert run_git(lowered_sla, "status", "--porcelain", "--ignored") == "", "wrote nothing"


def test_sarif_and_comment_files(catalog_repo: Path, edit: Edit, tmp_path: Path, run_git: Git,
                                 check: Check) -> None:
    run_git(catalog_repo, "switch", "-q", "-c", "broken")
    edit(catalog_repo, "services/intranet.yaml", "owner: workplace", "owner: nobody")
    sarif, comment = tmp_path / "out/itsmctl.sarif", tmp_path / "out/comment.md"
    code, _ = check(catalog_repo, "--base", "main", "--sarif", str(sarif),
                    "--comment", str(comment))
    assert code == 1
    data = json.loads(sarif.read_text(encoding="utf-8"))
    assert data["version"] == "2.1.0"
    results = data["runs"][0]["results"]
    # the dangling owner, and what rests on it: the on-call policy (via spec.owner) and the
    # production-readiness gate that names that policy
    assert sorted(r["ruleId"] for r in results) == ["owner-on-call", "production-readiness",
                                                     "ref-unresolved"]
    unresolved = next(r for r in results if r["ruleId"] == "ref-unresolved")
    location = unresolved["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "services/intranet.yaml"
    body = comment.read_text(encoding="utf-8")
    assert body.startswith("<!-- itsmctl-check -->\n## itsmctl check fails: validate: 3")
    assert "ref-unresolved" in body
    assert "<!-- itsmctl-diff -->" not in body, "one marker: the bot updates one comment"


def test_json_report(lowered_sla: Path, check: Check) -> None:
    code, out = check(lowered_sla, "--base", "main", "--format", "json",
                      "--fail-on", "approval-required")
    assert code == 1
    data = json.loads(out)
    assert data["exitCode"] == 1 and data["failed"] is True
    assert data["validate"]["summary"]["errors"] == 0
    assert data["diff"]["changes"][0]["ref"] == "SLA:intranet-sla"
    assert data["site"] == {"checked": False, "note": "not checked: no committed site in site/"}


@pytest.mark.slow
def test_a_committed_site_is_checked_automatically(lowered_sla: Path, edit: Edit, invoke: Invoke,
                                                   run_git: Git, check: Check) -> None:
    run_git(lowered_sla, "switch", "-q", "main")
    rendered = invoke("render", str(lowered_sla), "--no-history", "-o",
                      str(lowered_sla / "site"))
    assert rendered.exit_code == 0, rendered.output
    run_git(lowered_sla, "add", "-f", "site")
    run_git(lowered_sla, "commit", "-q", "-m", "Commit the site")
    code, out = check(lowered_sla, "--base", "main")
    assert code == 0, out
    assert "site: " in out and "is up to date" in out
    edit(lowered_sla, SLA, "availability: 99.5 ", "availability: 99.0 ")
    code, out = check(lowered_sla, "--base", "main")
    assert code == 1
    assert "stale" in out and "FAIL (site:" in out
    code, out = check(lowered_sla, "--base", "main", "--no-site")
    assert code == 0, out


@pytest.mark.slow
def test_a_committed_site_does_not_go_stale_as_days_pass(
        catalog_repo: Path, invoke: Invoke, run_git: Git, check: Check,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The site is checked as of the day it records; validate still uses the clock."""
    rendered = invoke("render", str(catalog_repo), "--no-history", "-o",
                      str(catalog_repo / "site"))  # as of ITSMCTL_TODAY, 2026-11-23
    assert rendered.exit_code == 0, rendered.output
    run_git(catalog_repo, "add", "-f", "site")
    run_git(catalog_repo, "commit", "-q", "-m", "Commit the site")

    from itsmctl import runcontext

    # the one clock: the intranet's review (26w) is overdue by then
    monkeypatch.setattr(runcontext, "clock_today", lambda: date(2027, 6, 1))
    code, out = check(catalog_repo, "--base", "main", env={"ITSMCTL_TODAY": None})
    assert code == 0, out
    assert "is up to date" in out and "review-overdue" in out
    code, out = check(catalog_repo, "--base", "main", "--today", "2027-06-01")
    assert code == 1
    assert "stale" in out and "FAIL (site:" in out


def test_a_site_that_is_only_built_is_not_checked(catalog_repo: Path, invoke: Invoke,
                                                  check: Check) -> None:
    assert invoke("render", str(catalog_repo), "-o", str(catalog_repo / "site")).exit_code == 0
    code, out = check(catalog_repo, "--base", "main")
    assert code == 0, out
    assert "site/ is not committed to git" in out


@pytest.mark.parametrize(("args", "message"), [
    (("--base", "no-such-branch"), "unknown git ref 'no-such-branch'"),
    (("--base", "--upload-pack=x"), "looks like an option"),
    (("--site", "x", "--no-site"), "contradict"),
])
def test_usage_problems_exit_2(catalog_repo: Path, args: tuple[str, ...], message: str,
                               check: Check) -> None:
    code, out = check(catalog_repo, *args)
    assert code == 2
    assert message in out


def test_outside_git_is_an_environment_error(scaffold: Path, check: Check) -> None:
    code, out = check(scaffold)
    assert code == 2
    assert "not inside a git repository" in out


def test_core_api_writes_only_through_write_reports(lowered_sla: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_check(lowered_sla, base="main", fail_on=("breaking",), today=TODAY)
    assert result.exit_code == 0 and result.diff.changes
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    written = write_reports(result, ReportFiles(step_summary=tmp_path / "s.md"))
    assert written == [tmp_path / "s.md"]


def test_a_catalog_in_a_subfolder_is_named_from_the_repository_root(
        tmp_path: Path, invoke: Invoke, run_git: Git, check: Check) -> None:
    repo = tmp_path / "repo"
    assert invoke("init", str(repo / "catalog")).exit_code == 0
    run_git(repo, "init", "-q", "-b", "main")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "catalog")
    service = repo / "catalog/services/intranet.yaml"
    service.write_text(service.read_text(encoding="utf-8").replace("owner: workplace",
                                                                    "owner: nobody"))
    sarif = tmp_path / "x.sarif"
    code, out = check(repo / "catalog", "--sarif", str(sarif), env={"GITHUB_ACTIONS": "true"})
    assert code == 1
    assert "::error file=catalog/services/intranet.yaml,line=" in out
    uri = json.loads(sarif.read_text())["runs"][0]["results"][0]["locations"][0][
        "physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "catalog/services/intranet.yaml"


def test_an_over_long_comment_is_cut_below_githubs_limit(lowered_sla: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from itsmctl.reporters import check_report

    result = run_check(lowered_sla, base="main", today=TODAY)
    full = check_report.comment_body(result)
    monkeypatch.setattr(check_report, "COMMENT_LIMIT", 1200)
    short = check_report.comment_body(result)
    assert len(full) > 1200 >= len(short)
    assert short.startswith(check_report.MARKER)
    assert short.rstrip().endswith("the workflow run's summary has all of it._")
