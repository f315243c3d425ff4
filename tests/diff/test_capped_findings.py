"""Past the listing bound (100 findings of a rule per document) the diff is still exact.

`validate` lists the first 100 schema findings of a document and one finding that counts the
rest; the diff compares every one of them, so a pull request cannot hide a new violation
behind 150 old ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from itsmctl.findings import Finding, total
from tests.conftest import run_cli
from tests.diff.conftest import TODAY, GitRepo

TEAM = "teams/many.yaml"


def write_team(repo: GitRepo, labels: list[str], metadata: str = "") -> None:
    """A team whose every label value is too long: one schema error per label."""
    lines = "".join(f"    {label}: {'x' * 70}\n" for label in labels)
    repo.write(TEAM, "apiVersion: itsmctl.io/v1\nkind: Team\nmetadata:\n  name: many\n"
                     f"  labels:\n{lines}{metadata}spec:\n  email: a@example.com\n"
                     "  members: []\n")


def on_main(repo: GitRepo, labels: list[str]) -> None:
    repo.git("checkout", "-q", "main")
    write_team(repo, labels)
    repo.commit("a team of many long labels")
    repo.git("checkout", "-q", "feature")
    repo.git("reset", "-q", "--hard", "main")


def labels(findings: tuple[Finding, ...]) -> list[str]:
    return [f.json_path.rpartition(".")[2] for f in findings if f.file == TEAM
            and not f.stands_for]


def mine(findings: tuple[Finding, ...]) -> list[Finding]:
    """The team file's findings (the test catalog has two warnings of its own)."""
    return [f for f in findings if f.file == TEAM]


L150 = [f"l{i:03}" for i in range(150)]


def test_a_violation_past_the_bound_is_new(repo: GitRepo) -> None:
    on_main(repo, L150)
    write_team(repo, [*L150, *(f"l{i:03}" for i in range(150, 160))])
    repo.commit()
    result = repo.diff("main", "feature")
    assert labels(result.new_findings) == [f"l{i:03}" for i in range(150, 160)]
    assert [f.line for f in result.new_findings] == list(range(156, 166))  # located now
    assert total(result.new_findings) == 10 and result.reasons == ("new-errors: 10",)
    assert total(mine(result.existing_findings)) == 150 and result.fixed_findings == ()
    assert result.exit_code == 1


def test_which_are_listed_does_not_make_findings_new(repo: GitRepo) -> None:
    """Labels that sort first push 10 listed findings into the count: only they are new."""
    on_main(repo, L150)
    first = [f"a{i:03}" for i in range(10)]
    write_team(repo, [*first, *L150])
    repo.commit()
    result = repo.diff("main", "feature")
    assert labels(result.new_findings) == first
    assert (total(result.new_findings), total(mine(result.existing_findings)),
            total(result.fixed_findings)) == (10, 150, 0)


def test_violations_fixed_past_the_bound_are_fixed(repo: GitRepo) -> None:
    on_main(repo, L150)
    write_team(repo, L150[:130])
    repo.commit()
    result = repo.diff("main", "feature")
    assert result.new_findings == () and result.exit_code == 0
    assert labels(result.fixed_findings) == L150[130:]
    assert [f.line for f in result.fixed_findings] == list(range(136, 156))  # BASE's lines


def test_the_diff_lists_its_own_new_findings_under_the_bound(repo: GitRepo) -> None:
    on_main(repo, L150)
    write_team(repo, [*L150, *(f"m{i:03}" for i in range(130))])
    repo.commit()
    result = repo.diff("main", "feature")
    listed = [f for f in result.new_findings if not f.stands_for]
    counting = [f for f in result.new_findings if f.stands_for]
    assert len(listed) == 100 and total(result.new_findings) == 130
    assert [(f.message, f.line, f.entity) for f in counting] == [
        ("30 more schema findings in this document (the first 100 are listed)", 256,
         "Team:many")]  # at m100, line 256
    assert result.reasons == ("new-errors: 130",)


