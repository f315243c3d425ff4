"""The pull request a GitHub Actions run is about, from its environment and event file.

Read once, at the command boundary (`check --require-approvals`): GITHUB_API_URL,
GITHUB_REPOSITORY, GITHUB_TOKEN, and the pull request's number and head SHA from the event
payload at GITHUB_EVENT_PATH (`pull_request` and `pull_request_review` events).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from itsmctl.github.client import GitHubError

MAX_EVENT_BYTES = 16 * 1024 * 1024
_REPO = re.compile(r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<name>[A-Za-z0-9._-]{1,100})")
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class PullRequest:
    api_url: str
    token: str
    owner: str
    repo: str
    number: int
    head_sha: str

    @property
    def reviews_path(self) -> str:
        return f"/repos/{self.owner}/{self.repo}/pulls/{self.number}/reviews"


def pull_request_from_env(env: Mapping[str, str]) -> PullRequest:
    """The pull request of this run, or a GitHubError saying what is missing."""
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise GitHubError("--require-approvals needs GITHUB_TOKEN to read the reviews",
                          "pass it to the step: env: {GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}}"
                          " (a token that can read org teams when teams approve)")
    api_url = env.get("GITHUB_API_URL", "https://api.github.com").strip().rstrip("/")
    parts = urlsplit(api_url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.netloc.split(":")[0]
                                         in _LOOPBACK):
        raise GitHubError(f"GITHUB_API_URL {api_url!r} is not an https URL",
                          "the token is only sent over https")
    match = _REPO.fullmatch(env.get("GITHUB_REPOSITORY", ""))
    if match is None:
        raise GitHubError("--require-approvals needs GITHUB_REPOSITORY (owner/repo)",
                          "run it in GitHub Actions, or set it")
    number, head = _event(env.get("GITHUB_EVENT_PATH", ""))
    return PullRequest(api_url, token, match["owner"], match["name"], number, head)


def _event(path: str) -> tuple[int, str]:
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
    number = pull.get("number") if isinstance(pull, dict) else None
    head = pull.get("head") if isinstance(pull, dict) else None
    sha = head.get("sha") if isinstance(head, dict) else None
    if isinstance(number, bool) or not isinstance(number, int) or number < 1 \
            or not isinstance(sha, str) or not _SHA.fullmatch(sha):
        raise GitHubError("the event is not about a pull request (no pull_request.number and"
                          " head.sha)", hint)
    return number, sha
