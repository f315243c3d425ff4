"""Nobody approves their own change, and an objection blocks: `check --require-approvals`
against the local GitHub, with the pull request's commits as GitHub lists them.

The scaffold's pull request lowers the intranet SLA: role:service-owner (team workplace:
alex, sam) and team:change-advisory-board (robin, alex) must approve it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from click.testing import Result

from tests.github.fake import FakeGitHub, commit, review
from tests.github.test_require_approvals import (
    COMMITS,
    GIT_ENV,
    check,
    event_payload,
    git,
    pr_commits,
    scaffold_pr,
    serve,
)


def parties(result: Result) -> dict[str, dict[str, Any]]:
    return {p["party"]: p for p in json.loads(result.stdout)["approvals"]["parties"]}


def commit_as(repo: Path, author: str, committer: str = "e@example.com",
              message: str = "tidy the SLA") -> str:
    """One more commit of the pull request, by `author` (e-mail), committed by `committer`."""
    sla = repo / "slas" / "intranet-sla.yaml"
    sla.write_text(sla.read_text(encoding="utf-8") + "# tidied\n", encoding="utf-8")
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_EMAIL": author, "GIT_COMMITTER_EMAIL": committer}
    subprocess.run(["git", "commit", "-q", "-am", message], cwd=repo, env=env, check=True)
    return git(repo, "rev-parse", "HEAD")


def test_the_pull_request_author_never_approves_it(tmp_path: Path,
                                                   github: FakeGitHub) -> None:
    repo, head = scaffold_pr(tmp_path, [], [])
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", head)])
    payload = event_payload(repo, head, user={"login": "sam", "type": "User"})
    result = check(repo, github, head, "--format", "text", payload=payload)
    assert result.exit_code == 1, result.output
    assert ("role:service-owner: needs an approval of the head commit from one of @alex;"
            " sam approved but opened this pull request") in result.output
    assert "team:change-advisory-board: approved by @robin" in result.output
    assert "FAIL (approvals: needs approval from role:service-owner)" in result.output


def test_an_account_that_authored_a_commit_approves_for_no_party(tmp_path: Path,
                                                                 github: FakeGitHub) -> None:
    """alex is in both teams and would satisfy both alone; GitHub links the first commit to
    alex's account, so neither party counts it."""
    repo, head = scaffold_pr(tmp_path, [], [])
    listed = pr_commits(repo)
    listed[0]["author"] = {"login": "Alex", "type": "User"}  # logins match in any case
    serve(github, [review("alex", "APPROVED", head)])
    result = check(repo, github, head, "--format", "json", commits=listed)
    assert result.exit_code == 1, result.output
    for party in parties(result).values():
        assert party["approved"] is False
        assert party["notCounted"] == ["alex approved but authored commits of this pull request"]
        assert "alex" not in party["couldApprove"]
    assert json.loads(result.stdout)["approvals"]["approvers"] == []


def test_a_commit_e_mail_of_a_catalog_member_names_their_login(tmp_path: Path,
                                                               github: FakeGitHub) -> None:
    """No GitHub account is linked to the commits; BASE's catalog says sam@example.com is
    the member with login sam."""
    repo, _ = scaffold_pr(tmp_path, [], [])
    head = commit_as(repo, "Sam@Example.com")
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", head)])
    result = check(repo, github, head, "--format", "text")
    assert result.exit_code == 1, result.output
    assert "sam approved but authored commits of this pull request" in result.output


def test_a_committer_does_not_approve_either(tmp_path: Path, github: FakeGitHub) -> None:
    repo, _ = scaffold_pr(tmp_path, [], [])
    head = commit_as(repo, "e@example.com", committer="robin@example.com")
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", head)])
    result = check(repo, github, head, "--format", "json")
    assert result.exit_code == 1, result.output
    cab = parties(result)["team:change-advisory-board"]
    assert cab["approved"] is False
    assert cab["notCounted"] == ["robin approved but committed commits of this pull request"]
    assert parties(result)["role:service-owner"]["approvedBy"] == ["sam"]


