"""Semantic history: per entity, the commits that changed it or what it references, and what
they changed (the diff engine's field comparison, `itsmctl diff` wording).

A service's history includes its SLA and the RACI matrices scoped to it (the commit that
lowered its OLA is part of its story), an SLA's includes its calendar. Relations are read
at the rendered commit. The cost is bounded: one `git log --raw` for the whole history, then,
per entity, only the newest `depth` commits that touched its files (or its references'
files) are read; each blob is read once (one `git cat-file` batch) and parsed once (through
the run's parse memo), and a blob over the size limit is not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from itsmctl.catalog import Catalog
from itsmctl.diff.semantic import diff_entities
from itsmctl.model import Entity, Ref
from itsmctl.site.context import Commit, HistoryEntry

if TYPE_CHECKING:
    from itsmctl.git import FileChange, Repo
    from itsmctl.limits import Limits
    from itsmctl.loader import ParseMemo

HISTORY_DEPTH = 10  # commits per entity (render --history-depth)


def related(entity: Entity, catalog: Catalog) -> list[Entity]:
    """The entity, then what its history includes: a service's SLA and RACIs, an SLA's
    calendar."""
    out = [entity]
    if entity.kind == "Service":
        sla = catalog.resolve_field(entity, "sla", "SLA")
        out += [sla] if sla is not None else []
        racis = {r.source.ref: r.source for r in catalog.referrers.get(entity.ref, [])
                 if r.source.kind == "RACI" and r.label == "scope"}
        out += [racis[ref] for ref in sorted(racis)]
    elif entity.kind == "SLA":
        calendar = catalog.resolve_field(entity, "calendar", "BusinessCalendar")
        out += [calendar] if calendar is not None else []
    return list({e.ref: e for e in out}.values())


def _window(entities: list[Entity], changes: dict[str, list[FileChange]],
            depth: int) -> list[list[FileChange]]:
    """The newest `depth` commits touching any of the entities' files, each with its files."""
    by_commit: dict[str, list[FileChange]] = {}
    for rel in dict.fromkeys(e.rel for e in entities):
        for change in changes.get(rel, []):
            by_commit.setdefault(change.commit.sha, []).append(change)
    ordered = sorted(by_commit.values(), key=lambda group: group[0].order)
    return ordered[:depth]


class _Blobs:
    """Entities of a file at a blob, parsed once per (path, blob)."""

    def __init__(self, repo: Repo, limits: Limits, memo: ParseMemo | None) -> None:
        from itsmctl.loader import ParseMemo

        self.repo, self.limits = repo, limits
        self.memo = memo if memo is not None else ParseMemo()
        self.data: dict[str, bytes] = {}
        self.parsed: dict[tuple[str, str], dict[Ref, Entity]] = {}

    def read(self, wanted: Iterable[tuple[str, str]]) -> None:
        from itsmctl import git
        from itsmctl.sources import SourceFile

        unread = {blob for rel, blob in wanted if blob and not self.memo.knows(
            SourceFile(rel, rel, blob=blob), self.limits)}
        sizes = git.blob_sizes(self.repo, unread)
        small = [b for b in unread if sizes.get(b, self.limits.max_file_size + 1)
                 <= self.limits.max_file_size]
        self.data.update(git.read_blobs(self.repo, small))

    def entities(self, rel: str, blob: str) -> dict[Ref, Entity]:
        from itsmctl.loader import load_sources
        from itsmctl.sources import SourceFile

        if not blob:
            return {}
        key = (rel, blob)
        if key not in self.parsed:
            source = SourceFile(rel, rel, data=self.data.get(blob), blob=blob,
                                size=len(self.data.get(blob, b"")))
            if source.data is None and not self.memo.knows(source, self.limits):
                self.parsed[key] = {}  # too large to read: the commit shows no fields
            else:
                loaded = load_sources([source], self.limits, self.memo)
                self.parsed[key] = {e.ref: e for e in loaded.catalog}
        return self.parsed[key]


def _lines(subject: Entity, entity: Entity, before: Entity | None,
           after: Entity | None) -> list[str]:
    prefix = "" if entity.ref == subject.ref else f"{entity.kind} {entity.name}: "
    if before is None and after is None:
        return []
    if before is None:
        return [f"{prefix}added"]
    if after is None:
        return [f"{prefix}removed"]
    return [prefix + f.line() for f in diff_entities(before, after)]


def semantic_history(repo: Repo, changes: dict[str, list[FileChange]], catalog: Catalog,
                     limits: Limits, memo: ParseMemo | None,
                     depth: int = HISTORY_DEPTH) -> dict[str, tuple[HistoryEntry, ...]]:
    """Entity ref -> its semantic history, newest first (see the module docstring)."""
    if depth <= 0:
        return {}
    windows = {}
    for entity in catalog:
        group = related(entity, catalog)
        windows[str(entity.ref)] = (entity, group, _window(group, changes, depth))
    blobs = _Blobs(repo, limits, memo)
    blobs.read((c_rel, blob) for _, _, window in windows.values()
               for commit_changes in window for c_rel, blob in _blob_keys(commit_changes))
    out: dict[str, tuple[HistoryEntry, ...]] = {}
    for ref, (subject, group, window) in windows.items():
        entries = []
        for commit_changes in window:
            lines: list[str] = []
            for change in commit_changes:
                rel = change.rel
                before = blobs.entities(rel, change.before)
                after = blobs.entities(rel, change.after)
                for entity in group:
                    if entity.rel == rel:
                        lines += _lines(subject, entity, before.get(entity.ref),
                                        after.get(entity.ref))
            if lines:
                info = commit_changes[0].commit
                entries.append(HistoryEntry(Commit(info.sha, info.author, info.date,
                                                   info.subject), tuple(lines)))
        out[ref] = tuple(entries)
    return out


def _blob_keys(commit_changes: list[FileChange]) -> list[tuple[str, str]]:
    return [(c.rel, blob) for c in commit_changes for blob in (c.before, c.after) if blob]
