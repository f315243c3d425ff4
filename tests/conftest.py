"""Shared fixtures: the example catalog and a helper to build small catalogs on disk."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _own_parse_cache(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with an empty parse cache of its own, never the user's ~/.cache."""
    monkeypatch.setenv("ITSMCTL_CACHE_DIR", str(tmp_path_factory.mktemp("parse-cache")))


@pytest.fixture
def examples_copy(tmp_path: Path) -> Path:
    """A private copy of examples/ that a test may break."""
    target = tmp_path / "catalog"
    shutil.copytree(EXAMPLES, target)
    return target


@pytest.fixture
def write_catalog(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write {relative path: YAML text} into a fresh catalog folder."""

    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "cat"
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return write


@pytest.fixture
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git as on a fresh CI runner: no user or system config, a fixed author."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")
    monkeypatch.delenv("ITSMCTL_TODAY", raising=False)


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture
def today() -> date:
    """The fixed "today" every time-dependent test uses."""
    return TODAY
