"""Real git repositories built in tmp_path from the catalog next to these tests."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from itsmctl.diff import diff_refs
from itsmctl.diff.result import DiffResult, EntityChange
from tests.conftest import run_cli

CATALOG = Path(__file__).parent / "catalog"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = date(2026, 11, 23)
# the test catalog has no config, so the roles it names are unmapped: existing warnings
UNMAPPED = "role-unmapped"


class GitRepo:
    """A throwaway repository: write files, commit, diff, run the CLI."""

    def __init__(self, path: Path, catalog: str = "") -> None:
        self.path = path
        self.catalog = catalog

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.path, check=True, capture_output=True,
                              text=True)
        return done.stdout.strip()

    def file(self, rel: str) -> Path:
        return self.path / self.catalog / rel if self.catalog else self.path / rel

    def write(self, rel: str, text: str) -> None:
        path = self.file(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.file(rel).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def remove(self, rel: str) -> None:
        self.file(rel).unlink()

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str = "feature") -> None:
        self.git("checkout", "-q", "-b", name)

    def diff(self, base: str | None = "main", head: str | None = None, **kwargs: Any) -> DiffResult:
        root = self.path / self.catalog if self.catalog else self.path
        return diff_refs(self.path, base, head, catalog_root=root, today=TODAY, **kwargs)

    def cli(self, *args: str, env: dict[str, str | None] | None = None) -> Result:
        extra = ["--catalog", str(self.path / self.catalog)] if self.catalog else []
        return run_cli("diff", "-C", self.path, *extra, "--today", TODAY.isoformat(), *args,
                       env=env)


@pytest.fixture(autouse=True)
def git_env(isolated_git: None) -> None:
    """Every diff test runs git as on a fresh CI runner (see tests/conftest.py)."""


def make_repo(path: Path, catalog: str = "", source: Path = CATALOG) -> GitRepo:
    """`source` (default: the test catalog) committed on main, branch `feature` checked out."""
    path.mkdir()
    repo = GitRepo(path, catalog)
    repo.git("init", "-q", "-b", "main")
    shutil.copytree(source, path / catalog if catalog else path, dirs_exist_ok=True)
    repo.commit("base catalog")
    repo.branch()
    return repo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """The test catalog committed on main, with branch `feature` checked out."""
    return make_repo(tmp_path / "repo")


@pytest.fixture
def examples_repo(tmp_path: Path) -> GitRepo:
    """The example catalog (examples/) committed on main, with branch `feature` checked out."""
    return make_repo(tmp_path / "examples-repo", source=EXAMPLES)


def change(result: DiffResult, ref: str) -> EntityChange:
    found = [c for c in result.changes if c.ref == ref]
    assert found, f"{ref} not among {[c.ref for c in result.changes]}"
    return found[0]


def classes(result: DiffResult, ref: str) -> dict[str, str]:
    """change class -> its messages (joined by " | ") for one entity."""
    out: dict[str, str] = {}
    for impact in change(result, ref).impacts:
        out[impact.change_class] = " | ".join(filter(None, [out.get(impact.change_class),
                                                             impact.message]))
    return out
