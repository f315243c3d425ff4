"""The locator keeps the documents parse_source kept, under the run's `settings.maxDepth`.

One file of three documents: a team with an unknown field, a nested list, another team with
an unknown field. Whatever the configured depth and wherever the file breaks, each team's
finding is reported on the line of its own `bogus:` key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Invoke


def _team(name: str) -> str:
    return (f"apiVersion: itsmctl.io/v1\nkind: Team\nmetadata:\n  name: {name}\n"
            "spec:\n  email: a@example.com\n  members: []\n  bogus: 1\n")


def _nested(depth: int) -> str:
    return "x: " + "[" * depth + "]" * depth + "\n"


def _findings(invoke: Invoke, write_catalog: Callable[[dict[str, str]], Path], max_depth: int,
              teams: str) -> list[tuple[str, str, int | None]]:
    root = write_catalog({
        ".itsmctl.yaml": "apiVersion: itsmctl.io/v1\nkind: Config\n"
                         f"settings: {{maxDepth: {max_depth}}}\n",
        "teams.yaml": teams,
    })
    report = json.loads(invoke("validate", root, "-f", "json", code=1).output)
    return [(f["rule"], f["entity"], f["line"]) for f in report["findings"]]


def test_a_second_document_too_deep_for_a_lower_max_depth(
        invoke: Invoke, write_catalog: Callable[[dict[str, str]], Path]) -> None:
    teams = _team("a") + "---\n" + _nested(5) + "---\n" + _team("c")
    assert _findings(invoke, write_catalog, 3, teams) == [
        ("schema", "Team:a", 8), ("yaml-too-deep", "", 10), ("schema", "Team:c", 19)]


def test_a_lower_max_depth_and_a_syntax_error_keep_the_documents_before_the_deep_one(
        invoke: Invoke, write_catalog: Callable[[dict[str, str]], Path]) -> None:
    teams = _team("a") + "---\n" + _nested(5) + "---\n" + _team("c") + "---\nbad: [\n"
    assert _findings(invoke, write_catalog, 3, teams) == [
        ("schema", "Team:a", 8), ("yaml-too-deep", "", 10)]


@pytest.mark.parametrize("max_depth", [150, 200])
def test_a_higher_max_depth_locates_documents_past_the_default_depth(
        invoke: Invoke, write_catalog: Callable[[dict[str, str]], Path], max_depth: int) -> None:
    """Nesting of 100 is allowed here: the pure-Python composer reads the file up to its
    syntax error, and the third document's finding has its line (it had none when the
    locator decided with the default depth of 64)."""
    teams = _team("a") + "---\n" + _nested(100) + "---\n" + _team("c") + "---\nbad: [\n"
    assert _findings(invoke, write_catalog, max_depth, teams) == [
        ("schema", "Team:a", 8), ("unknown-api-version", "", 10), ("schema", "Team:c", 19),
        ("yaml-syntax", "", 22)]
