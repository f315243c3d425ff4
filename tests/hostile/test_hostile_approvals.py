"""The attacker wants `check --require-approvals` to count their own approval, or to lose an
objection: trailer and e-mail forms GitHub may write or accept that a strict pattern misses,
and review states in another case. Each must fail closed (exit 1), as the plain form does.

The scaffold's pull request needs role:service-owner (team workplace: alex, sam) and
team:change-advisory-board (robin, alex); sam and robin approve it, so it passes only if
one of them wrongly counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.github.fake import FakeGitHub, commit, review, user
from tests.github.test_require_approvals import (
    check,
    event_payload,
    pr_commits,
    scaffold_pr,
    serve,
)


@pytest.mark.parametrize("message", [
    "tidy\r\n\r\nCo-authored-by: Sam <sam@example.com>\r\n",  # a message written on Windows
    "tidy\n\nCo-authored-by: Sam < sam@example.com >\n",  # spaces inside the brackets
    "tidy\n\nCo-authored-by : Sam <sam@example.com>\n",  # a space before the colon
    "tidy\n\n\u00a0Co-authored-by:\u00a0Sam <sam@example.com>\u00a0\n",  # no-break spaces
    "tidy\n\nCo-authored-by: S <1234+Sam@Users.NoReply.GitHub.com>\n",  # noreply, any case
])
def test_a_co_author_in_another_form_does_not_approve(tmp_path: Path, github: FakeGitHub,
                                                      message: str) -> None:
    repo, head = scaffold_pr(tmp_path, [], [])
    listed = pr_commits(repo)
    listed[-1]["commit"]["message"] = message
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", head)])
    result = check(repo, github, head, "--format", "json", commits=listed)
    assert result.exit_code == 1, result.output
    owner = {p["party"]: p for p in json.loads(result.stdout)["approvals"]["parties"]}[
        "role:service-owner"]
    assert owner["notCounted"] == ["sam approved but co-authored commits of this pull request"]


@pytest.mark.parametrize(("role", "email", "why"), [
    ("author", " SAM@USERS.NOREPLY.GITHUB.COM", "authored"),  # any case, blanks around
    # GitHub Enterprise Server writes `ID+login@users.noreply.<its hostname>`
    ("committer", "1234+sam@users.noreply.ghe.example.com", "committed"),
])
def test_a_noreply_e_mail_in_another_form_names_its_login(tmp_path: Path, github: FakeGitHub,
                                                          role: str, email: str,
                                                          why: str) -> None:
    repo, head = scaffold_pr(tmp_path, [], [])
    listed = pr_commits(repo)
    listed[-1]["commit"][role]["email"] = email
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", head)])
    result = check(repo, github, head, "--format", "text", commits=listed)
    assert result.exit_code == 1, result.output
    assert f"sam approved but {why} commits of this pull request" in result.output


@pytest.mark.parametrize(("sam", "verdict"), [
    (["changes_requested"], "role:service-owner: blocked: sam requested changes"),
    (["Changes_Requested"], "role:service-owner: blocked: sam requested changes"),
    # sam approved, then that review was dismissed: sam approves no longer, nor blocks
    (["APPROVED", "dismissed"], "FAIL (approvals: needs approval from role:service-owner)"),
])
def test_a_review_state_in_another_case_is_that_state(tmp_path: Path, github: FakeGitHub,
                                                      sam: list[str], verdict: str) -> None:
    """alex (both teams) and robin approve unless sam's objection blocks the service owner;
    with a dismissal, sam and robin alone approve (alex does not)."""
    repo, head = scaffold_pr(tmp_path, [], [])
    others = [] if len(sam) > 1 else [review("alex", "APPROVED", head, 8)]
    serve(github, [review("sam", state, head, 1) for state in sam]
          + others + [review("robin", "APPROVED", head, 9)])
    result = check(repo, github, head, "--format", "text")
    assert result.exit_code == 1, result.output
    assert verdict in result.output


def test_a_review_without_a_commit_or_user_counts_for_nobody(tmp_path: Path,
                                                            github: FakeGitHub) -> None:
    repo, head = scaffold_pr(tmp_path, [], [])
    no_commit = {k: v for k, v in review("sam", "APPROVED", head, 1).items() if k != "commit_id"}
    ghost = {**review("alex", "APPROVED", head, 2), "user": None}
    odd = [no_commit, ghost, {**review("alex", "APPROVED", head, 3), "user": user("alex[bot]")},
           {**review("alex", "APPROVED", head, 4), "state": ["APPROVED"]}, None, 7, "x",
           review("robin", "APPROVED", head, 5)]
    serve(github, odd)
    result = check(repo, github, head, "--format", "text")
    assert result.exit_code == 1, result.output
    assert "FAIL (approvals: needs approval from role:service-owner)" in result.output


def test_a_megabyte_trailer_line_is_read_once_not_for_hours(tmp_path: Path, github: FakeGitHub,
                                                            watchdog: None) -> None:
    """A commit message line of the trailer's key and a megabyte of spaces: the pattern's
    parts overlapped, so each start of the name was tried against the whole line."""
    repo, head = scaffold_pr(tmp_path, [], [])
    listed = pr_commits(repo)
    listed[-1]["commit"]["message"] = "tidy\n\nCo-authored-by:" + " " * 2**20 + "\n"
    serve(github, [review("alex", "APPROVED", head)])
    result = check(repo, github, head, "--format", "text", commits=listed)
    assert result.exit_code == 0, result.output
    assert "role:service-owner: approved by @alex" in result.output


def test_a_full_list_of_commits_fails_closed_whatever_the_payload_counted(
        tmp_path: Path, github: FakeGitHub) -> None:
    """The event counted 2 commits; pushed to since, the pull request has 300, and the 250
    GitHub lists still hold the reviewed head but not every commit before it (the list's
    order is GitHub's, the commits' dates the author's): a commit of the approver's can be
    among those cut off."""
    repo, head = scaffold_pr(tmp_path, [], [])
    serve(github, [review("alex", "APPROVED", head)])
    listed = [commit(f"{i:040x}") for i in range(249)] + pr_commits(repo)
    result = check(repo, github, head, "--format", "json", commits=listed,
                   payload=event_payload(repo, head, commits=2))
    assert result.exit_code == 1, result.output
    assert "at least 250 commits" in json.loads(result.stdout)["approvals"]["refusal"]

