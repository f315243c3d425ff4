"""`check --require-approvals` end to end: a real git repository, the event file, and a local
GitHub serving reviews and team members; the verdict and its wording as a reviewer sees them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import Invoke, run_cli
from tests.github.fake import Error, FakeGitHub, commit, review, user

GIT_ENV = {"GIT_AUTHOR_NAME": "E", "GIT_AUTHOR_EMAIL": "e@example.com",
           "GIT_COMMITTER_NAME": "E", "GIT_COMMITTER_EMAIL": "e@example.com",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
# the scaffold is made, and the change judged, on the clock's day (see `check`)
CLOCK: dict[str, str | None] = {"ITSMCTL_TODAY": None}
REVIEWS = "/repos/example-org/intranet-catalog/pulls/7/reviews"
COMMITS = "/repos/example-org/intranet-catalog/pulls/7/commits"
AUTHOR = "pat"  # who opened the pull request: no member of any team
OWNERS = "/orgs/example-org/teams/workplace/members"
CAB = "/orgs/example-org/teams/change-advisory-board/members"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV},
                          capture_output=True, text=True, check=True).stdout.strip()


Edit = tuple[str, str, str]  # file, old text, new text


def replace(repo: Path, edits: list[Edit]) -> None:
    for rel, old, new in edits:
        text = (repo / rel).read_text(encoding="utf-8")
        assert old in text, (rel, old)
        (repo / rel).write_text(text.replace(old, new), encoding="utf-8")


def scaffold_pr(tmp_path: Path, on_main: list[Edit], in_pr: list[Edit]) -> tuple[Path, str]:
    """The init scaffold with `on_main` edits committed on main, then a pull request lowering
    the intranet SLA (it needs the service owner, team workplace, and the CAB) with the
    `in_pr` edits; the repository and the head commit."""
    repo = tmp_path / "catalog"
    assert run_cli("init", str(repo), env=CLOCK).exit_code == 0
    replace(repo, on_main)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    replace(repo, [("slas/intranet-sla.yaml", "availability: 99.5", "availability: 99.0"),
                   *in_pr])
    git(repo, "commit", "-q", "-am", "lower the SLA")
    return repo, git(repo, "rev-parse", "HEAD")


@pytest.fixture
def pr(tmp_path: Path) -> tuple[Path, str]:
    """The init scaffold on main, and a pull request lowering the intranet SLA."""
    return scaffold_pr(tmp_path, [], [])


def pr_commits(repo: Path, base: str = "main") -> list[dict[str, Any]]:
    """The pull request's commits as GitHub lists them (oldest first), from the repository:
    their e-mails and messages; no GitHub account linked (`author`/`committer` null)."""
    log = git(repo, "log", "--reverse", "--format=%H%x1f%ae%x1f%ce%x1f%B%x1e", f"{base}..HEAD")
    out = []
    for record in filter(None, (r.strip("\n") for r in log.split("\x1e"))):
        sha, email, committer, message = record.split("\x1f")
        out.append(commit(sha, email=email, committer_email=committer, message=message))
    return out


def event_payload(repo: Path, head: str, **pull: Any) -> dict[str, Any]:
    """A `pull_request_review` payload (the fields GitHub sends that we read, and a few)."""
    return {"action": "submitted", "pull_request": {
        "number": 7, "state": "open", "user": user(AUTHOR),
        "head": {"sha": head, "ref": "pr"},
        "base": {"sha": git(repo, "rev-parse", "main"), "ref": "main"}, **pull}}


def check(repo: Path, github: FakeGitHub, head: str, *extra: str,
          env: dict[str, str | None] | None = None,
          payload: dict[str, Any] | None = None,
          commits: list[dict[str, Any]] | None = None) -> Result:
    """`check --require-approvals` of pull request #7 at `head`, as a review event runs it;
    GitHub lists the repository's commits since main unless `commits` says otherwise."""
    event = repo.parent / "event.json"
    event.write_text(json.dumps(payload or event_payload(repo, head)))
    github.routes[COMMITS] = pr_commits(repo) if commits is None else commits
    variables: dict[str, str | None] = {
        "GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": "example-org/intranet-catalog",
        "GITHUB_EVENT_PATH": str(event), "GITHUB_TOKEN": "t0ken", "GITHUB_ACTIONS": None,
        "GITHUB_STEP_SUMMARY": None, **(env or {})}
    # the scaffold was made today (its SLA is effective from today), so it is judged today
    variables.update(CLOCK)
    return run_cli("check", str(repo), "--base", "main", "--no-site",
                   "--require-approvals", *extra, env=variables)


