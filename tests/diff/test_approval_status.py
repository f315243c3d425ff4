"""The approval status is part of the result, and no headline says "passed" while one is due."""

from __future__ import annotations

from itsmctl.diff.result import with_reviews
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.diff_markdown import render as markdown
from itsmctl.reporters.diff_text import render as text
from tests.diff.conftest import GitRepo


def _lowered(repo: GitRepo) -> None:
    repo.edit("slas/payments-api-sla.yaml", "availability: 99.95", "availability: 99.9")
    repo.commit()


def test_outstanding_until_the_reviews_say_otherwise(repo: GitRepo) -> None:
    _lowered(repo)
    result = repo.diff("main", "feature", fail_on=("none",))
    assert [a.party for a in result.approvals] == ["role:service-owner", "team:cab"]
    assert result.approval_status == "outstanding" and not result.approvals_checked
    first = markdown(result, ReportOptions()).splitlines()[1]
    assert first.endswith(": needs approval from role:service-owner, team:cab")
    assert "passed" not in first and "passes" not in first
    assert text(result, ReportOptions()).rstrip().splitlines()[-1].startswith(
        "OK (needs approval from role:service-owner, team:cab): 1 entity changed;")


def test_one_party_approved(repo: GitRepo) -> None:
    _lowered(repo)
    result = with_reviews(repo.diff("main", "feature", fail_on=("none",)), {"team:cab": ["chris"]})
    assert result.approval_status == "outstanding" and result.approvals_checked
    assert [a.party for a in result.outstanding] == ["role:service-owner"]
    assert markdown(result, ReportOptions()).splitlines()[1].endswith(
        ": needs approval from role:service-owner")


def test_every_party_approved(repo: GitRepo) -> None:
    _lowered(repo)
    result = with_reviews(repo.diff("main", "feature", fail_on=("none",)),
                          {"team:cab": ["chris"], "role:service-owner": ["jane", "jane"]})
    assert result.approval_status == "approved"
    assert result.approvals[0].approved_by == ("jane",)
    assert markdown(result, ReportOptions()).splitlines()[1].endswith(
        ": approved by every required party")


def test_nothing_to_approve_passes(repo: GitRepo) -> None:
    repo.edit("services/payments-api.yaml", "title: Payments API", "title: Payments")
    repo.commit()
    result = repo.diff("main", "feature", fail_on=("none",))
    assert result.approval_status == "none-required"
    assert markdown(result, ReportOptions()).splitlines()[1].endswith(": passed")
    assert text(result, ReportOptions()).rstrip().splitlines()[-1] == (
        "OK: 1 entity changed; impacts: 1 info; findings: 0 new, 2 existing, 0 fixed")
