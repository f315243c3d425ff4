"""Availability, error budget and credits: the worked example of docs/measure.md, and rules."""

from __future__ import annotations

from tests.measure.conftest import measure_json, sla

TICKET = ("id,type,service,priority,opened_at,responded_at,resolved_at\n"
          "C1,incident,checkout,P3,2026-10-05T09:00:00+02:00,2026-10-05T09:10:00+02:00,"
          "2026-10-05T12:00:00+02:00\n")
HEADER = "service,start,end,impact,weight,planned\n"
WORKED = HEADER + """\
checkout,2026-10-12T14:02:00+02:00,2026-10-12T14:20:00+02:00,full,,false
checkout,2026-10-12T14:10:00+02:00,2026-10-12T14:31:00+02:00,full,,false
checkout,2026-10-19T09:00:00+02:00,2026-10-19T10:00:00+02:00,partial,0.25,false
checkout,2026-10-18T02:00:00+02:00,2026-10-18T03:30:00+02:00,full,,true
checkout,2026-10-27T03:00:00+01:00,2026-10-27T03:20:00+01:00,full,,true
"""
MORE = """\
checkout,2026-10-28T10:00:00+01:00,2026-10-28T10:16:00+01:00,full,,false
checkout,2026-10-29T10:00:00+01:00,2026-10-29T10:16:00+01:00,full,,false
"""
OCTOBER = ("--from", "2026-10-01", "--to", "2026-10-31")


def october(records, outages: str) -> dict:
    _, data = measure_json(records(tickets_csv=TICKET, events_csv="", outages_csv=outages),
                           *OCTOBER)
    return sla(data, "checkout-sla")["periods"][0]["availability"]


def test_worked_example_of_the_docs(records) -> None:
    a = october(records, WORKED)
    # 745 hours in October (the clocks go back on the 25th)
    assert a["agreedMinutes"] == 44700 and a["partial"] is False
    # 29 (the union of the two overlapping) + 15 (a quarter of 60) + 20 (planned, but
    # outside the Sunday window); the 90 planned minutes inside the window do not count
    assert a["downtimeMinutes"] == 64 and a["plannedMaintenanceMinutes"] == 90
    assert a["measured"] == 99.8568 and a["met"] is False
    assert a["budgetMinutes"] == 44.7 and a["budgetLeftMinutes"] == -19.3
    assert a["credit"] == 0


def test_below_a_credit_threshold_the_credit_is_owed(records) -> None:
    a = october(records, WORKED + MORE)
    assert a["downtimeMinutes"] == 96 and a["measured"] == 99.7852
    assert a["credit"] == 5


def test_no_outages_is_full_availability_and_an_unused_budget(records) -> None:
    a = october(records, HEADER)
    assert (a["measured"], a["downtimeMinutes"], a["budgetLeftMinutes"]) == (100.0, 0, 44.7)


def test_without_an_outages_file_availability_is_not_claimed(records) -> None:
    folder = records(tickets_csv=TICKET, events_csv="", outages_csv="")
    (folder / "outages.csv").unlink(missing_ok=True)
    _, data = measure_json(folder, *OCTOBER)
    assert sla(data, "checkout-sla")["periods"][0]["availability"] is None


def test_partial_weight_is_required_and_bounded(records) -> None:
    bad = HEADER + "checkout,2026-10-12T14:02:00+02:00,2026-10-12T14:20:00+02:00,partial,,false\n"
    bad += "checkout,2026-10-12T14:02:00+02:00,2026-10-12T14:20:00+02:00,partial,1.5,false\n"
    _, data = measure_json(records(tickets_csv=TICKET, events_csv="", outages_csv=bad),
                           "--max-bad-rows", "2", *OCTOBER)
    found = [(f["line"], f["column"]) for f in data["findings"] if f["rule"] == "record-unreadable"]
    assert found == [(2, 5), (3, 5)]
