"""The pull request a GitHub Actions run is about, from its environment and event file.

Read once, at the command boundary (`check --require-approvals`): GITHUB_API_URL,
GITHUB_REPOSITORY, GITHUB_TOKEN, and from the event payload at GITHUB_EVENT_PATH
(`pull_request` and `pull_request_review` events) the pull request's number, head and base
SHAs, its author (`user.login`: never an approver of it) and, when the payload says, how
many commits it has (GitHub lists at most 250 of them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from itsmctl.github.client import GitHubClient, GitHubError
from itsmctl.github.identities import LOGIN

MAX_EVENT_BYTES = 16 * 1024 * 1024
_REPO = re.compile(r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<name>[A-Za-z0-9._-]{1,100})")
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_TOKEN = re.compile(r"[!-~]+")  # what an Authorization header can carry (no CR, LF, space)
_LOOPBACK = ("127.0.0.1", "localhost", "::1")  # urlsplit's hostname: lower case, no []

# who opened it: a person's login, or an app's `name[bot]` (Dependabot, Renovate), which
# approves nothing anyway (a bot's review never counts, approvals.latest_decisions)
_AUTHOR = re.compile(LOGIN.pattern + r"(?:\[bot\])?")


@dataclass(frozen=True)
class PullEvent:
    """What the event payload says about the pull request (no token, no network)."""

    number: int
    head_sha: str
    base_sha: str
    author: str
    commits: int | None


@dataclass(frozen=True)
class PullRequest:
    """The pull request of this run as the API is asked about it: where, with which token,
    and its event (one record of number, head, base and author, read once)."""

    api_url: str
    token: str
    owner: str
    repo: str
    event: PullEvent  # what the payload says of it: number, head and base, author

    @property
    def reviews_path(self) -> str:
        return f"/repos/{self.owner}/{self.repo}/pulls/{self.event.number}/reviews"

    @property
    def commits_path(self) -> str:
        return f"/repos/{self.owner}/{self.repo}/pulls/{self.event.number}/commits"


class Connection:
    """The GitHub side of one Actions run, from its environment (handed over by the
    command): the event, read once and without the token, to judge the checkout; the
    client, opened only when the change needs approvals."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self._event: PullEvent | None = None

    def event(self) -> PullEvent:
        if self._event is None:
            self._event = pull_event(self.env)
        return self._event

    def open(self) -> tuple[GitHubClient, PullRequest]:
        pull_request = pull_request_from_env(self.env, self.event())
        return GitHubClient(pull_request.api_url, pull_request.token), pull_request


def pull_request_from_env(env: Mapping[str, str],
                          event: PullEvent | None = None) -> PullRequest:
    """The pull request of this run (of `event` when read already), or a GitHubError
    saying what is missing."""
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise GitHubError("--require-approvals needs GITHUB_TOKEN to read the reviews",
                          "pass it to the step: env: {GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}}"
                          " (a token that can read org teams when teams approve)")
    if not _TOKEN.fullmatch(token):  # never quoted: http.client's refusal quoted it whole
        raise GitHubError("GITHUB_TOKEN is no token: it holds a space, a line break or a"
                          " character outside printable ASCII",
                          "set the secret again, the token alone")
    api_url = env.get("GITHUB_API_URL", "https://api.github.com").strip().rstrip("/")
    try:
        parts = urlsplit(api_url)
        host = parts.hostname
        parts.port  # noqa: B018 - read to refuse `https://host:abc` here, not at the request
    except ValueError:  # a bracketed host that is no IPv6 address, a port that is no number
        host = None
    if not host or "@" in parts.netloc:  # `http://localhost:80@evil.example` is no loopback
        raise GitHubError(f"GITHUB_API_URL {api_url!r} is no URL of an API host",
                          "set it to the REST API's URL, like https://api.github.com")
    if "?" in api_url or "#" in api_url:  # each request's path is appended to it
        raise GitHubError(f"GITHUB_API_URL {api_url!r} has a query or a fragment",
                          "set it to the REST API's URL alone, like https://api.github.com"
                          " or https://ghe.example.com/api/v3")
    if parts.scheme != "https" and not (parts.scheme == "http" and host in _LOOPBACK):
        raise GitHubError(f"GITHUB_API_URL {api_url!r} is not an https URL",
                          "the token is only sent over https")
    match = _REPO.fullmatch(env.get("GITHUB_REPOSITORY", ""))
    if match is None or match["name"] in (".", ".."):  # no repository: a step up the path
        raise GitHubError("--require-approvals needs GITHUB_REPOSITORY (owner/repo)",
                          "run it in GitHub Actions, or set it")
    event = event or pull_event(env)
    return PullRequest(api_url, token, match["owner"], match["name"], event)


def pull_event(env: Mapping[str, str]) -> PullEvent:
    """The pull request the event payload at GITHUB_EVENT_PATH is about, or a GitHubError
    (exit 2) saying what is missing. A payload without the author or the base SHA is
    refused, never guessed: both decide who may approve."""
    return _event(env.get("GITHUB_EVENT_PATH", ""))


def _event(path: str) -> PullEvent:
    hint = ("run it on pull_request and pull_request_review events; GITHUB_EVENT_PATH names"
            " their payload")
    if not path:
        raise GitHubError("--require-approvals needs GITHUB_EVENT_PATH (the event payload)", hint)
    try:
        with open(Path(path), "rb") as handle:
            data = handle.read(MAX_EVENT_BYTES + 1)
        if len(data) > MAX_EVENT_BYTES:
            raise GitHubError(f"the event payload {path} is larger than 16 MiB", hint)
        payload = json.loads(data)
    except (OSError, ValueError, RecursionError) as error:
        raise GitHubError(f"cannot read the event payload {path}: {error}", hint) from None
    pull = payload.get("pull_request") if isinstance(payload, dict) else None
    pull = pull if isinstance(pull, dict) else {}
    number = pull.get("number")
    sha = _field(pull, "head", "sha")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1 \
            or not isinstance(sha, str) or not _SHA.fullmatch(sha):
        raise GitHubError("the event is not about a pull request (no pull_request.number and"
                          " head.sha)", hint)
    base, author = _field(pull, "base", "sha"), _field(pull, "user", "login")
    if not isinstance(base, str) or not _SHA.fullmatch(base):
        raise GitHubError("the event payload has no pull_request.base.sha: the base the"
                          " approvals are judged against is unknown", hint)
    if not isinstance(author, str) or not _AUTHOR.fullmatch(author):
        raise GitHubError("the event payload has no pull_request.user.login: who opened the"
                          " pull request (who never approves it) is unknown", hint)
    commits = pull.get("commits")
    count = commits if isinstance(commits, int) and not isinstance(commits, bool) else None
    return PullEvent(number, sha, base, author, count)


def _field(data: dict[str, Any], key: str, name: str) -> Any:
    inner = data.get(key)
    return inner.get(name) if isinstance(inner, dict) else None
