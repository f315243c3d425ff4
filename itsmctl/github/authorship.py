"""Who wrote a pull request: the people whose approval of it never counts.

Nobody approves their own change. The pull request's author, and every author, committer
and `Co-authored-by:` co-author of its commits, are left out of the approvers of every
party, whatever they reviewed. A commit names a person by GitHub login (`author.login`,
`committer.login`, set when GitHub linked the e-mail to an account) and by e-mail
(`commit.author.email`, `commit.committer.email`, the trailers): an e-mail is mapped to the
`github` login of every catalog member listed with it (a member two people share leaves
both out), and GitHub's `users.noreply.github.com` addresses (an Enterprise Server's
`users.noreply.<hostname>`) name their login themselves.
GitHub lists at most 250 commits of a pull request: one with more cannot be known in full,
so nothing counts (`refusal`) rather than judging on part of it, and a full list is taken as
cut even when the payload counted fewer (a push since the event can add commits whose dates
sort them before those of the reviewed head); nor when the list no longer holds the
reviewed head (a force-push since the event).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from itsmctl.catalog import Catalog
from itsmctl.github.client import GitHubClient
from itsmctl.github.event import PullRequest
from itsmctl.github.identities import LOGIN
from itsmctl.members import MemberIndex

MAX_LISTED = 250  # GitHub's "List commits on a pull request" stops there
COMMITS_HINT = ("the token needs 'pull-requests: read' and 'contents: read' on this"
                " repository (permissions in the workflow)")
# any whitespace but a line break ([^\S\n]: CR, tabs, no-break spaces) around the key, the
# colon and the address; no two neighbouring parts share a character, so a long line is
# scanned once (overlapping ones backtracked: a megabyte of spaces took hours)
_TRAILER = re.compile(r"^[^\S\n]*co-authored-by[^\S\n]*:[^\n<>]*<[^\S\n]*([^<>\s]{1,320})"
                      r"[^\S\n]*>[^\S\n]*$", re.IGNORECASE | re.MULTILINE)
# github.com's, or an Enterprise Server's (`users.noreply.<its hostname>`): naming a login
# can only leave someone out, which anyone can do with a trailer already
_NOREPLY = re.compile(r"(?:[0-9]{1,20}\+)?([A-Za-z0-9-]{1,39})"
                      r"@users\.noreply\.[A-Za-z0-9.-]{1,253}", re.IGNORECASE)
# why a login's approval does not count, most telling first
OPENED = "opened this pull request"
AUTHORED = "authored commits of this pull request"
COMMITTED = "committed commits of this pull request"
CO_AUTHORED = "co-authored commits of this pull request"
_ORDER = (OPENED, AUTHORED, COMMITTED, CO_AUTHORED)


@dataclass(frozen=True)
class Authorship:
    """lower-case login -> why its approval does not count; `refusal`: why no approval
    counts at all (the commits could not all be listed)."""

    reasons: dict[str, str] = field(default_factory=dict)
    refusal: str = ""

    def why(self, login: str) -> str:
        """"" when `login` may approve, else the reason it may not."""
        return self.reasons.get(login.lower(), "")


def read_authorship(client: GitHubClient, pr: PullRequest,
                    catalogs: Iterable[Catalog]) -> Authorship:
    """The pull request's commits, read through the one client (its pages, bytes and
    deadline), mapped to logins with the members of `catalogs` (BASE's; HEAD's may only
    add people to leave out)."""
    if pr.event.commits is not None and pr.event.commits > MAX_LISTED:
        return Authorship(_opened(pr), _too_many(pr.event.commits))
    commits = client.get_list(pr.commits_path, f"the commits of pull request #{pr.event.number}",
                              forbidden_hint=COMMITS_HINT, keep=commit_fields)
    if len(commits) >= MAX_LISTED:  # cut, whatever the payload counted before a push
        return Authorship(_opened(pr), _too_many(len(commits), at_least=True))
    if not any(isinstance(c, dict) and c.get("sha") == pr.event.head_sha for c in commits):
        return Authorship(_opened(pr), (
            f"the pull request's commits no longer include its head {pr.event.head_sha[:12]} (it"
            " was pushed to since this event), so who wrote what was reviewed cannot be"
            " known and no approval counts; the run for the new head decides"))
    return authorship(pr.event.author, commits, catalogs)


def commit_fields(item: Any) -> dict[str, Any] | None:
    """What `authorship` and the head check read of a commit as the API lists it (strings
    or None, which they read alike), so the rest of its page can go."""
    if not isinstance(item, dict):
        return None
    inner = item.get("commit")
    commit: dict[str, Any] = inner if isinstance(inner, dict) else {}
    return {"sha": _string(item, "sha"),
            "author": {"login": _string(item.get("author"), "login")},
            "committer": {"login": _string(item.get("committer"), "login")},
            "commit": {"author": {"email": _string(commit.get("author"), "email")},
                       "committer": {"email": _string(commit.get("committer"), "email")},
                       "message": _string(commit, "message")}}


def _string(holder: Any, key: str) -> str | None:
    value = holder.get(key) if isinstance(holder, dict) else None
    return value if isinstance(value, str) else None


def authorship(author: str, commits: Iterable[Any], catalogs: Iterable[Catalog]) -> Authorship:
    """Who wrote the pull request opened by `author`, from its commits as the API lists
    them (see the module docstring)."""
    indexes = [MemberIndex.of(catalog) for catalog in catalogs]
    found: dict[str, set[str]] = {}

    def add(login: object, reason: str) -> None:
        if isinstance(login, str) and LOGIN.fullmatch(login):
            found.setdefault(login.lower(), set()).add(reason)

    def add_email(email: object, reason: str) -> None:
        if not isinstance(email, str) or "@" not in email:
            return
        noreply = _NOREPLY.fullmatch(email.strip())
        if noreply:
            add(noreply.group(1), reason)
        for index in indexes:
            for member in index.match(email).candidates:
                add(member.github, reason)

    add(author, OPENED)
    for item in commits:
        if not isinstance(item, dict):
            continue
        inner = item.get("commit")
        commit: dict[str, Any] = inner if isinstance(inner, dict) else {}
        for role, reason in (("author", AUTHORED), ("committer", COMMITTED)):
            user, person = item.get(role), commit.get(role)
            add(user.get("login") if isinstance(user, dict) else None, reason)
            add_email(person.get("email") if isinstance(person, dict) else None, reason)
        message = commit.get("message")
        for email in _TRAILER.findall(message) if isinstance(message, str) else ():
            add_email(email, CO_AUTHORED)
    return Authorship({login: next(r for r in _ORDER if r in reasons)
                       for login, reasons in found.items()})


def _opened(pr: PullRequest) -> dict[str, str]:
    return {pr.event.author.lower(): OPENED} if pr.event.author else {}


def _too_many(count: int, *, at_least: bool = False) -> str:
    many = f"{'at least ' if at_least else ''}{count} commits"
    return (f"the pull request has {many} and GitHub lists only {MAX_LISTED}, so who wrote"
            " them cannot be known and no approval counts; split it into smaller pull"
            " requests (or squash its commits)")
