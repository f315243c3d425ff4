"""`itsmctl measure` end to end on the example catalog, against hand-computed figures.

Hand computation (legacy-erp-sla, Mon-Fri 08:00-18:00 Berlin, P1 response 1h, resolution 8h):
- E1 Mon 23 Nov 09:00: responded 09:30 (30 min, met), resolved 16:00 (7 h, met).
- E2 Fri 20 Nov 17:00: responded Mon 08:30: Fri 17-18 + Mon 08:00-08:30 = 90 min > 60,
  breached; the hour was used up at Friday 18:00 (the breach instant). Resolved Mon 15:00:
  1 h + 7 h = 8 h exactly: met.
- E3 Tue 24 Nov 09:00, on hold Tue 17:00 - Wed 10:00, resolved Wed 12:00: 9 h + 4 h open,
  3 h of them on hold, 10 h > 8 h: breached; 8 h were reached Tue 17:00.
Availability: outages 10:00-11:00 and 10:30-11:30 on Monday (union 90 min), a half-weight
partial 12:00-14:00 on Tuesday (60 min), one at 20:00 (outside hours: 0) = 150 min down.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.generated import generated_records
from tests.measure.conftest import EVENTS, EXAMPLES, OUTAGES, TICKETS, measure_json, run, sla


def test_hand_computed_attainment(records) -> None:
    code, data = measure_json(records())
    assert data["schemaVersion"] == 1 and data["tool"]["name"] == "itsmctl"
    november = sla(data, "legacy-erp-sla")["periods"][0]
    assert november["period"] == "2026-11"
    response = november["priorities"]["P1"]["response"]
    assert (response["tickets"], response["met"], response["breached"]) == (3, 2, 1)
    assert response["attainment"] == 66.6667
    assert response["breaches"] == [{"id": "E2", "at": "2026-11-20T18:00:00+01:00"}]
    resolution = november["priorities"]["P1"]["resolution"]
    assert (resolution["tickets"], resolution["met"], resolution["breached"]) == (3, 2, 1)
    # 420, 480, 600 minutes: nearest-rank p50 is the second, p90 the third
    assert (resolution["p50Minutes"], resolution["p90Minutes"]) == (480, 600)
    assert resolution["breaches"] == [{"id": "E3", "at": "2026-11-24T17:00:00+01:00"}]
    assert code == 1  # availability below target is an error


def test_hand_computed_availability_over_the_records_span(records) -> None:
    _, data = measure_json(records())
    a = sla(data, "legacy-erp-sla")["periods"][0]["availability"]
    # records span Fri 20 Nov 17:00 - Wed 25 Nov 12:00: 1 + 10 + 10 + 4 = 25 business hours
    assert a["partial"] is True
    assert (a["agreedMinutes"], a["downtimeMinutes"]) == (1500, 150)
    assert a["measured"] == 90.0
    assert a["budgetMinutes"] == 7.5 and a["budgetLeftMinutes"] == -142.5
    assert a["met"] is False and a["credit"] == 0


def test_from_to_measures_whole_november(records) -> None:
    _, data = measure_json(records(), "--from", "2026-11-01", "--to", "2026-11-30")
    a = sla(data, "legacy-erp-sla")["periods"][0]["availability"]
    # 21 weekdays in November 2026 x 10 h
    assert a["partial"] is False and a["agreedMinutes"] == 12600
    assert a["measured"] == round(100 * (12600 - 150) / 12600, 4)


def test_unknown_services_and_priorities_are_counted_and_reported(records) -> None:
    _, data = measure_json(records())
    assert data["records"]["unknownServices"] == {"SAP ECC": 1}
    assert data["records"]["unknownPriorities"] == {"P9": 1}
    rules = {(f["rule"], f["line"]) for f in data["findings"]}
    assert ("record-unknown-service", 3) in rules and ("record-unknown-priority", 5) in rules


def test_service_names_map_from_ci_names(records) -> None:
    folder = records(mapping_yaml='services: {"SAP ECC": legacy-erp}\n')
    _, data = measure_json(folder)
    assert data["records"]["unknownServices"] == {}
    assert sla(data, "legacy-erp-sla")["periods"][0]["priorities"]["P2"]["response"][
        "tickets"] == 1


def test_attainment_findings_sit_on_the_target_line(records) -> None:
    _, data = measure_json(records())
    found = [f for f in data["findings"] if f["rule"] == "sla-attainment-below-target"
             and f["file"].endswith("legacy-erp-sla.yaml")]
    assert {f["severity"] for f in found} == {"warning"}  # the 95 % default applies
    text = (EXAMPLES / "slas" / "legacy-erp-sla.yaml").read_text().splitlines()
    assert all("priority: P1" in text[f["line"] - 1] for f in found)
    assert any("2 of 3 met" in f["message"] for f in found)


def test_per_ticket_csv(records, tmp_path: Path) -> None:
    out = tmp_path / "per-ticket.csv"
    result = run("measure", str(EXAMPLES), "--records", str(records()), "--per-ticket", str(out))
    assert result.exit_code == 1
    rows = {r["id"]: r for r in csv.DictReader(out.read_text().splitlines())}
    assert set(rows) == {"E1", "E2", "E3"}
    assert rows["E2"]["response_minutes"] == "90" and rows["E2"]["response_breached"] == "true"
    assert rows["E2"]["response_breach_at"] == "2026-11-20T18:00:00+01:00"
    assert rows["E2"]["resolution_minutes"] == "480"
    assert rows["E2"]["resolution_breached"] == "false"
    assert rows["E3"]["resolution_minutes"] == "600"
    assert rows["E1"]["sla"] == "legacy-erp-sla"


def test_per_ticket_escalations_in_step_order_past_their_threshold(records,
                                                                    tmp_path: Path) -> None:
    """incident.yaml's steps: 50% response, 50% / 80% / 100% (P1, P2) resolution. A clock
    exactly at a threshold has not gone past it (E1's response 30 of 60 min, E2's
    resolution 480 of 480)."""
    out = tmp_path / "per-ticket.csv"
    run("measure", str(EXAMPLES), "--records", str(records()), "--per-ticket", str(out))
    rows = {r["id"]: r["escalations"] for r in csv.DictReader(out.read_text().splitlines())}
    resolution = "50% resolution (functional);80% resolution (hierarchical)"
    assert rows["E1"] == resolution
    assert rows["E2"] == "50% response (functional);" + resolution
    assert rows["E3"] == resolution + ";100% resolution (hierarchical)"


def test_text_review_lists_misses_first(records) -> None:
    result = run("measure", str(EXAMPLES), "--records", str(records()))
    lines = result.output.splitlines()
    block = lines[lines.index(next(x for x in lines if x.startswith("legacy-erp-sla"))):]
    rows = [x for x in block[:12] if x.strip().startswith("2026-11  P1")]
    assert "MISSED" in rows[0] and "MISSED" in rows[1]
    assert "MISSED" in block[0]


def test_markdown_and_csv_formats(records) -> None:
    md = run("measure", str(EXAMPLES), "--records", str(records()), "-f", "markdown").output
    assert "## legacy-erp-sla" in md and "| 2026-11 | P1 | response | 3 | 2 | 1 |" in md
    text = run("measure", str(EXAMPLES), "--records", str(records()), "-f", "csv").output
    rows = list(csv.DictReader(text.splitlines()))
    p1 = [r for r in rows if r["name"] == "legacy-erp-sla" and r["priority"] == "P1"]
    assert {(r["clock"], r["tickets"], r["attainment"]) for r in p1} == {
        ("response", "3", "66.6667"), ("resolution", "3", "66.6667")}


def test_unreadable_row_fails_and_writes_nothing(records, tmp_path: Path) -> None:
    bad = TICKETS.replace("2026-11-23T09:30:00+01:00", "23/11/2026 09:30")
    out, report = tmp_path / "pt.csv", tmp_path / "report.json"
    result = run("measure", str(EXAMPLES), "--records", str(records(tickets_csv=bad)),
                 "--per-ticket", str(out), "-o", str(report))
    assert result.exit_code == 2
    assert "tickets.csv:4: column responded_at" in result.output
    assert not out.exists() and not report.exists()
    assert not list(tmp_path.glob(".pt.csv.*"))


def test_max_bad_rows_reports_the_row_and_goes_on(records) -> None:
    bad = TICKETS.replace("2026-11-23T09:30:00+01:00", "23/11/2026 09:30")
    code, data = measure_json(records(tickets_csv=bad), "--max-bad-rows", "1")
    assert code == 1  # the run goes on; the availability miss is still an error
    found = [f for f in data["findings"] if f["rule"] == "record-unreadable"]
    assert [(f["line"], f["column"]) for f in found] == [(4, 6)]
    assert data["records"]["badRows"] == 1


def test_timestamps_without_offset_need_assume_tz(records) -> None:
    local = TICKETS.replace("+01:00", "").replace("T", " ")
    events = "id,at,status\n"
    folder = records(tickets_csv=local, events_csv=events,
                     outages_csv=OUTAGES.replace("+01:00", ""))
    refused = run("measure", str(EXAMPLES), "--records", str(folder))
    assert refused.exit_code == 2 and "has no UTC offset" in refused.output
    _, data = measure_json(folder, "--assume-tz", "Europe/Berlin")
    response = sla(data, "legacy-erp-sla")["periods"][0]["priorities"]["P1"]["response"]
    assert response["breaches"] == [{"id": "E2", "at": "2026-11-20T18:00:00+01:00"}]


def test_duplicate_ids_are_errors(records) -> None:
    twice = TICKETS + TICKETS.splitlines()[-1] + "\n"
    code, data = measure_json(records(tickets_csv=twice))
    dup = [f for f in data["findings"] if f["rule"] == "record-duplicate-id"]
    assert [(f["line"], f["severity"]) for f in dup] == [(7, "error")]
    assert code == 1


def test_files_out_of_time_order_give_the_same_figures(records) -> None:
    _, ordered = measure_json(records())
    lines = TICKETS.splitlines()
    shuffled = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
    events = "id,at,status\n" + "\n".join(reversed(
        [x for x in records().joinpath("events.csv").read_text().splitlines()[1:]])) + "\n"
    _, unordered = measure_json(records(tickets_csv=shuffled, events_csv=events))
    assert ordered["records"]["mode"] == "streaming"
    assert unordered["records"]["mode"] == "in-memory"
    assert ordered["slas"] == unordered["slas"]


def test_missing_tickets_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("measure", str(EXAMPLES), "--records", str(tmp_path / "empty"))
    assert result.exit_code == 2 and "has no tickets.csv" in result.output


def test_mapping_file_names_stay_inside_the_records_folder(records) -> None:
    folder = records(mapping_yaml="files: {tickets: ../../etc/passwd}\n")
    result = run("measure", str(EXAMPLES), "--records", str(folder))
    assert result.exit_code == 2 and "not a plain file name" in result.output


def test_example_records_run(tmp_path: Path) -> None:
    result = run("measure", str(EXAMPLES), "--records", str(EXAMPLES / "records"), "-f", "json")
    assert result.exit_code in (0, 1)
    assert '"mode": "streaming"' in result.output


def test_streaming_holds_only_the_open_tickets(records) -> None:
    # 300 tickets an hour apart, each resolved 30 minutes after opening: one open at a time
    rows = ["id,type,service,priority,opened_at,responded_at,resolved_at"]
    events = ["id,at,status"]
    for n in range(300):
        day, hour = divmod(n, 24)
        opened = f"2026-10-{day + 1:02d}T{hour:02d}:00:00Z"
        rows.append(f"S{n},incident,checkout,P3,{opened},{opened[:-6]}10:00Z,"
                    f"{opened[:-6]}30:00Z")
        events.append(f"S{n},{opened[:-6]}10:00Z,in-progress")
    _, data = measure_json(records(tickets_csv="\n".join(rows) + "\n",
                                   events_csv="\n".join(events) + "\n"))
    assert data["records"]["mode"] == "streaming" and data["records"]["tickets"] == 300
    assert data["records"]["peakOpenTickets"] == 1


def test_a_status_after_the_resolution_counts_in_neither_order(records, tmp_path: Path) -> None:
    """E6 has no responded_at, so its response stops at its first status other than `new`,
    else at its resolution (11:00, 120 business minutes: P2's 2h, met). Its `closed` status
    comes after the resolution; the in-memory join (files out of time order) used it and
    stopped the response at 14:00: 300 minutes, breached."""
    lines = TICKETS.splitlines()
    e6 = "E6,incident,legacy-erp,P2,2026-11-23T09:00:00+01:00,,2026-11-23T11:00:00+01:00"
    tickets = "\n".join([*lines[:4], e6, *lines[4:]]) + "\n"
    events = ("id,at,status\nE6,2026-11-23T09:00:00+01:00,new\n"
              "E6,2026-11-23T14:00:00+01:00,closed\n" + EVENTS.split("\n", 1)[1])
    rows = {}
    for order, text in (("ordered", events), ("reversed", "id,at,status\n" + "\n".join(
            reversed(events.splitlines()[1:])) + "\n")):
        folder = records(tickets_csv=tickets, events_csv=text)
        out = tmp_path / f"{order}.csv"
        _, data = measure_json(folder, "--per-ticket", str(out))
        assert data["records"]["mode"] == {"ordered": "streaming", "reversed": "in-memory"}[order]
        with out.open(encoding="utf-8") as handle:
            rows[order] = {r["id"]: r for r in csv.DictReader(handle)}
    assert rows["ordered"]["E6"]["response_minutes"] == "120"
    assert rows["ordered"]["E6"]["response_breached"] == "false"
    assert rows["reversed"] == rows["ordered"]


def test_the_bad_rows_a_failed_run_names_are_the_first_by_file_and_line(records) -> None:
    lines = TICKETS.splitlines()
    lines[1] = lines[1].replace("2026-11-20T17:00:00+01:00", "yesterday")  # line 2
    lines[5] = lines[5].replace("2026-11-24T09:10:00+01:00", "soon")      # line 6
    events = EVENTS.replace("2026-11-24T09:10:00+01:00", "later")         # line 3
    result = run("measure", str(EXAMPLES), "--records",
                 str(records(tickets_csv="\n".join(lines) + "\n", events_csv=events)))
    assert result.exit_code == 2, result.output
    named = re.findall(r"(events|tickets)\.csv:(\d+):", result.output)
    assert named == [("events", "3"), ("tickets", "2"), ("tickets", "6")]


# kubernetes-platform-ola edited: no P4 target, in force from 15 November 2026 only;
# kubernetes-platform-uc (same service, every priority, in force throughout) measures all.
UNMEASURED_TICKETS = """\
id,type,service,priority,opened_at,responded_at,resolved_at
K1,incident,kubernetes-platform,P4,2026-11-20T10:00:00Z,2026-11-20T10:05:00Z,2026-11-20T11:00:00Z
K2,incident,kubernetes-platform,P1,2026-11-10T10:00:00Z,2026-11-10T10:05:00Z,2026-11-10T11:00:00Z
K3,incident,kubernetes-platform,P4,2026-11-10T12:00:00Z,2026-11-10T12:05:00Z,2026-11-10T13:00:00Z
K4,incident,kubernetes-platform,P1,2026-11-21T10:00:00Z,2026-11-21T10:05:00Z,2026-11-21T11:00:00Z
C1,incident,checkout,P2,2026-03-15T10:00:00Z,2026-03-15T10:05:00Z,2026-03-15T11:00:00Z
"""


def test_tickets_an_sla_does_not_measure_are_counted_per_sla(records, tmp_path: Path) -> None:
    """A ticket opened outside an SLA's effective dates, or of a priority the SLA has no
    target for, is left out of that SLA only, counted and named: the dates are judged first
    (K3, a P4 before the OLA was in force, is outside its dates, not without a target), and
    the service's other SLA still measures it. Every format and --jobs 2 say the same."""
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLES, catalog, ignore=shutil.ignore_patterns("records"))
    path = catalog / "slas" / "kubernetes-platform.yaml"
    text = path.read_text(encoding="utf-8")
    ola, rest = text.split("---", 1)
    ola = ola.replace("    - {priority: P4, response: 1d, resolution: 10d}\n", "").replace(
        "effective: {from: 2026-01-01,", "effective: {from: 2026-11-15,")
    path.write_text(ola + "---" + rest, encoding="utf-8")
    folder = records(tickets_csv=UNMEASURED_TICKETS, events_csv="", outages_csv="")
    outputs = {}
    for jobs in ("1", "2"):
        result = run("measure", str(catalog), "--records", str(folder), "-f", "json",
                     "--jobs", jobs, "--per-ticket", str(tmp_path / f"rows{jobs}.csv"))
        assert result.exit_code in (0, 1), result.output
        outputs[jobs] = result.output
    assert outputs["1"] == outputs["2"]
    summary = json.loads(outputs["1"])["records"]
    assert summary["outsideEffectiveDates"] == {"checkout-sla": 1, "kubernetes-platform-ola": 2}
    assert summary["withoutTarget"] == [
        {"sla": "kubernetes-platform-ola", "priority": "P4", "tickets": 1}]
    with (tmp_path / "rows1.csv").open(encoding="utf-8") as handle:
        measured = sorted((row["id"], row["sla"]) for row in csv.DictReader(handle))
    assert measured == [("K1", "kubernetes-platform-uc"), ("K2", "kubernetes-platform-uc"),
                        ("K3", "kubernetes-platform-uc"), ("K4", "kubernetes-platform-ola"),
                        ("K4", "kubernetes-platform-uc")]
    assert (tmp_path / "rows1.csv").read_bytes() == (tmp_path / "rows2.csv").read_bytes()
    text_report = run("measure", str(catalog), "--records", str(folder)).output
    assert ("opened outside an SLA's effective dates: checkout-sla (1),"
            " kubernetes-platform-ola (2)") in text_report
    assert "priorities without a target: kubernetes-platform-ola P4 (1)" in text_report


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE and SIGXFSZ as on Linux")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_per_ticket_file_without_room_is_exit_2_and_leaves_nothing(
        tmp_path: Path, jobs: str) -> None:
    """A disk that fills (here: files capped at 64 KiB, as a quota would) while the rows are
    written says which file could not be written, exit 2, not an internal error; no rows
    and no temporary file are left, in one process or in two."""
    records = generated_records(tmp_path / "records", 3000)
    out = tmp_path / "out" / "rows.csv"
    out.parent.mkdir()
    capped = ("import resource, signal, sys\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, 1 << 16))\n"
              "from itsmctl.cli import main\n"
              "sys.argv[0] = 'itsmctl'\n"
              "main()\n")
    done = subprocess.run(
        [sys.executable, "-c", capped, "measure", str(EXAMPLES), "--records", str(records),
         "--per-ticket", str(out), "--jobs", jobs],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "ITSMCTL_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"cannot write {out}: File too large" in done.stderr
    assert "internal error" not in done.stderr
    assert list(out.parent.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
@pytest.mark.parametrize("disorder", ["", "tickets"])
def test_per_ticket_rows_to_a_pipe_are_the_rows_of_a_file(tmp_path: Path, disorder: str) -> None:
    """`--per-ticket` to a pipe (a FIFO here, `/dev/stdout | ...` in a shell) gets the bytes a
    file gets, also when the tickets are out of time order and a second attempt writes every
    row again: the rows gather in a temporary file first (not in memory), then go to the pipe.
    """
    import threading

    from tests.measure.test_measure_parallel import hostile

    folder = hostile(tmp_path / "records", disorder)
    as_file = tmp_path / "rows.csv"
    assert run("measure", str(EXAMPLES), "--records", str(folder), "--per-ticket",
               str(as_file), "-f", "json", "--max-bad-rows", "100").exit_code in (0, 1)
    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("measure", str(EXAMPLES), "--records", str(folder), "--per-ticket", str(fifo),
                 "-f", "json", "--max-bad-rows", "100")
    reader.join(timeout=60)
    assert result.exit_code in (0, 1), result.output
    assert received == [as_file.read_bytes()]
    assert len(received[0].splitlines()) > 100


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_per_ticket_rows_to_a_pipe_are_not_held_in_memory(tmp_path: Path) -> None:
    """Streaming to a pipe costs no more memory than writing a file: the rows are not
    gathered in a string (which held the whole CSV, and its bytes again, at the end)."""
    import threading
    import tracemalloc

    folder = generated_records(tmp_path / "records", 20_000)

    def peak(target: Path) -> int:
        tracemalloc.start()
        try:
            result = run("measure", str(EXAMPLES), "--records", str(folder), "--per-ticket",
                         str(target), "-f", "json", "--jobs", "1")
            assert result.exit_code in (0, 1), result.output
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    as_file = tmp_path / "rows.csv"
    peak(as_file)  # the first run also fills what every run shares (imports, caches)
    file_peak = peak(as_file)
    size = as_file.stat().st_size
    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    received: list[int] = []

    def drain() -> None:  # counts what arrives, holding no more than a chunk of it
        with fifo.open("rb") as pipe:
            received.append(sum(len(chunk) for chunk in iter(lambda: pipe.read(65536), b"")))

    reader = threading.Thread(target=drain)
    reader.start()
    pipe_peak = peak(fifo)
    reader.join(timeout=60)
    assert received == [size]
    # gathered in memory, the rows cost about twice their size more (the text, then its
    # bytes): 1.76 MB for these 0.88 MB; through the temporary file about 0.26 MB
    assert pipe_peak - file_peak < size, (pipe_peak, file_peak, size)


def test_types_are_read_case_blind_past_the_reader_memo(records) -> None:
    # 1,100 distinct record types, more than the reader remembers (1,024), and the known
    # type in mixed case with spaces: each unknown is counted lowered, the incident measured
    header = ("id,type,service,priority,opened_at,responded_at,resolved_at,closed_at,channel,"
              "first_contact,reopened,csat,lzs,outcome,cost,change_type")
    rows = [f"X{i},Odd{i},legacy-erp,P1,2026-11-23T09:00:00+01:00,,,,web,,0,,,,,"
            for i in range(1100)]
    rows.append("I1, InCiDeNt ,legacy-erp,P1,2026-11-23T09:00:00+01:00,,"
                "2026-11-23T10:00:00+01:00,,web,true,0,5,false,Successful,10,Standard")
    _, data = measure_json(records(tickets_csv="\n".join([header, *rows]) + "\n",
                                   events_csv=""))
    assert data["records"]["unknownTypes"] == {f"odd{i}": 1 for i in range(1100)}
    p1 = sla(data, "legacy-erp-sla")["periods"][0]["priorities"]["P1"]["resolution"]
    assert (p1["tickets"], p1["met"]) == (1, 1)
