"""`import backstage`: what a platform team coming from Backstage sees, end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from itsmctl.interop.descriptors import read_descriptors
from itsmctl.limits import Limits
from itsmctl.validate import validate_path
from tests.conftest import run_cli

DATA = Path(__file__).parent / "data" / "backstage"


def run(*args: str) -> Result:
    return run_cli(*args)


def load(root: Path, rel: str) -> dict[str, Any]:
    text = (root / rel).read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Path, Result]:
    out = tmp_path / "catalog"
    return out, run("import", "backstage", str(DATA), "-o", str(out), "--today", "2026-11-23")


def test_writes_one_file_per_entity_in_init_layout(imported: tuple[Path, Result]) -> None:
    out, result = imported
    assert result.exit_code == 1  # two descriptors are bad input; the rest imported
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.yaml"))
    assert names == [
        "services/checkout.yaml", "services/ledger-service.yaml", "services/legacy-fraud.yaml",
        "services/payments-api.yaml", "services/payments-db.yaml", "teams/engineering.yaml",
        "teams/payments.yaml", "teams/platform.yaml"]
    assert (out / "schemas" / "service.schema.json").is_file()


def test_the_written_catalog_passes_schema_and_reference_checks(
        imported: tuple[Path, Result]) -> None:
    out, _ = imported
    result = validate_path(out)
    structural = [f for f in result.findings if f.rule in ("schema", "ref-unresolved",
                                                           "ref-wrong-kind", "envelope")]
    assert structural == []


def test_group_becomes_team_with_members_parent_and_email(imported: tuple[Path, Result]) -> None:
    out, _ = imported
    team = load(out, "teams/payments.yaml")
    assert team["metadata"] == {"name": "payments", "title": "Payments",
                                "description": "Card and wallet payments"}
    assert team["spec"] == {
        "email": "payments@acme.example", "parent": "engineering",
        "members": [{"name": "Jane Doe", "email": "jane.doe@acme.example"},
                    {"name": "Max Mustermann", "email": "max@acme.example"}]}
    # a group in another namespace, parent given as a full ref, member via memberOf
    platform = load(out, "teams/platform.yaml")
    assert platform["spec"]["parent"] == "engineering"
    assert platform["spec"]["members"] == [{"name": "Max Mustermann", "email": "max@acme.example"}]
    assert platform["metadata"]["annotations"] == {
        "itsmctl.io/backstage-ref": "group:infra/platform"}


def test_component_resource_and_system_become_services(imported: tuple[Path, Result]) -> None:
    out, _ = imported
    api = load(out, "services/payments-api.yaml")
    assert api["spec"]["type"] == "technical"
    assert api["spec"]["owner"] == "payments"
    assert api["spec"]["lifecycle"] == "operational"  # production
    # dependsOn first, then the dependencyOf another component declared
    assert api["spec"]["dependencies"] == [{"service": "payments-db", "type": "hard"},
                                           {"service": "ledger-service", "type": "hard"}]
    assert api["spec"]["links"] == {"dashboard": "https://grafana.acme.example/d/payments",
                                    "repository": "https://github.com/acme/payments-api",
                                    "runbook": "https://runbooks.acme.example/payments-api"}
    notes = api["metadata"]["annotations"]
    assert notes["pagerduty.com/service-id"] == "PX1234"
    assert json.loads(notes["itsmctl.io/backstage-tags"]) == ["java", "payments"]
    assert json.loads(notes["itsmctl.io/backstage-spec.providesApis"]) == ["payments-api"]
    assert "labels" not in api["metadata"]  # a Domain labels Systems, not their parts
    system = load(out, "services/checkout.yaml")
    assert system["spec"]["type"] == "business"
    assert system["metadata"]["labels"] == {"domain": "commerce"}
    assert [d["service"] for d in system["spec"]["dependencies"]] == ["payments-api",
                                                                      "payments-db"]
    db = load(out, "services/payments-db.yaml")
    assert db["spec"]["owner"] == "platform"  # group:infra/platform
    assert db["metadata"]["annotations"]["itsmctl.io/backstage-kind"] == "Resource"
    ledger = load(out, "services/ledger-service.yaml")  # Ledger_Service folded to our grammar
    assert "owner" not in ledger["spec"]
    assert ledger["spec"]["lifecycle"] == "design"  # experimental
    assert ledger["metadata"]["annotations"]["itsmctl.io/backstage-owner"] == "user:jane.doe"


def test_report_lists_mapped_kept_and_needs_a_person(imported: tuple[Path, Result]) -> None:
    _, result = imported
    text = result.output
    assert "      3  Component -> Service" in text
    assert "      1  System -> Service" in text
    assert "service:ledger-service: is owned by user jane.doe, not a team" in text
    assert "service:payments-api: has no SLA" in text
    assert "team:payments: member no-mail has no email" in text
    assert "team:platform: has no usable spec.profile.email" in text
    assert "service:payments-api: kept as annotation itsmctl.io/backstage-tags" in text


def test_bad_input_is_a_finding_with_file_and_line(imported: tuple[Path, Result]) -> None:
    _, result = imported
    text = result.output
    payments = f"{DATA.as_posix()}/shop/payments.yaml"
    assert (f"{payments}:79: error: Component is not valid: spec.lifecycle must be a non-empty"
            " string") in text
    assert f"{payments}:62: error: owner names unknown group 'fraud-team'" in text
    assert f"{payments}:66: info: kind API has no itsmctl counterpart; skipped" in text
    assert f"{payments}:61: warning: lifecycle 'sunset' is not in the mapping table" in text
    assert "catalog-info.yaml:11: warning: Location target 'https://github.com" in text


def test_never_overwrites_without_force(imported: tuple[Path, Result]) -> None:
    out, _ = imported
    before = (out / "teams/payments.yaml").read_bytes()
    (out / "teams/payments.yaml").write_text("# edited by hand\n")
    again = run("import", "backstage", str(DATA), "-o", str(out))
    assert again.exit_code == 2
    assert "already exist" in again.output and "--force" in again.output
    assert (out / "teams/payments.yaml").read_text() == "# edited by hand\n"
    forced = run("import", "backstage", str(DATA), "-o", str(out), "--force")
    assert "replaced" in forced.output
    assert (out / "teams/payments.yaml").read_bytes() == before


def test_output_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    run("import", "backstage", str(DATA), "-o", str(first))
    run("import", "backstage", str(DATA), "-o", str(second))
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files and all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_mapping_file_overrides_lifecycle_and_dependency_type(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("lifecycle: {sunset: retiring}\ndependencyType: soft\ntier: 2\n")
    out = tmp_path / "out"
    result = run("import", "backstage", str(DATA), "-o", str(out), "--mapping", str(mapping))
    assert "sunset" not in result.output
    fraud = load(out, "services/legacy-fraud.yaml")
    assert fraud["spec"]["lifecycle"] == "retiring"
    assert fraud["spec"]["tier"] == 2
    api = load(out, "services/payments-api.yaml")
    assert {d["type"] for d in api["spec"]["dependencies"]} == {"soft"}


def test_bad_mapping_file_is_a_usage_error(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("lifecycle: {sunset: gone}\n")
    result = run("import", "backstage", str(DATA), "-o", str(tmp_path / "o"), "--mapping",
                 str(mapping))
    assert result.exit_code == 2
    assert "mapping file is invalid at lifecycle.sunset" in result.output


def test_location_is_not_followed_outside_the_given_roots(tmp_path: Path) -> None:
    inside = tmp_path / "repo"
    inside.mkdir()
    secret = tmp_path / "secret.yaml"
    shutil.copy(DATA / "org" / "people.yaml", secret)
    (inside / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: x}\n"
        "spec: {targets: [../secret.yaml, /etc/passwd]}\n")
    result = run("import", "backstage", str(inside), "-o", str(tmp_path / "o"))
    assert "'../secret.yaml' is outside the folders given; not followed" in result.output
    assert "'/etc/passwd' is outside the folders given" in result.output
    assert not (tmp_path / "o" / "teams").exists()


def test_json_report_has_envelope(tmp_path: Path) -> None:
    result = run("import", "backstage", str(DATA), "-o", str(tmp_path / "o"), "-f", "json")
    doc = json.loads(result.output)
    assert doc["schemaVersion"] == 1 and doc["tool"]["name"] == "itsmctl"
    assert doc["kind"] == "ImportReport" and doc["written"] is True
    assert {"source": "Group", "itsmctl": "Team", "count": 3} in doc["mapped"]
    assert any(f["rule"] == "import-invalid-descriptor" and f["line"] == 79
               for f in doc["findings"])


def test_hostile_descriptors_are_findings_and_hidden_text_is_escaped(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "evil.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: evil\n"
        "  title: \"Pay\\u202Ements\"\nspec: {type: team, children: [],"
        " profile: {email: evil@acme.example}}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: !!python/object:os.system"
        " {name: x}\nspec: {}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("import", "backstage", str(root), "-o", str(out))
    assert "yaml-tag" in result.output
    text = (out / "teams/evil.yaml").read_text(encoding="utf-8")
    assert "\u202e" not in text and '"Pay\\u202Ements"' in text
    assert load(out, "teams/evil.yaml")["metadata"]["title"] == "Pay\u202ements"


def test_past_the_listing_bound_unresolved_external_references_do_not_block(
        tmp_path: Path) -> None:
    """A service's change models are left for a person when the catalog has none of them;
    past 100 of them validate lists one finding that counts the rest, and that finding is
    no more blocking than they are (the import refused to write at 101: "1 more
    ref-unresolved findings in this document")."""
    models = json.dumps([f"m{i:03}" for i in range(101)])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: ops}\n"
        "spec: {type: team, children: []}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: api\n"
        f"  annotations:\n    itsmctl.io/change-models: '{models}'\n"
        "spec: {type: service, lifecycle: production, owner: ops}\n")
    out = tmp_path / "catalog"
    result = run("import", "backstage", str(tmp_path / "in"), "-o", str(out), "--today",
                 "2026-11-23")
    assert "nothing was written" not in result.output
    assert load(out, "services/api.yaml")["spec"]["changeModels"][100] == "m100"


