"""What users see: text, markdown (a PR comment), json (documented shape), github annotations."""

from __future__ import annotations

import json
import re

import pytest

from tests.diff.conftest import GitRepo, make_repo


@pytest.fixture
def pr(repo: GitRepo) -> GitRepo:
    repo.edit("slas/payments-api-sla.yaml", "availability: 99.95", "availability: 99.9")
    repo.edit("services/ledger-db.yaml", "lifecycle: operational", "lifecycle: retired")
    repo.commit()
    return repo


def test_text(pr: GitRepo) -> None:
    result = pr.cli("main", "feature")
    assert result.exit_code == 1
    out = result.output
    assert re.fullmatch(r"itsmctl diff main \([0-9a-f]{12}\) -> feature \([0-9a-f]{12}\)",
                        out.splitlines()[0])
    assert "Service ledger-db  modified  [breaking]  services/ledger-db.yaml" in out
    assert "  spec.lifecycle: operational -> retired" in out
    assert ("  * approval-required: availability 99.95% -> 99.9%: allowed downtime +21.6 min per"
            " 30 days  (availability-lowered)") in out
    assert "Approvals required\n  role:db-owner\n" in out
    assert "dependency-on-retired" in out
    assert "sla-retired-service" in out  # retiring the service left its SLA in force
    assert out.rstrip().splitlines()[-1] == (
        "FAIL (new-errors: 2): 2 entities changed; impacts: 1 breaking, 1 approval-required;"
        " findings: 3 new, 2 existing, 0 fixed")  # existing: 2 unmapped roles


def test_markdown_is_a_deterministic_pr_comment(pr: GitRepo) -> None:
    first = pr.cli("main", "feature", "-f", "markdown")
    second = pr.cli("main", "feature", "-f", "markdown")
    assert first.output == second.output
    lines = first.output.splitlines()
    assert lines[0] == "<!-- itsmctl-diff -->"
    assert lines[1] == ("## itsmctl diff: <code>main</code> → <code>feature</code>:"
                        " fails: new-errors: 2")
    assert "| Entity | Change | Impact | What it means |" in lines
    assert ("| Service <code>ledger-db</code> | modified | **breaking** | lifecycle operational"
            " -&gt; retired while payments-api still depend on it |") in lines
    assert "### Approvals required" in lines
    assert "<details><summary>Service <code>ledger-db</code>: modified, breaking</summary>" in lines
    assert ("| <code>spec.lifecycle</code> | changed | <code>operational</code> |"
            " <code>retired</code> |") in lines
    # the two changed entities, and the existing findings (the catalog's unmapped roles)
    assert first.output.count("<details>") == first.output.count("</details>") == 3


def test_json_shape(pr: GitRepo, tmp_path: object) -> None:
    result = pr.cli("main", "feature", "-f", "json", "--fail-on", "breaking")
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert data["schemaVersion"] == 1
    assert set(data) == {"schemaVersion", "tool", "base", "head", "summary", "records",
                         "changes", "approvals", "findings"}
    assert data["records"] is None  # no --records
    assert data["summary"]["impacts"] == {"info": 0, "review": 0, "approval-required": 1,
                                          "breaking": 1}
    assert data["summary"]["reasons"] == ["breaking: 1"] and data["summary"]["failed"] is True
    sla = next(c for c in data["changes"] if c["ref"] == "SLA:payments-api-sla")
    assert sla["fields"] == [{"path": "spec.availability", "op": "changed", "before": 99.95,
                              "after": 99.9}]
    assert sla["impacts"][0]["class"] == "availability-lowered"
    assert {"party", "reasons", "entities", "approved", "approvedBy"} == set(data["approvals"][0])
    assert data["summary"]["approvalStatus"] == "outstanding"  # reviews were not read
    assert data["summary"]["approvalsChecked"] is False
    assert data["findings"]["new"][0]["fingerprint"]


def test_github_annotations(pr: GitRepo) -> None:
    out = pr.cli("main", "feature", "-f", "github").output
    # on the changed field's line at HEAD (inline in the pull request), not the first line
    assert ("::error file=services/ledger-db.yaml,line=7,title=itsmctl diff%3A breaking::"
            "Service ledger-db: lifecycle operational -> retired while payments-api still depend"
            " on it (retired-with-dependents)") in out
    assert "::warning file=slas/payments-api-sla.yaml,line=10," in out
    assert "::error file=services/payments-api.yaml" in out  # the new finding
    assert out.splitlines()[-1].startswith("itsmctl diff: FAIL (new-errors: 2)")


@pytest.mark.parametrize("actions", ["true", None])
def test_format_auto_is_github_on_actions_and_text_elsewhere(pr: GitRepo,
                                                              actions: str | None) -> None:
    auto = pr.cli("main", "feature", "-f", "auto", env={"GITHUB_ACTIONS": actions}).output
    meant = pr.cli("main", "feature", "-f", "github" if actions else "text").output
    assert auto == meant
    assert auto.startswith("::") is bool(actions)


def test_output_file_and_nothing_changed(repo: GitRepo) -> None:
    target = repo.path.parent / "report.md"
    result = repo.cli("main", "-f", "markdown", "-o", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert "No catalog entity changed." in target.read_text()


def test_catalog_subfolder_and_working_tree(tmp_path: object) -> None:
    from pathlib import Path

    repo = make_repo(Path(str(tmp_path)) / "r", catalog="catalog")
    repo.write("README.md", "not catalog\n")
    repo.edit("services/ledger-db.yaml", "tier: 1", "tier: 2")  # uncommitted
    repo.write("services/new.yaml", "apiVersion: itsmctl.io/v1\nkind: Team\nmetadata:"
               " {name: newcomers}\nspec: {email: n@example.com}\n")  # untracked
    result = repo.diff(None)  # base: merge base with main; head: the working tree
    assert result.head == "working tree" and result.base == "merge base with main"
    assert [(c.ref, c.status) for c in result.changes] == [
        ("Service:ledger-db", "modified"), ("Team:newcomers", "added")]
    assert result.files_changed == ("catalog/services/ledger-db.yaml", "catalog/services/new.yaml")
    out = repo.cli().output
    base = result.base_sha[:12]
    assert out.splitlines()[0] == f"itsmctl diff merge base with main ({base}) -> working tree"
    assert ("Service ledger-db  modified  [approval-required]"
            "  catalog/services/ledger-db.yaml") in out
