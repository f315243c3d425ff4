"""Findings the change introduces versus those that were there before, by stable fingerprint.

In the default (touched) scope only findings that the changed entities can affect are
compared: findings about the entities in changed files, file-level findings (YAML errors) of
changed files, and findings of neighbouring entities located on a reference to a changed
entity (a dependency on a service that is now retired, a reference to a removed team).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from itsmctl.catalog import Catalog
from itsmctl.findings import Finding, JsonPath
from itsmctl.model import Ref


@dataclass(frozen=True)
class Focus:
    """What the touched scope compares on one side."""

    entities: frozenset[str]
    files: frozenset[str]
    reference_paths: dict[str, tuple[JsonPath, ...]]

    def covers(self, finding: Finding) -> bool:
        if finding.entity in self.entities:
            return True
        if not finding.entity:
            return finding.file in self.files
        return any(finding.path[:len(p)] == p for p in self.reference_paths.get(finding.entity, ()))


def focus(catalog: Catalog, touched: set[Ref], files: Iterable[str]) -> Focus:
    paths: dict[str, list[JsonPath]] = {}
    for reference in catalog.references:
        if reference.target in touched:
            paths.setdefault(str(reference.source.ref), []).append(reference.path)
    return Focus(frozenset(str(r) for r in touched), frozenset(files),
                 {k: tuple(v) for k, v in paths.items()})


@dataclass(frozen=True)
class Comparison:
    new: tuple[Finding, ...]
    existing: tuple[Finding, ...]
    fixed: tuple[Finding, ...]


def compare(base: Iterable[Finding], head: Iterable[Finding]) -> Comparison:
    """Split HEAD's findings into new and existing; BASE's that are gone are fixed."""
    base_list, head_list = list(base), list(head)
    before = {f.fingerprint for f in base_list}
    after = {f.fingerprint for f in head_list}
    return Comparison(
        new=tuple(f for f in head_list if f.fingerprint not in before),
        existing=tuple(f for f in head_list if f.fingerprint in before),
        fixed=tuple(f for f in base_list if f.fingerprint not in after),
    )
