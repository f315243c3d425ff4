"""validate_path: layers reported together, lines of schema errors, config, waivers."""

from __future__ import annotations

from pathlib import Path

import pytest

from itsmctl.errors import ConfigError, ItsmctlError
from itsmctl.findings import Severity
from itsmctl.validate import validate_path

SERVICE = """\
apiVersion: itsmctl.io/v1
kind: Service
metadata:
  name: {name}
spec:
  type: technical
  lifecycle: proposed
  tier: {tier}
"""


def test_examples_validate_clean(examples_dir: Path, today) -> None:
    result = validate_path(examples_dir, today=today)
    assert result.findings == ()
    assert result.exit_code == 0
    assert result.entities >= 50


def test_schema_error_points_at_the_offending_value(write_catalog) -> None:
    root = write_catalog({"s.yaml": SERVICE.format(name="a", tier=7)})
    result = validate_path(root)
    [finding] = [f for f in result.findings if f.rule == "schema"]
    assert (finding.line, finding.column, finding.json_path) == (8, 9, "spec.tier")
    assert "greater than the maximum of 4" in finding.message
    assert "tier" in finding.hint.lower()


def test_unknown_field_points_at_the_key(write_catalog) -> None:
    root = write_catalog({"s.yaml": SERVICE.format(name="a", tier=3) + "  ownr: x\n"})
    [finding] = validate_path(root).findings
    assert finding.line == 9 and "unknown field 'ownr'" in finding.message
    assert "owner" in finding.hint  # lists the allowed fields


def test_broken_file_does_not_stop_the_others(write_catalog) -> None:
    root = write_catalog({
        "a.yaml": "a: [\n",
        "b.yaml": SERVICE.format(name="b", tier=9),
    })
    rules = sorted((f.file.rsplit("/", 1)[-1], f.rule) for f in validate_path(root).findings)
    assert rules == [("a.yaml", "yaml-syntax"), ("b.yaml", "schema")]


def test_envelope_problems(write_catalog) -> None:
    root = write_catalog({
        "list.yaml": "- a\n- b\n",
        "version.yaml": "apiVersion: v9\nkind: Service\n",
        "kind.yaml": "apiVersion: itsmctl.io/v1\nkind: Servise\nmetadata: {name: x}\nspec: {}\n",
    })
    found = {f.rule: f for f in validate_path(root).findings}
    assert set(found) == {"envelope", "unknown-api-version", "unknown-kind"}
    assert found["unknown-kind"].hint == "did you mean Service?"
    assert found["unknown-kind"].line == 2


def test_duplicate_names_per_kind(write_catalog) -> None:
    """Both definitions are reported, each at its own place, naming the other."""
    again = "# the same service again\n" + SERVICE.format(name="x", tier=2)
    root = write_catalog({"a.yaml": SERVICE.format(name="x", tier=2), "b.yaml": again})
    result = validate_path(root)
    found = [(Path(f.file).name, f.line, f.rule) for f in result.findings]
    assert found == [("a.yaml", 4, "duplicate-name"), ("b.yaml", 5, "duplicate-name")]
    a, b = result.findings
    assert "also defined in" in a.message and "b.yaml:2" in a.message
    assert "a.yaml:1" in b.message and "no copy is used" in b.message
    assert result.entities == 0  # neither copy stands for Service x


def test_a_duplicate_names_three_other_places_then_how_many_more(write_catalog) -> None:
    """k copies naming each other would be k² text: each names the first three others in
    file order, then counts the rest; there is still one finding per copy."""
    files = {f"{letter}.yaml": SERVICE.format(name="x", tier=2) for letter in "abcdef"}
    root = write_catalog(files)
    result = validate_path(root)
    assert [(Path(f.file).name, f.rule) for f in result.findings] == [
        (name, "duplicate-name") for name in files]
    named = {Path(f.file).name: f.message.split(" is also defined in ")[1].split(";")[0]
             .replace(f"{root}/", "") for f in result.findings}
    assert named["a.yaml"] == "b.yaml:1, c.yaml:1, d.yaml:1 and 2 more"
    assert named["c.yaml"] == "a.yaml:1, b.yaml:1, d.yaml:1 and 2 more"
    assert named["f.yaml"] == "a.yaml:1, b.yaml:1, c.yaml:1 and 2 more"
    assert result.entities == 0


def test_a_reference_to_a_duplicate_name_is_not_reported_again(write_catalog) -> None:
    """Neither copy resolves a reference; the duplicate-name findings say why, once each."""
    api = SERVICE.format(name="api", tier=2) + "  dependencies:\n    - {service: x}\n"
    root = write_catalog({"a.yaml": SERVICE.format(name="x", tier=2),
                          "b.yaml": SERVICE.format(name="x", tier=2), "api.yaml": api})
    assert [f.rule for f in validate_path(root).findings] == ["duplicate-name"] * 2


