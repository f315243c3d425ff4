"""The in-memory catalog: entities indexed by kind and name, with the relations rules need."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from itsmctl.model import Entity, Ref, list_of_dicts
from itsmctl.references import Reference, parse_ref, references_of


@dataclass
class Catalog:
    """Entities of one catalog; the first entity of a kind and name wins (others are findings)."""

    entities: list[Entity] = field(default_factory=list)
    _index: dict[Ref, Entity] = field(default_factory=dict, repr=False)
    _by_kind: dict[str, list[Entity]] = field(default_factory=dict, repr=False, compare=False)

    def add(self, entity: Entity) -> Entity | None:
        """Index an entity; return the earlier one if the name is taken."""
        existing = self._index.get(entity.ref)
        if existing is not None:
            return existing
        self._index[entity.ref] = entity
        self.entities.append(entity)
        self._by_kind.clear()
        return None

    def get(self, ref: Ref | None) -> Entity | None:
        return self._index.get(ref) if ref is not None else None

    def of_kind(self, kind: str) -> list[Entity]:
        """Entities of one kind by name; sorted once, not once per rule (a copy: callers own it)."""
        if not self._by_kind:
            for entity in sorted(self.entities, key=lambda e: e.name):
                self._by_kind.setdefault(entity.kind, []).append(entity)
        return list(self._by_kind.get(kind, ()))

    def __len__(self) -> int:
        return len(self.entities)

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.entities)

    def resolve(self, reference: Reference) -> Entity | None:
        return self.get(reference.target)

    @cached_property
    def references(self) -> list[Reference]:
        return [r for e in self.entities for r in references_of(e)]

    @cached_property
    def referrers(self) -> dict[Ref, list[Reference]]:
        """Who points at each entity (dependents of a service, users of an SLA, ...)."""
        out: dict[Ref, list[Reference]] = {}
        for reference in self.references:
            target = reference.target
            if target is not None:
                out.setdefault(target, []).append(reference)
        return out

    def dependencies(self, service: Entity, hard_only: bool = False) -> list[tuple[Entity, str]]:
        """Resolved (service, hard|soft) dependencies of a service."""
        out = []
        for _, item in list_of_dicts(service.get("spec", "dependencies")):
            if not isinstance(item.get("service"), str):
                continue
            kind = item.get("type", "hard")
            if hard_only and kind != "hard":
                continue
            target = self.get(parse_ref(item["service"], "Service"))
            if target is not None and target.kind == "Service":
                out.append((target, str(kind)))
        return out

    def resolve_field(self, entity: Entity, field_name: str, kind: str) -> Entity | None:
        """Resolve a single reference field of an entity's spec (e.g. a service's `sla`)."""
        value = entity.get("spec", field_name)
        if not isinstance(value, str):
            return None
        target = self.get(parse_ref(value, kind))
        return target if target is not None and target.kind == kind else None
