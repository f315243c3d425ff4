"""Evidence of approval: merged pull requests (as `gh pr list` writes them) held against the
approvals each change needed (`render --since REF --pull-requests FILE`).

The file is what

    gh pr list --state merged \
      --json number,title,url,author,mergedBy,mergedAt,mergeCommit,headRefOid,reviews

prints (without `headRefOid`, a squashed or rebased pull request's approvals count on any
commit, and the page says so): a JSON list of objects with `number`, `title`, `url`,
`author.login`, `mergedBy.login`, `mergedAt`, `mergeCommit.oid`, `headRefOid` and
`reviews[]` (each with `author.login`, `state`, `submittedAt` and, in recent gh versions,
`commit.oid`). It is hostile input: its size and length are bounded, every field is checked
before use (a bad file is a usage error naming the item and field), logins must be GitHub
logins, links must be https, and the pages escape everything. Two pull requests claiming one
merge commit are a usage error (which one merged it cannot be told from the file).

Each commit that reached the branch since SINCE (`git log --first-parent`) is matched to the
pull request whose `mergeCommit.oid` it is; a commit without one is flagged. For each matched
pull request the diff engine computes the approvals its merge needed (`diff_refs(parent,
merge)`, as `check --require-approvals` does for an open one) and `github.approvals` judges
them against the approving reviews: a reviewer counts by their latest decisive review, on
the head commit when the file says which that is (a merge commit's second parent, or
`headRefOid`). Nobody approves their own change: a review by the pull request's author does
not count (the page says so). Who may approve comes from the parent commit (BASE).
Offline there is no GitHub API: a GitHub team's members are the `members[].github` logins of
the catalog team that names it in `spec.github`.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itsmctl.errors import ItsmctlError
from itsmctl.github.identities import LOGIN, GitHubTeam, github_team, member_logins
from itsmctl.site.context import Commit

if TYPE_CHECKING:
    from itsmctl.catalog import Catalog
    from itsmctl.git import Repo
    from itsmctl.github.approvals import PartyApproval
    from itsmctl.runcontext import RunContext

MAX_BYTES = 16 * 1_048_576
MAX_PULL_REQUESTS = 10_000
MAX_REVIEWS = 1_000  # per pull request
MAX_NUMBER = 2**31 - 1  # GitHub numbers issues and pull requests with 32-bit integers
MAX_JUDGED = 100  # pull requests whose approvals are computed (one diff each), newest first
TEXT_CHARS = 500
_SHA = re.compile(r"[0-9a-f]{40}\Z")
# printable ASCII only, as GitHub writes them: a bidi override or control character in a link
# was kept in the href (shown escaped, so the link led somewhere else)
_URL = re.compile(r"https://[!#-&(-;=?-\[\]-_a-~]+\Z")
STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING")
FIELDS = "number,title,url,author,mergedBy,mergedAt,mergeCommit,headRefOid,reviews"
HINT = f"write the file with `gh pr list --state merged --json {FIELDS} > prs.json`"


@dataclass(frozen=True)
class Review:
    login: str
    state: str
    submitted_at: str
    commit: str  # "" when the file does not say
    submitted: float = -math.inf  # the instant of submitted_at (-inf: the file does not say)


@dataclass(frozen=True)
class PullRequestRecord:
    """One merged pull request, as checked from the file."""

    number: int
    title: str
    url: str | None
    author: str
    merged_by: str
    merged_at: str
    merge_commit: str
    head: str  # headRefOid, "" when absent
    reviews: tuple[Review, ...]

    def by_author(self, review: Review) -> bool:
        """A review of the pull request's own author (never an approval of it)."""
        return bool(self.author) and review.login.lower() == self.author.lower()

    @property
    def approvers(self) -> tuple[str, ...]:
        """Who approved, the author's own approval left out."""
        return tuple(sorted({r.login for r in self.reviews
                             if r.state == "APPROVED" and not self.by_author(r)}))

    @property
    def self_approved(self) -> bool:
        return any(r.state == "APPROVED" and self.by_author(r) for r in self.reviews)


