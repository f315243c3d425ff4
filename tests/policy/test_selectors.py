"""Selectors: kinds, labels and field conditions (equality, in, notIn, exists)."""

from __future__ import annotations

from typing import Any

import pytest

from itsmctl.model import Entity
from itsmctl.policy.selector import SelectorError, known_field, parse_selector
from itsmctl.sources import SourceFile
from itsmctl.yamlload import Document


def entity(kind: str = "Service", labels: dict[str, str] | None = None,
           **spec: Any) -> Entity:
    metadata: dict[str, Any] = {"name": "x", **({"labels": labels} if labels else {})}
    data = {"apiVersion": "itsmctl.io/v1", "kind": kind, "metadata": metadata, "spec": spec}
    return Entity(kind, "x", metadata, spec, Document(SourceFile("x.yaml", "x.yaml"), 0, 1, data))


@pytest.mark.parametrize(("select", "spec", "expected"), [
    ({"spec.tier": 1}, {"tier": 1}, True),
    ({"spec.tier": 1}, {"tier": 2}, False),
    ({"spec.tier": 1}, {}, False),
    ({"spec.tier": 1}, {"tier": True}, False),          # YAML true is not 1
    ({"spec.lifecycle": {"in": ["operational", "retiring"]}}, {"lifecycle": "retiring"}, True),
    ({"spec.lifecycle": {"in": ["operational", "retiring"]}}, {"lifecycle": "design"}, False),
    ({"spec.lifecycle": {"notIn": ["retired"]}}, {"lifecycle": "design"}, True),
    ({"spec.lifecycle": {"notIn": ["retired"]}}, {}, True),
    ({"spec.lifecycle": {"notIn": ["retired"]}}, {"lifecycle": "retired"}, False),
    ({"spec.sla": {"exists": True}}, {"sla": "a"}, True),
    ({"spec.sla": {"exists": True}}, {}, False),
    ({"spec.sla": {"exists": False}}, {}, True),
    ({"spec.links.runbook": {"exists": True}}, {"links": {"runbook": "https://x"}}, True),
    ({"spec.tier": {"in": [1, 2]}, "spec.type": "business"}, {"tier": 2, "type": "business"},
     True),
    ({"spec.tier": {"in": [1, 2]}, "spec.type": "business"}, {"tier": 2, "type": "technical"},
     False),
])
def test_field_conditions(select: dict[str, Any], spec: dict[str, Any], expected: bool) -> None:
    assert parse_selector({"kind": "Service", **select}).matches(entity(**spec)) is expected


def test_labels_select_on_metadata_labels() -> None:
    selector = parse_selector({"kind": "Service", "labels": {"compliance": "pci-dss"}})
    assert selector.matches(entity(labels={"compliance": "pci-dss"}))
    assert not selector.matches(entity(labels={"compliance": "sox"}))
    assert not selector.matches(entity())


def test_kind_filters_and_defaults_to_every_kind() -> None:
    assert not parse_selector({"kind": "SLA"}).matches(entity())
    assert parse_selector({"kind": ["SLA", "Service"]}).matches(entity())
    assert parse_selector({}).matches(entity("Team"))
    assert parse_selector({}, ("Service",)).kinds == ("Service",)


def test_describe_reads_like_the_selector() -> None:
    selector = parse_selector({"kind": "Service", "spec.tier": 1,
                               "spec.lifecycle": {"in": ["operational", "retiring"]}})
    assert selector.describe() == ("Service where spec.tier = 1 and spec.lifecycle in"
                                   " [operational, retiring]")


def test_fields_are_checked_against_the_kind_schema() -> None:
    assert known_field("Service", "spec.links.knowledgeBase")
    assert known_field("Service", "metadata.labels.anything")       # a free-form map
    assert known_field("SLA", "spec.availability")
    assert not known_field("Service", "spec.availability")
    with pytest.raises(SelectorError) as error:
        parse_selector({"kind": "Service", "spec.lifecyle": "operational"})
    assert str(error.value) == "unknown selector field 'spec.lifecyle' for Service"
    assert error.value.hint == "did you mean 'spec.lifecycle'?"
    assert error.value.key == ("spec.lifecyle",)


def test_a_field_of_any_selected_kind_is_accepted() -> None:
    parse_selector({"kind": ["Service", "SLA"], "spec.availability": {"exists": True}})
    with pytest.raises(SelectorError):
        parse_selector({"kind": ["Service", "Team"], "spec.availability": {"exists": True}})
