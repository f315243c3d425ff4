"""What the catalog works out once per entity (Catalog.derived) is forgotten when it changes."""

from __future__ import annotations

from pathlib import Path

from itsmctl.config import Config
from itsmctl.loader import load_directory
from itsmctl.model import Entity, Ref
from itsmctl.rules.agreements import supporting


def test_derived_is_computed_once_per_entity_and_forgotten_on_add(examples_dir: Path) -> None:
    catalog = load_directory(examples_dir, Config()).catalog
    sla, other = catalog.of_kind("SLA")[:2]
    calls: list[str] = []

    def name_of(entity: Entity) -> str:
        calls.append(entity.name)
        return entity.name

    assert catalog.derived("n", sla, name_of) == catalog.derived("n", sla, name_of) == sla.name
    assert catalog.derived("n", other, name_of) == other.name
    assert calls == [sla.name, other.name]
    catalog.add(Entity("Team", "new-team", {"name": "new-team"}, {}, sla.document))
    assert catalog.derived("n", sla, name_of) == sla.name
    assert calls == [sla.name, other.name, sla.name]


def test_supporting_agreements_are_the_same_when_asked_again(examples_dir: Path) -> None:
    catalog = load_directory(examples_dir, Config()).catalog
    first = {sla.name: list(supporting(sla, catalog)) for sla in catalog.of_kind("SLA")}
    assert any(first.values())
    assert {sla.name: list(supporting(sla, catalog)) for sla in catalog.of_kind("SLA")} == first


def test_get_finds_what_was_added_and_nothing_for_a_duplicate_name(examples_dir: Path) -> None:
    catalog = load_directory(examples_dir, Config()).catalog
    for entity in catalog:
        assert catalog.get(Ref(entity.kind, entity.name)) is entity
    sla = catalog.of_kind("SLA")[0]
    assert catalog.get(Ref("Team", sla.name)) is None and catalog.get(None) is None
    copy = Entity(sla.kind, sla.name, sla.metadata, sla.spec, sla.document)
    assert catalog.add(copy) is sla
    assert catalog.get(Ref(sla.kind, sla.name)) is None
    assert catalog.add(Entity(sla.kind, sla.name, sla.metadata, sla.spec, sla.document)) is sla
    assert catalog.get(Ref(sla.kind, sla.name)) is None
