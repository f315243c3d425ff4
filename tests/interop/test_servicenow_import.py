"""`import servicenow`: a CMDB list export becomes a catalog; bad rows are findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import Result

from itsmctl.validate import validate_path
from tests.conftest import run_cli

DATA = Path(__file__).parent / "data" / "servicenow"


def run(*args: str) -> Result:
    return run_cli(*args)


def full(out: Path, *extra: str) -> Result:
    return run("import", "servicenow", "--services", str(DATA / "cmdb_ci_service.csv"),
               "--relations", str(DATA / "cmdb_rel_ci.csv"),
               "--groups", str(DATA / "sys_user_group.csv"),
               "--members", str(DATA / "sys_user_grmember.csv"), "-o", str(out), *extra)


def load(root: Path, rel: str) -> dict[str, Any]:
    return yaml.safe_load((root / rel).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_services_teams_and_dependencies(tmp_path: Path) -> None:
    out = tmp_path / "cat"
    result = full(out)
    assert result.exit_code == 1  # two rows name unknown groups
    api = load(out, "services/payments-api.yaml")
    assert api["metadata"]["title"] == "Payments API"
    assert api["metadata"]["description"] == "Card and wallet payments"
    assert api["spec"] == {"type": "technical", "lifecycle": "operational", "tier": 1,
                           "owner": "payments",
                           "dependencies": [{"service": "postgresql-platform", "type": "hard"}]}
    assert api["metadata"]["annotations"]["itsmctl.io/servicenow-sys-id"] == "a1b2"
    checkout = load(out, "services/checkout.yaml")
    assert checkout["spec"]["type"] == "business"
    assert checkout["spec"]["tier"] == 2  # "2 - somewhat critical"
    assert checkout["spec"]["dependencies"] == [{"service": "payments-api", "type": "hard"}]
    assert load(out, "services/legacy-erp.yaml")["spec"]["lifecycle"] == "retired"
    fax = load(out, "services/fax-gateway.yaml")
    assert fax["spec"]["lifecycle"] == "proposed"  # Pipeline
    assert fax["metadata"]["description"] == "Multi\nline, quoted"
    payments = load(out, "teams/payments.yaml")
    assert payments["spec"] == {"email": "payments@acme.example", "parent": "engineering",
                                "members": [{"name": "Lena Hoffmann",
                                             "email": "lena.hoffmann@acme.example"}]}
    structural = [f for f in validate_path(out).findings
                  if f.rule in ("schema", "ref-unresolved", "envelope")]
    assert structural == []


def test_bad_rows_are_findings_with_file_and_line(tmp_path: Path) -> None:
    text = full(tmp_path / "cat").output
    services = f"{DATA.as_posix()}/cmdb_ci_service.csv"
    assert f"{services}:5: error: support_group 'Finance' is not in the groups file" in text
    # the quoted multi-line record starts on line 6
    assert f"{services}:6: warning: busines_criticality 'extremely' is not in the mapping" in text
    assert f"{DATA.as_posix()}/cmdb_rel_ci.csv:5: warning: 'Mainframe' is not an imported" in text
    assert f"{DATA.as_posix()}/sys_user_grmember.csv:4: error: group 'Ghosts'" in text
    assert "service:payments-api: is owned by user Lena Hoffmann in ServiceNow" in text
    assert "team:payments: member Marco Bianchi has no email" in text
    assert "team:platform: has no email in ServiceNow: a placeholder mailbox" in text


def test_missing_column_is_a_finding_and_the_rest_imports(tmp_path: Path) -> None:
    services = tmp_path / "cmdb_ci_service.csv"
    services.write_text("Name,Support group,Operational status\n"
                        "Intranet,Workplace,Operational\n", encoding="utf-8")
    result = run("import", "servicenow", "--services", str(services), "-o", str(tmp_path / "c"))
    assert result.exit_code == 1
    for column in ("owned_by", "busines_criticality", "used_for", "sys_id"):
        assert f"cmdb_ci_service.csv:1: error: column '{column}' is missing" in result.output
    intranet = load(tmp_path / "c", "services/intranet.yaml")
    assert intranet["spec"]["owner"] == "workplace"  # labels work as headers too
    assert load(tmp_path / "c", "teams/workplace.yaml")["spec"]["email"] == \
        "workplace@example.invalid"


def test_mapping_file_overrides_criticality(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("criticality: {extremely: 1}\noperationalStatus: {pipeline: design}\n")
    full(tmp_path / "cat", "--mapping", str(mapping))
    fax = load(tmp_path / "cat", "services/fax-gateway.yaml")
    assert (fax["spec"]["tier"], fax["spec"]["lifecycle"]) == (1, "design")


def test_a_column_named_twice_is_a_finding_and_the_file_is_not_read(tmp_path: Path) -> None:
    """A spreadsheet shows the first `name`, the import took the last: a row could read as
    one service and import as another (a silent choice, as a duplicate YAML key would be)."""
    header = DATA.joinpath("cmdb_ci_service.csv").read_text(encoding="utf-8").splitlines()[0]
    for twice in ("name", "Name", "Business criticality"):
        services = tmp_path / f"{twice}.csv"
        services.write_text(f"{header},{twice}\n" + ",".join(
            ["Payments API"] + [""] * header.count(",")) + ",Evil\n", encoding="utf-8")
        out = tmp_path / f"out-{twice}"
        result = run("import", "servicenow", "--services", str(services), "-o", str(out))
        assert result.exit_code == 1, result.output
        assert f"{services.name}:1: error: columns " in result.output
        assert f"{twice!r} are both" in result.output
        assert "the file was not read  [import-csv-duplicate-column]" in result.output
        assert not (out / "services").exists()
    unnamed = tmp_path / "unnamed.csv"  # trailing commas: unnamed columns, never read
    unnamed.write_text(DATA.joinpath("cmdb_ci_service.csv").read_text(encoding="utf-8")
                       .replace("\n", ",,\n"), encoding="utf-8")
    result = run("import", "servicenow", "--services", str(unnamed), "-o", str(tmp_path / "u"))
    assert "import-csv-duplicate-column" not in result.output
    assert (tmp_path / "u" / "services" / "payments-api.yaml").exists()
