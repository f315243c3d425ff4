"""A dependency cycle a change closes is reported on the entry the change added."""

from __future__ import annotations

from itsmctl.validate import validate_path
from tests.conftest import Invoke
from tests.diff.conftest import TODAY, GitRepo

LEDGER = "services/ledger-db.yaml"
API = "services/payments-api.yaml"
ADDED = "  dependencies:\n    - {service: payments-api, type: soft}\n"


def close_the_cycle(repo: GitRepo) -> None:
    """ledger-db -> payments-api closes payments-api -> ledger-db (written on main)."""
    repo.edit(LEDGER, "  sla: ledger-db-sla\n", ADDED + "  sla: ledger-db-sla\n")
    repo.commit()


def test_validate_alone_reports_the_cycle_where_its_search_closes_it(repo: GitRepo) -> None:
    """Without BASE there is no 'added': validate's entry is payments-api's, which the change
    did not touch. This is what the diff corrects."""
    close_the_cycle(repo)
    [cycle] = [f for f in validate_path(repo.path).findings if f.rule == "dependency-cycle"]
    assert cycle.file.endswith(API)


def test_the_diff_reports_it_on_the_added_entry_with_the_loop(repo: GitRepo) -> None:
    close_the_cycle(repo)
    result = repo.diff("main", "feature")
    [cycle] = [f for f in result.new_findings if f.rule == "dependency-cycle"]
    assert (cycle.file, cycle.line, cycle.entity) == (LEDGER, 10, "Service:ledger-db")
    assert cycle.json_path == "spec.dependencies[0].service"
    assert cycle.message == "dependency cycle: ledger-db -> payments-api -> ledger-db"
    assert cycle.hint == ("this change adds the dependency of 'ledger-db' on 'payments-api',"
                          " which closes the cycle: remove it, or move what both need into a"
                          " separate service")
    run = repo.cli("main", "feature")
    assert run.exit_code == 1
    assert (f"{LEDGER}\n  10:17    error    dependency cycle: ledger-db -> payments-api ->"
            " ledger-db") in run.output


def test_moving_it_keeps_the_exact_diff(repo: GitRepo) -> None:
    """The cycle's fingerprint is its loop: where it is shown does not make it new or fixed."""
    close_the_cycle(repo)
    result = repo.diff("main", "feature")
    before = validate_path(repo.path).findings  # HEAD, as validate places it
    cycle = next(f for f in before if f.rule == "dependency-cycle")
    assert cycle.fingerprint in {f.fingerprint for f in result.new_findings}
    assert not result.fixed_findings


def test_every_service_of_the_loop_approves(repo: GitRepo) -> None:
    """payments-api's promise (a recovery order) breaks too: its Accountable approves."""
    close_the_cycle(repo)
    reasons = {a.party: a.reasons for a in repo.diff("main", "feature").approvals}
    assert any("service payments-api" in r and "gets a new error (dependency-cycle)" in r
               for r in reasons["role:service-owner"])


def test_check_annotates_the_added_entry(repo: GitRepo, invoke: Invoke) -> None:
    close_the_cycle(repo)
    run = invoke("check", str(repo.path), "--base", "main", "--no-site",
                 "--format", "github", "--today", TODAY.isoformat())
    assert run.exit_code == 1, run.output
    [line] = [x for x in run.output.splitlines() if "dependency cycle" in x]
    assert line.startswith(f"::error file={LEDGER},line=10,")
    assert "ledger-db -> payments-api -> ledger-db" in line


def test_a_cycle_already_on_main_is_not_moved_or_new(repo: GitRepo) -> None:
    close_the_cycle(repo)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "feature")
    repo.git("checkout", "-q", "-b", "later")
    repo.edit("services/fraud-cache.yaml", "tier: 3", "tier: 2")
    repo.commit()
    result = repo.diff("main", "later")
    assert not [f for f in result.new_findings if f.rule == "dependency-cycle"]
    [cycle] = [f for f in result.existing_findings if f.rule == "dependency-cycle"]
    assert cycle.file == API  # as validate reports it
