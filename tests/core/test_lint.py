"""Lint what we claim: ruff (rules in pyproject's [tool.ruff.lint]) and mypy --strict are clean.

Both run as the suite runs, so `pytest` (and CI, which runs it) fails with their own output. The
tools come with the `test` extra; without one the test skips with the reason, except under CI,
where a missing tool is a broken install and fails.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        reason = f"{module} is not installed (pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600, check=False)


def test_ruff_is_clean() -> None:
    done = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert done.returncode == 0, f"ruff check found problems:\n{done.stdout}{done.stderr}"


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    if not (REPO / "itsmctl").is_dir():
        pytest.skip("no source tree here: the tests run against an installed wheel")
    done = _run("mypy", "--strict", "itsmctl")
    assert done.returncode == 0, f"mypy --strict itsmctl failed:\n{done.stdout}{done.stderr}"
