"""Approvals enforced: which required parties the pull request's reviews satisfy.

A party is satisfied when one of the people who can act for it approved the head commit:
the members of its GitHub team (read from the API), or its people's logins. Who can act
comes from BASE (the approved catalog and config), so a pull request cannot name itself.
Each reviewer counts by their latest review that decides (APPROVED, CHANGES_REQUESTED or
DISMISSED; comments do not withdraw an approval, as on GitHub), and an approval counts
only when it was given on the head commit: a push after it needs a fresh one.
Nobody approves their own change: the pull request's author and the authors, committers
and co-authors of its commits never count (github/authorship.py), and a pull request whose
commits cannot all be listed satisfies no party. A party is blocked while one of the
people who can act for it has CHANGES_REQUESTED as their latest deciding review (on any
commit), whoever else approved.
`role:service-owner` is resolved per service the approval concerns, and every one of those
owners must approve. A party that resolves to nobody on GitHub (an unmapped role, a team
without `spec.github` or members with logins) can never be satisfied: the check fails and
says which config key or catalog field would resolve it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from itsmctl.catalog import Catalog
from itsmctl.diff.approvals import served_by
from itsmctl.diff.result import Approval
from itsmctl.github.authorship import Authorship, read_authorship
from itsmctl.github.client import GitHubClient
from itsmctl.github.event import PullRequest
from itsmctl.github.identities import LOGIN, GitHubParties, GitHubTeam, on_github
from itsmctl.model import Ref

DECISIVE = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")
MEMBERS_HINT = ("the token cannot read the team's members: give it the organization permission"
                " 'Members: read' (a fine-grained token or GitHub App token; the Actions"
                " GITHUB_TOKEN cannot read org teams), or check spec.github of the team")
REVIEWS_HINT = ("the token needs 'pull-requests: read' on this repository (permissions:"
                " pull-requests: read in the workflow)")


@dataclass(frozen=True)
class PartyApproval:
    """One required party: who approved for it, who could, what could not be resolved."""

    party: str
    approved_by: tuple[str, ...]
    could_approve: tuple[str, ...]
    notes: tuple[str, ...]
    satisfied: bool
    blocked_by: tuple[str, ...] = ()  # who can act for it and requested changes
    not_counted: tuple[str, ...] = ()  # "mallory approved but authored commits of ..."
    excluded: tuple[str, ...] = ()  # "alex opened this pull request": could act, wrote it

    @property
    def objection(self) -> str:
        """`bob requested changes`, `bob, eve requested changes`, or "" (one wording)."""
        return ", ".join(self.blocked_by) + " requested changes" if self.blocked_by else ""

    def to_dict(self) -> dict[str, Any]:
        return {"party": self.party, "approved": self.satisfied,
                "approvedBy": list(self.approved_by), "couldApprove": list(self.could_approve),
                "notes": list(self.notes), "blockedBy": list(self.blocked_by),
                "notCounted": list(self.not_counted), "excluded": list(self.excluded)}


@dataclass(frozen=True)
class ApprovalCheck:
    """The reviews of pull request `number` held against the required approvals."""

    number: int
    head_sha: str
    parties: tuple[PartyApproval, ...]
    approvers: tuple[str, ...]  # logins whose approval of the head commit counts
    refusal: str = ""  # why no approval counts at all (see github/authorship.py)

    @property
    def outstanding(self) -> tuple[PartyApproval, ...]:
        return tuple(p for p in self.parties if not p.satisfied)

    @property
    def blocked(self) -> tuple[str, ...]:
        """`approvals: blocked: bob requested changes (team:cab)`, one per blocked party:
        a failure to fix, not an approval to wait for."""
        return tuple(f"approvals: blocked: {p.objection} ({p.party})"
                     for p in self.parties if p.blocked_by)

    @property
    def failure(self) -> str:
        """`approvals: needs approval from ...` (the parties neither satisfied nor blocked)
        or "" when there are none."""
        waiting = [p.party for p in self.outstanding if not p.blocked_by]
        if not waiting:
            return ""
        return "approvals: needs approval from " + ", ".join(waiting)

    def approved_map(self) -> dict[str, tuple[str, ...]]:
        return {p.party: p.approved_by for p in self.parties if p.satisfied}

    def to_dict(self) -> dict[str, Any]:
        return {"pullRequest": self.number, "headSha": self.head_sha,
                "approvers": list(self.approvers), "refusal": self.refusal,
                "parties": [p.to_dict() for p in self.parties]}


def latest_decisions(reviews: Iterable[Any]) -> dict[str, tuple[str, str, str]]:
    """lower-case login -> (login, state, commit) of each reviewer's latest decisive review,
    in the API's chronological order; a state in any case is that state. A login that is
    none on GitHub (a bot's `name[bot]`, or a broken server's text that would go into the
    log) is left out."""
    latest: dict[str, tuple[str, str, str]] = {}
    for review in reviews:
        if not isinstance(review, dict):
            continue
        user, state = review.get("user"), review.get("state")
        login = user.get("login") if isinstance(user, dict) else None
        state = state.upper() if isinstance(state, str) else None  # no objection lost to case
        if isinstance(login, str) and LOGIN.fullmatch(login) and state in DECISIVE:
            latest[login.lower()] = (login, state, str(review.get("commit_id") or ""))
    return latest


def review_fields(review: Any) -> dict[str, Any] | None:
    """What `latest_decisions` reads of a review as the API lists it (strings or None,
    which it reads alike), so the rest of its page can go."""
    if not isinstance(review, dict):
        return None
    user, state, commit = review.get("user"), review.get("state"), review.get("commit_id")
    login = user.get("login") if isinstance(user, dict) else None
    return {"user": {"login": login if isinstance(login, str) else None},
            "state": state if isinstance(state, str) else None,
            "commit_id": commit if isinstance(commit, str) else None}  # a head SHA is one


def approving_logins(reviews: Iterable[Any], head_sha: str) -> dict[str, str]:
    """lower-case login -> login of everyone whose latest decisive review is APPROVED on
    `head_sha` (see `latest_decisions`)."""
    return {key: login for key, (login, state, commit) in latest_decisions(reviews).items()
            if state == "APPROVED" and commit == head_sha}


def objecting_logins(reviews: Iterable[Any]) -> dict[str, str]:
    """lower-case login -> login of everyone whose latest decisive review is
    CHANGES_REQUESTED, on whichever commit: a push does not withdraw an objection, only the
    reviewer (approving) or a dismissal does."""
    return {key: login for key, (login, state, _) in latest_decisions(reviews).items()
            if state == "CHANGES_REQUESTED"}


class TeamMembers(Protocol):
    """Who belongs to a GitHub team (the API; or, offline, the catalog's member logins)."""

    def of(self, team: GitHubTeam) -> tuple[str, ...]: ...


class _Members:
    """GitHub team members, read once per team."""

    def __init__(self, client: GitHubClient) -> None:
        self.client, self.cache = client, dict[GitHubTeam, tuple[str, ...]]()

    def of(self, team: GitHubTeam) -> tuple[str, ...]:
        if team not in self.cache:
            logins = self.client.get_list(f"/orgs/{team.org}/teams/{team.slug}/members",
                                          f"the members of team {team.org}/{team.slug}",
                                          forbidden_hint=MEMBERS_HINT, keep=_member_login)
            self.cache[team] = tuple(login for login in logins if login is not None)
        return self.cache[team]


def _member_login(user: Any) -> str | None:
    login = user.get("login") if isinstance(user, dict) else None
    return login if isinstance(login, str) and LOGIN.fullmatch(login) else None


def check_approvals(required: Iterable[Approval], base: Catalog, head: Catalog,
                    roles: Mapping[str, tuple[str, ...]], client: GitHubClient,
                    pr: PullRequest) -> ApprovalCheck:
    """Read the reviews, the commits (who wrote the pull request) and team members, and
    judge every required party."""
    reviews = client.get_list(pr.reviews_path, f"the reviews of pull request #{pr.event.number}",
                              forbidden_hint=REVIEWS_HINT, keep=review_fields)
    authors = read_authorship(client, pr, (base, head))
    approving = approving_logins(reviews, pr.event.head_sha)
    members = _Members(client)
    parties = judge_parties(required, base, head, roles, members, approving,
                            authors=authors, objecting=objecting_logins(reviews))
    counted = (login for key, login in approving.items()
               if not authors.refusal and not authors.why(key))
    return ApprovalCheck(pr.event.number, pr.event.head_sha, parties, tuple(sorted(counted)),
                         authors.refusal)


def judge_parties(required: Iterable[Approval], base: Catalog, head: Catalog,
                  roles: Mapping[str, tuple[str, ...]], members: TeamMembers,
                  approving: Mapping[str, str], *, authors: Authorship | None = None,
                  objecting: Mapping[str, str] | None = None) -> tuple[PartyApproval, ...]:
    """Every required party held against `approving` (see `approving_logins`), without
    the approvals of `authors` and blocked by `objecting` (see `objecting_logins`); also
    used offline by the site (`render --pull-requests`), with the catalog's member logins."""
    verdict = _Verdict(approving, authors or Authorship(), objecting or {})
    return tuple(_judge(a, base, head, dict(roles), members, verdict) for a in required)


@dataclass(frozen=True)
class _Verdict:
    approving: Mapping[str, str]
    authors: Authorship
    objecting: Mapping[str, str]


def _judge(approval: Approval, base: Catalog, head: Catalog, roles: dict[str, tuple[str, ...]],
           members: TeamMembers, verdict: _Verdict) -> PartyApproval:
    groups = list(dict.fromkeys(on_github(approval.party, roles, base, owner)
                                for owner in owners_of(approval, base, head)))
    could: dict[str, None] = {}
    approved: dict[str, None] = {}
    notes: dict[str, None] = {}
    blocked: dict[str, None] = {}
    not_counted: dict[str, None] = {}
    excluded: dict[str, None] = {}
    satisfied = True
    for group in groups:
        logins = _logins(group, members)
        notes.update(dict.fromkeys(group.unresolved))
        blocked.update(dict.fromkeys(verdict.objecting[k] for k in map(str.lower, logins)
                                     if k in verdict.objecting))
        hits = []
        for login in logins:
            why, given = verdict.authors.why(login), verdict.approving.get(login.lower())
            if why and given:
                not_counted[f"{given} approved but {why}"] = None
            elif why:
                excluded[f"{login} {why}"] = None
            elif given and not verdict.authors.refusal:
                hits.append(given)
            if not why:
                could[login] = None
        approved.update(dict.fromkeys(hits))
        satisfied = satisfied and bool(hits)
    if verdict.authors.refusal:
        notes[verdict.authors.refusal] = None
    return PartyApproval(approval.party, tuple(sorted(approved)), tuple(sorted(could)),
                         tuple(notes), satisfied and bool(groups) and not blocked,
                         tuple(sorted(blocked)), tuple(sorted(not_counted)),
                         tuple(sorted(excluded)))


def _logins(group: GitHubParties, members: TeamMembers) -> list[str]:
    out = [login for team in group.teams for login in members.of(team)]
    out += list(group.logins) + [login for _, logins in group.fallback for login in logins]
    return list(dict.fromkeys(out))


def owners_of(approval: Approval, base: Catalog, head: Catalog) -> list[str | None]:
    """The owner teams of the services the approval concerns (BASE's, else HEAD's for an
    entity the change adds), for `role:service-owner`; None for each entity that concerns
    no service (a config or policy change), so that part is judged too and, unless the
    config maps the role, stays unresolved rather than passing on another service's owner."""
    owners: list[str | None] = []
    for text in approval.entities:
        kind, _, name = text.partition(":")
        entity = base.get(Ref(kind, name)) or head.get(Ref(kind, name))
        service_ref = served_by(entity) if entity is not None else None
        service = base.get(service_ref) or head.get(service_ref)
        owner = service.get("spec", "owner") if service is not None else None
        if isinstance(owner, str) and owner:
            owners.append(owner.partition(":")[2] if ":" in owner else owner)
        else:
            owners.append(None)
    return list(dict.fromkeys(owners)) or [None]