def serve(github: FakeGitHub, reviews: list[Any]) -> None:
    github.routes[REVIEWS] = reviews
    github.routes[OWNERS] = [user("alex"), user("sam")]
    github.routes[CAB] = [user("robin"), user("alex")]


def test_without_approvals_it_fails_naming_who_could_approve(
        pr: tuple[Path, str], github: FakeGitHub, tmp_path: Path) -> None:
    repo, head = pr
    serve(github, [])
    comment = tmp_path / "comment.md"
    result = check(repo, github, head, "--comment", str(comment))
    assert result.exit_code == 1, result.output
    assert ("itsmctl check: FAIL (approvals: needs approval from role:service-owner,"
            " team:change-advisory-board)") in result.output
    assert ("role:service-owner: needs an approval of the head commit from one of @alex, @sam"
            in result.output)
    assert "team:change-advisory-board: needs an approval of the head commit from one of" \
        " @alex, @robin" in result.output
    body = comment.read_text(encoding="utf-8")
    headline = body.splitlines()[1]
    assert headline == ("## itsmctl check needs approval from role:service-owner,"
                        " team:change-advisory-board")
    assert "passed" not in headline


def test_approvals_of_the_head_commit_by_each_party_pass(pr: tuple[Path, str],
                                                         github: FakeGitHub,
                                                         tmp_path: Path) -> None:
    repo, head = pr
    github.page_size = 1  # every list is paginated: reviews and members over several pages
    serve(github, [review("sam", "COMMENTED", head, 1), review("sam", "APPROVED", head, 2),
                   review("robin", "APPROVED", head, 3)])
    comment = tmp_path / "comment.md"
    result = check(repo, github, head, "--comment", str(comment))
    assert result.exit_code == 0, result.output
    assert "role:service-owner: approved by @sam" in result.output
    assert "team:change-advisory-board: approved by @robin" in result.output
    assert comment.read_text().splitlines()[1] == \
        "## itsmctl check approved by every required party"
    assert sum(1 for path, _ in github.requests if path.startswith(REVIEWS)) == 3


def test_one_person_in_both_teams_approves_for_both(pr: tuple[Path, str],
                                                    github: FakeGitHub) -> None:
    repo, head = pr
    serve(github, [review("alex", "APPROVED", head)])
    assert check(repo, github, head).exit_code == 0


def test_an_approval_of_an_older_commit_does_not_count(pr: tuple[Path, str],
                                                       github: FakeGitHub) -> None:
    repo, head = pr
    serve(github, [review("sam", "APPROVED", head), review("robin", "APPROVED", "c" * 40)])
    result = check(repo, github, head, "--format", "json")
    assert result.exit_code == 1
    parties = {p["party"]: p for p in json.loads(result.stdout)["approvals"]["parties"]}
    assert parties["role:service-owner"]["approvedBy"] == ["sam"]
    assert parties["team:change-advisory-board"]["approved"] is False
    assert parties["team:change-advisory-board"]["couldApprove"] == ["alex", "robin"]


def test_the_pull_request_cannot_add_its_own_approver(pr: tuple[Path, str],
                                                      github: FakeGitHub) -> None:
    """The head moves the CAB's GitHub team to one its author controls: BASE decides."""
    repo, _ = pr
    team = repo / "teams" / "change-advisory-board.yaml"
    team.write_text(team.read_text().replace("example-org/change-advisory-board",
                                             "example-org/my-friends"))
    git(repo, "commit", "-q", "-am", "friendlier CAB")
    head = git(repo, "rev-parse", "HEAD")
    serve(github, [review("sam", "APPROVED", head), review("mallory", "APPROVED", head)])
    github.routes["/orgs/example-org/teams/my-friends/members"] = [user("mallory")]
    result = check(repo, github, head)
    assert result.exit_code == 1
    assert not any("my-friends" in path for path, _ in github.requests)


