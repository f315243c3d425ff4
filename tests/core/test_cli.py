"""The CLI as a user and a CI pipeline see it: exit codes, formats, schema and rules commands."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import Invoke

BROKEN = """\
apiVersion: itsmctl.io/v1
kind: Service
metadata:
  name: {name}
spec:
  type: technical
  lifecycle: proposed
  tier: 9
"""


@pytest.fixture
def broken(write_catalog) -> Path:
    return write_catalog({f"svc/{n}.yaml": BROKEN.format(name=n) for n in ("a", "b")})


def test_validate_examples_exits_0(examples_dir: Path, invoke: Invoke) -> None:
    result = invoke("validate", examples_dir, "--today", "2026-11-23", code=0)
    assert result.output.startswith("OK: 0 errors, 0 warnings, 0 info")


def test_findings_exit_1_grouped_per_file_with_line_rule_and_hint(broken: Path,
                                                                  invoke: Invoke) -> None:
    result = invoke("validate", str(broken))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].endswith("svc/a.yaml")
    assert "8:9" in lines[1] and "error" in lines[1] and lines[1].rstrip().endswith("schema")
    assert "hint:" in lines[2]
    assert lines[-1].startswith("FAIL: 2 errors")
    assert "\x1b[" not in result.output  # not a terminal: no colour


def test_color_always_and_no_color(broken: Path, invoke: Invoke) -> None:
    assert "\x1b[31m" in invoke("validate", str(broken), "--color", "always").output
    assert "\x1b[" not in invoke("validate", str(broken), env={"NO_COLOR": "1"}).output


def test_usage_and_environment_errors_exit_2(tmp_path: Path, invoke: Invoke) -> None:
    missing = invoke("validate", str(tmp_path / "missing"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.output and "hint:" in missing.output
    assert invoke("validate", "--format", "yaml").exit_code == 2
    assert invoke("validate", "--today", "2026-13-01").exit_code == 2


def test_today_from_environment_decides_waiver_expiry(write_catalog, invoke: Invoke) -> None:
    waiver = "  waivers:\n    - {rule: schema, reason: Migrating, expires: 2026-01-01}\n"
    root = write_catalog({"a.yaml": BROKEN.format(name="a").replace(
        "  name: a\n", "  name: a\n" + waiver)})
    assert invoke("validate", str(root), env={"ITSMCTL_TODAY": "2025-12-01"}).exit_code == 0
    late = invoke("validate", str(root), env={"ITSMCTL_TODAY": "2026-06-01"})
    assert late.exit_code == 1
    assert "waiver of 'schema' expired on 2026-01-01" in late.output


def test_json_is_documented_shape_and_deterministic(broken: Path, invoke: Invoke) -> None:
    first = invoke("validate", str(broken), "-f", "json").output
    assert first == invoke("validate", str(broken), "-f", "json").output
    data = json.loads(first)
    assert data["schemaVersion"] == 1
    assert data["summary"]["errors"] == 2 and data["summary"]["failed"] is True
    finding = data["findings"][0]
    assert set(finding) >= {"rule", "severity", "message", "hint", "file", "line", "column",
                            "path", "entity", "fingerprint"}
    assert (finding["line"], finding["path"], finding["entity"]) == (8, "spec.tier", "Service:a")


def test_sarif_is_ready_for_code_scanning(broken: Path, tmp_path: Path, invoke: Invoke) -> None:
    out = tmp_path / "report.sarif"
    assert invoke("validate", str(broken), "-f", "sarif", "-o", str(out)).exit_code == 1
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    result = run_["results"][0]
    assert rule_ids[result["ruleIndex"]] == result["ruleId"] == "schema"
    location = result["locations"][0]["physicalLocation"]
    assert location["region"]["startLine"] == 8
    assert location["artifactLocation"]["uri"].endswith("svc/a.yaml")
    assert result["partialFingerprints"]["itsmctl/v1"]


def test_github_annotations_capped_at_10_per_level_with_a_count(write_catalog,
                                                                invoke: Invoke) -> None:
    root = write_catalog({f"s{i:02}.yaml": BROKEN.format(name=f"s{i:02}") for i in range(13)})
    lines = invoke("validate", str(root), "-f", "github").output.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(": error [schema]" in line for line in lines) == 3
    notice = next(line for line in lines if line.startswith("::notice"))
    assert "3 more findings" in notice
    first = next(line for line in lines if line.startswith("::error "))
    assert "line=8,col=9,title=itsmctl schema::" in first and "%0AHint: " in first


@pytest.mark.parametrize("actions", ["true", "1", None])
def test_format_auto_is_github_on_actions_and_text_elsewhere(broken: Path, invoke: Invoke,
                                                              actions: str | None) -> None:
    auto = invoke("validate", broken, "-f", "auto", env={"GITHUB_ACTIONS": actions}, code=1)
    meant = "github" if actions == "true" else "text"  # GitHub's runners set exactly "true"
    assert auto.output == invoke("validate", broken, "-f", meant, code=1).output
    assert invoke("validate", broken, env={"GITHUB_ACTIONS": actions}).output == \
        invoke("validate", broken, "-f", "text").output, "the default stays text"


def test_junit_is_valid_xml_with_a_failure_per_finding(broken: Path, invoke: Invoke) -> None:
    root = ET.fromstring(invoke("validate", str(broken), "-f", "junit").output)
    failures = root.findall(".//failure")
    assert len(failures) == 2 and failures[0].get("type") == "schema"
    assert root.get("failures") == "2"


def test_strict_fails_on_warnings(write_catalog, invoke: Invoke) -> None:
    root = write_catalog({".itsmctl.yaml": "rules: {schema: warning}\n",
                          "a.yaml": BROKEN.format(name="a")})
    assert invoke("validate", str(root)).exit_code == 0
    assert invoke("validate", str(root), "--strict").exit_code == 1


def test_schema_command_lists_prints_and_writes(tmp_path: Path, invoke: Invoke) -> None:
    listing = invoke("schema").output.split()
    assert "service.schema.json" in listing and "entity.schema.json" in listing
    printed = json.loads(invoke("schema", "Service").output)
    assert "$id" not in printed  # written out, its relative $refs resolve beside it
    assert printed["properties"]["metadata"]["$ref"] == "envelope.schema.json#/$defs/metadata"
    written = invoke("schema", "--output-dir", str(tmp_path / "s"))
    assert written.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == sorted(listing)
    assert invoke("schema", "nope").exit_code == 2


def test_rules_command_documents_every_rule(invoke: Invoke) -> None:
    text = invoke("rules").output
    assert "ref-unresolved  [error, reference]" in text
    data = json.loads(invoke("rules", "-f", "json").output)
    assert all(rule["summary"] and rule["doc"] for rule in data)
    assert invoke("rules", "no-such-rule").exit_code == 2


def test_internal_error_is_one_line_and_exit_3(monkeypatch, examples_dir: Path,
                                               invoke: Invoke) -> None:
    import itsmctl.validate

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(itsmctl.validate, "validate", boom)
    result = invoke("validate", examples_dir, code=3)
    assert "internal error (RuntimeError: kaboom)" in result.output
    assert "Traceback" not in result.output


def test_python_dash_m_and_version() -> None:
    done = subprocess.run([sys.executable, "-m", "itsmctl", "--version"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.startswith("itsmctl, version ")


def test_file_level_findings_have_no_fake_line(write_catalog, tmp_path: Path,
                                               invoke: Invoke) -> None:
    root = write_catalog({"big.yaml": "x: " + "a" * 200 + "\n",
                          ".itsmctl.yaml": "settings: {maxFileSize: 100}\n"})
    lines = invoke("validate", str(root)).output.splitlines()
    assert lines[1].split()[:2] == ["-", "error"] and "file-too-large" in lines[1]