def test_location_globs_are_matched_against_a_bounded_number_of_paths(tmp_path: Path) -> None:
    """Each glob target walked its Location's folder again and matched every path in it: 2,000
    targets over 500 files took 6 s, 70,000 over 10,000 files (one 1 MiB descriptor) would
    take hours. A folder is listed once and the paths matched are bounded: the targets past
    the bound are one finding, and what the earlier ones named is still read."""
    root = tmp_path / "in"
    (root / "teams").mkdir(parents=True)
    for i in range(10):
        (root / "teams" / f"t{i}.yaml").write_text(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\n"
            f"metadata: {{name: t{i}}}\nspec: {{type: team, children: []}}\n")
    targets = [f"teams/t{i}.y*ml" for i in range(10)]
    targets += [f"teams/*{i % 10}.yaml" for i in range(3000)]
    (root / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: all}\n"
        f"spec: {{targets: {json.dumps(targets)}}}\n")
    read = read_descriptors([root], Limits(), max_glob_paths=11 * 20)  # 20 globs of 11 paths
    assert sorted(d.name for d in read.descriptors if d.kind == "Group") == \
        [f"t{i}" for i in range(10)]
    (note,) = [f for f in read.findings if f.rule == "import-location-not-followed"]
    assert note.message == ("2990 glob target(s) of this Location not followed: Location globs"
                            " were matched against 220 paths already")
    assert note.path == ("spec", "targets", 20)
    unbounded = read_descriptors([root], Limits())
    assert len(unbounded.descriptors) == 11 and not unbounded.findings


