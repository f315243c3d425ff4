"""Hostile records folders: `measure`, `render --records` give a bad row or exit 2, never 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from itsmctl.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEEP = '{"id":"A","x":' + "[" * 100_000 + "]" * 100_000 + "}"
HUGE = '{"id":"B","x":' + "9" * 5000 + "}"  # past Python's 4300-digit int limit


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _jsonl(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "tickets.jsonl").write_text(f"{DEEP}\n{HUGE}\n", encoding="utf-8")
    return folder


def test_deep_nesting_and_huge_integers_are_bad_rows(tmp_path: Path) -> None:
    folder = _jsonl(tmp_path)
    result = run("measure", str(EXAMPLES), "--records", str(folder), "-f", "json",
                 "--max-bad-rows", "2")
    assert result.exit_code in (0, 1), result.output
    found = [(f["line"], f["message"]) for f in json.loads(result.output)["findings"]
             if f["rule"] == "record-unreadable"]
    assert [line for line, _ in found] == [1, 2]
    assert "nested too deeply" in found[0][1] and "4300 digits" in found[1][1]


@pytest.mark.parametrize("command", ["measure", "render"])
def test_a_hostile_jsonl_row_stops_the_run_with_exit_2(tmp_path: Path, command: str) -> None:
    folder = _jsonl(tmp_path)
    extra = ["-o", str(tmp_path / "site")] if command == "render" else []
    result = run(command, str(EXAMPLES), "--records", str(folder), *extra)
    assert result.exit_code == 2, result.output
    assert "tickets.jsonl:1: unreadable row" in result.output
    assert "Traceback" not in result.output


def test_to_the_last_representable_day_is_an_open_ended_window() -> None:
    records = str(EXAMPLES / "records")
    capped = run("measure", str(EXAMPLES), "--records", records, "-f", "json",
                 "--to", "9999-12-31")
    plain = run("measure", str(EXAMPLES), "--records", records, "-f", "json")
    assert capped.exit_code == plain.exit_code == 1, capped.output
    assert json.loads(capped.output)["slas"] == json.loads(plain.output)["slas"]
