"""Fixtures for the GitOps tests: a fresh scaffold, and real git repositories built from it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Invoke  # the root `invoke` fixture's type, for these tests' hints
from tests.github.fake import github  # noqa: F401  (the local GitHub fixture)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Catalog Editor", "GIT_AUTHOR_EMAIL": "editor@example.com",
    "GIT_COMMITTER_NAME": "Catalog Editor", "GIT_COMMITTER_EMAIL": "editor@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
}


def _run_git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV},
                          capture_output=True, text=True, check=True)
    return done.stdout


Git = Callable[..., str]


@pytest.fixture(name="run_git")
def run_git_fixture() -> Git:
    """`run_git(repo, "commit", ...)`: real git with a fixed identity and no user config."""
    return _run_git


@pytest.fixture
def scaffold(tmp_path: Path, invoke: Invoke) -> Path:
    """`itsmctl init` into a fresh folder."""
    target = tmp_path / "catalog"
    invoke("init", target, code=0)
    return target


@pytest.fixture
def catalog_repo(scaffold: Path) -> Path:
    """The scaffold committed on `main` of a real git repository."""
    _run_git(scaffold, "init", "-q", "-b", "main")
    _run_git(scaffold, "add", "-A")
    _run_git(scaffold, "commit", "-q", "-m", "Start the service catalog")
    return scaffold


@pytest.fixture
def edit() -> Callable[[Path, str, str, str], None]:
    """Replace one exact piece of text in a file (fails loudly if it is not there)."""

    def replace(root: Path, rel: str, old: str, new: str) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return replace