def test_a_change_without_required_approvals_asks_github_nothing(tmp_path: Path,
                                                                 github: FakeGitHub,
                                                                 invoke: Invoke) -> None:
    repo = tmp_path / "catalog"
    invoke("init", str(repo), env=CLOCK)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    result = check(repo, github, git(repo, "rev-parse", "HEAD"), env={"GITHUB_TOKEN": None})
    assert result.exit_code == 0, result.output
    assert github.requests == []


@pytest.mark.parametrize(("env", "message"), [
    ({"GITHUB_TOKEN": None}, "needs GITHUB_TOKEN"),
    ({"GITHUB_REPOSITORY": "not a repo"}, "needs GITHUB_REPOSITORY"),
    ({"GITHUB_REPOSITORY": "example-org/.."}, "needs GITHUB_REPOSITORY"),  # /repos/example-org/..
    ({"GITHUB_EVENT_PATH": None}, "needs GITHUB_EVENT_PATH"),
    ({"GITHUB_API_URL": "http://api.example.com"}, "is not an https URL"),
    ({"GITHUB_API_URL": "https://[api.github.com"}, "is no URL of an API host"),
    ({"GITHUB_API_URL": "https://ghe.example.com:abc/api/v3"}, "is no URL of an API host"),
    ({"GITHUB_API_URL": "https://ghe.example.com:99999/api/v3"}, "is no URL of an API host"),
    # a loopback name as the user part of a remote host's URL is no loopback
    ({"GITHUB_API_URL": "http://localhost:80@api.example.com"}, "is no URL of an API host"),
    ({"GITHUB_API_URL": "http://127.0.0.1@api.example.com"}, "is no URL of an API host"),
    # every request path is appended to it: after `?` or `#` it would name no endpoint
    ({"GITHUB_API_URL": "https://ghe.example.com/api/v3?x=1"}, "has a query or a fragment"),
    ({"GITHUB_API_URL": "https://ghe.example.com/api/v3?"}, "has a query or a fragment"),
    ({"GITHUB_API_URL": "https://api.github.com#top"}, "has a query or a fragment"),
])
def test_a_missing_environment_is_a_usage_error(pr: tuple[Path, str], github: FakeGitHub,
                                                env: dict[str, str | None], message: str) -> None:
    repo, head = pr
    result = check(repo, github, head, env=env)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("token", ["s3cr3t\r\nX-Injected: 1", "s3cr3t\nmore", "s3 cr3t",
                                   "s3cr\u00e9t"])
def test_a_token_no_header_can_carry_is_refused_and_never_shown(
        pr: tuple[Path, str], github: FakeGitHub, token: str) -> None:
    """A line break in GITHUB_TOKEN crashed in http.client (exit 3), and the internal-error
    line quoted the Authorization header it refused: the token, in the job's log."""
    repo, head = pr
    serve(github, [])
    result = check(repo, github, head, env={"GITHUB_TOKEN": token})
    assert result.exit_code == 2 and "GITHUB_TOKEN is no token" in result.output
    assert "s3" not in result.output and "cr3t" not in result.output
    assert "X-Injected" not in result.output
    assert github.requests == []


def test_an_event_that_is_no_pull_request_is_a_usage_error(pr: tuple[Path, str],
                                                           github: FakeGitHub) -> None:
    repo, _ = pr
    event = repo.parent / "push.json"
    event.write_text(json.dumps({"ref": "refs/heads/main", "after": "e" * 40}))
    result = check(repo, github, "e" * 40, env={"GITHUB_EVENT_PATH": str(event)})
    assert result.exit_code == 2 and "not about a pull request" in result.output


def test_an_event_nested_too_deeply_is_a_usage_error(pr: tuple[Path, str],
                                                    github: FakeGitHub) -> None:
    repo, head = pr
    event = repo.parent / "deep.json"
    event.write_text("[" * 100_000 + "]" * 100_000)
    result = check(repo, github, head, env={"GITHUB_EVENT_PATH": str(event)})
    assert result.exit_code == 2 and "cannot read the event payload" in result.output
    assert "Traceback" not in result.output