@dataclass(frozen=True)
class PullRequestEvidence:
    """A pull request matched to its merge commit, and the approvals its changes needed."""

    record: PullRequestRecord
    commit: Commit
    changes: tuple[str, ...]
    parties: tuple[PartyApproval, ...]
    judged: bool
    note: str = ""

    @property
    def outstanding(self) -> tuple[PartyApproval, ...]:
        return tuple(p for p in self.parties if not p.satisfied)


@dataclass(frozen=True)
class ApprovalEvidence:
    """Every commit since SINCE on the branch: its pull request, or none."""

    source: str
    pulls: tuple[PullRequestEvidence, ...]
    without_pull_request: tuple[Commit, ...]
    records: int
    branch: tuple[tuple[Commit, int | None], ...] = ()  # newest first, with its PR number

    def pulls_of(self, ref: str) -> list[PullRequestEvidence]:
        return [p for p in self.pulls if ref in p.changes]

    def pull_of(self, sha: str) -> PullRequestEvidence | None:
        return next((p for p in self.pulls if p.commit.sha == sha), None)


# --- reading the file -----------------------------------------------------------------------

class _Bad(Exception):
    pass


def read_pull_requests(path: Path) -> tuple[PullRequestRecord, ...]:
    """The merged pull requests of `path`, checked; a usage error says what is wrong where."""
    data = _read_bounded(path)
    try:
        items = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # bad UTF-8/JSON, deep nesting, huge integers
        reason = str(exc).split(";")[0][:200]
        raise ItsmctlError(f"{path}: not a JSON file ({reason})", HINT) from None
    if not isinstance(items, list):
        raise ItsmctlError(f"{path}: expected a JSON list of pull requests", HINT)
    if len(items) > MAX_PULL_REQUESTS:
        raise ItsmctlError(f"{path}: {len(items)} pull requests; at most"
                           f" {MAX_PULL_REQUESTS:,} are read", "pass fewer (gh pr list --limit N)")
    out = []
    for index, item in enumerate(items):
        try:
            out.append(_record(item))
        except _Bad as bad:
            raise ItsmctlError(f"{path}: pull request [{index}]{_named(item)}: {bad}",
                               HINT) from None
    claimed: dict[str, PullRequestRecord] = {}
    for record in out:
        first = claimed.setdefault(record.merge_commit, record) if record.merge_commit else None
        if first is not None and first is not record:
            raise ItsmctlError(
                f"{path}: pull requests #{first.number} and #{record.number} both claim merge"
                f" commit {record.merge_commit[:12]}: the file cannot say which one merged it",
                "write the file again from one repository with gh pr list; remove the"
                " duplicate")
    return tuple(out)


def _named(item: Any) -> str:
    """` #12` when the item carries a usable number, so an error names the pull request."""
    number = item.get("number") if isinstance(item, dict) else None
    usable = isinstance(number, int) and not isinstance(number, bool) \
        and 0 < number <= MAX_NUMBER
    return f" #{number}" if usable else ""


def _read_bounded(path: Path) -> bytes:
    try:  # O_NONBLOCK: opening a named pipe must not wait for a writer; fstat refuses it
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ItsmctlError(f"{path} is not a regular file", HINT)
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ItsmctlError(f"cannot read {path}: {exc.strerror or exc}", HINT) from None
    if len(data) > MAX_BYTES:
        raise ItsmctlError(f"{path} is larger than {MAX_BYTES // 1_048_576} MiB",
                           "pass fewer pull requests (gh pr list --limit N, --search merged:>DATE)")
    return data


def _field(item: Mapping[str, Any], name: str, kind: type, optional: bool = False) -> Any:
    value = item.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _Bad(f"{name} is missing or not a {kind.__name__}")
    return value


def _text(item: Mapping[str, Any], name: str, optional: bool = True) -> str:
    value = _field(item, name, str, optional)
    return value[:TEXT_CHARS] if isinstance(value, str) else ""


