"""`export openslo|pagerduty|opsgenie|servicenow`: valid for the tool that reads it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import Result
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from itsmctl.interop.openslo_export import window_start
from tests.conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OPENSLO = Path(__file__).parent / "schemas" / "openslo"
TF_IDENTIFIER = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_-]*$")
TF_REF = re.compile(r"\$\{(data\.)?([a-z_]+)\.([a-zA-Z0-9_-]+)\.id\}")


def run(*args: str) -> Result:
    return run_cli(*args, "--today", "2026-11-23")


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLES, root)
    return root


def edit(path: Path, change: Any) -> None:
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


# -- OpenSLO ------------------------------------------------------------------------------

def openslo_validator() -> jsonschema.Draft7Validator:
    registry: Registry = Registry()  # type: ignore[type-arg]
    for path in OPENSLO.rglob("*.json"):
        schema = json.loads(path.read_text())
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema, DRAFT7))
    root = json.loads((OPENSLO / "openslo.schema.json").read_text())
    return jsonschema.Draft7Validator(root, registry=registry)


def test_openslo_documents_are_valid_and_carry_the_sla(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "oslo"
    result = run("export", "openslo", str(catalog), "-o", str(out))
    assert result.exit_code == 0, result.output
    docs = {p.relative_to(out).as_posix(): yaml.safe_load(p.read_text())
            for p in out.rglob("*.yaml")}
    validator = openslo_validator()
    assert {rel: [e.message for e in validator.iter_errors(d)] for rel, d in docs.items()
            if list(validator.iter_errors(d))} == {}
    slo = docs["slos/payments-api-ola-availability.yaml"]
    assert slo["spec"]["service"] == "payments-api"
    assert slo["spec"]["budgetingMethod"] == "Timeslices"
    assert slo["spec"]["objectives"] == [{"displayName": "Availability", "target": 0.9997,
                                          "timeSliceTarget": 1, "timeSliceWindow": "1m"}]
    assert slo["spec"]["timeWindow"] == [{"duration": "1M", "isRolling": False, "calendar": {
        "startTime": "2026-01-01 00:00:00", "timeZone": "Europe/Berlin"}}]
    assert slo["metadata"]["annotations"]["itsmctl.io/calendar"] == "always-on"
    assert docs["services/payments-api.yaml"]["kind"] == "Service"
    assert "counts only the hours of calendar berlin-business-hours" in result.output


def test_openslo_window_start_is_the_period_holding_the_start() -> None:
    assert window_start("monthly", "2026-05-17", None) == "2026-05-01 00:00:00"  # type: ignore[arg-type]
    assert window_start("quarterly", "2026-05-17", None) == "2026-04-01 00:00:00"  # type: ignore[arg-type]
    assert window_start("quarterly", "2026-12-31", None) == "2026-10-01 00:00:00"  # type: ignore[arg-type]
    assert window_start("yearly", "2026-05-17", None) == "2026-01-01 00:00:00"  # type: ignore[arg-type]


def test_openslo_utc_and_unexpressible_targets(catalog: Path, tmp_path: Path) -> None:
    def utc_quarterly(doc: dict[str, Any]) -> None:
        doc["spec"]["measurement"] = {"period": "quarterly", "timezone": "UTC"}

    def perfect(doc: dict[str, Any]) -> None:
        doc["spec"]["availability"] = 100

    edit(catalog / "slas/payments-api-ola.yaml", utc_quarterly)
    edit(catalog / "slas/checkout-sla.yaml", perfect)
    out = tmp_path / "oslo"
    result = run("export", "openslo", str(catalog), "-o", str(out))
    slo = yaml.safe_load((out / "slos/payments-api-ola-availability.yaml").read_text())
    assert slo["spec"]["timeWindow"][0]["duration"] == "1Q"
    assert slo["spec"]["timeWindow"][0]["calendar"]["timeZone"] == "Etc/UTC"
    assert not (out / "slos/checkout-sla-availability.yaml").exists()
    assert "sla:checkout-sla: availability 100% cannot be an OpenSLO target" in result.output


# -- Terraform JSON -------------------------------------------------------------------------

def terraform(path: Path) -> dict[str, Any]:
    """The structure Terraform's JSON configuration syntax documents, checked, then returned."""
    doc = json.loads(path.read_text())
    assert set(doc) <= {"//", "terraform", "data", "resource", "import"}
    declared = set()
    for section in ("data", "resource"):
        for kind, blocks in doc.get(section, {}).items():
            for name, body in blocks.items():
                assert TF_IDENTIFIER.match(name) and isinstance(body, dict)
                declared.add((section == "data", kind, name))
    for data, kind, name in TF_REF.findall(path.read_text()):
        assert (bool(data), kind, name) in declared, f"{kind}.{name} is not declared"
    return doc