def test_co_authors_named_in_trailers_do_not_approve(tmp_path: Path,
                                                    github: FakeGitHub) -> None:
    """One co-author by a member's e-mail, one by GitHub's noreply address of a login."""
    repo, _ = scaffold_pr(tmp_path, [], [])
    head = commit_as(repo, "e@example.com", message=(
        "tidy the SLA\n\nCo-authored-by: Robin <robin@example.com>\r\n"
        "co-authored-by: S <1234+Sam@Users.Noreply.GitHub.com>"))
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", head),
                   review("alex", "APPROVED", head)])
    result = check(repo, github, head, "--format", "json")
    assert result.exit_code == 0, result.output  # alex, who wrote nothing, approves for both
    found = parties(result)
    assert found["role:service-owner"]["approvedBy"] == ["alex"]
    assert found["role:service-owner"]["notCounted"] == [
        "sam approved but co-authored commits of this pull request"]
    assert found["team:change-advisory-board"]["approvedBy"] == ["alex"]
    assert found["team:change-advisory-board"]["notCounted"] == [
        "robin approved but co-authored commits of this pull request"]
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", head)])
    assert check(repo, github, head).exit_code == 1


def test_more_commits_than_github_lists_satisfy_no_party(tmp_path: Path,
                                                         github: FakeGitHub) -> None:
    repo, head = scaffold_pr(tmp_path, [], [])
    serve(github, [review("alex", "APPROVED", head)])
    result = check(repo, github, head, "--format", "text",
                   payload=event_payload(repo, head, commits=251))
    assert result.exit_code == 1, result.output
    assert ("the pull request has 251 commits and GitHub lists only 250, so who wrote them"
            " cannot be known and no approval counts; split it into smaller pull requests"
            " (or squash its commits)") in result.output
    assert "approved by" not in result.output
    assert not any(path.startswith(COMMITS) for path, _ in github.requests)


def test_a_full_list_of_250_commits_without_a_count_fails_closed(tmp_path: Path,
                                                                 github: FakeGitHub) -> None:
    """A `pull_request_review` payload may not say how many commits there are: a list GitHub
    cut at 250 could hide more authors."""
    repo, head = scaffold_pr(tmp_path, [], [])
    serve(github, [review("alex", "APPROVED", head)])
    listed = [commit(f"{i:040x}") for i in range(249)] + pr_commits(repo)
    result = check(repo, github, head, "--format", "json", commits=listed)
    assert result.exit_code == 1, result.output
    assert "at least 250 commits" in json.loads(result.stdout)["approvals"]["refusal"]


def test_commits_that_no_longer_hold_the_reviewed_head_fail_closed(tmp_path: Path,
                                                                   github: FakeGitHub) -> None:
    repo, head = scaffold_pr(tmp_path, [], [])
    serve(github, [review("alex", "APPROVED", head)])
    result = check(repo, github, head, "--format", "text", commits=[commit("e" * 40)])
    assert result.exit_code == 1, result.output
    assert f"no longer include its head {head[:12]}" in result.output


def test_requested_changes_block_the_party_until_dismissed(tmp_path: Path,
                                                           github: FakeGitHub) -> None:
    """sam asked for changes on an older commit; alex approving the head does not outvote
    that, for the service owner; the CAB (robin) is satisfied and not blocked by sam."""
    repo, head = scaffold_pr(tmp_path, [], [])
    old = git(repo, "rev-parse", "main")
    objection = review("sam", "CHANGES_REQUESTED", old, 1)
    serve(github, [objection, review("sam", "COMMENTED", head, 2),
                   review("alex", "APPROVED", head, 3), review("robin", "APPROVED", head, 4)])
    comment = tmp_path / "comment.md"
    result = check(repo, github, head, "--format", "text", "--comment", str(comment))
    assert result.exit_code == 1, result.output
    assert "role:service-owner: blocked: sam requested changes" in result.output
    assert "team:change-advisory-board: approved by @alex, @robin" in result.output
    assert ("itsmctl check: FAIL (approvals: blocked: sam requested changes"
            " (role:service-owner))") in result.output
    assert comment.read_text(encoding="utf-8").splitlines()[1] == (
        "## itsmctl check fails: approvals: blocked: sam requested changes"
        " (role:service-owner)")
    serve(github, [{**objection, "state": "DISMISSED"}, review("alex", "APPROVED", head, 3),
                   review("robin", "APPROVED", head, 4)])
    assert check(repo, github, head).exit_code == 0


