"""Bad input: a clear message and exit 2, never a traceback, nothing executed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from itsmctl.diff import diff_refs
from itsmctl.errors import ItsmctlError
from tests.diff.conftest import GitRepo, make_repo


def test_unknown_ref(repo: GitRepo) -> None:
    result = repo.cli("mian")
    assert result.exit_code == 2
    assert "itsmctl: error: unknown git ref 'mian'" in result.output
    assert "hint: did you mean `main`?" in result.output


@pytest.mark.parametrize("ref", ["--output=x", "-p", "--upload-pack=touch pwned"])
def test_option_like_ref_is_refused_before_git_runs(repo: GitRepo, ref: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import itsmctl.git

    def boom(*args: object) -> None:
        raise AssertionError("git must not run")

    monkeypatch.setattr(itsmctl.git, "open_repo", boom)
    result = repo.cli("--", ref)
    assert result.exit_code == 2
    assert f"'{ref}' is not a valid git ref: it looks like an option" in result.output
    with pytest.raises(ItsmctlError):
        diff_refs(repo.path, "main", ref)
    assert not (repo.path / "x").exists()


def test_not_a_repository(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    with pytest.raises(ItsmctlError, match="is not inside a git repository"):
        diff_refs(folder, "main")
    from click.testing import CliRunner

    from itsmctl.cli import cli

    result = CliRunner().invoke(cli, ["diff", "-C", str(folder)])
    assert result.exit_code == 2 and "not inside a git repository" in result.output


def test_shallow_clone_without_the_base(repo: GitRepo, tmp_path: Path) -> None:
    repo.edit("services/ledger-db.yaml", "tier: 1", "tier: 2")
    repo.commit()
    repo.git("checkout", "-q", "main")  # the remote's HEAD: origin/HEAD -> origin/main
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", "--branch",
                    "feature", f"file://{repo.path}", str(clone)], check=True)
    with pytest.raises(ItsmctlError) as error:
        diff_refs(clone, "HEAD~1")
    assert "unknown git ref 'HEAD~1'" in str(error.value)
    assert "fetch-depth: 0" in error.value.hint
    with pytest.raises(ItsmctlError) as error:
        diff_refs(clone)  # default base origin/main: its tip is there, the history is not
    assert "no common history" in str(error.value)
    assert "fetch-depth: 0" in error.value.hint


def test_no_default_branch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    repo.git("branch", "-m", "main", "trunk")
    with pytest.raises(ItsmctlError, match="cannot tell the repository's default branch") as error:
        repo.diff(None)
    assert "origin/HEAD" in error.value.hint


def test_unknown_fail_on(repo: GitRepo) -> None:
    with pytest.raises(ItsmctlError, match="unknown --fail-on value 'sometimes'"):
        repo.diff("main", fail_on=("sometimes",))
    assert repo.cli("--fail-on", "sometimes").exit_code == 2


def test_repository_without_commits(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
    with pytest.raises(ItsmctlError, match="the repository has no commits yet"):
        diff_refs(path, "main")
