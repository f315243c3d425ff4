"""Conventions of the suite itself: every test runs the CLI through tests/conftest.py's `invoke`
(or `run_cli`), so each run gets the clean environment and `catch_exceptions=False`; a private
`CliRunner()` would inherit the developer's shell (GITHUB_ACTIONS, ITSMCTL_TODAY, ...)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import named_tests

TESTS = Path(__file__).resolve().parents[1]
RUNNER = re.compile(r"\bCliRunner\s*\(")


def hand_made_runners(tests: Path) -> list[str]:
    """`file:line` of each `CliRunner(` under `tests`, except in the root conftest.py (and in
    this file, which spells it to test the check)."""
    found = []
    for path in sorted(tests.rglob("*.py")):
        if path in (tests / "conftest.py", Path(__file__).resolve()):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if RUNNER.search(line):
                found.append(f"{path.relative_to(tests)}:{number}")
    return found


def test_no_test_builds_its_own_cli_runner() -> None:
    assert hand_made_runners(TESTS) == [], (
        "run the CLI with the `invoke` fixture or tests.conftest.run_cli (env=, input= when"
        " a test needs them), not a CliRunner of its own")


def test_the_check_finds_a_runner_in_a_nested_folder(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("CliRunner().invoke(cli, [])\n")
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "test_x.py").write_text("import x\nrunner = CliRunner ()\n")
    (tmp_path / "deep" / "conftest.py").write_text("from click.testing import CliRunner\n")
    assert hand_made_runners(tmp_path) == ["deep/test_x.py:2"]


def test_a_run_that_names_files_or_tests_gets_one_process() -> None:
    """pyproject's `-n auto` gives a folder or the suite every core, a named file or test one."""
    assert named_tests(["tests"]) == []
    assert named_tests(["tests/site", "-k", "page"]) == []
    assert named_tests(["tests/core/test_cli.py", "tests/site"]) == ["tests/core/test_cli.py"]
    assert named_tests(["tests/core/test_cli.py::test_version[a.py]"]) == [
        "tests/core/test_cli.py::test_version[a.py]"]
