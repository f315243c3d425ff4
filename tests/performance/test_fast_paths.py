"""The fast paths behind the benchmarks give exactly the results of the slow ones.

No timings here (benchmarks/run.py measures); these tests pin what must not change: the fast
schema check never calls valid what jsonschema rejects, the catalog's cached kind index stays
current, and the benchmark generator's catalogs stay clean under our own rules.
"""

from __future__ import annotations

import copy
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsmctl.catalog import Catalog
from itsmctl.config import load_config
from itsmctl.fastschema import compile_documents
from itsmctl.loader import load_directory
from itsmctl.model import Entity
from itsmctl.schemas import SCHEMA_FILES, fast_check, validator_for
from itsmctl.sources import SourceFile
from itsmctl.validate import validate_path
from itsmctl.yamlload import Document
from tests.conftest import EXAMPLES, TODAY
from tests.generated import generated_catalog

POOL: list[Any] = [
    "2026-02-30", "2026-01-01", "x", "", "abc\n", "a" * 70, "https://x.example/a", "not a uri",
    "a@b", "P1", "P5", "hard", "15m", "5x", "team:abc", "role:x", "svc:x", "RA", "AA",
    0, 1, -1, 100, 101, 1.0, 2.5, True, False, None, [], ["a", "a"], [1, True], {}, {"a": 1},
]


def example_documents() -> list[dict[str, Any]]:
    loaded = load_directory(EXAMPLES, load_config(EXAMPLES))
    return [entity.data for entity in loaded.catalog]


def paths(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, value in items:
        yield from paths(value, at + (key,))


def mutate(rng: random.Random, doc: dict[str, Any]) -> dict[str, Any]:
    """Replace, drop, add or repeat one to three values anywhere in the document."""
    doc = copy.deepcopy(doc)
    for _ in range(rng.choice((1, 1, 2, 3))):
        candidates = [p for p in paths(doc) if p]
        path = rng.choice(candidates)
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        roll = rng.random()
        if roll < 0.6:
            parent[path[-1]] = copy.deepcopy(rng.choice(POOL))
        elif roll < 0.8:
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(("extra", "title", "type", "name"))] = copy.deepcopy(rng.choice(POOL))
        else:
            parent.append(copy.deepcopy(parent[path[-1]]))
    return doc


@pytest.mark.parametrize("filename", sorted(SCHEMA_FILES.values()))
def test_every_kind_schema_has_a_fast_check(filename: str) -> None:
    assert fast_check(filename) is not None, "a schema change disabled the fast path"


def test_valid_examples_pass_the_fast_check() -> None:
    for doc in example_documents():
        assert fast_check(SCHEMA_FILES[doc["kind"]])(doc), doc["metadata"]["name"]


@pytest.mark.slow
def test_fast_check_never_accepts_what_jsonschema_rejects() -> None:
    rng = random.Random(20261123)
    docs = example_documents()
    rejected = 0
    for _ in range(3000):
        doc = mutate(rng, rng.choice(docs))
        kind = doc.get("kind")
        filename = SCHEMA_FILES[kind] if isinstance(kind, str) and kind in SCHEMA_FILES \
            else rng.choice(sorted(SCHEMA_FILES.values()))
        errors = list(validator_for(filename).iter_errors(doc))
        rejected += bool(errors)
        if fast_check(filename)(doc):
            assert errors == [], doc
    assert rejected > 1000, "the mutations should break most documents"


def schema(body: dict[str, Any]) -> Any:
    uri = "https://example.test/s.json"
    return compile_documents({uri: {"$id": uri, **body}}, uri)


def test_keyword_semantics_follow_jsonschema() -> None:
    integer = schema({"type": "integer"})
    assert integer(1) and integer(1.0) and not integer(True) and not integer(1.5)
    number = schema({"type": "number", "maximum": 5})
    assert number(5) and not number(True) and not number(6)
    pattern = schema({"type": "string", "pattern": "^a$"})
    assert pattern("a") and not pattern("a\n"), "$ is the end of the text (ECMA-262), as in" \
        " the full validator (patterns.ecma); Python's own $ matched before a final newline"
    date = schema({"format": "date"})
    assert date("2026-02-28") and not date("2026-02-30") and date(3)