def test_placeholders_are_never_resolved(tmp_path: Path) -> None:
    """Backstage's processor would read `$text: ../../etc/passwd` or fetch `$json: https://`;
    an import keeps each placeholder as the text it is, and reads nothing it names (a title or
    description that is one was dropped silently)."""
    root = tmp_path / "in"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("s3cret-token")
    (root / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: ops}\n"
        "spec: {type: team, children: []}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        "metadata: {name: api, description: {$text: ../secret.txt}}\n"
        "spec:\n  type: service\n  lifecycle: production\n  owner: ops\n"
        "  definition: {$text: ../secret.txt}\n  api: {$json: 'https://example.com/x'}\n"
        "  extra: {$yaml: /etc/passwd, $file: ../secret.txt}\n")
    out = tmp_path / "catalog"
    run("import", "backstage", str(root), "-o", str(out), "--today", "2026-11-23")
    written = "".join(p.read_text() for p in out.rglob("*.yaml"))
    assert "s3cret" not in written and "root:" not in written
    kept = load(out, "services/api.yaml")["metadata"]["annotations"]
    assert kept["itsmctl.io/backstage-spec.definition"] == '{"$text":"../secret.txt"}'
    assert json.loads(kept["itsmctl.io/backstage-spec.extra"]) == {
        "$yaml": "/etc/passwd", "$file": "../secret.txt"}
    # a description that is no text was dropped without a word; it is kept like the rest
    assert kept["itsmctl.io/backstage-metadata.description"] == '{"$text":"../secret.txt"}'