def test_team_members_the_token_cannot_read_say_which_permission(pr: tuple[Path, str],
                                                                 github: FakeGitHub) -> None:
    repo, head = pr
    serve(github, [])
    github.routes[OWNERS] = Error(404, {}, {"message": "Not Found"})
    result = check(repo, github, head)
    assert result.exit_code == 2
    assert "Members: read" in result.output and "workplace" in result.output


def test_a_rate_limit_is_a_usage_error_with_when_to_retry(pr: tuple[Path, str],
                                                          github: FakeGitHub) -> None:
    repo, head = pr
    github.routes[REVIEWS] = Error(403, {"x-ratelimit-remaining": "0",
                                         "x-ratelimit-reset": "1795435200"},
                                   {"message": "API rate limit exceeded"})
    result = check(repo, github, head)
    assert result.exit_code == 2
    assert "rate limit" in result.output and "resets at" in result.output


def config_pr(tmp_path: Path, on_main: dict[str, str | None]) -> tuple[Path, str]:
    """The init scaffold with `on_main` edits (None: remove) on main, and a pull request that
    switches a rule off in .itsmctl.yaml (a config change: the change process approves)."""
    repo = tmp_path / "catalog"
    assert run_cli("init", str(repo), env=CLOCK).exit_code == 0
    for rel, text in on_main.items():
        if text is None:
            (repo / rel).unlink()
        else:
            (repo / rel).write_text(text, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    config = repo / ".itsmctl.yaml"
    config.write_text(config.read_text().replace("rules: {}", 'rules: {review-overdue: "off"}'))
    git(repo, "commit", "-q", "-am", "switch a rule off")
    return repo, git(repo, "rev-parse", "HEAD")


MODEL = "change-models/normal-change.yaml"
CHANGE_RACI = "raci/change-process.yaml"
SWAP = ("role:change-manager: A, role:service-owner: C",
        "role:change-manager: C, role:service-owner: A")


def scaffold_text(tmp_path: Path, rel: str) -> str:
    scratch = tmp_path / "scratch"
    if not scratch.exists():
        run_cli("init", str(scratch), env=CLOCK)
    return (scratch / rel).read_text(encoding="utf-8")


def no_change_owner(tmp_path: Path) -> dict[str, str | None]:
    """Edits leaving the change process without an owner: its RACI makes only
    role:service-owner Accountable (nobody, for a config change), no change model has a CAB."""
    model = scaffold_text(tmp_path, MODEL).replace(
        "    cab: change-advisory-board     # the Team that authorizes\n", "")
    raci = scaffold_text(tmp_path, CHANGE_RACI).replace(SWAP[0], SWAP[1])
    return {MODEL: model, CHANGE_RACI: raci}


def test_a_config_change_needs_the_change_manager_not_a_service_owner(
        tmp_path: Path, github: FakeGitHub) -> None:
    """The scaffold's change-process RACI makes role:change-manager and role:service-owner
    Accountable; a config change concerns no service, so the change manager approves."""
    repo, head = config_pr(tmp_path, {})
    serve(github, [])
    result = check(repo, github, head)
    assert result.exit_code == 1, result.output
    assert "FAIL (approvals: needs approval from role:change-manager)" in result.output
    assert "role:change-manager: needs an approval of the head commit from one of @robin" \
        in result.output
    serve(github, [review("robin", "APPROVED", head)])
    assert check(repo, github, head).exit_code == 0


def test_catalog_maintainers_unmapped_fail_naming_the_config_key(
        tmp_path: Path, github: FakeGitHub) -> None:
    """No change-process RACI and no CAB: role:catalog-maintainers approves config changes.
    Unmapped, nobody can approve: the gate fails and says which key to map, never passes."""
    repo, head = config_pr(tmp_path, no_change_owner(tmp_path))
    serve(github, [review("alex", "APPROVED", head), review("robin", "APPROVED", head)])
    result = check(repo, github, head)
    assert result.exit_code == 1, result.output
    assert "FAIL (approvals: needs approval from role:catalog-maintainers)" in result.output
    assert ("role:catalog-maintainers: nobody on GitHub can approve for it"
            " (role:catalog-maintainers is not mapped in the config's roles; map it in"
            " .itsmctl.yaml, e.g. roles: {catalog-maintainers: [team:<team>]})") in result.output


def test_catalog_maintainers_mapped_on_the_base_branch_can_approve(
        tmp_path: Path, github: FakeGitHub) -> None:
    config = scaffold_text(tmp_path, ".itsmctl.yaml").replace(
        "roles:\n", "roles:\n  catalog-maintainers: [team:workplace]\n")
    repo, head = config_pr(tmp_path, {**no_change_owner(tmp_path), ".itsmctl.yaml": config})
    serve(github, [review("sam", "APPROVED", head)])
    result = check(repo, github, head)
    assert result.exit_code == 0, result.output
    assert "role:catalog-maintainers: approved by @sam" in result.output


def test_a_mapping_the_pull_request_adds_does_not_count(tmp_path: Path,
                                                        github: FakeGitHub) -> None:
    """Who holds a role is read from BASE: mapping catalog-maintainers to yourself in the
    same pull request leaves the approval unresolvable."""
    repo, _ = config_pr(tmp_path, no_change_owner(tmp_path))
    config = repo / ".itsmctl.yaml"
    config.write_text(config.read_text().replace(
        "roles:\n", "roles:\n  catalog-maintainers: [user:mallory]\n"))
    git(repo, "commit", "-q", "-am", "I maintain the catalog now")
    head = git(repo, "rev-parse", "HEAD")
    serve(github, [review("mallory", "APPROVED", head)])
    result = check(repo, github, head)
    assert result.exit_code == 1, result.output
    assert "role:catalog-maintainers is not mapped in the config's roles" in result.output


def test_service_owner_for_a_change_that_concerns_no_service_never_passes(
        tmp_path: Path, github: FakeGitHub) -> None:
    """role:service-owner required for an SLA change and for a process whose owner it is:
    the service's owner approving does not stand in for the process part, which names nobody
    until the config maps the role; the gate fails and says so."""
    incident = scaffold_text(tmp_path, "processes/incident.yaml").replace(
        "owner: role:incident-process-owner   #", "owner: role:service-owner   #")
    repo, _ = config_pr(tmp_path, {"processes/incident.yaml": incident})
    (repo / "processes" / "incident.yaml").write_text(incident.replace(
        "{impact: high, urgency: high, priority: P1}",
        "{impact: high, urgency: high, priority: P2}"), encoding="utf-8")
    sla = repo / "slas" / "intranet-sla.yaml"
    sla.write_text(sla.read_text().replace("availability: 99.5", "availability: 99.0"))
    git(repo, "commit", "-q", "-am", "a process and an SLA")
    head = git(repo, "rev-parse", "HEAD")
    serve(github, [review(login, "APPROVED", head) for login in ("alex", "sam", "robin")])
    result = check(repo, github, head, "--format", "json")
    assert result.exit_code == 1, result.output
    parties = {p["party"]: p for p in json.loads(result.stdout)["approvals"]["parties"]}
    owner = parties["role:service-owner"]
    assert owner["approved"] is False and owner["approvedBy"] == ["alex", "sam"]
    assert owner["notes"] == [
        ("role:service-owner names no one here: the change concerns no service (a config or"
         " policy file, a shared entity); map it in .itsmctl.yaml, e.g. roles: {service-owner:"
         " [team:<team>]}")]


def test_team_members_that_are_no_github_logins_are_neither_counted_nor_shown(
        pr: tuple[Path, str], github: FakeGitHub) -> None:
    """A login from the API goes into the log and the comment: one with a line break and a
    workflow command (a broken or hostile server) is left out, not printed."""
    repo, head = pr
    odd = "robin\n::error::approved"
    serve(github, [review("sam", "APPROVED", head), review(odd, "APPROVED", head)])
    github.routes[CAB] = [user(odd), user("alex")]
    result = check(repo, github, head, "--format", "text")
    assert result.exit_code == 1, result.output
    assert "team:change-advisory-board: needs an approval of the head commit from one of" \
        " @alex\n" in result.output
    assert "::error::" not in result.output
