"""`diff --records`: changed SLAs measured on the same records under BASE and HEAD.

Hand computation (payments-api-sla of the test catalog: always-on, Europe/Berlin, monthly,
P1 response 15m, resolution 4h, availability 99.95 %, a 5 % credit below 99.95 %). Ten P1
incidents of November 2026, each responded to after 10 minutes, resolved after
1h, 1h30, 2h, 2h, 2h30, 3h, 3h, 3h30, 3h45 and 5h:
- under 4h: 9 met, 1 breached (90 %); under 2h: 4 met (2h exactly is met), 6 breached (40 %).
- the records span 2 Nov 00:00 to 12 Nov 00:00 (the last resolution): 10 days, 14,400
  agreed minutes; one 5-minute outage: (14,400 - 5) / 14,400 = 99.965 %.
- without Saturdays and Sundays (7 and 8 November) the span holds 8 days, 11,520 minutes:
  (11,520 - 5) / 11,520 = 99.957 %.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from itsmctl.diff.classes import BY_ID
from itsmctl.diff.result import Impact
from itsmctl.measure.run import MeasureOptions
from itsmctl.reporters.github_report import escape_data
from tests.diff.conftest import EXAMPLES, GitRepo, change, classes

SLA = "slas/payments-api-sla.yaml"
RESOLUTIONS = ["01:00", "01:30", "02:00", "02:00", "02:30", "03:00", "03:00", "03:30", "03:45"]


def _tickets() -> str:
    rows = ["id,type,service,priority,opened_at,responded_at,resolved_at"]
    for n, until in enumerate(RESOLUTIONS, 1):
        day = f"2026-11-{n + 1:02d}"
        rows.append(f"T{n:02d},incident,payments-api,P1,{day}T00:00:00+01:00,"
                    f"{day}T00:10:00+01:00,{day}T{until}:00+01:00")
    rows.append("T10,incident,payments-api,P1,2026-11-11T19:00:00+01:00,"
                "2026-11-11T19:10:00+01:00,2026-11-12T00:00:00+01:00")
    return "\n".join(rows) + "\n"


@pytest.fixture
def records(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "tickets.csv").write_text(_tickets(), encoding="utf-8")
    (folder / "outages.csv").write_text(
        "service,start,end,impact,weight,planned\n"
        "payments-api,2026-11-05T12:00:00+01:00,2026-11-05T12:05:00+01:00,full,,false\n",
        encoding="utf-8")
    return folder


def _options(folder: Path) -> MeasureOptions:
    return MeasureOptions(folder, records_label="records")


def test_the_classes_are_declared() -> None:
    assert BY_ID["attainment-newly-missed"].impact == Impact.APPROVAL_REQUIRED
    assert BY_ID["attainment-reevaluated"].impact == Impact.INFO


def test_tightening_a_target_the_records_do_not_meet_needs_approval(repo: GitRepo,
                                                                   records: Path) -> None:
    repo.edit(SLA, "{priority: P1, response: 15m, resolution: 4h}",
              "{priority: P1, response: 15m, resolution: 4h, attainment: 90}")
    repo.commit("P1 attainment 90")
    repo.git("branch", "-f", "main")
    repo.edit(SLA, "resolution: 4h, attainment: 90", "resolution: 2h, attainment: 90")
    repo.commit("P1 resolution 2h")
    result = repo.diff(records=_options(records))
    found = classes(result, "SLA:payments-api-sla")
    assert found["attainment-newly-missed"] == (
        "P1 resolution 4h -> 2h: 6 of 10 tickets of 2026-11 would have breached (1 did);"
        " 2026-11 attainment 90.0% -> 40.0%, below the 90% target;"
        " newly missed in 1 of 1 periods (2026-11)")
    assert "attainment-reevaluated" not in found  # response and availability did not move
    impact = next(i for i in change(result, "SLA:payments-api-sla").impacts
                  if i.change_class == "attainment-newly-missed")
    text = repo.file(SLA).read_text().splitlines()
    assert "priority: P1" in text[impact.line - 1]  # on the changed target's line
    assert result.records is not None
    assert (result.records.tickets, result.records.slas) == (10, ("payments-api-sla",))
    assert result.records.as_of == "2026-11-11T23:00:00Z"
    # approval-required: the CAB of the service's change models approves
    assert any("CAB" in r for a in result.approvals for r in a.reasons)


def test_without_records_the_change_is_only_read_from_the_catalog(repo: GitRepo) -> None:
    repo.edit(SLA, "resolution: 4h}", "resolution: 2h}")
    repo.commit()
    found = classes(repo.diff(), "SLA:payments-api-sla")
    assert "target-tightened" in found and "attainment-newly-missed" not in found


def test_loosening_that_meets_the_target_again_is_information(repo: GitRepo,
                                                              records: Path) -> None:
    repo.edit(SLA, "resolution: 4h}", "resolution: 5h}")  # the 95 % default: 90 % missed
    repo.commit()
    found = classes(repo.diff(records=_options(records)), "SLA:payments-api-sla")
    assert found["attainment-reevaluated"] == (
        "P1 resolution 4h -> 5h: 0 of 10 tickets of 2026-11 would have breached (1 did);"
        " 2026-11 attainment 90.0% -> 100.0%, meeting the 95% target;"
        " met again in 1 of 1 periods (2026-11)")
    assert "target-loosened" in found  # the catalog's own reading stays


def test_raising_availability_above_what_was_measured(repo: GitRepo, records: Path) -> None:
    repo.edit(SLA, "availability: 99.95", "availability: 99.99")
    repo.commit()
    found = classes(repo.diff(records=_options(records)), "SLA:payments-api-sla")
    assert found["attainment-newly-missed"] == (
        "availability 99.95% -> 99.99%: 2026-11 measured 99.965%, below the 99.99% target"
        " (BASE's 99.95% was met); newly missed in 1 of 1 periods (2026-11)")


def test_a_larger_credit_owed_needs_approval(repo: GitRepo, records: Path) -> None:
    repo.edit(SLA, "{below: 99.95, credit: 5}", "{below: 99.97, credit: 5}")
    repo.commit()
    found = classes(repo.diff(records=_options(records)), "SLA:payments-api-sla")
    assert found["attainment-newly-missed"] == (
        "availability 99.95%: 2026-11 measured 99.965%, meeting the 99.95% target;"
        " a 5% service credit would be owed (0% under BASE);"
        " a larger credit in 1 of 1 periods (2026-11)")


def test_a_calendar_change_re_measures_the_slas_that_use_it(repo: GitRepo,
                                                             records: Path) -> None:
    text = repo.file("calendar.yaml").read_text()
    repo.write("calendar.yaml", text.replace(
        '    saturday: [{start: "00:00", end: "24:00"}]\n'
        '    sunday: [{start: "00:00", end: "24:00"}]\n', ""))
    repo.commit()
    result = repo.diff(records=_options(records))
    sla = change(result, "SLA:payments-api-sla")
    assert sla.status == "modified" and sla.fields == ()
    assert [i.message for i in sla.impacts if i.change_class == "attainment-reevaluated"] == [
        "availability 99.95%: 2026-11 measured 99.965% -> 99.957%, meeting the 99.95% target"]
    # weekend tickets count 0 business minutes now, but 9 of 10 were already met: no reading
    assert not any("resolution" in i.message for i in sla.impacts)


def test_an_added_sla_is_measured_as_new(repo: GitRepo, records: Path) -> None:
    text = repo.file(SLA).read_text().replace("name: payments-api-sla", "name: payments-api-ola")
    repo.write("slas/payments-api-ola.yaml", text.replace("type: SLA", "type: OLA"))
    repo.commit()
    found = classes(repo.diff(records=_options(records)), "SLA:payments-api-ola")
    assert found["attainment-newly-missed"].startswith(
        "P1 resolution target 4h (new): 1 of 10 tickets of 2026-11 would have breached;"
        " 2026-11 attainment 90.0%, below the 95% target")


def test_no_sla_change_reads_no_records(repo: GitRepo, tmp_path: Path) -> None:
    repo.edit("services/ledger-db.yaml", "lifecycle: operational", "lifecycle: retiring")
    repo.commit()
    missing = tmp_path / "empty"
    missing.mkdir()  # no tickets.csv: would fail if it were read
    result = repo.diff(records=_options(missing))
    assert result.records is not None and result.records.tickets is None


@pytest.fixture
def tightened(repo: GitRepo) -> GitRepo:
    repo.edit(SLA, "resolution: 4h}", "resolution: 2h}")
    repo.commit()
    return repo


def test_every_format_shows_the_reading(tightened: GitRepo, records: Path) -> None:
    args = ("main", "feature", "--records", str(records))
    text = tightened.cli(*args).output
    assert f"Records {records}: 10 tickets as of 2026-11-11T23:00:00Z;" in text
    # the 95 % default was already missed at 4h (90 %): information, not a new miss
    assert ("  * info: P1 resolution 4h -> 2h: 6 of 10 tickets of 2026-11 would have breached"
            " (1 did); 2026-11 attainment 90.0% -> 40.0%, below the 95% target"
            "  (attainment-reevaluated)") in text
    markdown = tightened.cli(*args, "-f", "markdown").output
    assert "(<code>attainment-reevaluated</code>)" in markdown
    assert "10 tickets as of 2026-11-11T23:00:00Z" in markdown
    data = json.loads(tightened.cli(*args, "-f", "json").output)
    assert data["records"] == {"folder": str(records), "tickets": 10,
                               "slas": ["payments-api-sla"], "processes": [],
                               "asOf": "2026-11-11T23:00:00Z"}
    sla = next(c for c in data["changes"] if c["ref"] == "SLA:payments-api-sla")
    assert {i["class"] for i in sla["impacts"]} == {"target-tightened",
                                                    "attainment-reevaluated"}
    github = tightened.cli(*args, "-f", "github").output
    assert "P1 resolution 4h -> 2h: 6 of 10 tickets" in github
    assert "(attainment-reevaluated)" in github and "itsmctl: records " in github


def test_bad_records_are_a_usage_error(tightened: GitRepo, records: Path) -> None:
    (records / "tickets.csv").write_text(_tickets() + "T11,incident,payments-api,P1,never,,\n",
                                         encoding="utf-8")
    result = tightened.cli("main", "feature", "--records", str(records))
    assert result.exit_code == 2 and "more than --max-bad-rows 0" in result.output
    allowed = tightened.cli("main", "feature", "--records", str(records), "--max-bad-rows", "1")
    assert allowed.exit_code == 1 and "6 of 10 tickets" in allowed.output


def test_a_kpi_target_the_records_miss_needs_approval(examples_repo: GitRepo) -> None:
    # examples/records: emergency changes were 11.1 % of September's, 9.1 % of October's
    examples_repo.edit("processes/change.yaml", 'value: 10%}', 'value: 5%}')
    examples_repo.commit()
    result = examples_repo.diff(records=MeasureOptions(EXAMPLES / "records",
                                                       records_label="records"))
    found = classes(result, "Process:change-enablement")
    assert found["kpi-newly-missed"] == (
        "KPI emergency-change-share <= 10% -> <= 5%: 2026-10 9.1%, missing the target;"
        " newly missed in 1 of 2 periods (2026-10)")
    assert result.records is not None and result.records.processes == ("change-enablement",)
    assert "Process change-enablement" in result.records.describe()


def test_a_kpi_reading_is_shown_in_every_format(examples_repo: GitRepo) -> None:
    """Loosening a KPI the records met anyway is information: text, markdown, json and
    github all show it."""
    examples_repo.edit("processes/change.yaml", 'value: 10%}', 'value: 15%}')
    examples_repo.commit()
    args = ("main", "feature", "--records", str(EXAMPLES / "records"))
    data = json.loads(examples_repo.cli(*args, "-f", "json").output)
    process = next(c for c in data["changes"] if c["ref"] == "Process:change-enablement")
    [reading] = [i["message"] for i in process["impacts"] if i["class"] == "kpi-reevaluated"]
    # September's 11.1 % missed the 10 % target and meets 15 %
    assert reading == ("KPI emergency-change-share <= 10% -> <= 15%: 2026-09 11.1%, meeting"
                       " the target; met again in 1 of 2 periods (2026-09)")
    text = examples_repo.cli(*args).output
    assert f"  * info: {reading}  (kpi-reevaluated)" in text
    markdown = examples_repo.cli(*args, "-f", "markdown").output
    assert (f"- **info** {html.escape(reading, quote=False)} (<code>kpi-reevaluated</code>)"
            in markdown)
    github = examples_repo.cli(*args, "-f", "github").output
    # a log line, escaped as workflow commands are (`%` is `%25`)
    assert (f"itsmctl: Process change-enablement: {escape_data(reading)} (kpi-reevaluated)"
            in github.splitlines())
