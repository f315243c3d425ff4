"""`check --records`/`diff --records`: a pull request cannot choose the records BASE is read
from, nor drop the CAB by making BASE's records unmeasurable (issue 12: the facts that decide
approvers come from BASE; a change can add approvers, never remove them).

The hand computation is test_check_records.py's: four P1 tickets resolved in 3 business
hours meet 4h and miss 2h; `_faster` resolves them in 1 hour, which meets 2h.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from itsmctl.diff import records as records_module
from tests.gitops.test_check_records import NEWLY_MISSED, SLA, Edit, _tickets, check, tightened

__all__ = ["tightened"]  # the fixture, shared

if TYPE_CHECKING:
    from conftest import Git, Invoke


def _faster() -> str:
    return _tickets().replace("T12:00:00+01:00", "T10:00:00+01:00")


def _linked_base(repo: Path, run_git: Git) -> None:
    """BASE: `records -> data/v1`, the four tickets; then the pull request's branch."""
    (repo / "data/v1").mkdir(parents=True)
    (repo / "data/v1/tickets.csv").write_text(_tickets(), encoding="utf-8")
    os.symlink("data/v1", repo / "records")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "Records of November")
    run_git(repo, "switch", "-q", "-c", "tighten")


def _linked_records(repo: Path, edit: Edit, run_git: Git, target: str) -> None:
    """BASE: `records -> data/v1`; the pull request tightens P1 to 2h, adds faster records
    and re-points the link to `target`."""
    _linked_base(repo, run_git)
    edit(repo, SLA, "{priority: P1, response: 30m, resolution: 4h}",
         "{priority: P1, response: 30m, resolution: 2h}")
    os.unlink(repo / "records")
    os.symlink(target, repo / "records")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "Tighten, and faster records")


def test_a_re_pointed_records_link_is_refused(catalog_repo: Path, edit: Edit, run_git: Git,
                                             invoke: Invoke) -> None:
    (catalog_repo / "data/v2").mkdir(parents=True)
    (catalog_repo / "data/v2/tickets.csv").write_text(_faster(), encoding="utf-8")
    _linked_records(catalog_repo, edit, run_git, "data/v2")
    said = "records is a symbolic link in the repository (not followed)"
    code, out = check(invoke, catalog_repo, "--records", str(catalog_repo / "records"),
                      "--fail-on", "approval-required")
    assert code == 2, out
    assert said in out
    result = invoke("diff", "-C", str(catalog_repo), "main", "--records",
                    str(catalog_repo / "records"))
    assert result.exit_code == 2, result.output
    assert said in result.output
    # a folder below the link is refused too, by the link's name
    code, out = check(invoke, catalog_repo, "--records", str(catalog_repo / "records/."))
    assert code == 2 and said in out, out


def test_a_records_link_out_of_the_repository_is_refused(catalog_repo: Path, edit: Edit,
                                                        run_git: Git, tmp_path: Path,
                                                        invoke: Invoke) -> None:
    outside = tmp_path / "export"
    outside.mkdir()
    (outside / "tickets.csv").write_text(_faster(), encoding="utf-8")
    _linked_records(catalog_repo, edit, run_git, str(outside))
    result = invoke("diff", "-C", str(catalog_repo), "main", "--records",
                    str(catalog_repo / "records"))
    assert result.exit_code == 2, result.output
    assert "records is a symbolic link in the repository (not followed)" in result.output
    code, out = check(invoke, catalog_repo, "--records", str(catalog_repo / "records"))
    assert code == 2, out
    # the export itself, by its own path, is outside the change: measured once (diff)
    result = invoke("diff", "-C", str(catalog_repo), "main", "--records", str(outside))
    assert result.exit_code == 0, result.output
    assert "records-changed" not in result.output


def test_base_records_behind_a_link_fail_closed(catalog_repo: Path, edit: Edit, run_git: Git,
                                                invoke: Invoke) -> None:
    """BASE's `records` is a link (never followed in a ref); the pull request makes it a
    folder of faster records: BASE's reading is unknown, so the CAB approves."""
    _linked_base(catalog_repo, run_git)
    edit(catalog_repo, SLA, "resolution: 4h}", "resolution: 2h}")
    os.unlink(catalog_repo / "records")
    (catalog_repo / "records").mkdir()
    (catalog_repo / "records/tickets.csv").write_text(_faster(), encoding="utf-8")
    run_git(catalog_repo, "add", "-A")
    run_git(catalog_repo, "commit", "-q", "-m", "Tighten, and faster records")
    code, out = check(invoke, catalog_repo, "--records", str(catalog_repo / "records"),
                      "--fail-on", "approval-required")
    assert code == 1, out
    assert ("BASE's records could not be measured (records is a symbolic link at BASE)"
            in out)
    assert "team:change-advisory-board" in out


