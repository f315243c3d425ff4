"""New versus existing findings, and the --fail-on thresholds."""

from __future__ import annotations

import pytest

from tests.diff.conftest import UNMAPPED, GitRepo

API = "services/payments-api.yaml"


@pytest.fixture
def broken_base(repo: GitRepo) -> GitRepo:
    """main already has an error: fraud-cache names an unknown calendar."""
    repo.git("checkout", "-q", "main")
    repo.edit("services/fraud-cache.yaml", "supportCalendar: always-on",
              "supportCalendar: nine-to-five")
    repo.commit("existing error")
    repo.git("checkout", "-q", "feature")
    repo.git("reset", "-q", "--hard", "main")
    return repo


def test_new_and_existing_findings(broken_base: GitRepo) -> None:
    repo = broken_base
    repo.edit("services/fraud-cache.yaml", "owner: platform", "owner: platfrom")
    repo.commit()
    result = repo.diff("main", "feature")
    assert [(f.rule, f.message) for f in result.new_findings] == [
        ("ref-unresolved", "owner 'platfrom': no Team named 'platfrom'")]
    assert [f.message for f in result.existing_findings if f.rule != UNMAPPED] == [
        "support calendar 'nine-to-five': no BusinessCalendar named 'nine-to-five'"]
    assert result.reasons == ("new-errors: 1",) and result.exit_code == 1


def test_existing_findings_do_not_fail(broken_base: GitRepo) -> None:
    repo = broken_base
    repo.edit("services/fraud-cache.yaml", "tier: 3", "tier: 2")
    repo.commit()
    result = repo.diff("main", "feature")
    assert result.new_findings == ()
    assert [f.rule for f in result.existing_findings if f.rule != UNMAPPED] == ["ref-unresolved"]
    assert result.exit_code == 0


def test_fixed_findings(broken_base: GitRepo) -> None:
    repo = broken_base
    repo.edit("services/fraud-cache.yaml", "supportCalendar: nine-to-five",
              "supportCalendar: always-on")
    repo.commit()
    result = repo.diff("main", "feature")
    assert [f.rule for f in result.fixed_findings] == ["ref-unresolved"]
    assert result.new_findings == ()
    assert [f.rule for f in result.existing_findings] == [UNMAPPED, UNMAPPED]


def test_a_side_that_fails_to_parse_is_findings(repo: GitRepo) -> None:
    repo.write(API, "apiVersion: itsmctl.io/v1\nkind: Service\nmetadata: {name: payments-api\n")
    repo.commit()
    result = repo.diff("main", "feature")
    rules = {f.rule: f for f in result.new_findings}
    # the SLA and RACI lost their service: one finding on the broken file says so
    assert set(rules) == {"yaml-syntax", "ref-into-broken-file"}
    assert rules["yaml-syntax"].file == rules["ref-into-broken-file"].file == API
    assert [c.status for c in result.changes] == ["removed"]
    assert result.changes[0].impacts[0].message == (
        "Service payments-api is gone: services/payments-api.yaml no longer parses (see the"
        " findings)")
    assert result.exit_code == 1


def test_a_name_defined_twice_is_gone_and_says_where(repo: GitRepo) -> None:
    """A copy that makes the name mean nothing reads as the copies, not as a plain removal;
    the approvals stay those of a removal (the entity is unusable)."""
    copy = "services/payments-api-copy.yaml"
    repo.write(copy, repo.file(API).read_text(encoding="utf-8"))
    repo.commit()
    result = repo.diff("main", "feature")
    assert [(c.name, c.status) for c in result.changes] == [("payments-api", "removed")]
    by_class = {i.change_class: i.message for i in result.changes[0].impacts}
    assert by_class["entity-removed"] == (
        f"Service payments-api is gone: it is defined more than once ({copy}:1, {API}:1), so"
        " no copy is used until the names are unique (see the findings)")
    assert "entity-removed-referenced" in by_class
    assert {f.rule for f in result.new_findings} >= {"duplicate-name"}
    assert result.exit_code == 1


@pytest.mark.parametrize("fail_on,code", [
    (("new-errors",), 0), (("approval-required",), 1), (("breaking",), 0),
    (("none",), 0), (("breaking", "approval-required"), 1), (("new-warnings",), 0)])
def test_fail_on_approval_required(repo: GitRepo, fail_on: tuple[str, ...], code: int) -> None:
    repo.edit("slas/payments-api-sla.yaml", "resolution: 4h}", "resolution: 8h}")
    repo.commit()
    assert repo.diff("main", "feature", fail_on=fail_on).exit_code == code


def test_fail_on_breaking(repo: GitRepo) -> None:
    repo.edit("services/ledger-db.yaml", "lifecycle: operational", "lifecycle: retired")
    repo.commit()
    result = repo.diff("main", "feature", fail_on=("breaking",))
    assert result.reasons == ("breaking: 1",) and result.exit_code == 1


def test_fail_on_new_warnings(repo: GitRepo) -> None:
    repo.edit("services/ledger-db.yaml", "lifecycle: operational", "lifecycle: retiring")
    repo.commit()
    assert repo.diff("main", "feature", fail_on=("new-errors",)).exit_code == 0
    result = repo.diff("main", "feature", fail_on=("new-warnings",))
    assert result.reasons == ("new-warnings: 1",)


def test_verbose_text_lists_existing_findings(broken_base: GitRepo) -> None:
    repo = broken_base
    repo.edit("services/fraud-cache.yaml", "tier: 3", "tier: 2")
    repo.commit()
    quiet, verbose = repo.cli("main", "feature"), repo.cli("main", "feature", "-v")
    assert quiet.exit_code == verbose.exit_code == 0
    assert "Existing findings" not in quiet.output
    assert "Existing findings\n" in verbose.output
    assert "\n  services/fraud-cache.yaml\n" in verbose.output.split("Existing findings")[1]
    assert "no BusinessCalendar named 'nine-to-five'" in verbose.output
