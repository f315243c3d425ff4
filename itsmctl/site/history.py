"""The catalog as the site sees it: from disk or at a git ref, with its audit trail.

All git access goes through `itsmctl.git`; this module only turns its records into pages' data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from itsmctl.catalog import Catalog
from itsmctl.config import Config
from itsmctl.errors import ItsmctlError
from itsmctl.loader import LoadResult, ParseMemo, load_directory, load_sources
from itsmctl.model import Ref
from itsmctl.site.context import Changes, Commit, Provenance

if TYPE_CHECKING:
    from itsmctl.git import CommitInfo


def load_catalog(catalog_root: Path, ref: str | None, config: Config,
                 memo: ParseMemo | None = None) -> LoadResult:
    """The working tree, or the catalog as it was at `ref` (read from blobs, no checkout).

    Files are labelled relative to the catalog root either way, so the pages do not depend
    on where the command ran from.
    """
    if ref is None:
        return load_directory(catalog_root, config, "", memo)
    from itsmctl import git

    repo = git.open_repo(catalog_root)
    sources = git.sources_at(repo, ref, catalog_root, config)
    return load_sources([replace(s, label=s.rel) for s in sources], config.limits, memo)


def audit_trail(catalog_root: Path, ref: str | None, catalog: Catalog
                ) -> dict[str, tuple[Commit, ...]]:
    """Entity file -> its commits; empty outside a git repository or before the first commit."""
    from itsmctl import git

    try:
        repo = git.open_repo(catalog_root)
    except ItsmctlError:
        return {}
    if ref is None and not git.has_commits(repo):
        return {}
    sha = git.resolve_commit(repo, ref or "HEAD")
    history = git.file_history(repo, sha, git.catalog_prefix(repo, catalog_root))
    files = {entity.rel for entity in catalog}
    return {rel: tuple(_commit(c) for c in commits)
            for rel, commits in sorted(history.items()) if rel in files}


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


def changes_since(catalog_root: Path, since: str, ref: str | None, loaded: LoadResult,
                  config: Config) -> Changes:
    """Commits since `since`, and which entities were added, removed or modified."""
    from itsmctl import git

    repo = git.open_repo(catalog_root)
    base = git.resolve_commit(repo, since)
    head = git.resolve_commit(repo, ref or "HEAD")
    prefix = git.catalog_prefix(repo, catalog_root)
    before = load_sources(git.commit_sources(repo, base, prefix, config), config.limits).catalog
    old = {e.ref: e.data for e in before}
    new = {e.ref: e.data for e in loaded.catalog}
    return Changes(
        since=since,
        commits=tuple(_commit(c) for c in git.commits_between(repo, base, head, prefix)),
        added=_sorted(set(new) - set(old)),
        removed=_sorted(set(old) - set(new)),
        modified=_sorted(r for r in set(new) & set(old) if new[r] != old[r]),
    )


def _sorted(refs: Iterable[Ref]) -> tuple[Ref, ...]:
    return tuple(sorted(refs))


def _commit(info: CommitInfo) -> Commit:
    return Commit(info.sha, info.author, info.date, info.subject)