def _login(item: Mapping[str, Any], name: str) -> str:
    """`author.login`; a deleted account (`null`, or gh's `ghost`) reads as ""."""
    who = _field(item, name, dict, optional=True)
    if who is None:
        return ""
    login = who.get("login")
    if login in (None, ""):
        return ""
    if not isinstance(login, str) or not LOGIN.fullmatch(login.removesuffix("[bot]")):
        raise _Bad(f"{name}.login is not a GitHub login")
    return login


def _oid(item: Mapping[str, Any], name: str) -> str:
    holder = _field(item, name, dict, optional=True)
    oid = holder.get("oid") if holder is not None else None
    if oid is None:
        return ""
    if not isinstance(oid, str) or not _SHA.match(oid):
        raise _Bad(f"{name}.oid is not a 40-character commit id")
    return oid


def _time(item: Mapping[str, Any], name: str) -> tuple[str, float]:
    """An optional ISO 8601 time with its offset (gh writes `2026-11-23T10:00:00Z`) and its
    instant, so reviews are ordered by when they happened, not by how the text sorts."""
    text = _text(item, name)
    if not text:
        return "", -math.inf
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise _Bad(f"{name} {text[:40]!r} is not an ISO 8601 time with an offset"
                   " (gh writes 2026-11-23T10:00:00Z)")
    return text, when.timestamp()


def _record(item: Any) -> PullRequestRecord:
    if not isinstance(item, dict):
        raise _Bad("not a JSON object")
    number = _field(item, "number", int)
    if number <= 0:
        raise _Bad("number is not a positive integer")
    if number > MAX_NUMBER:  # never printed: it may have thousands of digits
        raise _Bad(f"number is larger than {MAX_NUMBER:,}, which no pull request has")
    url = _text(item, "url")
    reviews = _field(item, "reviews", list, optional=True) or []
    if len(reviews) > MAX_REVIEWS:
        raise _Bad(f"more than {MAX_REVIEWS} reviews")
    head = item.get("headRefOid")
    if head is not None and (not isinstance(head, str) or not _SHA.match(head)):
        raise _Bad("headRefOid is not a 40-character commit id")
    return PullRequestRecord(
        number=number, title=_text(item, "title"), url=url if _URL.match(url) else None,
        author=_login(item, "author"), merged_by=_login(item, "mergedBy"),
        merged_at=_time(item, "mergedAt")[0], merge_commit=_oid(item, "mergeCommit"),
        head=head or "", reviews=tuple(_review(r, i) for i, r in enumerate(reviews)))


def _review(item: Any, index: int) -> Review:
    try:
        if not isinstance(item, dict):
            raise _Bad("not a JSON object")
        state = _text(item, "state", optional=False)
        if state not in STATES:
            raise _Bad(f"state {state[:40]!r} is not one of {', '.join(STATES)}")
        submitted_at, submitted = _time(item, "submittedAt")
        return Review(_login(item, "author"), state, submitted_at, _oid(item, "commit"),
                      submitted)
    except _Bad as bad:
        raise _Bad(f"reviews[{index}]: {bad}") from None


# --- holding them against the approvals ------------------------------------------------------

class CatalogMembers:
    """GitHub team members offline: the member logins of the catalog team naming it."""

    def __init__(self, catalog: Catalog) -> None:
        self.teams: dict[GitHubTeam, tuple[str, ...]] = {}
        for team in catalog.of_kind("Team"):
            handle = github_team(team)
            if handle is not None:
                self.teams[handle] = self.teams.get(handle, ()) + member_logins(team)

    def of(self, team: GitHubTeam) -> tuple[str, ...]:
        return self.teams.get(team, ())


def approving(record: PullRequestRecord, head: str) -> dict[str, str]:
    """Logins whose latest decisive review approved (`head` "": on any commit); the pull
    request's author never approves it."""
    from itsmctl.github.approvals import approving_logins

    return approving_logins(_reviews(record, head), head)