def test_schemas_it_cannot_mirror_are_left_to_jsonschema() -> None:
    assert schema({"unevaluatedProperties": False}) is None
    assert schema({"oneOf": [{"const": 1}, {"type": "string"}]}) is None  # const 1 is stricter
    assert schema({"not": {"uniqueItems": True}}) is None
    assert schema({"$schema": "http://json-schema.org/draft-07/schema#"}) is None


def test_of_kind_is_cached_but_stays_current() -> None:
    loaded = load_directory(EXAMPLES, load_config(EXAMPLES))
    catalog = Catalog()
    services = [e for e in loaded.catalog if e.kind == "Service"]
    for entity in services[:-1]:
        catalog.add(entity)
    first = catalog.of_kind("Service")
    first.clear()  # a caller's list is its own
    catalog.add(services[-1])
    names = [e.name for e in catalog.of_kind("Service")]
    assert names == sorted(e.name for e in services)


def _entity(kind: str, name: str, line: int) -> Entity:
    source = SourceFile("x.yaml", "x.yaml")
    return Entity(kind, name, {"name": name}, {}, Document(source, line, line, {}))


@given(st.lists(st.tuples(st.sampled_from(["Team", "Service"]), st.sampled_from("abcde")),
                max_size=30), st.integers(min_value=0, max_value=30))
def test_catalog_sets_duplicates_aside_like_the_plain_list_did(
        adds: list[tuple[str, str]], read_at: int) -> None:
    """Entities are the unique names in the order added, every copy of a duplicate left out
    and kept in `duplicates` (the model: filter a list per duplicate, which was quadratic);
    reading `entities` part-way does not freeze it."""
    catalog = Catalog()
    model: list[Entity] = []
    copies: dict[tuple[str, str], list[Entity]] = {}
    for line, (kind, name) in enumerate(adds, start=1):
        if line == read_at:
            assert catalog.entities == model and len(catalog) == len(model)
        entity = _entity(kind, name, line)
        earlier = copies.setdefault((kind, name), [])
        want = earlier[0] if earlier else None
        earlier.append(entity)
        model = [e for e in model if e.ref != entity.ref] + ([entity] if not want else [])
        assert catalog.add(entity) is want
    assert [id(e) for e in catalog.entities] == [id(e) for e in model]
    assert [id(e) for e in catalog] == [id(e) for e in model]
    assert {ref: [id(e) for e in found] for ref, found in catalog.duplicates.items()} == {
        found[0].ref: [id(e) for e in found] for found in copies.values() if len(found) > 1}
    for entity in model:
        assert catalog.get(entity.ref) is entity
    for found in copies.values():
        if len(found) > 1:
            assert catalog.get(found[0].ref) is None


def test_many_duplicated_names_all_stand_for_nothing() -> None:
    """4,000 names defined twice among 4,000 unique ones (rebuilding the list per duplicate
    made this 16 million steps): the unique ones stay, in order."""
    catalog = Catalog()
    for name in range(8000):
        catalog.add(_entity("Team", f"t{name}", name))
    for name in range(0, 8000, 2):
        catalog.add(_entity("Team", f"t{name}", 9000 + name))
    assert [e.name for e in catalog.entities] == [f"t{n}" for n in range(1, 8000, 2)]
    assert len(catalog.duplicates) == 4000
    assert all(len(found) == 2 for found in catalog.duplicates.values())


def test_generated_benchmark_catalog_is_clean(tmp_path: Path) -> None:
    count = generated_catalog(tmp_path / "catalog", 60, 7)
    result = validate_path(tmp_path / "catalog", today=TODAY)
    assert [f"{f.rule} {f.file}: {f.message}" for f in result.findings] == []
    assert result.entities == count


def test_the_cli_starts_without_what_only_an_internal_error_needs() -> None:
    """`itsmctl --version` and every clean run paid for importlib.metadata (the versions a
    bug report lists) and traceback at start-up: about 20 ms of a 100 ms start."""
    probe = ("import sys; from itsmctl.cli import main;"
             " print(sorted({'importlib.metadata', 'traceback', 'email'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).parent)
    assert done.stdout.strip() == "[]", done.stdout
