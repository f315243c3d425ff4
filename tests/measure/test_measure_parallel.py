"""`measure --jobs N` splits the tickets over N processes and says exactly what one says.

Every output is compared byte for byte with `--jobs 1`: the report in each format, the
per-ticket CSV (rows in the same order), the exit code and the messages, on the example
records, a generated set and a hostile one (bad rows, duplicate ids, open tickets, unknown
values, unused events, files out of time order).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from itsmctl.reporters.registry import formats
from tests.generated import generated_records
from tests.measure.conftest import EXAMPLES, run

FORMATS = formats("MeasureResult")


def outputs(records: Path, out: Path, jobs: int, *options: str) -> list[tuple[object, ...]]:
    """(format, exit code, output, report bytes, per-ticket bytes) of each format."""
    out.mkdir(parents=True, exist_ok=True)
    seen = []
    for fmt in FORMATS:
        report, rows = out / f"{jobs}.{fmt}", out / f"{jobs}-{fmt}-rows.csv"
        result = run("measure", str(EXAMPLES), "--records", str(records), "-f", fmt,
                     "-o", str(report), "--per-ticket", str(rows), "--jobs", str(jobs),
                     *options)
        seen.append((fmt, result.exit_code, result.output,
                     report.read_bytes() if report.exists() else None,
                     rows.read_bytes() if rows.exists() else None))
    return seen


def assert_same(records: Path, tmp_path: Path, *options: str, jobs: int = 2) -> None:
    one = outputs(records, tmp_path / "one", 1, *options)
    many = outputs(records, tmp_path / "many", jobs, *options)
    for a, b in zip(one, many, strict=True):
        assert a == b, f"--jobs {jobs} differs from --jobs 1 in {a[0]}"


def test_example_records_are_the_same_in_two_processes(tmp_path: Path) -> None:
    assert_same(EXAMPLES / "records", tmp_path)


def test_example_records_are_the_same_in_three_processes_within_dates(tmp_path: Path) -> None:
    assert_same(EXAMPLES / "records", tmp_path, "--from", "2026-09-10", "--to", "2026-10-31",
                jobs=3)


def test_a_generated_set_is_the_same(tmp_path: Path) -> None:
    assert_same(generated_records(tmp_path / "records", 3000), tmp_path)


@pytest.mark.slow
def test_the_100k_set_is_the_same(tmp_path: Path) -> None:
    assert_same(generated_records(tmp_path / "records", 100_000), tmp_path)


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def hostile(target: Path, out_of_order: str = "") -> Path:
    """The example records with every kind of trouble, still in time order unless asked:
    `tickets` swaps two good ticket rows, `events` two events, `bad` moves a row that
    cannot be read (its opened_at can) out of order."""
    shutil.copytree(EXAMPLES / "records", target)
    tickets, events = _read(target / "tickets.csv"), _read(target / "events.csv")
    header, body = tickets[0], tickets[1:]
    at = {name: i for i, name in enumerate(header)}
    for n, row in enumerate(body):
        if n % 37 == 5:  # open tickets, some long past their target
            row[at["resolved_at"]] = row[at["closed_at"]] = ""
        if n % 53 == 7:
            row[at["service"]] = f"unknown-{n % 3}"
        if n % 61 == 3:
            row[at["priority"]] = "P9"
        if n % 71 == 4:
            row[at["type"]] = "outage"
    for n in reversed(range(0, 40, 3)):  # ids of both workers: a later row, its times
        duplicate, later = list(body[n]), body[300 + n]
        for name in ("opened_at", "responded_at", "resolved_at", "closed_at"):
            duplicate[at[name]] = later[at[name]]
        body.insert(301 + n, duplicate)
    bad_time = list(body[120])
    bad_time[at["id"]], bad_time[at["resolved_at"]] = "BAD1", "yesterday"
    bad_csat = list(body[200])
    bad_csat[at["id"]], bad_csat[at["csat"]] = "BAD2", "11"
    no_id = list(body[250])
    no_id[at["id"]] = ""
    body[121:121] = [bad_time]
    body[202:202] = [bad_csat]
    body[253:253] = [no_id, ["short", "row"]]
    if out_of_order == "tickets":
        body[400], body[401] = body[401], body[400]
    if out_of_order == "bad":
        bad = list(body[450])
        bad[at["id"]], bad[at["csat"]] = "BAD3", "nine"
        bad[at["opened_at"]] = body[10][at["opened_at"]]
        body.insert(451, bad)
    _write(target / "tickets.csv", [header, *body])
    ev_header, ev_body = events[0], events[1:]
    for n in range(0, len(ev_body), 97):  # events of tickets that are not in the file
        ev_body[n] = [f"GHOST{n % 5}", ev_body[n][1], "in-progress"]
    ev_body.insert(500, [body[600][0], ev_body[499][1], "in-progress"])  # before opening
    ev_body.insert(800, ["", ev_body[799][1], "new"])
    ev_body.insert(900, [ev_body[899][0], "soon", "new"])
    if out_of_order == "events":
        ev_body[1000], ev_body[1001] = ev_body[1001], ev_body[1000]
        ev_body[1000][1], ev_body[1001][1] = "2026-10-20T00:00:00Z", "2026-10-10T00:00:00Z"
    _write(target / "events.csv", [ev_header, *ev_body])
    return target


def test_hostile_records_are_the_same(tmp_path: Path) -> None:
    records = hostile(tmp_path / "records")
    assert_same(records, tmp_path, "--max-bad-rows", "100")


def test_too_many_bad_rows_fail_alike_and_write_nothing(tmp_path: Path) -> None:
    records = hostile(tmp_path / "records")
    assert_same(records, tmp_path)
    result = outputs(records, tmp_path / "again", 2)
    assert {(code, report, rows) for _, code, _, report, rows in result} == {(2, None, None)}


@pytest.mark.parametrize("disorder", ["tickets", "events", "bad"])
def test_records_out_of_time_order_are_the_same(tmp_path: Path, disorder: str) -> None:
    records = hostile(tmp_path / "records", disorder)
    assert_same(records, tmp_path, "--max-bad-rows", "100")
    mode = "streaming" if disorder == "bad" else "in-memory"
    assert f'"mode": "{mode}"' in (tmp_path / "many" / "2.json").read_text()


def test_records_that_cannot_be_read_fail_alike(tmp_path: Path) -> None:
    records = hostile(tmp_path / "records")
    (records / "events.csv").write_bytes(b"id,at,status\nX,2026-09-01T00:00:00Z,\xff\n")
    assert_same(records, tmp_path, "--max-bad-rows", "100")


def test_the_workers_count_records_in_time_order(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """No pass is made in the parent when the workers can count (a fallback would hide)."""
    import itsmctl.measure.run as measure_run

    def one_process(*args: object) -> None:
        raise AssertionError("the run fell back to one process")

    monkeypatch.setattr(measure_run, "_attempt", one_process)
    records = hostile(tmp_path / "records")
    result = run("measure", str(EXAMPLES), "--records", str(records), "--jobs", "2",
                 "--max-bad-rows", "100", "-f", "json")
    assert result.exit_code == 1 and '"mode": "streaming"' in result.output


def _worker_dies(index: int, count: int) -> None:
    """A worker killed mid-run (out of memory, a signal): its pool breaks."""
    os._exit(9)


def _no_fork(method: str | None = None) -> None:
    raise ValueError(f"cannot find context for {method!r}")


@pytest.mark.parametrize("failure", ["worker dies", "no fork"])
def test_workers_that_cannot_run_give_the_one_process_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    from itsmctl.measure import parallel
    one = outputs(EXAMPLES / "records", tmp_path / "one", 1)
    if failure == "worker dies":
        monkeypatch.setattr(parallel, "_measure_part", _worker_dies)
    else:  # Windows, or a platform whose multiprocessing has no fork
        monkeypatch.setattr(parallel.multiprocessing, "get_context", _no_fork)
    many = outputs(EXAMPLES / "records", tmp_path / "many", 2)
    for a, b in zip(one, many, strict=True):
        assert a == b, f"{failure}: --jobs 2 differs from --jobs 1 in {a[0]}"


@pytest.mark.parametrize("failure", [None, "worker dies"])
def test_the_workers_rows_leave_no_temporary_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str | None) -> None:
    """Each worker writes its per-ticket rows to a file of its own, which the parent merges
    as it reads it (so no process holds the rows); the folder goes when the run ends, also
    when a worker dies and one process measures instead."""
    import tempfile

    from itsmctl.measure import parallel
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    made: list[Path] = []
    mkdtemp = tempfile.mkdtemp

    def recorded(*args: object, **kwargs: object) -> str:
        folder = mkdtemp(*args, **kwargs)  # type: ignore[call-overload]
        made.append(Path(folder))
        return str(folder)

    monkeypatch.setattr(parallel.tempfile, "mkdtemp", recorded)
    if failure == "worker dies":
        monkeypatch.setattr(parallel, "_measure_part", _worker_dies)
    records = generated_records(tmp_path / "records", 3000)
    one = outputs(records, tmp_path / "one", 1)
    many = outputs(records, tmp_path / "many", 2)
    assert one == many
    assert len(made) == len(FORMATS)  # one folder a run, each under the temporary folder
    assert all(folder.parent == scratch for folder in made)
    assert list(scratch.iterdir()) == []


def test_no_room_for_the_workers_rows_measures_in_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from itsmctl.measure import parallel

    def full(*args: object, **kwargs: object) -> str:
        raise OSError(28, "No space left on device")

    one = outputs(EXAMPLES / "records", tmp_path / "one", 1)
    monkeypatch.setattr(parallel.tempfile, "mkdtemp", full)
    assert outputs(EXAMPLES / "records", tmp_path / "many", 2) == one


def hostile_ids(target: Path) -> Path:
    """The example records as JSON Lines with ids that only look alike or only differ in
    what strips: a lone surrogate, one name in NFC and in NFD (two ids, each with a later
    duplicate), padding around the id its events name (one id), an integer and its string
    (one id, a duplicate), a bidi override on a row only its owner can read (a bad csat),
    and an array (a bad row); still in time order."""
    shutil.copytree(EXAMPLES / "records", target)
    tickets, events = _read(target / "tickets.csv"), _read(target / "events.csv")
    header, body = tickets[0], tickets[1:]
    items: list[dict[str, object]] = []
    renamed: dict[str, str] = {}
    for n, row in enumerate(body):
        item: dict[str, object] = {k: v for k, v in zip(header, row, strict=True) if v}
        new: object = [row[0], f"caf\u00e9-{n}", f"cafe\u0301-{n - 1}", f"x\ud800{n}",
                       f" {row[0]}\t", 10**6 + n][n % 6]
        item["id"] = new
        renamed[row[0]] = str(new).strip()
        items.append(item)
    times = ("opened_at", "responded_at", "resolved_at", "closed_at")
    for n in (5, 2, 1):  # a copy of each with a later row's times, after that row
        copy = {**{k: v for k, v in items[n].items() if k not in times},
                **{k: v for k, v in items[n + 300].items() if k in times}}
        items.insert(n + 301, {**copy, "id": str(copy["id"])})  # 1000005 as "1000005"
    items.insert(150, dict(items[150], id="BAD\u202e1", csat="eleven"))
    items.insert(250, dict(items[250], id=["x"]))
    (target / "tickets.csv").unlink()
    (target / "tickets.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items),
                                          encoding="utf-8")
    moved = [[renamed.get(e[0], e[0]), *e[1:]] for e in events[1:]]
    _write(target / "events.csv", [events[0], *(e for e in moved if "\ud800" not in e[0])])
    return target


def test_hostile_ids_are_the_same_and_counted_by_the_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An id's worker is the crc32 of its UTF-8 (surrogates passed): ids that look alike
    stay apart and ids that strip alike meet, in the one worker that owns them."""
    import itsmctl.measure.run as measure_run

    records = hostile_ids(tmp_path / "records")
    assert_same(records, tmp_path, "--max-bad-rows", "100")
    one = (tmp_path / "one" / "1.json").read_text(encoding="utf-8")
    rows = (tmp_path / "one" / "1-json-rows.csv").read_text(encoding="utf-8")
    assert "x\\ud800" in rows  # shown as its escape, in both runs
    assert "caf\u00e9-1," in rows and "cafe\u0301-1," in rows  # two tickets
    # 1000005 and "1000005" one id, NFC and NFD each its own: 3 duplicates; every event
    # joined to its ticket (padded ids included), the zipper used
    assert '"duplicates": 3,' in one and "ticket id '1000005' appears more than once" in one
    assert '"eventsForUnknownTickets": [],' in one and '"mode": "streaming",' in one

    def one_process(*args: object) -> None:
        raise AssertionError("the run fell back to one process")

    monkeypatch.setattr(measure_run, "_attempt", one_process)
    result = run("measure", str(EXAMPLES), "--records", str(records), "--jobs", "2",
                 "--max-bad-rows", "100", "-f", "json")
    assert result.output == one


def test_a_full_disk_while_the_rows_are_merged_is_said_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-ticket file filling up while the parent merges the workers' rows is the run's
    error (exit 2, the file named), not a reason to count everything again in one process."""
    import errno

    from itsmctl.measure import parallel
    from itsmctl.measure import run as measure_run

    def full(per_ticket: object, parts: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def again(*args: object) -> None:
        raise AssertionError("measured again in one process")

    monkeypatch.setattr(parallel, "_write_rows", full)
    monkeypatch.setattr(measure_run, "_attempt", again)
    rows = tmp_path / "out" / "rows.csv"
    rows.parent.mkdir()
    result = run("measure", str(EXAMPLES), "--records", str(EXAMPLES / "records"),
                 "--per-ticket", str(rows), "--jobs", "2")
    assert result.exit_code == 2, result.output
    assert f"cannot write {rows}: No space left on device" in result.output
    assert list(rows.parent.iterdir()) == []