def test_base_records_that_cannot_be_measured_fail_closed(catalog_repo: Path, edit: Edit,
                                                          run_git: Git,
                                                          invoke: Invoke) -> None:
    """BASE's records have a bad row; the pull request fixes it, tightens P1 to 2h and
    speeds the records up: HEAD's reading meets 2h, BASE's cannot be taken, the CAB
    approves."""
    (catalog_repo / "records").mkdir()
    (catalog_repo / "records/tickets.csv").write_text(
        _tickets() + "INC99,incident,intranet,P1,not-a-date,,\n", encoding="utf-8")
    run_git(catalog_repo, "add", "-A")
    run_git(catalog_repo, "commit", "-q", "-m", "Records")
    run_git(catalog_repo, "switch", "-q", "-c", "tighten")
    edit(catalog_repo, SLA, "{priority: P1, response: 30m, resolution: 4h}",
         "{priority: P1, response: 30m, resolution: 2h}")
    (catalog_repo / "records/tickets.csv").write_text(_faster(), encoding="utf-8")
    run_git(catalog_repo, "commit", "-q", "-am", "Tighten, fix the bad row, faster records")
    code, out = check(invoke, catalog_repo, "--records", str(catalog_repo / "records"),
                      "--fail-on", "approval-required")
    assert code == 1, out
    assert "* approval-required: BASE's records could not be measured (" in out
    assert ("so every re-evaluated target requires the approval a newly missed one would"
            "  (attainment-newly-missed)") in out
    assert out.rstrip().endswith("itsmctl check: FAIL (diff: approval-required: 1)")
    code, out = check(invoke, catalog_repo, "--records", str(catalog_repo / "records"))
    assert code == 0, out
    assert "team:change-advisory-board" in out.rstrip().splitlines()[-1], out


def test_only_the_files_measure_reads_are_taken_from_base_within_a_bound(
        tightened: Path, run_git: Git, invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large unrelated file in BASE's records is never read; a record file over the bound
    cannot be measured, so the gate fails closed."""
    monkeypatch.setattr(records_module, "BASE_RECORD_LIMIT", 1000)
    (tightened / "records/raw-export.bin").write_bytes(b"x" * 5000)  # not a record file
    run_git(tightened, "add", "-A")
    run_git(tightened, "commit", "-q", "--amend", "--no-edit")
    run_git(tightened, "switch", "-q", "-c", "faster")
    (tightened / "records/tickets.csv").write_text(_faster(), encoding="utf-8")
    run_git(tightened, "commit", "-q", "-am", "Faster records")
    code, out = check(invoke, tightened, "--records", str(tightened / "records"),
                      "--fail-on", "approval-required")
    assert code == 1, out
    assert f"* approval-required: under BASE's records: {NEWLY_MISSED}" in out
    assert "could not be measured" not in out
    monkeypatch.setattr(records_module, "BASE_RECORD_LIMIT", 100)  # tickets.csv is 480 bytes
    code, out = check(invoke, tightened, "--records", str(tightened / "records"),
                      "--fail-on", "approval-required")
    assert code == 1, out
    assert (f"BASE's records could not be measured ({tightened / 'records'}/tickets.csv at"
            " BASE is 480 bytes, over the 100-byte bound for a file read from BASE's tree)"
            ) in out
    assert "team:change-advisory-board" in out


def test_render_leaves_a_records_mapping_out_of_the_catalog(tightened: Path, run_git: Git,
                                                            tmp_path: Path,
                                                            invoke: Invoke) -> None:
    """As measure, diff and check do: the records' mapping.yaml is no entity file, in the
    working tree and at a ref."""
    (tightened / "records/mapping.yaml").write_text("preset: generic\n", encoding="utf-8")
    run_git(tightened, "add", "-A")
    run_git(tightened, "commit", "-q", "-m", "Mapping")
    for ref in ([], ["--ref", "HEAD"]):
        site = tmp_path / f"site{len(ref)}"
        result = invoke("render", str(tightened), "-o", str(site), "--records",
                        str(tightened / "records"), *ref)
        assert result.exit_code == 0, result.output
        assert "Catalog findings: 0 error, 0 warning, 0 info" in result.output
        assert "mapping.yaml" not in (site / "findings.html").read_text(encoding="utf-8")
    result = invoke("render", str(tightened), "-o", str(tmp_path / "plain"))
    assert "Catalog findings: 1 error, 0 warning, 0 info" in result.output  # no --records
    assert "mapping.yaml" in (tmp_path / "plain/findings.html").read_text(encoding="utf-8")
