"""Which files a diff parses: the changed ones, and the files of their direct neighbours.

The cost of a one-service pull request must not grow with the catalog. So each side (BASE,
HEAD) lists its files (cheap: `git ls-tree`), parses only the files git's tree diff reports as
changed, and then finds neighbours of the entities in them with one `git grep` per round:
files that mention a touched entity's name (candidate referrers) and files that mention both
the kind and the name of an entity a touched one references (candidate definitions). grep is
only a prefilter: candidates are parsed and references confirmed through `references.py`.
`full=True` parses everything instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from itsmctl import git
from itsmctl.catalog import Catalog
from itsmctl.config import Config
from itsmctl.loader import LoadResult, load_sources
from itsmctl.loader import register_entity as register
from itsmctl.model import KINDS, NAME_PATTERN, Entity, Ref
from itsmctl.references import references_of
from itsmctl.sources import SourceFile

if TYPE_CHECKING:
    from itsmctl.git import Repo


@dataclass
class Side:
    """One side of the diff: the files parsed so far, looked up in git only when needed."""

    repo: Repo
    sha: str | None  # None: the working tree
    prefix: str
    config: Config
    sources: dict[str, SourceFile] = field(default_factory=dict)
    parsed: dict[str, LoadResult] = field(default_factory=dict)

    def _fetch(self, rels: Iterable[str]) -> None:
        """Make SourceFiles for catalog files not looked up yet (one `ls-tree` per batch)."""
        missing = [r for r in rels if r not in self.sources and r not in self.parsed]
        if not missing:
            return
        found = (git.commit_sources(self.repo, self.sha, self.prefix, self.config, missing)
                 if self.sha is not None
                 else git.worktree_sources(self.repo, self.prefix, self.config, missing))
        for source in found:
            data = source if source.error else replace(source, data=source.bytes(), read=None)
            self.sources[source.rel] = data

    def parse(self, rels: Iterable[str]) -> list[Entity]:
        """Parse the selected catalog files among `rels` (once); return their entities."""
        rels = list(rels)
        self._fetch(rels)
        out: list[Entity] = []
        for rel in rels:
            if rel not in self.sources:
                continue  # not on this side, or not selected by include/exclude
            if rel not in self.parsed:
                self.parsed[rel] = load_sources([self.sources[rel]], self.config.limits)
            out.extend(self.parsed[rel].catalog)
        return out

    def parse_all(self) -> None:
        everything = (git.commit_sources(self.repo, self.sha, self.prefix, self.config)
                      if self.sha is not None
                      else git.worktree_sources(self.repo, self.prefix, self.config))
        self.parse(s.rel for s in everything)

    def entities(self) -> list[Entity]:
        return [e for rel in sorted(self.parsed) for e in self.parsed[rel].catalog]

    def grep(self, words: set[str]) -> dict[str, set[str]]:
        return git.grep_words(self.repo, self.sha, self.prefix, words)

    def load(self) -> LoadResult:
        """What `load_sources` returns for every file parsed on this side, in path order,
        assembled from the per-file results so that no file is parsed twice."""
        merged = LoadResult(Catalog())
        for rel in sorted(self.parsed):
            part = self.parsed[rel]
            merged.sources.update(part.sources)
            merged.findings.extend(part.findings)
            merged.documents += part.documents
            for entity in part.catalog:
                register(merged, entity)
        return merged


def _word(text: str) -> bool:
    return bool(NAME_PATTERN.match(text)) or text in KINDS


def targets_of(entities: Iterable[Entity]) -> set[Ref]:
    """Entities these reference (roles are not entities)."""
    return {t for e in entities for r in references_of(e) if (t := r.target) is not None}


def expand(side: Side, touched: set[Ref]) -> None:
    """Parse the neighbours of `touched` on this side: referrers, and two hops of referents."""
    seeds = [e for e in side.entities() if e.ref in touched]
    targets = targets_of(seeds) - touched
    anchors = touched | _governed_services(seeds)
    _load_neighbours(side, anchors, targets)
    second = targets_of(e for e in side.entities() if e.ref in targets) - targets - touched
    _load_neighbours(side, set(), second)


def _load_neighbours(side: Side, anchors: set[Ref], targets: set[Ref]) -> None:
    """One grep: files naming an anchor (referrers) or defining a target (`name: <target>`).

    A target whose definition is written unusually (`name:   x`, a block scalar) is looked
    up again by its bare name, so the fast pattern never loses an entity, only time.
    """
    names = {r.name for r in anchors if _word(r.name)}
    definitions = {_definition(t.name): t.name for t in targets if _word(t.name)}
    if not names and not definitions:
        return
    hits = side.grep(names | set(definitions))
    chosen = sorted(rel for rel, found in hits.items() if found & (names | set(definitions)))
    side.parse(chosen)
    defined = {e.ref for e in side.entities()}
    lost = {t for t in targets if t not in defined and _word(t.name)}
    if lost:
        hits = side.grep({t.name for t in lost} | {t.kind for t in lost if t.kind in KINDS})
        side.parse(sorted(rel for rel, found in hits.items()
                          if any(t.name in found and t.kind in found for t in lost)))


def _definition(name: str) -> str:
    return f"name: {name}"


def _governed_services(entities: list[Entity]) -> set[Ref]:
    """The service an SLA or RACI governs: its RACI and dependents decide approvals."""
    out = set()
    for entity in entities:
        for reference in references_of(entity):
            if entity.kind in ("SLA", "RACI") and reference.label in ("service", "scope"):
                target = reference.target
                if target is not None:
                    out.add(target)
    return out


