"""The fast paths of reading an entity give what the plain definitions give, for any data:
the compiled reference walkers (`references.walker`) and `Entity.get`."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from itsmctl.findings import JsonPath
from itsmctl.model import Entity
from itsmctl.references import EACH, KEYS, REFERENCE_FIELDS, references_of, walker
from itsmctl.yamlload import Document

KEYS_SEEN = ["spec", "owner", "dependencies", "service", "activities", "assignments", "x"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(KEYS_SEEN))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(KEYS_SEEN), inner, max_size=4)), max_leaves=30)
PATHS = st.lists(st.sampled_from([*KEYS_SEEN, EACH, KEYS]), max_size=5).map(tuple)


def plain_walk(node: Any, path: tuple[str, ...], at: JsonPath = ()) -> list[tuple[JsonPath, Any]]:
    """The definition: a key of a mapping, every item of a list, every key of a mapping."""
    if not path:
        return [(at, node)]
    head, rest = path[0], path[1:]
    if head == EACH:
        items = node if isinstance(node, list) else []
        return [hit for i, item in enumerate(items) for hit in plain_walk(item, rest, at + (i,))]
    if head == KEYS:
        return [(at + (key,), key) for key in node] if isinstance(node, dict) else []
    return plain_walk(node[head], rest, at + (head,)) if isinstance(node, dict) and head in node \
        else []


def plain_get(node: Any, path: tuple[str | int, ...], default: Any) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                return default
        elif not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


@given(data=DATA, path=PATHS)
def test_a_walker_reaches_what_the_definition_reaches(data: Any, path: tuple[str, ...]) -> None:
    found: list[tuple[JsonPath, Any]] = []
    walker(path)(data, (), found)
    assert found == plain_walk(data, path)


@given(data=st.dictionaries(st.sampled_from(KEYS_SEEN), DATA, max_size=4))
def test_every_reference_field_walks_as_the_definition(data: dict[str, Any]) -> None:
    for fields in REFERENCE_FIELDS.values():
        for ref_field in fields:
            found: list[tuple[JsonPath, Any]] = []
            walker(ref_field.path)(data, (), found)
            assert found == plain_walk(data, ref_field.path)


@given(data=DATA, path=st.lists(st.one_of(st.sampled_from(KEYS_SEEN), st.integers(-3, 3),
                                          st.booleans()), max_size=4).map(tuple))
def test_entity_get_reads_what_the_definition_reads(data: Any, path: tuple[str | int, ...]
                                                    ) -> None:
    entity = Entity("Team", "t", {}, {}, Document(None, 0, 1, data))  # type: ignore[arg-type]
    default = object()
    assert entity.get(*path, default=default) is plain_get(data, path, default)


def test_references_of_one_label_are_those_of_every_field_with_that_label() -> None:
    """`references_of(entity, label)` (the approvals' RACI scope index) walks only the
    fields of that label: the same references, in the same order, as all of them filtered."""
    from itsmctl.runcontext import resolve_context
    from itsmctl.validate import validate
    from tests.conftest import EXAMPLES, TODAY

    catalog = validate(resolve_context(EXAMPLES, today=TODAY)).catalog
    compared = 0
    for entity in catalog:
        every = list(references_of(entity))
        for label in {spec.label for spec in REFERENCE_FIELDS.get(entity.kind, ())}:
            assert list(references_of(entity, label)) == [r for r in every if r.label == label]
            compared += sum(1 for r in every if r.label == label)
    assert compared > 100
    assert list(references_of(catalog.of_kind("RACI")[0], "no such label")) == []
