"""BASE means what a pull request means: the merge base, and a default branch HEAD cannot move."""

from __future__ import annotations

from pathlib import Path

import pytest

from itsmctl.errors import ItsmctlError
from tests.conftest import Invoke
from tests.diff.conftest import GitRepo, change, classes, make_repo

LEDGER = "services/ledger-db.yaml"
FRAUD = "services/fraud-cache.yaml"


@pytest.fixture
def main_moved_on(repo: GitRepo) -> GitRepo:
    """feature changes ledger-db; after feature branched, main changed fraud-cache."""
    repo.edit(LEDGER, "tier: 1", "tier: 2")
    repo.commit("feature: ledger-db tier")
    repo.git("checkout", "-q", "main")
    repo.edit(FRAUD, "tier: 3", "tier: 2")
    repo.commit("main: fraud-cache tier")
    repo.git("checkout", "-q", "feature")
    return repo


def _refs(result: object) -> list[str]:
    return [c.ref for c in result.changes]  # type: ignore[attr-defined]


def test_base_is_the_merge_base(main_moved_on: GitRepo) -> None:
    repo = main_moved_on
    fork = repo.git("merge-base", "main", "feature")
    for result in (repo.diff("main", "feature"), repo.diff("main...feature", None),
                   repo.diff("main")):
        assert _refs(result) == ["Service:ledger-db"]  # not main's later fraud-cache change
        assert result.base_sha == fork and result.base == "merge base with main"


def test_exact_trees_on_request(main_moved_on: GitRepo) -> None:
    repo = main_moved_on
    tip = repo.git("rev-parse", "main")
    for result in (repo.diff("main..feature", None), repo.diff("main", "feature", exact_base=True)):
        assert _refs(result) == ["Service:fraud-cache", "Service:ledger-db"]
        assert result.base_sha == tip and result.base == "main"
    assert _refs(repo.diff("main..", None)) == ["Service:fraud-cache", "Service:ledger-db"]


def test_exact_base_from_the_command_line(main_moved_on: GitRepo) -> None:
    repo = main_moved_on
    assert "Service fraud-cache" not in repo.cli("main", "feature").output
    assert "Service fraud-cache" in repo.cli("main", "feature", "--exact-base").output
    assert "Service fraud-cache" in repo.cli("main..feature").output


@pytest.mark.parametrize("base,head,message", [
    ("main..feature", "other", "already names HEAD"), ("..feature", None, "does not name BASE")])
def test_bad_ranges(repo: GitRepo, base: str, head: str | None, message: str) -> None:
    with pytest.raises(ItsmctlError, match=message):
        repo.diff(base, head)


def test_a_pull_request_cannot_move_the_default_branch(repo: GitRepo) -> None:
    """settings.defaultBranch: HEAD in the PR would compare HEAD with itself."""
    repo.write(".itsmctl.yaml", "settings: {defaultBranch: HEAD}\n")
    repo.edit(LEDGER, "tier: 1", "tier: 2")
    repo.commit()
    result = repo.diff(None)
    assert result.base == "merge base with main"
    assert "Service:ledger-db" in _refs(result)
    readings = classes(result, "Config:.itsmctl.yaml")
    assert readings["default-branch-changed"] == (
        "default branch (none) -> HEAD: later pull requests are compared with it")
    assert change(result, "Config:.itsmctl.yaml").impact.label == "approval-required"
    assert result.approvals  # the change process owner approves it


def test_the_default_branch_is_configured_on_main(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    repo.git("checkout", "-q", "main")
    repo.git("branch", "trunk")
    repo.write(".itsmctl.yaml", "settings: {defaultBranch: trunk}\n")
    repo.commit("main names trunk")
    repo.git("checkout", "-q", "feature")
    repo.git("reset", "-q", "--hard", "trunk")
    repo.edit(LEDGER, "tier: 1", "tier: 2")
    assert repo.diff(None).base == "merge base with trunk"


def test_a_configured_branch_must_be_a_branch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    repo.git("checkout", "-q", "main")
    repo.write(".itsmctl.yaml", "settings: {defaultBranch: HEAD}\n")
    repo.commit("main names HEAD")
    with pytest.raises(ItsmctlError, match=r"'HEAD' .* does not exist"):
        repo.diff(None)


def test_origin_head_comes_first(repo: GitRepo, tmp_path: Path) -> None:
    """The hosting's default branch (origin/HEAD) wins over main and over any config."""
    repo.git("checkout", "-q", "main")
    repo.git("branch", "production")
    repo.write(".itsmctl.yaml", "settings: {defaultBranch: main}\n")
    repo.commit("config on main")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", str(repo.path), str(clone))
    other = GitRepo(clone)
    other.git("remote", "set-head", "origin", "production")  # as the hosting's setting
    other.git("checkout", "-q", "-b", "feature", "origin/production")
    other.edit(LEDGER, "tier: 1", "tier: 2")
    assert other.diff(None).base == "merge base with origin/production"


def test_check_compares_with_the_merge_base(main_moved_on: GitRepo, invoke: Invoke) -> None:
    repo = main_moved_on
    args = ["check", str(repo.path), "--base", "main", "--no-site", "-f", "text"]
    merge = invoke(*args)
    exact = invoke(*args, "--exact-base")
    assert "fraud-cache" not in merge.output and "ledger-db" in merge.output
    assert "fraud-cache" in exact.output
