"""What BASE means: the commit a pull request is compared with.

A pull request shows `git diff BASE...HEAD`: HEAD against the merge base of BASE and HEAD, so
a branch is never blamed for what BASE's branch changed after it left. That is the default;
`BASE..HEAD` (in the BASE argument) or `exact=True` (`--exact-base`) compares the two trees as
they are. Git forbids `..` inside a ref name, so the spelling is unambiguous.

Without BASE, the default branch is never taken from the side under review (a pull request
could point it at itself): `origin/HEAD`, else `settings.defaultBranch` as committed on
`main` (or `master`), else that branch itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from itsmctl import git, gitsources
from itsmctl.errors import ConfigError, ItsmctlError

if TYPE_CHECKING:
    from itsmctl.git import Repo

CONVENTIONAL = ("main", "origin/main", "master", "origin/master")


@dataclass(frozen=True)
class Range:
    """BASE and HEAD as the user spelled them, and whether the trees compare exactly."""

    base: str | None
    head: str | None
    exact: bool


def parse_range(base: str | None, head: str | None, exact: bool = False) -> Range:
    """`A...B` (merge base, the default) and `A..B` (exact trees) in the BASE argument."""
    if base is None or ".." not in base:
        return Range(base, head, exact)
    three = "..." in base
    left, _, right = base.partition("..." if three else "..")
    if head is not None and right:
        raise ItsmctlError(f"{base!r} already names HEAD; do not pass HEAD ({head!r}) as well",
                           hint="use `itsmctl diff BASE...HEAD` or `itsmctl diff BASE HEAD`")
    if not left:
        raise ItsmctlError(f"{base!r} does not name BASE",
                           hint="write `main...HEAD` (merge base) or `main..HEAD` (exact trees)")
    return Range(left, right or head, exact or not three)


def resolve_base(repo: Repo, base: str | None, head_sha: str | None, prefix: str,
                 exact: bool = False) -> tuple[str, str]:
    """BASE's sha and its label (what reporters show)."""
    tip = head_sha or git.head_commit(repo)
    if base is None:
        branch = default_branch(repo, prefix)
        return git.merge_base(repo, git.resolve_commit(repo, branch), tip), \
            f"merge base with {branch}"
    sha = git.resolve_commit(repo, base)
    if exact:
        return sha, base
    merge = git.merge_base(repo, sha, tip)
    return merge, base if merge == sha else f"merge base with {base}"


def default_branch(repo: Repo, prefix: str) -> str:
    """The repository's default branch, read from nothing the pull request can edit."""
    origin = git.origin_head(repo)
    if origin is not None:
        return origin
    for candidate in CONVENTIONAL:
        if git.ref_exists(repo, candidate):
            return _configured(repo, candidate, prefix) or candidate
    raise ItsmctlError(
        "cannot tell the repository's default branch",
        hint="pass BASE explicitly (`itsmctl diff origin/main`), or set origin/HEAD"
             " (`git remote set-head origin --auto`)"
             + ("; " + git.SHALLOW_HINT if git.is_shallow(repo) else ""))


def _configured(repo: Repo, branch: str, prefix: str) -> str | None:
    """`settings.defaultBranch` as committed on `branch` (local, else `origin/`), if any."""
    try:
        config = gitsources.config_at(repo, git.resolve_commit(repo, branch), prefix)
    except ConfigError:
        return None  # BASE's settings report it; here it only cannot name a branch
    if config is None:
        return None
    settings = config.raw.get("settings") if isinstance(config.raw, dict) else None
    named = settings.get("defaultBranch") if isinstance(settings, dict) else None
    if not isinstance(named, str) or not named:
        return None
    git.check_ref(named)
    for full, short in ((f"refs/heads/{named}", named),
                        (f"refs/remotes/origin/{named}", f"origin/{named}")):
        if git.ref_exists(repo, full):  # a branch: never `HEAD`, a tag or `main~3`
            return short
    raise ItsmctlError(
        f"the default branch {named!r} (settings.defaultBranch on {branch}) does not exist here",
        hint=git.SHALLOW_HINT if git.is_shallow(repo) else f"fetch it: `git fetch origin {named}`")
