"""Bad input: a clear message and exit 2, never a traceback, nothing executed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from itsmctl.diff import diff_refs
from itsmctl.errors import ItsmctlError
from tests.conftest import Invoke
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


def test_not_a_repository(tmp_path: Path, invoke: Invoke) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    with pytest.raises(ItsmctlError, match="is not inside a git repository"):
        diff_refs(folder, "main")
    result = invoke("diff", "-C", str(folder))
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


def test_a_catalog_path_with_no_file_on_either_side_is_a_usage_error(repo: GitRepo,
                                                                     invoke: Invoke) -> None:
    """`diff --catalog catalogue` (a typo) compares nothing with nothing: not a clean pass."""
    (repo.path / "catalogue").mkdir()
    result = invoke("diff", "-C", str(repo.path), "--catalog",
                    str(repo.path / "catalogue"), "main")
    assert result.exit_code == 2, result.output
    assert ("no catalog file to check in the folder 'catalogue' at main nor the working tree:"
            " there is no file there") in result.output
    assert "git ls-tree -r --name-only <ref> -- catalogue" in result.output
    assert "Traceback" not in result.output


def test_refs_from_before_the_catalog_existed_are_a_usage_error(tmp_path: Path) -> None:
    from tests.diff.conftest import CATALOG

    repo = GitRepo(tmp_path / "repo", "catalog")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("notes.txt", "no YAML here yet\n")
    docs = repo.commit("docs only")
    shutil.copytree(CATALOG, repo.path / "catalog", dirs_exist_ok=True)
    added = repo.commit("the catalog")
    result = repo.cli(docs, docs)
    assert result.exit_code == 2, result.output
    assert (f"no catalog file to check in the folder 'catalog' at {docs} nor {docs}: {docs} has"
            " 1 file(s) there, none of them .yaml or .yml") in result.output
    with pytest.raises(ItsmctlError, match="no catalog file to check"):
        diff_refs(repo.path, docs, docs, catalog_root=repo.path / "catalog")
    other = repo.cli(docs, added)
    assert other.exit_code in (0, 1), other.output  # one side with a catalog: a real diff


def test_a_config_that_excludes_everything_at_both_refs_says_so(repo: GitRepo) -> None:
    repo.write(".itsmctl.yaml", "exclude: ['**']\n")
    repo.commit("exclude everything")
    result = repo.cli("HEAD", "HEAD")
    assert result.exit_code == 2, result.output
    assert "YAML file(s) there, but include/exclude" in result.output


def test_the_pull_request_that_adds_the_catalog_is_a_real_diff(tmp_path: Path) -> None:
    from tests.diff.conftest import CATALOG

    repo = GitRepo(tmp_path / "repo")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("README.md", "# empty at first\n")
    repo.commit("start")
    repo.branch()
    shutil.copytree(CATALOG, repo.path, dirs_exist_ok=True)
    repo.commit("add the catalog")
    result = repo.cli("main", "feature")
    assert result.exit_code in (0, 1), result.output
    assert "no catalog file" not in result.output


def test_render_at_a_ref_without_catalog_files_is_a_usage_error(repo: GitRepo,
                                                                 tmp_path: Path,
                                                                invoke: Invoke) -> None:
    (repo.path / "empty").mkdir()
    (repo.path / "empty" / "keep.txt").write_text("x")
    repo.commit("a folder without YAML")
    result = invoke("render", str(repo.path / "empty"), "--ref", "HEAD",
                    "-o", str(tmp_path / "site"), "--no-history")
    assert result.exit_code == 2, result.output
    assert ("no catalog file to check in the folder 'empty' at HEAD: HEAD has 1 file(s) there,"
            " none of them .yaml or .yml") in result.output
    assert not (tmp_path / "site").exists()
