"""`check --require-approvals` judges the tree the reviewers approved: HEAD is the pull
request's head or its merge commit (as actions/checkout makes `refs/pull/N/merge`), the
catalog is committed, and the diff compared with the pull request's base."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result

from tests.github.fake import FakeGitHub, review
from tests.github.test_require_approvals import (
    check,
    event_payload,
    git,
    replace,
    scaffold_pr,
    serve,
)

CALENDAR = "calendars/office-hours.yaml"


def approved(github: FakeGitHub, head: str) -> None:
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", head)])


def main_moves_on(repo: Path) -> str:
    """A commit on main after the pull request was opened (outside the catalog's
    approvals: the README); main's new tip."""
    git(repo, "checkout", "-q", "main")
    (repo / "NOTES.md").write_text("main moved on\n", encoding="utf-8")
    git(repo, "add", "NOTES.md")
    git(repo, "commit", "-q", "-m", "notes")
    return git(repo, "rev-parse", "HEAD")


def merge_checkout(repo: Path, head: str) -> str:
    """What actions/checkout checks out for a pull_request event: refs/pull/N/merge, the
    head merged into the base branch's tip (parents: base tip, head), detached."""
    git(repo, "checkout", "-q", "--detach", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "-m", f"Merge {head} into main", head)
    return git(repo, "rev-parse", "HEAD")


def run(repo: Path, github: FakeGitHub, head: str, base: str, *extra: str) -> Result:
    payload = event_payload(repo, head)
    payload["pull_request"]["base"]["sha"] = base
    return check(repo, github, head, "--format", "text", *extra, payload=payload)


def test_the_merge_checkout_against_a_base_that_moved_on_is_judged(tmp_path: Path,
                                                                   github: FakeGitHub) -> None:
    """GitHub keeps base.sha as of the pull request's last push and merges into the base
    branch as it is now: the merge's own base, newer than base.sha, is what is compared."""
    repo, head = scaffold_pr(tmp_path, [], [])
    opened_on = git(repo, "rev-parse", "main")
    main_moves_on(repo)
    merge_checkout(repo, head)
    approved(github, head)
    result = run(repo, github, head, opened_on)
    assert result.exit_code == 0, result.output
    assert "itsmctl check: OK (approved by every required party)" in result.output
    assert run(repo, github, head, git(repo, "rev-parse", "main")).exit_code == 0


def test_a_checkout_of_another_commit_is_refused(tmp_path: Path, github: FakeGitHub) -> None:
    repo, head = scaffold_pr(tmp_path, [], [])
    (repo / "NOTES.md").write_text("after the review\n", encoding="utf-8")
    git(repo, "add", "NOTES.md")
    git(repo, "commit", "-q", "-m", "pushed after the event")
    approved(github, head)
    result = run(repo, github, head, git(repo, "rev-parse", "main"))
    assert result.exit_code == 2, result.output
    assert (f"is neither the pull request's head {head[:12]} (pull_request.head.sha) nor a"
            " merge commit of it") in result.output
    assert "refs/pull/<number>/merge" in result.output and "Traceback" not in result.output
    assert github.requests == []


def test_uncommitted_catalog_files_are_refused(tmp_path: Path, github: FakeGitHub) -> None:
    """A step before the check edits a tracked file, drops an untracked one and an ignored
    one into the catalog: the check would judge files nobody reviewed."""
    repo, head = scaffold_pr(tmp_path, [], [])
    approved(github, head)
    (repo / "notes.txt").write_text("not catalog content\n", encoding="utf-8")
    base = git(repo, "rev-parse", "main")
    assert run(repo, github, head, base).exit_code == 0  # a stray non-catalog file is fine
    replace(repo, [(CALENDAR, "Europe/Berlin", "Europe/Paris")])
    (repo / "services" / "extra.yaml").write_text("kind: Service\n", encoding="utf-8")
    (repo / ".gitignore").write_text("drafts/\n", encoding="utf-8")
    (repo / "drafts").mkdir()
    (repo / "drafts" / "hidden.yaml").write_text("kind: Team\n", encoding="utf-8")
    (repo / "node_modules" / "pkg").mkdir(parents=True)  # never read as the catalog
    (repo / "node_modules" / "pkg" / "x.yaml").write_text("a: 1\n", encoding="utf-8")
    result = run(repo, github, head, base)
    assert result.exit_code == 2, result.output
    assert ("catalog files differ from HEAD (modified, deleted or not committed):"
            f" {CALENDAR}, drafts/hidden.yaml, services/extra.yaml;") in result.output
    assert "run the check on a clean checkout" in result.output


def test_a_stale_head_checkout_is_refused(tmp_path: Path, github: FakeGitHub) -> None:
    """The head checked out as it is (no merge) after main moved on: the merge base is the
    old fork point, not the pull request's base, so BASE's approvers would be stale."""
    repo, head = scaffold_pr(tmp_path, [], [])
    fork_point = git(repo, "rev-parse", "main")
    now = main_moves_on(repo)
    git(repo, "checkout", "-q", head)
    approved(github, head)
    result = run(repo, github, head, now)
    assert result.exit_code == 2, result.output
    assert (f"the diff compared with {fork_point[:12]}, but the pull request's base is"
            f" {now[:12]} (pull_request.base.sha)") in result.output
    assert "rebase the pull request on its base branch" in result.output
    assert run(repo, github, head, fork_point).exit_code == 0  # it was the base then


def test_a_merge_onto_another_branch_than_the_base_is_refused(tmp_path: Path,
                                                              github: FakeGitHub) -> None:
    repo, head = scaffold_pr(tmp_path, [], [])
    git(repo, "checkout", "-q", "-b", "release", "main")
    (repo / "NOTES.md").write_text("release\n", encoding="utf-8")
    git(repo, "add", "NOTES.md")
    git(repo, "commit", "-q", "-m", "release notes")
    elsewhere = git(repo, "rev-parse", "HEAD")
    merge_checkout(repo, head)
    approved(github, head)
    result = run(repo, github, head, elsewhere)
    assert result.exit_code == 2, result.output
    assert f"but the pull request's base is {elsewhere[:12]}" in result.output
