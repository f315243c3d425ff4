"""A file that does not parse: one finding for the references into it, not one per referrer."""

from __future__ import annotations

import json

from tests.conftest import Invoke, run_cli
from tests.diff.conftest import TODAY, GitRepo

API = "services/payments-api.yaml"
BROKEN = ("apiVersion: itsmctl.io/v1\nkind: Service\nmetadata: {name: payments-api\nspec:\n"
          "  owner: payments\n")
WAITING = ("2 references to 'Service:payments-api', which this file appears to define, cannot be"
           " checked while it does not parse (from RACI:payments-api-raci, SLA:payments-api-sla)")


def validate(repo: GitRepo) -> list[tuple[str, str, str]]:
    """(rule, file, message) of the errors `itsmctl validate --format json` reports."""
    run = run_cli("validate", str(repo.path), "--format", "json",
                  "--today", TODAY.isoformat())
    report = json.loads(run.stdout)
    return [(f["rule"], f["file"].removeprefix(str(repo.path) + "/"), f["message"])
            for f in report["findings"] if f["severity"] == "error"]


def test_validate_names_the_broken_file_once(repo: GitRepo) -> None:
    repo.write(API, BROKEN)
    found = validate(repo)
    assert [(rule, file) for rule, file, _ in found] == [
        ("ref-into-broken-file", API), ("yaml-syntax", API)]  # line 1, then the error's line
    assert found[0][2] == WAITING
    assert not any("no Service named" in message for _, _, message in found)


def test_the_text_report_shows_it_on_the_broken_file(repo: GitRepo, invoke: Invoke) -> None:
    repo.write(API, BROKEN)
    run = invoke("validate", str(repo.path), "--today", TODAY.isoformat())
    assert run.exit_code == 1
    assert "ref-unresolved" not in run.output
    assert f"{API}\n" in run.output and WAITING in run.output


def test_the_diff_has_two_new_findings_on_the_broken_file(repo: GitRepo) -> None:
    repo.write(API, BROKEN)
    repo.commit()
    result = repo.diff("main", "feature")
    assert sorted((f.rule, f.file) for f in result.new_findings) == [
        ("ref-into-broken-file", API), ("yaml-syntax", API)]


def test_a_file_with_no_readable_name_is_known_by_its_file_name(repo: GitRepo) -> None:
    repo.write("services/ledger-db.yaml", "{{{ not yaml at all\n")
    found = validate(repo)
    assert [rule for rule, _, _ in found] == ["ref-into-broken-file", "yaml-syntax"]
    assert "'Service:ledger-db'" in found[0][2]


def test_a_real_typo_elsewhere_is_still_unresolved(repo: GitRepo) -> None:
    repo.write(API, BROKEN)
    repo.edit("slas/ledger-db-sla.yaml", "service: ledger-db", "service: ledger-dbb")
    found = validate(repo)
    assert ("ref-unresolved", "slas/ledger-db-sla.yaml") in {(r, f) for r, f, _ in found}


def test_a_hostile_broken_file_is_scanned_in_linear_time(repo: GitRepo) -> None:
    """A megabyte-long `metadata: {{{...` line: the salvage looks at the line's start only."""
    repo.write(API, "metadata: " + "{" * 1_000_000 + "\n")
    found = validate(repo)
    assert "'Service:payments-api'" in found[0][2]  # known by its file name
