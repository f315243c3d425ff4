"""KPIs of the example change process from change records, and --from/--to for KPIs.

Hand computation (change-enablement: success rate, failure rate and emergency share, monthly
periods in UTC). Five change requests of a ServiceNow export, dates in Europe/Berlin:
- CHG1 Standard, Successful; CHG2 Normal, Successful with issues (failed); CHG3 Emergency,
  Unsuccessful (failed); CHG4 Normal, Successful: opened and done in November.
- CHG5 Emergency, Successful: opened 1 November 00:30 Berlin = 31 October 23:30 UTC, so its
  opening (which places the emergency share) is in October, its end in November.
- success and failure rates are placed by the end: November 3 of 5 successful (60 %), 2 of
  5 failed (40 %); the emergency share by the opening: October 1 of 1 (100 %), November 1 of
  4 (25 %).
"""

# ruff: noqa: E501  (export rows are kept as the tool writes them)
from __future__ import annotations

from typing import Any

from tests.measure.conftest import TICKETS, measure_json

MAPPING = """\
preset: servicenow-change-request
timezone: Europe/Berlin
files: {tickets: change_request.csv}
services:
  SAP ERP Finance: legacy-erp
"""
CHANGES = '''\
"number","short_description","type","state","opened_at","work_start","work_end","closed_at","close_code","priority","business_service","cmdb_ci"
"CHG0030005","Hotfix posting job","Emergency","Closed","2026-11-01 00:30:00","2026-11-01 01:00:00","2026-11-01 02:00:00","2026-11-01 12:00:00","Successful","1 - Critical","SAP ERP Finance",""
"CHG0030001","Rotate certificates","Standard","Closed","2026-11-02 09:00:00","2026-11-03 22:00:00","2026-11-03 22:30:00","2026-11-04 09:00:00","Successful","4 - Low","SAP ERP Finance",""
"CHG0030002","Upgrade kernel","Normal","Closed","2026-11-05 09:00:00","2026-11-10 20:00:00","2026-11-10 23:00:00","2026-11-11 09:00:00","Successful with issues","3 - Moderate","SAP ERP Finance",""
"CHG0030003","Fix interface","Emergency","Closed","2026-11-12 14:00:00","2026-11-12 15:00:00","","2026-11-13 09:00:00","Unsuccessful","2 - High","SAP ERP Finance",""
"CHG0030004","Add index","Normal","Closed","2026-11-16 09:00:00","2026-11-18 20:00:00","2026-11-18 21:00:00","2026-11-19 09:00:00","Successful","3 - Moderate","","erp-prod-db01"
'''


def _kpi(data: dict[str, Any], name: str) -> list[tuple[str, float, int]]:
    kpi = next(k for k in data["kpis"] if k["name"] == name)
    return [(p["period"], p["value"], p["samples"]) for p in kpi["periods"]]


def _folder(records: Any, **extra: str) -> Any:
    folder = records(mapping_yaml=MAPPING + extra.pop("mapping", ""),
                     change_request_csv=CHANGES, events_csv="", outages_csv="", **extra)
    for name in ("tickets.csv", "events.csv", "outages.csv"):
        (folder / name).unlink(missing_ok=True)
    return folder


def test_servicenow_change_request_export(records) -> None:
    _, data = measure_json(_folder(records, mapping="  erp-prod-db01: legacy-erp\n"))
    assert _kpi(data, "change-success-rate") == [("2026-11", 60.0, 5)]
    assert _kpi(data, "change-failure-rate") == [("2026-11", 40.0, 5)]
    assert _kpi(data, "emergency-change-share") == [("2026-10", 100.0, 1),
                                                    ("2026-11", 25.0, 4)]
    # the `type` column is the change type: the record type is the preset's constant
    assert data["records"]["unknownTypes"] == {} and data["records"]["tickets"] == 5


def test_from_to_limit_the_kpis_to_utc_dates(records) -> None:
    folder = _folder(records, mapping="  erp-prod-db01: legacy-erp\n")
    _, data = measure_json(folder, "--from", "2026-11-01", "--to", "2026-11-30")
    # CHG5 was opened on 31 October (UTC): out of the window for the emergency share
    assert _kpi(data, "emergency-change-share") == [("2026-11", 25.0, 4)]
    assert _kpi(data, "change-success-rate") == [("2026-11", 60.0, 5)]
    _, data = measure_json(folder, "--to", "2026-11-10")
    # ended by the end of 10 November UTC: CHG5, CHG1 and CHG2 (23:00 Berlin is 22:00 UTC),
    # two of them successful
    assert _kpi(data, "change-success-rate") == [("2026-11", 66.6667, 3)]
    _, data = measure_json(folder, "--from", "2026-12-01")
    assert _kpi(data, "change-success-rate") == [] and _kpi(data, "problem-backlog-age") == []


def test_a_change_record_may_name_its_change_model(records) -> None:
    tickets = ("id,type,service,priority,opened_at,resolved_at,outcome,change_type\n"
               "C1,change,legacy-erp,P3,2026-11-02T09:00:00Z,2026-11-02T10:00:00Z,successful,"
               "emergency-change\n"
               "C2,change,legacy-erp,P3,2026-11-03T09:00:00Z,2026-11-03T10:00:00Z,successful,"
               "Normal\n"
               "C3,change,legacy-erp,P3,2026-11-04T09:00:00Z,2026-11-04T10:00:00Z,successful,"
               "standard-change\n"
               "C4,change,legacy-erp,P3,2026-11-05T09:00:00Z,2026-11-05T10:00:00Z,failed,"
               "EMERGENCY\n")
    _, data = measure_json(records(tickets_csv=tickets, events_csv="", outages_csv=""))
    # emergency-change is the example catalog's ChangeModel of spec.type emergency
    assert _kpi(data, "emergency-change-share") == [("2026-11", 50.0, 4)]


def test_endless_priorities_are_counted_without_growing_the_kpi_counting(records) -> None:
    """A hostile export with endless distinct priorities compiles nothing per priority: one
    counting function per ticket type of the catalog's KPIs, priorities tested inside it."""
    from itsmctl.measure import kpis

    rows = "".join(f"R{n},request,legacy-erp,Q{n},2026-11-23T09:00:00Z,,2026-11-23T10:00:00Z\n"
                   for n in range(50))
    _, data = measure_json(records(tickets_csv=TICKETS + rows, events_csv=""))
    fulfilment = next(k for k in data["kpis"] if k["name"] == "fulfilment-time")
    assert [(p["period"], p["samples"]) for p in fulfilment["periods"]] == [("2026-11", 50)]
    tally = kpis.KpiTally([], lambda _s, _t: None)
    for n in range(50):  # no KPIs: nothing to count, nothing compiled
        tally.add(type("T", (), {"type": "incident", "priority": f"P{n}"})(), None)
    assert tally._count == {}