def test_a_cached_result_keeps_what_it_counts(repo: GitRepo, tmp_path: Path) -> None:
    """The result memo stores what a counting finding stands for: a second run, served
    from it, finds the same new findings."""
    on_main(repo, L150)
    write_team(repo, [*L150, "l150"])
    repo.commit()
    env = {"ITSMCTL_CACHE_DIR": str(tmp_path / "cache")}
    runs = [repo.cli("main", "-f", "json", env=env) for _ in range(2)]
    for run in runs:
        assert run.exit_code == 1, run.output
        report = json.loads(run.stdout)
        assert report["summary"]["newFindings"] == 1
        assert [f["path"] for f in report["findings"]["new"]] == ["metadata.labels.l150"]
    assert runs[0].stdout == runs[1].stdout


def test_checks_failure_reason_counts_every_finding(repo: GitRepo) -> None:
    """`check`'s reason for failing validate counts a counting finding as the findings it
    stands for, as the diff's reason beside it does (it said 101 where there were 250)."""
    write_team(repo, [f"l{i:03}" for i in range(250)])
    repo.commit()
    result = run_cli("check", str(repo.path), "--base", "main", "--no-site", "--today",
                     TODAY.isoformat())
    assert result.exit_code == 1, result.output
    assert "validate: 250 finding(s) at or above error; diff: new-errors: 250" in result.output


def test_validates_counts_count_every_finding(repo: GitRepo, tmp_path: Path) -> None:
    """validate's summary counts each finding a counting finding stands for, at its own
    severity: 250 errors, though 101 are listed."""
    write_team(repo, [f"l{i:03}" for i in range(250)])
    result = run_cli("validate", "--no-cache", str(repo.path), "-f", "json",
                     "--today", TODAY.isoformat())
    report = json.loads(result.stdout)
    assert len([f for f in report["findings"] if f["file"].endswith(TEAM)]) == 101
    assert report["summary"]["errors"] == 250


def test_a_waiver_covers_the_findings_past_the_bound(repo: GitRepo) -> None:
    """150 waived findings list 100 and one that counts the rest: it is waived too, so SARIF
    marks it suppressed (code scanning showed it as an open error) and the text report names
    the waiver."""
    write_team(repo, L150, "  waivers:\n    - {rule: schema, reason: legacy labels,"
                           " expires: '2027-06-01', approver: jane}\n")
    args = ("validate", "--no-cache", str(repo.path), "--today", TODAY.isoformat())
    sarif = json.loads(run_cli(*args, "-f", "sarif").stdout)
    results = [r for r in sarif["runs"][0]["results"]
               if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(TEAM)]
    assert len(results) == 101
    assert all(r["suppressions"] == [{"kind": "inSource", "justification": "legacy labels"}]
               for r in results)
    text = run_cli(*args, "-v").stdout
    assert "schema until 2027-06-01: legacy labels" in text
    assert text.count("until 2027-06-01") == 101


def test_checks_step_summary_says_how_many_findings_it_leaves_out(repo: GitRepo,
                                                                  tmp_path: Path) -> None:
    """The step summary's findings table shows 50 rows; the line under it counts the findings
    left out, a counting finding as those it stands for (it counted rows: "53 more" under
    "Validation findings (252)", where 202 were not shown)."""
    write_team(repo, [f"l{i:03}" for i in range(250)])
    repo.commit()
    summary = tmp_path / "summary.md"
    run_cli("check", str(repo.path), "--base", "main", "--no-site", "--today",
            TODAY.isoformat(), env={"GITHUB_ACTIONS": "true",
                                    "GITHUB_STEP_SUMMARY": str(summary)}, code=1)
    text = summary.read_text(encoding="utf-8")
    assert "<summary>Validation findings (252)</summary>" in text  # and the catalog's 2 own
    assert "202 more: run `itsmctl validate` to see all." in text
