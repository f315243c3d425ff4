"""The in-memory catalog: entities indexed by kind and name, with the relations rules need."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from itsmctl.findings import JsonPath
from itsmctl.model import Entity, Ref, list_of_dicts
from itsmctl.references import Reference, parse_ref, references_of

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Dependency:
    """One resolved entry of a service's `dependencies` list, with where it is written."""

    source: Entity
    index: int
    target: Entity
    type: str

    @property
    def path(self) -> JsonPath:
        return ("spec", "dependencies", self.index, "service")


@dataclass
class Catalog:
    """Entities of one catalog, by kind and name.

    A name defined twice (or more) stands for nothing: every copy goes to `duplicates`, none
    to the index or the entities, so no rule, reference, policy or approval uses either copy
    (a pull request cannot shadow an entity by adding another of the same name).
    """

    _index: dict[Ref, Entity] = field(default_factory=dict, repr=False)
    _names: dict[tuple[str, str], Entity] = field(default_factory=dict, repr=False,
                                                  compare=False)
    """`_index` by (kind, name) tuples: `get` is called hundreds of thousands of times, and a
    tuple hashes and compares in C, a Ref through its generated Python methods."""
    _entities: list[Entity] | None = field(default=None, repr=False, compare=False)
    _by_kind: dict[str, list[Entity]] = field(default_factory=dict, repr=False, compare=False)
    _dependencies: dict[int, tuple[Entity, tuple[Dependency, ...]]] = field(
        default_factory=dict, repr=False, compare=False)
    _derived: dict[tuple[str, int], tuple[Entity, Any]] = field(
        default_factory=dict, repr=False, compare=False)
    duplicates: dict[Ref, list[Entity]] = field(default_factory=dict, repr=False,
                                                compare=False)
    unparsed: dict[Ref, str] = field(default_factory=dict, repr=False, compare=False)
    """What files that do not parse appear to define, by the file's label (unparsed.py)."""

    @property
    def entities(self) -> list[Entity]:
        """The entities whose name is unique, in the order added: the index's values, listed
        once after the last `add` (taking a duplicate out of a list per name was quadratic)."""
        if self._entities is None:
            self._entities = list(self._index.values())
        return self._entities

    def add(self, entity: Entity) -> Entity | None:
        """Index an entity; when the name is taken, return the earlier definition and set
        every copy aside in `duplicates` (the name then resolves to nothing)."""
        ref = entity.ref
        if ref in self.duplicates:
            copies = self.duplicates[ref]
            copies.append(entity)
            return copies[0]
        existing = self._index.pop(ref, None)
        if existing is not None:
            del self._names[(ref.kind, ref.name)]
            self.duplicates[ref] = [existing, entity]
            self._forget()
            return existing
        self._index[ref] = entity
        self._names[(ref.kind, ref.name)] = entity
        self._forget()
        return None

    def _forget(self) -> None:
        """Drop what was derived from the entities: a new one can change any of it."""
        self._entities = None
        self._by_kind.clear()
        self._dependencies.clear()
        self._derived.clear()
        for name in ("references", "referrers"):
            self.__dict__.pop(name, None)

    def get(self, ref: Ref | None) -> Entity | None:
        return self._names.get((ref.kind, ref.name)) if ref is not None else None

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

    def resolved_dependencies(self, service: Entity) -> tuple[Dependency, ...]:
        """The entries of `service`'s `dependencies` that name an existing service, in order.

        Computed once per service and catalog: eight rules and the site read them. A type that
        is not a string (the schema flags it) reads as `hard`, the default. Unresolved entries
        are `ref-unresolved` findings, not dependencies.
        """
        hit = self._dependencies.get(id(service))
        if hit is not None and hit[0] is service:
            return hit[1]
        found = []
        for index, item in list_of_dicts(service.get("spec", "dependencies")):
            text = item.get("service")
            if not isinstance(text, str):
                continue
            target = self.get(parse_ref(text, "Service"))
            if target is not None and target.kind == "Service":
                kind = item.get("type", "hard")
                found.append(Dependency(service, index, target,
                                        kind if isinstance(kind, str) else "hard"))
        result = tuple(found)
        # the entity is kept: its id stays its own
        self._dependencies[id(service)] = (service, result)
        return result

    def derived(self, name: str, entity: Entity, compute: Callable[[Entity], T]) -> T:
        """`compute(entity)`, computed once per entity and catalog under `name`.

        For what several rules derive from one entity and this catalog (the agreements an
        SLA rests on): `compute` must depend on nothing else, and its value must not be
        changed by callers (return tuples). The entry holds the entity: ids are not reused.
        """
        hit = self._derived.get((name, id(entity)))
        if hit is not None and hit[0] is entity:
            return hit[1]  # type: ignore[no-any-return]
        value = compute(entity)
        self._derived[(name, id(entity))] = (entity, value)
        return value

    def dependencies(self, service: Entity, hard_only: bool = False) -> list[tuple[Entity, str]]:
        """Resolved (service, hard|soft) dependencies of a service."""
        return [(dep.target, dep.type) for dep in self.resolved_dependencies(service)
                if not hard_only or dep.type == "hard"]

    def resolve_field(self, entity: Entity, field_name: str, kind: str) -> Entity | None:
        """Resolve a single reference field of an entity's spec (e.g. a service's `sla`)."""
        value = entity.get("spec", field_name)
        if not isinstance(value, str):
            return None
        target = self.get(parse_ref(value, kind))
        return target if target is not None and target.kind == kind else None
