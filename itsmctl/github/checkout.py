"""The tree `check --require-approvals` judges must be the tree the reviewers approved.

The reviews are of the pull request's head commit (`pull_request.head.sha`), and who may
approve is read from the commit the diff compared with. So, before any review is counted:

- HEAD is the head commit, or a merge commit one of whose parents it is (actions/checkout
  checks out `refs/pull/N/merge` by default: the head merged into the base branch);
- the catalog's files in the working tree are HEAD's: none modified, added, deleted or
  lying untracked (ignored ones too: the catalog is read from the folder, not from git);
- the commit compared with is the pull request's base (`pull_request.base.sha`), so that
  who approves is the base branch's word as it is now, not that of an older merge base of
  a stale head checkout. GitHub keeps `base.sha` as of the pull request's last push while
  it merges `refs/pull/N/merge` into the base branch as it is: with such a merge checkout
  the merge's own base (its first parent) is accepted too when `base.sha` is one of its
  ancestors: it is the newer base, never an older one.

Anything else is an environment error (exit 2) with a sentence and what to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from itsmctl import git
from itsmctl.config import CONFIG_NAMES, DEFAULT_EXCLUDE
from itsmctl.errors import ItsmctlError
from itsmctl.globs import matches_any
from itsmctl.visible import visible

if TYPE_CHECKING:
    from itsmctl.git import Repo
    from itsmctl.github.event import PullEvent

CHECKOUT_HINT = ("check out the pull request as actions/checkout does by default (its merge"
                 " commit, refs/pull/<number>/merge, with fetch-depth: 0) and pass --base"
                 " origin/<base branch>")
SHOWN = 10  # uncommitted paths named in the message
_YAML = (".yaml", ".yml")


def judge_checkout(repo: Repo, prefix: str, compared_with: str, event: PullEvent) -> None:
    """Raise ItsmctlError unless this checkout is what the pull request's reviews are of
    (see the module docstring); `compared_with` is the commit the diff read BASE from."""
    head = git.head_commit(repo)
    parents = git.commit_parents(repo, head) if head != event.head_sha else ()
    if head != event.head_sha and not (len(parents) > 1 and event.head_sha in parents):
        raise ItsmctlError(
            f"HEAD {head[:12]} is neither the pull request's head {event.head_sha[:12]}"
            " (pull_request.head.sha) nor a merge commit of it: the reviews approve that"
            " commit, so this tree is not the one they approved", CHECKOUT_HINT)
    _committed(repo, prefix)
    if compared_with == event.base_sha:
        return
    newer_base = (bool(parents) and compared_with == parents[0] != event.head_sha
                  and git.is_ancestor(repo, event.base_sha, compared_with))
    if not newer_base:
        raise ItsmctlError(
            f"the diff compared with {compared_with[:12]}, but the pull request's base is"
            f" {event.base_sha[:12]} (pull_request.base.sha): who approves is read from the"
            " commit compared with, which must be the base branch the pull request targets,"
            " not an older merge base",
            CHECKOUT_HINT + ", or rebase the pull request on its base branch")


def _committed(repo: Repo, prefix: str) -> None:
    """Refuse uncommitted catalog files: the config, and YAML files (entities and policy
    files) outside hidden folders and the folders never read (`site/`, `node_modules/`)."""
    changed = [rel for rel in git.uncommitted_paths(repo, prefix)
               if rel in CONFIG_NAMES or (rel.endswith(_YAML) and not _hidden(rel)
                                          and not matches_any(rel, DEFAULT_EXCLUDE))]
    if not changed:
        return
    shown = ", ".join(visible(git.repo_path(prefix, rel)) for rel in changed[:SHOWN])
    more = f" and {len(changed) - SHOWN} more" if len(changed) > SHOWN else ""
    raise ItsmctlError(
        f"catalog files differ from HEAD (modified, deleted or not committed): {shown}{more};"
        " the reviews approve the pull request's commits, so the check must read those",
        "run the check on a clean checkout (a step before it changed the catalog: commit"
        " that change to the pull request, or drop it)")


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))
