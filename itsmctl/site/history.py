"""The catalog as the site sees it: from disk or at a git ref, with its audit trail.

All git access goes through `itsmctl.git`; this module only turns its records into pages' data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from itsmctl.catalog import Catalog
from itsmctl.config import Config
from itsmctl.loader import LoadResult, load_directory, load_sources
from itsmctl.model import KINDS as ENTITY_KINDS
from itsmctl.model import Ref
from itsmctl.policy import PolicySet
from itsmctl.site.context import Changes, Commit, HistoryEntry, Provenance

if TYPE_CHECKING:
    from itsmctl.git import CommitInfo
    from itsmctl.runcontext import RunContext


@dataclass(frozen=True)
class LoadedSite:
    """The catalog a site shows, with the config and policies that judge it: the run's (the
    working tree's, read at the command boundary) or those of the ref it shows."""

    loaded: LoadResult
    config: Config
    policies: PolicySet


def load_catalog(run: RunContext, ref: str | None, records: Path | None = None) -> LoadedSite:
    """The working tree, or the catalog as it was at `ref` (read from blobs, no checkout).

    At `ref` the config and policy files are `ref`'s too (as `itsmctl diff` reads each side),
    so the site shows the rules, roles and title of that commit; the user's --config
    (`run.given_config`) is kept, with `ref`'s policy files. Files are labelled relative to
    the catalog root either way, so the pages do not depend on where the command ran from.
    `records` (`render --records`): that folder is left out of the catalog (`without_records`,
    as measure, diff and check do), so its `mapping.yaml` is never validated as an entity file.
    """
    from itsmctl.measure.run import without_records

    root = run.root
    if ref is None:
        config = run.config
        if records is not None:
            config = without_records(config, records, root)
        return LoadedSite(load_directory(root, config, "", run.memo), config, run.policies)
    from itsmctl import git, gitsources
    from itsmctl.diff.settings import read_settings

    repo = run.repo
    sha, prefix = git.resolve_commit(repo, ref), git.catalog_prefix(repo, root)
    settings = read_settings(repo, sha, prefix, ref, run.given_config)
    if records is not None:
        settings = replace(settings, config=without_records(settings.config, records, root))
    sources = gitsources.commit_sources(repo, sha, prefix, settings.config)
    if not sources:
        gitsources.refuse_empty_scope(repo, ((sha, ref, settings.config),), prefix)
    loaded = load_sources([replace(s, label=s.rel) for s in sources], settings.config.limits,
                          run.memo)
    return LoadedSite(loaded, settings.config, settings.policies)


def audit_trail(run: RunContext, ref: str | None, catalog: Catalog, config: Config,
                depth: int = 10
                ) -> tuple[dict[str, tuple[Commit, ...]], dict[str, tuple[HistoryEntry, ...]]]:
    """Entity file -> its commits, and entity ref -> its semantic history (site/trail.py,
    `depth` commits per entity, read under the shown `config`'s limits); both empty outside
    git or before the first commit."""
    from itsmctl import git
    from itsmctl.site.trail import semantic_history

    repo = run.git_repo
    if repo is None or (ref is None and not git.has_commits(repo)):
        return {}, {}
    sha = git.resolve_commit(repo, ref or "HEAD")
    changes = git.file_changes(repo, sha, git.catalog_prefix(repo, run.root))
    files = {entity.rel for entity in catalog}
    trail = {rel: tuple(_commit(c.commit) for c in found)
             for rel, found in sorted(changes.items()) if rel in files}
    return trail, semantic_history(repo, changes, catalog, config.limits, run.memo, depth)


def provenance(run: RunContext, ref: str | None, history: bool) -> Provenance:
    """The commit the site is built from: `ref`'s commit, or HEAD's for a working-tree render
    with history; none outside git or for a render without history (which a committed site
    must be, so that `render --check` does not change with every commit)."""
    from itsmctl import git

    if ref is not None:
        return Provenance(git.resolve_commit(run.repo, ref), ref)
    if not history:
        return Provenance()
    repo = run.git_repo
    if repo is None or not git.has_commits(repo):
        return Provenance()
    return Provenance(git.resolve_commit(repo, "HEAD"), None)


def changes_since(run: RunContext, since: str, ref: str | None, today: date,
                  head_read: tuple[Config, PolicySet] | None = None) -> Changes:
    """Commits since `since`, and the diff engine's reading of what they changed.

    The diff is `itsmctl diff SINCE..REF` (the trees as they are; REF None: the working
    tree), so the page says exactly what `itsmctl diff` says, judged as of `today`. The
    user's --config (`run.given_config`) applies to both sides; without one each side reads
    its own config and policies. `head_read`: the working tree's config and policies as the
    run read them (see `diff_refs`), used when REF is None."""
    from itsmctl import git
    from itsmctl.diff import diff_refs

    root, repo = run.root, run.repo
    base = git.resolve_commit(repo, since)
    head = git.resolve_commit(repo, ref or "HEAD")
    prefix = git.catalog_prefix(repo, root)
    # `since` and `ref` were checked where they entered (the site's `prepare`)
    diff = diff_refs(root, since, ref, catalog_root=root, config=run.given_config,
                     today=today, fail_on=("none",), exact_base=True, memo=run.memo, repo=repo,
                     refs_checked=True, head_read=head_read if ref is None else None)
    by_status: dict[str, list[Ref]] = {"added": [], "removed": [], "modified": []}
    for change in diff.changes:
        if change.kind in ENTITY_KINDS:
            status = "modified" if change.status == "renamed" else change.status
            by_status[status].append(Ref(change.kind, change.name))
    return Changes(
        since=since,
        commits=tuple(_commit(c) for c in git.commits_between(repo, base, head, prefix)),
        added=_sorted(by_status["added"]),
        removed=_sorted(by_status["removed"]),
        modified=_sorted(by_status["modified"]),
        diff=diff,
        # who may approve is BASE's word, as for `check --require-approvals`
        base_catalog=diff.base_catalog,  # BASE as the diff loaded it, with its config's roles
        base_roles=diff.base_roles,
    )


def _sorted(refs: Iterable[Ref]) -> tuple[Ref, ...]:
    return tuple(sorted(refs))


def _commit(info: CommitInfo) -> Commit:
    return Commit(info.sha, info.author, info.date, info.subject)