def objecting(record: PullRequestRecord) -> dict[str, str]:
    """Logins whose latest decisive review requested changes when it merged (any commit):
    they block the parties they can act for, as in `check --require-approvals`."""
    from itsmctl.github.approvals import objecting_logins

    return objecting_logins(_reviews(record, ""))


def _reviews(record: PullRequestRecord, head: str) -> list[dict[str, Any]]:
    """The file's reviews as the API lists them (in time order), the author's left out."""
    ordered = sorted(record.reviews, key=lambda r: r.submitted)
    return [{"user": {"login": r.login}, "state": r.state,
             "commit_id": r.commit if head else ""} for r in ordered
            if r.login and not record.by_author(r)]


def approval_evidence(run: RunContext, since: str, ref: str | None,
                      records: tuple[PullRequestRecord, ...], source: str,
                      today: date) -> ApprovalEvidence:
    """Match the branch's commits since `since` to pull requests and judge their approvals
    (as of `today`, through the run's repository handle, parse memo and --config)."""
    from itsmctl import git

    repo = run.repo
    prefix = git.catalog_prefix(repo, run.root)
    base = git.resolve_commit(repo, since)
    head = git.resolve_commit(repo, ref or "HEAD")
    by_merge = {r.merge_commit: r for r in records if r.merge_commit}
    pulls: list[PullRequestEvidence] = []
    lonely: list[Commit] = []
    branch: list[tuple[Commit, int | None]] = []
    for info, parents in git.first_parent_commits(repo, base, head, prefix):
        commit = Commit(info.sha, info.author, info.date, info.subject)
        record = by_merge.get(info.sha)
        branch.append((commit, record.number if record is not None else None))
        if record is None:
            lonely.append(commit)
        elif len(pulls) >= MAX_JUDGED:
            pulls.append(PullRequestEvidence(record, commit, (), (), False,
                                             f"not judged: only the newest {MAX_JUDGED} are"))
        else:
            pulls.append(_judge(run, repo, prefix, record, commit, parents, today))
    return ApprovalEvidence(source, tuple(pulls), tuple(lonely), len(records), tuple(branch))


def _judge(run: RunContext, repo: Repo, prefix: str, record: PullRequestRecord,
           commit: Commit, parents: tuple[str, ...], today: date) -> PullRequestEvidence:
    """The approvals the merge needed (the diff of its first parent and itself), judged."""
    from itsmctl.diff import diff_refs
    from itsmctl.diff.engine import load_side
    from itsmctl.diff.settings import read_settings
    from itsmctl.github.approvals import judge_parties

    if not parents:
        return PullRequestEvidence(record, commit, (), (), False,
                                   "not judged: the first commit has no parent to compare with")
    config, memo = run.given_config, run.memo
    diff = diff_refs(run.root, parents[0], commit.sha, catalog_root=run.root,
                     config=config, today=today, fail_on=("none",), exact_base=True, memo=memo,
                     repo=repo)
    settings = read_settings(repo, parents[0], prefix, parents[0][:12], config)
    base = load_side(repo, parents[0], prefix, settings.config, memo).catalog
    head_catalog = load_side(repo, commit.sha, prefix, settings.config, memo).catalog
    head = record.head or (parents[1] if len(parents) == 2 else "")
    note = "" if head else ("approvals are not tied to the head commit: the pull request was"
                            " squashed or rebased and the file has no headRefOid")
    if head and any(not r.commit for r in record.reviews):
        head, note = "", ("approvals are not tied to the head commit: the file's reviews do not"
                          " say which commit they reviewed (an older gh)")
    parties = judge_parties(diff.approvals, base, head_catalog, settings.config.roles,
                            CatalogMembers(base), approving(record, head),
                            objecting=objecting(record))
    changes = tuple(c.ref for c in diff.changes)
    return PullRequestEvidence(record, commit, changes, parties, True, note)