def test_pagerduty_delays_are_per_rule(catalog: Path, tmp_path: Path) -> None:
    def chain(doc: dict[str, Any]) -> None:
        doc["spec"]["onCall"]["escalation"] = [
            {"level": 1, "contact": "payments-oncall@larkspur.example", "after": "0m"},
            {"level": 2, "contact": "lena.hoffmann@larkspur.example", "after": "10m"},
            {"level": 2, "contact": "Payments secondary", "after": "10m"},
            {"level": 3, "contact": "cto-office@larkspur.example", "after": "1h"},
            {"level": 4, "contact": "ceo@larkspur.example", "after": "1h"}]

    edit(catalog / "teams/payments.yaml", chain)
    edit(catalog / "services/payments-api.yaml",
         lambda d: d["metadata"].setdefault("annotations", {}).update(
             {"pagerduty.com/service-id": "PX1234"}))
    out = tmp_path / "pd.tf.json"
    result = run("export", "pagerduty", str(catalog), "-o", str(out))
    assert result.exit_code == 0, result.output
    doc = terraform(out)
    assert doc["terraform"]["required_providers"]["pagerduty"]["source"] == "PagerDuty/pagerduty"
    policy = doc["resource"]["pagerduty_escalation_policy"]["payments"]
    # cumulative 0m, 10m, 1h (levels 3 and 4 at the same instant share a rule) ->
    # per rule 10, 50, and the last rule's required value
    assert [r["escalation_delay_in_minutes"] for r in policy["rule"]] == [10, 50, 30]
    assert [t["type"] for t in policy["rule"][1]["target"]] == ["user_reference",
                                                                 "schedule_reference"]
    assert len(policy["rule"][2]["target"]) == 2
    assert doc["data"]["pagerduty_schedule"]["Payments_secondary"] == {
        "name": "Payments secondary"}
    service = doc["resource"]["pagerduty_service"]["payments-api"]
    assert service["escalation_policy"] == "${pagerduty_escalation_policy.payments.id}"
    assert {"to": "pagerduty_service.payments-api", "id": "PX1234"} in doc["import"]


def test_pagerduty_reports_what_it_cannot_say(catalog: Path, tmp_path: Path) -> None:
    def late(doc: dict[str, Any]) -> None:
        doc["spec"]["onCall"]["escalation"] = [
            {"level": 1, "contact": "a@larkspur.example", "after": "5m"},
            {"level": 2, "contact": "b@larkspur.example", "after": "2m"}]

    edit(catalog / "teams/payments.yaml", late)
    out = tmp_path / "pd.tf.json"
    result = run("export", "pagerduty", str(catalog), "-o", str(out))
    assert "team:payments: level 1 is notified after 5m" in result.output
    assert "team:payments: level 2 is notified before the level above it" in result.output
    rules = terraform(out)["resource"]["pagerduty_escalation_policy"]["payments"]["rule"]
    assert [r["escalation_delay_in_minutes"] for r in rules] == [30]


def test_opsgenie_delays_count_from_the_alert(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "og.tf.json"
    result = run("export", "opsgenie", str(catalog), "-o", str(out))
    assert result.exit_code == 0, result.output
    doc = terraform(out)
    escalation = doc["resource"]["opsgenie_escalation"]["payments"]
    assert [r["delay"] for r in escalation["rules"]] == [0, 10, 45]  # 0m, 10m, 45m as written
    assert escalation["owner_team_id"] == "${opsgenie_team.payments.id}"
    team = doc["resource"]["opsgenie_team"]["payments"]
    assert {"id": "${data.opsgenie_user.lena_hoffmann_at_larkspur_example.id}",
            "role": "admin"} in team["member"]  # a lead
    assert doc["resource"]["opsgenie_service"]["payments-api"]["team_id"] == \
        "${opsgenie_team.payments.id}"


def test_terraform_text_is_never_a_template(catalog: Path, tmp_path: Path) -> None:
    edit(catalog / "teams/payments.yaml",
         lambda d: d["metadata"].update({"title": "Pay ${file(\"/etc/passwd\")}"}))
    out = tmp_path / "pd.tf.json"
    run("export", "pagerduty", str(catalog), "-o", str(out))
    team = terraform(out)["resource"]["pagerduty_team"]["payments"]
    assert team["name"] == "Pay $${file(\"/etc/passwd\")}"


# -- ServiceNow IRE ---------------------------------------------------------------------------

def test_servicenow_payload_has_the_ire_structure(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "sn.json"
    result = run("export", "servicenow", str(catalog), "-o", str(out))
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert set(doc) == {"items", "relations"}
    for item in doc["items"]:
        assert item["className"] in ("cmdb_ci_service_business", "cmdb_ci_service_technical")
        assert isinstance(item["values"]["name"], str)
    names = [i["values"]["name"] for i in doc["items"]]
    api = doc["items"][names.index("Payments API")]
    assert api["values"]["busines_criticality"] == "1 - most critical"
    assert api["values"]["operational_status"] == "1"
    assert api["display_values"]["support_group"] == "Payments"
    for relation in doc["relations"]:
        assert set(relation) == {"parent", "child", "type"}
        assert relation["type"] == "Depends on::Used by"
        assert 0 <= relation["parent"] < len(names) and 0 <= relation["child"] < len(names)
    pairs = {(names[r["parent"]], names[r["child"]]) for r in doc["relations"]}
    assert ("Payments API", "PostgreSQL Platform") in pairs


def test_exports_are_deterministic(catalog: Path, tmp_path: Path) -> None:
    for fmt in ("pagerduty", "opsgenie", "servicenow"):
        first, second = tmp_path / f"{fmt}-1.json", tmp_path / f"{fmt}-2.json"
        run("export", fmt, str(catalog), "-o", str(first))
        run("export", fmt, str(catalog), "-o", str(second))
        assert first.read_bytes() == second.read_bytes()
