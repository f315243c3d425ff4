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
from itsmctl.errors import ItsmctlError
from itsmctl.loader import LoadResult, ParseMemo, load_directory, load_sources
from itsmctl.model import KINDS as ENTITY_KINDS
from itsmctl.model import Ref
from itsmctl.policy import PolicySet
from itsmctl.site.context import Changes, Commit, HistoryEntry, Provenance

if TYPE_CHECKING:
    from itsmctl.git import CommitInfo


@dataclass(frozen=True)
class LoadedSite:
    """The catalog a site shows, with the config and policies that judge it.

    `policies` None: the working tree's, read beside the config as `validate` reads them."""

    loaded: LoadResult
    config: Config
    policies: PolicySet | None = None


def load_catalog(catalog_root: Path, ref: str | None, config: Config,
                 memo: ParseMemo | None = None, explicit_config: bool = False,
                 records: Path | None = None) -> LoadedSite:
    """The working tree, or the catalog as it was at `ref` (read from blobs, no checkout).

    At `ref` the config and policy files are `ref`'s too (as `itsmctl diff` reads each side),
    so the site shows the rules, roles and title of that commit; `explicit_config` (--config)
    keeps the given config, with `ref`'s policy files. Files are labelled relative to the
    catalog root either way, so the pages do not depend on where the command ran from.
    `records` (`render --records`): that folder is left out of the catalog (`without_records`,
    as measure, diff and check do), so its `mapping.yaml` is never validated as an entity file.
    """
    from itsmctl.measure.run import without_records

    if ref is None:
        if records is not None:
            config = without_records(config, records, catalog_root)
        return LoadedSite(load_directory(catalog_root, config, "", memo), config)
    from itsmctl import git, gitsources
    from itsmctl.diff.settings import read_settings

    repo = git.open_repo(catalog_root)
    sha, prefix = git.resolve_commit(repo, ref), git.catalog_prefix(repo, catalog_root)
    settings = read_settings(repo, sha, prefix, ref, config if explicit_config else None)
    if records is not None:
        settings = replace(settings, config=without_records(settings.config, records,
                                                            catalog_root))
    sources = gitsources.commit_sources(repo, sha, prefix, settings.config)
    if not sources:
        gitsources.refuse_empty_scope(repo, ((sha, ref, settings.config),), prefix)
    loaded = load_sources([replace(s, label=s.rel) for s in sources], settings.config.limits, memo)
    return LoadedSite(loaded, settings.config, settings.policies)


def audit_trail(catalog_root: Path, ref: str | None, catalog: Catalog, config: Config,
                memo: ParseMemo | None = None, depth: int = 10
                ) -> tuple[dict[str, tuple[Commit, ...]], dict[str, tuple[HistoryEntry, ...]]]:
    """Entity file -> its commits, and entity ref -> its semantic history (site/trail.py,
    `depth` commits per entity); both empty outside git or before the first commit."""
    from itsmctl import git
    from itsmctl.site.trail import semantic_history

    try:
        repo = git.open_repo(catalog_root)
    except ItsmctlError:
        return {}, {}
    if ref is None and not git.has_commits(repo):
        return {}, {}
    sha = git.resolve_commit(repo, ref or "HEAD")
    changes = git.file_changes(repo, sha, git.catalog_prefix(repo, catalog_root))
    files = {entity.rel for entity in catalog}
    trail = {rel: tuple(_commit(c.commit) for c in found)
             for rel, found in sorted(changes.items()) if rel in files}
    return trail, semantic_history(repo, changes, catalog, config.limits, memo, depth)


def provenance(catalog_root: Path, ref: str | None, history: bool) -> Provenance:
    """The commit the site is built from: `ref`'s commit, or HEAD's for a working-tree render
    with history; none outside git or for a render without history (which a committed site
    must be, so that `render --check` does not change with every commit)."""
    from itsmctl import git

    if ref is not None:
        return Provenance(git.resolve_commit(git.open_repo(catalog_root), ref), ref)
    if not history:
        return Provenance()
    try:
        repo = git.open_repo(catalog_root)
    except ItsmctlError:
        return Provenance()
    if not git.has_commits(repo):
        return Provenance()
    return Provenance(git.resolve_commit(repo, "HEAD"), None)


def changes_since(catalog_root: Path, since: str, ref: str | None, config: Config | None,
                  today: date, memo: ParseMemo | None = None,
                  head_read: tuple[Config, PolicySet] | None = None) -> Changes:
    """Commits since `since`, and the diff engine's reading of what they changed.

    The diff is `itsmctl diff SINCE..REF` (the trees as they are; REF None: the working
    tree), so the page says exactly what `itsmctl diff` says. `config` is an explicit
    --config applied to both sides; None: each side reads its own config and policies.
    `head_read`: the working tree's config and policies as the run read them (see
    `diff_refs`), used when REF is None."""
    from itsmctl import git
    from itsmctl.diff import diff_refs
    from itsmctl.loader import ParseMemo

    memo = memo if memo is not None else ParseMemo()
    repo = git.open_repo(catalog_root)
    base = git.resolve_commit(repo, since)
    head = git.resolve_commit(repo, ref or "HEAD")
    prefix = git.catalog_prefix(repo, catalog_root)
    # `since` and `ref` were checked where they entered (the site's `prepare`)
    diff = diff_refs(catalog_root, since, ref, catalog_root=catalog_root, config=config,
                     today=today, fail_on=("none",), exact_base=True, memo=memo, repo=repo,
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
