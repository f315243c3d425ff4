"""A change is annotated on the changed field's line at HEAD, within GitHub's budget."""

from __future__ import annotations

from itsmctl.diff.lines import json_path
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.diff_github import render
from tests.diff.conftest import GitRepo

DATA = {"spec": {"targets": [{"priority": "P1", "resolution": "4h"},
                             {"priority": "P2", "resolution": "8h"}],
                 "states": ["draft", "closed"]}}


def test_identity_paths_map_to_json_paths() -> None:
    assert json_path(DATA, "spec.targets[P2].resolution") == ("spec", "targets", 1, "resolution")
    assert json_path(DATA, "spec.targets[P3].resolution") == ("spec", "targets")  # gone: parent
    assert json_path(DATA, "spec.states[closed]") == ("spec", "states", 1)
    assert json_path(DATA, "spec.owner") == ("spec",)


def test_a_target_change_is_annotated_on_its_line(repo: GitRepo) -> None:
    sla = "slas/payments-api-sla.yaml"
    lines = repo.file(sla).read_text(encoding="utf-8").splitlines()
    at = next(n for n, text in enumerate(lines, 1) if "P2" in text)
    repo.edit(sla, lines[at - 1].strip(), lines[at - 1].strip().replace("8h", "12h"))
    repo.commit()
    out = repo.cli("main", "feature", "-f", "github").output
    assert f"::warning file={sla},line={at},title=itsmctl diff%3A approval-required::" in out


def test_change_annotations_count_against_the_budget(repo: GitRepo) -> None:
    for n in range(12):  # twelve new services with a risky (approval-required) waiver each
        repo.write(f"services/extra-{n:02}.yaml", (
            f"apiVersion: itsmctl.io/v1\nkind: Service\nmetadata:\n  name: extra-{n:02}\n"
            "  waivers:\n"
            "    - {rule: service-runbook-required, reason: later, expires: 2027-01-01}\n"
            "spec: {type: technical, owner: platform, lifecycle: design}\n"))
    repo.commit()
    result = repo.diff("main", "feature", fail_on=("none",))
    out = render(result, ReportOptions()).splitlines()
    assert sum(line.startswith("::warning ") for line in out) == 10
    assert sum(line.startswith("itsmctl: services/extra-") for line in out) >= 2
    assert any(line.startswith("::notice title=itsmctl::") and "more findings and changes" in line
               for line in out)
