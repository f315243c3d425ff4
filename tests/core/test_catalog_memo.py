"""What the catalog works out once per entity (Catalog.derived) is forgotten when it changes."""

from __future__ import annotations

from pathlib import Path

from itsmctl.config import Config
from itsmctl.loader import load_directory
from itsmctl.model import Entity
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
