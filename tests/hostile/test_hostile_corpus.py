"""The hostile corpus (cases.yaml): each input gets its rule, line and exit code, never a crash."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from itsmctl.visible import visible
from tests.conftest import Invoke, run_cli

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
BASE = CORPUS / "base"
ALL_CASES: list[dict[str, Any]] = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
CASES = [case for case in ALL_CASES if not case.get("config")]  # config cases: their own test
TEAM = """apiVersion: itsmctl.io/v1
kind: Team
metadata:
  name: {name}
  description: {description}
spec:
  email: long@example.com
  members:
    - {{name: Jane Doe, email: jane.doe@example.com, role: lead}}
"""


def long_description() -> bytes:
    return TEAM.format(name="long-text", description="x" * 900_000).encode()


def long_name() -> bytes:
    return TEAM.format(name="n" * 900_000, description="short").encode()


def oversize() -> bytes:
    return b"# padding\n" + b"#" * (1_048_576 - 9)


def deep_flow() -> bytes:
    return b"[" * 200_000 + b"]" * 200_000 + b"\n"


def deep_block_sequence() -> bytes:
    return b"- " * 200_000 + b"x\n"


def deep_block_mapping() -> bytes:
    return b"".join(b" " * level + b"k:\n" for level in range(1200)) + b" " * 1200 + b"v: 1\n"


def base_60_number() -> bytes:
    text = TEAM.format(name="base-sixty", description="x").replace("  description: x\n", "")
    return text.replace("spec:\n", "spec:\n  tier: 1" + ":59" * 300_000 + "\n", 1).encode()


def many_copies() -> bytes:
    """The base's Team `platform` 500 times more: each finding names three others, not all."""
    team = TEAM.format(name="platform", description="again").replace("long@", "platform@")
    return ("---\n" + team).encode() * 500


GENERATORS: dict[str, Callable[[], bytes]] = {
    f.__name__: f for f in (long_description, long_name, oversize, deep_flow,
                            deep_block_sequence, deep_block_mapping, base_60_number, many_copies)
}


def case_bytes(case: dict[str, Any]) -> bytes:
    if "generate" in case:
        return GENERATORS[case["generate"]]()
    return (CORPUS / case["path"]).read_bytes()


def validate(root: Path) -> tuple[Result, dict[str, Any]]:
    result = run_cli("validate", str(root), "--format", "json", "--today", "2026-11-23")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result, json.loads(result.stdout)


def disk_name(case: dict[str, Any]) -> str:
    """The case's file name on disk: `name` spells bytes that are not UTF-8 as \\x escapes."""
    if "name" not in case:
        return str(case["path"])
    return os.fsdecode(case["name"].encode("latin-1").decode("unicode_escape").encode("latin-1"))


def shown_name(case: dict[str, Any]) -> str:
    """The name as reports show it: what cannot be encoded, escaped."""
    return visible(disk_name(case))


def found_in(report: dict[str, Any], case: dict[str, Any]) -> list[tuple[str, int | None]]:
    rel = shown_name(case)
    return sorted(((f["rule"], f["line"]) for f in report["findings"]
                   if f["file"].endswith("/" + rel)), key=str)


def expected(case: dict[str, Any]) -> list[tuple[str, int | None]]:
    return sorted(((f["rule"], f["line"]) for f in case["findings"]), key=str)


def matches(want: tuple[str, Any], got: tuple[str, int | None]) -> bool:
    return want[0] == got[0] and ((want[1] == "any" and got[1] is not None) or want[1] == got[1])


def install(case: dict[str, Any], root: Path) -> None:
    target = root / disk_name(case)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(case_bytes(case))


@pytest.mark.parametrize("case", CASES, ids=[c["path"] for c in CASES])
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    if case.get("base"):
        shutil.copytree(BASE, root)
    install(case, root)
    result, report = validate(root)
    assert result.exit_code == case["exit"], result.output
    got = found_in(report, case)
    for want in expected(case):
        assert any(matches(want, g) for g in got), f"{want} not in {got}"
    if "message" in case:
        assert case["message"] in report["findings"][0]["message"], report["findings"][0]
    if case["exact"]:
        total = len(case["findings"]) + case.get("others", 0)  # findings in other files
        assert len(report["findings"]) == total, report["findings"]
    for finding in report["findings"]:  # a clear, bounded message; a file-level one may lack a line
        assert finding["message"] and finding["rule"] and finding["file"]
        assert len(finding["message"]) < 500, finding["message"][:200]


def test_all_cases_together(tmp_path: Path) -> None:
    """One catalog holding every hostile file: each still gets its findings, the base stays
    clean but for the other definition of the Team a case defines again."""
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    for case in CASES:
        install(case, root)
    result, report = validate(root)
    assert result.exit_code == 1
    for case in CASES:
        got = found_in(report, case)
        for want in expected(case):
            assert any(matches(want, g) for g in got), (case["path"], want, got)
    base_files = {p.relative_to(BASE).as_posix() for p in BASE.rglob("*.yaml")}
    in_base = [f for f in report["findings"]
               if Path(f["file"]).relative_to(root).as_posix() in base_files]
    errors = [(f["rule"], f["entity"]) for f in in_base if f["severity"] == "error"]
    assert errors == [("duplicate-name", "Team:platform")]
    assert report["summary"]["files"] == len(base_files) + len(CASES)


def test_base_catalog_is_clean() -> None:
    result, report = validate(BASE)
    assert result.exit_code == 0, report["findings"]


def test_every_corpus_file_is_declared() -> None:
    declared = {c["path"] for c in ALL_CASES if "generate" not in c}
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*")
               if p.is_file() and not p.is_relative_to(BASE)}
    assert on_disk == declared


def test_syntax_errors_name_the_problem_and_tabs_get_their_hint(tmp_path: Path,
                                                                invoke: Invoke) -> None:
    for name in ("syntax-error.yaml", "tabs.yaml"):
        shutil.copy(CORPUS / "yaml" / name, tmp_path / name)
    result = invoke("validate", str(tmp_path))
    assert "tabs.yaml\n  4:1" in result.output
    assert "hint: YAML forbids tabs for indentation; use spaces" in result.output
    assert "syntax-error.yaml\n  8:1" in result.output
    assert "while scanning a quoted scalar" in result.output
