"""Who can satisfy a required approval is read from BASE: a pull request that adds a member,
edits a member's GitHub login or a team's `spec.github`, never widens who can approve."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result

from tests.github.fake import FakeGitHub, review, user
from tests.github.test_require_approvals import CAB, OWNERS, REVIEWS, check, scaffold_pr

WORKPLACE = "teams/workplace.yaml"
CAB_TEAM = "teams/change-advisory-board.yaml"
MALLORY = "    - {name: Mallory, email: mallory@example.com, github: mallory, role: intern}\n"


def parties(result: Result) -> dict[str, dict[str, object]]:
    return {p["party"]: p for p in json.loads(result.stdout)["approvals"]["parties"]}


def mallory_approves(github: FakeGitHub, head: str) -> None:
    github.routes[REVIEWS] = [review("mallory", "APPROVED", head),
                              review("robin", "APPROVED", head)]
    github.routes[OWNERS] = [user("alex"), user("sam")]
    github.routes[CAB] = [user("robin"), user("alex")]


NO_GITHUB_TEAM = (WORKPLACE, "  github: example-org/workplace    # <org>/<team-slug> on GitHub:"
                  " approves and owns its files\n", "")
SAM = "    - {name: Sam Example, email: sam@example.com, github: sam, role: engineer}\n"
ADD_MALLORY = (WORKPLACE, SAM, SAM + MALLORY)


def test_a_member_the_pull_request_adds_cannot_approve_for_a_team_without_github_team(
        tmp_path: Path, github: FakeGitHub) -> None:
    """workplace has no spec.github: its members' logins at BASE act for it (alex, sam);
    Mallory, whom the pull request adds, does not."""
    repo, head = scaffold_pr(tmp_path, [NO_GITHUB_TEAM], [ADD_MALLORY])
    mallory_approves(github, head)
    result = check(repo, github, head, "--format", "json")
    assert result.exit_code == 1, result.output
    owner = parties(result)["role:service-owner"]
    assert owner["approved"] is False
    assert "mallory" not in owner["couldApprove"]


def test_a_team_without_github_identity_at_base_gains_none_from_a_new_member(
        tmp_path: Path, github: FakeGitHub) -> None:
    """At BASE nobody on GitHub acts for workplace: a member with a login added by the pull
    request does not make the approval satisfiable."""
    no_logins = [(WORKPLACE, ", github: alex, role: lead}", ", role: lead}"),
                 (WORKPLACE, ", github: sam, role: engineer}", ", role: engineer}")]
    repo, head = scaffold_pr(tmp_path, [NO_GITHUB_TEAM, *no_logins],
                             [(WORKPLACE, "role: engineer}\n", "role: engineer}\n" + MALLORY)])
    mallory_approves(github, head)
    result = check(repo, github, head, "--format", "json")
    assert result.exit_code == 1, result.output
    owner = parties(result)["role:service-owner"]
    assert owner["approved"] is False and owner["couldApprove"] == []
    assert owner["notes"] == ["team workplace has no GitHub team (spec.github) and no member"
                              " with a GitHub login"]


def test_a_login_the_pull_request_gives_a_role_holder_does_not_count(
        tmp_path: Path, github: FakeGitHub) -> None:
    """role:change-manager is robin@example.com; the pull request moves that member's login
    to mallory: robin still approves for the role, mallory does not."""
    model_cab = ("change-models/normal-change.yaml", "    cab: change-advisory-board",
                 "    cab: role:change-manager")
    repo, head = scaffold_pr(tmp_path, [model_cab], [
        (CAB_TEAM, "email: robin@example.com, github: robin,",
         "email: robin@example.com, github: mallory,")])
    github.routes[REVIEWS] = [review("mallory", "APPROVED", head),
                              review("sam", "APPROVED", head)]
    github.routes[OWNERS] = [user("alex"), user("sam")]
    result = check(repo, github, head, "--format", "json")
    manager = parties(result)["role:change-manager"]
    assert manager["approved"] is False, result.output
    assert manager["couldApprove"] == ["robin"]
