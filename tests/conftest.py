"""Shared fixtures: the example catalog and a helper to build small catalogs on disk."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Protocol

import pytest
from click.testing import CliRunner, Result

from itsmctl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TODAY = date(2026, 11, 23)
# What the CLI reads from the environment, cleared (or fixed) for every `invoke`: a run on a
# GitHub runner or a developer's shell must not change what a test sees. A test sets what it
# means to test through `env=`.
CLEAN_ENV: dict[str, str | None] = {
    **dict.fromkeys(("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_TOKEN", "GITHUB_EVENT_PATH",
                     "GITHUB_API_URL", "GITHUB_REPOSITORY", "ITSMCTL_DEBUG")),
    "ITSMCTL_TODAY": TODAY.isoformat(),
}


class Invoke(Protocol):
    def __call__(self, *args: str | Path, env: Mapping[str, str | None] | None = None,
                 code: int | None = None, input: str | None = None) -> Result: ...


def run_cli(*args: str | Path, env: Mapping[str, str | None] | None = None,
            code: int | None = None, input: str | None = None) -> Result:
    """itsmctl in-process, as a user runs it; with `code`, a different exit code fails the
    test with the command and its whole output (stdout and stderr)."""
    argv = [str(arg) for arg in args]
    result = CliRunner().invoke(cli, argv, env={**CLEAN_ENV, **(env or {})}, input=input,
                                catch_exceptions=False)
    if code is not None:
        assert result.exit_code == code, (
            f"`itsmctl {shlex.join(argv)}` exited {result.exit_code}, expected {code}:\n"
            f"{result.output}")
    return result


@pytest.fixture
def invoke() -> Invoke:
    """`invoke("validate", path, code=0)`: the CLI with a clean environment (CLEAN_ENV)."""
    return run_cli


# The fixtures through which a test drives Chromium (tests/site/test_site_browser.py; the names
# pytest-playwright uses too). A test that asks for one must be marked `browser` and `slow`, so
# `-m "not browser"` and the fast loop (`-m "not slow"`) leave every browser test out.
PLAYWRIGHT_FIXTURES = frozenset({"browser", "page"})


def unmarked_browser_tests(items: list[pytest.Item]) -> list[str]:
    """Node ids of tests that use a Playwright fixture without both markers."""
    return [item.nodeid for item in items
            if PLAYWRIGHT_FIXTURES & set(getattr(item, "fixturenames", ()))
            and not (item.get_closest_marker("browser") and item.get_closest_marker("slow"))]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unmarked = unmarked_browser_tests(items)
    if unmarked:
        raise pytest.UsageError("these tests drive a browser: mark them @pytest.mark.browser and"
                                " @pytest.mark.slow:\n  " + "\n  ".join(unmarked))


def named_tests(args: list[str]) -> list[str]:
    """The arguments that name a test file or a test (`path.py`, `path.py::test`), not a folder."""
    return [arg for arg in args if arg.split("::", 1)[0].endswith(".py")]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts): every core for the suite or a folder (xdist's count), one
    process when the command names test files or tests - a debugging loop, where workers only
    add their start-up and hide `print`."""
    return 0 if named_tests(list(config.args)) else None


@pytest.fixture(autouse=True)
def _own_parse_cache(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with an empty parse cache of its own, never the user's ~/.cache."""
    monkeypatch.setenv("ITSMCTL_CACHE_DIR", str(tmp_path_factory.mktemp("parse-cache")))


@pytest.fixture(autouse=True)
def _own_pattern_bounds() -> None:
    """Every test is a run of its own: no catalog pattern too slow yet, the whole grace left
    (a CLI command resets them itself; a test that calls the core directly does not)."""
    patterns = sys.modules.get("itsmctl.patterns")
    if patterns is not None:
        patterns.reset()


def cache_rows(file_name: str) -> int:
    """Entries in one store of the test's own cache folder (the parse cache's or the result
    memo's file, by its `DB_NAME`)."""
    db = sqlite3.connect(Path(os.environ["ITSMCTL_CACHE_DIR"]) / file_name)
    try:
        return int(db.execute("SELECT COUNT(*) FROM parses").fetchone()[0])
    finally:
        db.close()


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