def test_reference_with_suggestion_and_wrong_kind(write_catalog) -> None:
    text = SERVICE.format(name="a", tier=2) + "  owner: service:b\n  sla: b-sla\n"
    root = write_catalog({"a.yaml": text, "b.yaml": SERVICE.format(name="b", tier=2)})
    found = {f.rule: f for f in validate_path(root).findings}
    assert found["ref-wrong-kind"].line == 9
    assert found["ref-unresolved"].line == 10


def test_config_regrades_and_switches_off_per_path(write_catalog) -> None:
    root = write_catalog({
        ".itsmctl.yaml": "rules:\n  schema: warning\noverrides:\n"
                         "  - paths: [legacy/**]\n    rules: {schema: 'off'}\n",
        "new/a.yaml": SERVICE.format(name="a", tier=9),
        "legacy/b.yaml": SERVICE.format(name="b", tier=9),
    })
    result = validate_path(root)
    assert [(f.file.rsplit("/", 2)[-2], f.severity) for f in result.findings] == [
        ("new", Severity.WARNING)]
    assert result.exit_code == 0
    assert validate_path(root, strict=True).exit_code == 1


def test_config_with_unknown_rule_is_a_usage_error(write_catalog) -> None:
    root = write_catalog({".itsmctl.yaml": "rules:\n  shema: warning\n"})
    with pytest.raises(ConfigError, match="unknown rule 'shema'") as info:
        validate_path(root)
    assert "did you mean 'schema'" in info.value.hint


def test_config_schema_error_has_file_and_line(write_catalog) -> None:
    root = write_catalog({".itsmctl.yaml": "include: ['*.yaml']\nrules:\n  schema: loud\n"})
    with pytest.raises(ConfigError) as info:
        validate_path(root)
    assert info.value.location.endswith(".itsmctl.yaml:3")


def test_missing_folder_is_an_environment_error(tmp_path: Path) -> None:
    with pytest.raises(ItsmctlError, match="does not exist"):
        validate_path(tmp_path / "nope")


def test_excluded_and_hidden_files_are_not_read(write_catalog) -> None:
    root = write_catalog({
        ".itsmctl.yaml": "exclude: [drafts]\n",
        "drafts/x.yaml": "broken: [\n",
        ".github/workflows/ci.yml": "on: push\n",
        "site/data.yaml": "broken: [\n",
        "kept.yaml": "# a config that excludes every file is an error of its own\n",
    })
    assert validate_path(root).findings == ()


def test_unquoted_off_in_config_means_off(write_catalog) -> None:
    root = write_catalog({".itsmctl.yaml": "rules:\n  schema: off\n",
                          "a.yaml": SERVICE.format(name="a", tier=9)})
    assert validate_path(root).findings == ()


def test_dependencies_that_are_not_a_list_do_not_crash(write_catalog) -> None:
    root = write_catalog({"a.yaml": SERVICE.format(name="a", tier=2) + "  dependencies: 7\n"})
    assert [f.rule for f in validate_path(root).findings] == ["schema"]


def test_unknown_rule_in_config_points_at_its_line(write_catalog) -> None:
    root = write_catalog({".itsmctl.yaml": "rules:\n  schema: warning\noverrides:\n"
                                           "  - paths: [a/**]\n    rules:\n      shema: 'off'\n"})
    with pytest.raises(ConfigError) as info:
        validate_path(root)
    assert info.value.location.endswith(".itsmctl.yaml:6")


def test_unknown_config_key_points_at_the_key(write_catalog) -> None:
    root = write_catalog({".itsmctl.yaml": "include: ['**/*.yaml']\nsetings:\n  x: 1\n"})
    with pytest.raises(ConfigError, match="unknown field 'setings'") as info:
        validate_path(root)
    assert info.value.location.endswith(".itsmctl.yaml:2")


def test_config_given_explicitly_inside_the_catalog_is_not_an_entity(write_catalog) -> None:
    root = write_catalog({"ci-config.yaml": "rules: {schema: warning}\n",
                          "a.yaml": SERVICE.format(name="a", tier=9)})
    result = validate_path(root, config_file=root / "ci-config.yaml")
    assert [(f.rule, f.severity) for f in result.findings] == [("schema", Severity.WARNING)]


def test_kind_with_the_wrong_case_suggests_the_right_one(write_catalog) -> None:
    root = write_catalog({"s.yaml": SERVICE.format(name="a", tier=2).replace("Service", "Sla")})
    [finding] = validate_path(root).findings
    assert finding.rule == "unknown-kind"
    assert finding.hint == "did you mean SLA? (kinds are case-sensitive)"