def test_a_co_author_trailer_ending_in_crlf_counts_too(tmp_path: Path,
                                                       github: FakeGitHub) -> None:
    """A message written on Windows (or by a hostile client) as GitHub returns it."""
    repo, head = scaffold_pr(tmp_path, [], [])
    message = "lower the SLA\r\n\r\nCo-Authored-By: R <ROBIN@example.com>\r\n"
    listed = [commit(head, message=message)]
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", head)])
    result = check(repo, github, head, "--format", "json", commits=listed)
    assert result.exit_code == 1, result.output
    assert parties(result)["team:change-advisory-board"]["notCounted"] == [
        "robin approved but co-authored commits of this pull request"]


def test_a_party_whose_only_people_wrote_the_change_says_so(tmp_path: Path,
                                                            github: FakeGitHub) -> None:
    """alex opened the pull request and sam wrote a commit of it: nobody else is in team
    workplace, so the service owner cannot approve until someone else is. GitHub lets no one
    approve their own pull request, so neither has a review to be "not counted": the report
    must still say why nobody can approve, not that the party names nobody on GitHub."""
    repo, _ = scaffold_pr(tmp_path, [], [])
    head = commit_as(repo, "sam@example.com")
    serve(github, [review("robin", "APPROVED", head)])
    payload = event_payload(repo, head, user={"login": "alex", "type": "User"})
    result = check(repo, github, head, "--format", "text", payload=payload)
    assert result.exit_code == 1, result.output
    assert ("role:service-owner: nobody but the pull request's own authors can approve for it"
            " (alex opened this pull request; sam authored commits of this pull request)"
            ) in result.output
    assert "nobody on GitHub can approve" not in result.output
    found = parties(check(repo, github, head, "--format", "json", payload=payload))
    assert found["role:service-owner"]["excluded"] == [
        "alex opened this pull request", "sam authored commits of this pull request"]


def test_a_pull_request_a_bot_opened_is_judged_like_any_other(tmp_path: Path,
                                                              github: FakeGitHub) -> None:
    """Dependabot and Renovate open pull requests as `name[bot]`: the check judges them
    (people approve them as usual), never refuses the event."""
    repo, head = scaffold_pr(tmp_path, [], [])
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", head)])
    payload = event_payload(repo, head, user={"login": "renovate[bot]", "type": "Bot"})
    result = check(repo, github, head, "--format", "text", payload=payload)
    assert result.exit_code == 0, result.output
    assert "role:service-owner: approved by @sam" in result.output
    assert "team:change-advisory-board: approved by @robin" in result.output


def test_a_blocked_party_still_says_why_no_approval_counts(tmp_path: Path,
                                                           github: FakeGitHub) -> None:
    """Blocked by an objection and refused for too many commits: both reasons are on the
    party's line, so fixing one does not surprise with the other."""
    repo, head = scaffold_pr(tmp_path, [], [])
    serve(github, [review("sam", "CHANGES_REQUESTED", head, 1),
                   review("alex", "APPROVED", head, 2)])
    result = check(repo, github, head, "--format", "text",
                   payload=event_payload(repo, head, commits=251))
    assert result.exit_code == 1, result.output
    line = next(x for x in result.output.splitlines() if "role:service-owner: blocked" in x)
    assert "sam requested changes" in line
    assert "the pull request has 251 commits and GitHub lists only 250" in line
