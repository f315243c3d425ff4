"""Each built-in mapping preset on an export shaped like the real tool's (headers, values, dates).

The figures are the hand-computed ones of test_measure_cli.py: E2 (responded after the hour
ran out Friday 18:00) breaches its response, E3 (10 h with a 3 h hold) its resolution.
"""

from __future__ import annotations

from tests.measure.conftest import measure_json, sla

SERVICENOW_MAPPING = """\
preset: servicenow-incident
timezone: Europe/Berlin
files: {tickets: incident.csv, events: incident_state.csv}
services:
  SAP ERP Finance: legacy-erp
  web-checkout-prod: checkout
"""
# list export of the incident table (Export > CSV): field names as headers, display values,
# dates in the exporting user's zone without offset
INCIDENTS = '''\
"number","short_description","opened_at","work_start","resolved_at","closed_at","priority","state","assignment_group","cmdb_ci","business_service","contact_type","reassignment_count","reopen_count"
"INC0010002","Month-end posting blocked","2026-11-20 17:00:00","2026-11-23 08:30:00","2026-11-23 15:00:00","","1 - Critical","Resolved","ERP Support","erp-prod-db01","SAP ERP Finance","Phone","0","0"
"INC0010001","Invoice run fails, ""posting period closed""","2026-11-23 09:00:00","2026-11-23 09:30:00","2026-11-23 16:00:00","2026-11-26 16:00:00","1 - Critical","Closed","ERP Support","erp-prod-db01","SAP ERP Finance","Self-service","1","0"
"INC0010004","Add a report column","2026-11-23 10:00:00","","","","5 - Planning","New","ERP Support","erp-prod-db01","SAP ERP Finance","Email","0","0"
"INC0010003","GL export stalls","2026-11-24 09:00:00","2026-11-24 09:10:00","2026-11-25 12:00:00","","1 - Critical","Resolved","ERP Support","erp-prod-app02","SAP ERP Finance","Email","2","0"
"INC0010005","Card payments declined","2026-11-24 10:00:00","2026-11-24 10:05:00","2026-11-24 12:00:00","","2 - High","Resolved","Commerce","web-checkout-prod","","Phone","0","0"
'''
# the Incident State metric (metric_instance list export)
STATES = '''\
"id","definition","value","start","end"
"INC0010003","Incident State","In Progress","2026-11-24 09:10:00","2026-11-24 17:00:00"
"INC0010003","Incident State","On Hold","2026-11-24 17:00:00","2026-11-25 10:00:00"
"INC0010003","Incident State","In Progress","2026-11-25 10:00:00","2026-11-25 12:00:00"
"INC0010003","Incident State","Resolved","2026-11-25 12:00:00",""
'''


def test_servicenow_incident_export(records) -> None:
    folder = records(tickets_csv="", events_csv="", outages_csv="",
                     mapping_yaml=SERVICENOW_MAPPING, incident_csv=INCIDENTS,
                     incident_state_csv=STATES)
    for name in ("tickets.csv", "events.csv", "outages.csv"):
        (folder / name).unlink(missing_ok=True)
    _, data = measure_json(folder)
    p1 = sla(data, "legacy-erp-sla")["periods"][0]["priorities"]["P1"]
    assert p1["response"]["breaches"] == [{"id": "INC0010002",
                                           "at": "2026-11-20T18:00:00+01:00"}]
    assert p1["resolution"]["breaches"] == [{"id": "INC0010003",
                                             "at": "2026-11-24T17:00:00+01:00"}]
    assert (p1["resolution"]["tickets"], p1["resolution"]["met"]) == (3, 2)
    # no business service: the CI names the service
    checkout = sla(data, "checkout-sla")["periods"][0]["priorities"]["P2"]["resolution"]
    assert checkout["tickets"] == 1 and checkout["met"] == 1
    # "5 - Planning" is not mapped by the preset: counted, not guessed
    assert data["records"]["unknownPriorities"] == {"5 - Planning": 1}


REQUESTED_ITEMS = '''\
"number","cat_item","opened_at","work_start","closed_at","priority","stage","business_service","cmdb_ci","contact_type"
"RITM0020001","New laptop","2026-11-23 09:00:00","2026-11-23 09:20:00","2026-11-24 09:00:00","4 - Low","Completed","SAP ERP Finance","","Self-service"
"RITM0020002","ERP role change","2026-11-23 11:00:00","","2026-11-23 15:00:00","4 - Low","Completed","SAP ERP Finance","","Email"
'''


def test_servicenow_requested_item_export(records) -> None:
    mapping = ("preset: servicenow-requested-item\ntimezone: Europe/Berlin\n"
               "files: {tickets: sc_req_item.csv}\nservices: {SAP ERP Finance: legacy-erp}\n")
    folder = records(mapping_yaml=mapping, sc_req_item_csv=REQUESTED_ITEMS, events_csv="")
    (folder / "events.csv").unlink(missing_ok=True)
    _, data = measure_json(folder)
    kpi = next(k for k in data["kpis"] if k["name"] == "fulfilment-time")
    # business minutes under legacy-erp's calendar: 10 h (Mon 09-18 + Tue 08-09) and 4 h;
    # nearest-rank p90 of two is the larger
    assert kpi["periods"] == [{"period": "2026-11", "value": 600.0, "target": "<= 3d",
                               "met": True, "samples": 2}]
    rate = next(k for k in data["kpis"] if k["name"] == "self-service-rate")
    assert rate["periods"][0]["value"] == 50.0  # one of the two came through the portal


JIRA = """\
Summary,Issue key,Issue id,Issue Type,Status,Priority,Created,Resolved,Custom field ([CHART] Date of First Response),Custom field (Affected services),Satisfaction rating
Month-end posting blocked,ITSM-102,10102,[System] Incident,Resolved,Highest,20/Nov/26 5:00 PM,23/Nov/26 3:00 PM,23/Nov/26 8:30 AM,SAP ERP Finance,
Invoice run fails,ITSM-101,10101,[System] Incident,Closed,Highest,23/Nov/26 9:00 AM,23/Nov/26 4:00 PM,23/Nov/26 9:30 AM,SAP ERP Finance,5
Password reset,ITSM-103,10103,[System] Service request,Resolved,Low,23/Nov/26 10:00 AM,23/Nov/26 10:30 AM,23/Nov/26 10:05 AM,Customer identity,4
"""


def test_jira_service_management_export(records) -> None:
    mapping = ("preset: jira-service-management\ntimezone: Europe/Berlin\n"
               "services: {SAP ERP Finance: legacy-erp}\n")
    folder = records(mapping_yaml=mapping, tickets_csv=JIRA, events_csv="")
    (folder / "events.csv").unlink(missing_ok=True)
    _, data = measure_json(folder)
    p1 = sla(data, "legacy-erp-sla")["periods"][0]["priorities"]["P1"]
    assert p1["response"]["breaches"] == [{"id": "ITSM-102", "at": "2026-11-20T18:00:00+01:00"}]
    assert (p1["resolution"]["tickets"], p1["resolution"]["breached"]) == (2, 0)
    # "Customer identity" is the title of the customer-identity service: matched by title
    assert data["records"]["unknownServices"] == {}
    assert data["records"]["unknownTypes"] == {}
