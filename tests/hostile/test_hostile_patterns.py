"""No built-in pattern is worse than linear, and nothing recurses on a catalog-sized chain."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_hostile_corpus import BASE

from itsmctl.schemas import load_schema, schema_names
from itsmctl.site.graph import depths
from tests.conftest import Invoke

LENGTH = 100_000
# shapes that make backtracking patterns blow up: long runs, a bad last character, no repeats
HOSTILE = ["a" * LENGTH + "!", "1" * LENGTH + "x", "R" * LENGTH, "RACI" * (LENGTH // 4) + "X",
           "".join(chr(0x4E00 + i) for i in range(40_000)), "0" * LENGTH + "w",
           "-" * LENGTH, "a-" * (LENGTH // 2), ":" * LENGTH, "team:" + "a" * LENGTH]


def patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            elif key == "patternProperties" and isinstance(value, dict):
                yield from value
            yield from patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from patterns(item)


BUILT_IN = sorted({p for name in schema_names() for p in patterns(load_schema(name))})


@pytest.mark.parametrize("pattern", BUILT_IN)
def test_built_in_pattern_is_linear_on_hostile_values(pattern: str) -> None:
    """A quadratic pattern takes minutes on 100,000 characters; a linear one milliseconds.
    The bound is 200 times what a linear scan needs here, so load cannot fail it."""
    compiled = re.compile(pattern)
    started = time.perf_counter()
    for text in HOSTILE:
        compiled.search(text)
    assert time.perf_counter() - started < 2.0, pattern


def test_the_raci_letters_pattern_keeps_its_meaning() -> None:
    raci = next(p for p in BUILT_IN if "RACI" in p)
    accepted = [s for s in ("R", "A", "RA", "AR", "RACI", "IC", "RR", "RAR", "X", "", "RACIR")
                if re.search(raci, s)]
    assert accepted == ["R", "A", "RA", "AR", "RACI", "IC"]


def chain(count: int) -> str:
    docs = []
    for i in range(count):
        deps = f"\n  dependencies:\n    - {{service: s{i + 1}}}" if i + 1 < count else ""
        docs.append(f"apiVersion: itsmctl.io/v1\nkind: Service\nmetadata:\n  name: s{i}\n"
                    f"  title: S {i}\nspec:\n  type: technical\n  owner: platform\n"
                    f"  lifecycle: design\n  tier: 3{deps}\n")
    return "---\n".join(docs)


def test_graph_depths_of_a_chain_of_5000_services() -> None:
    """The layout's depth-first walk is iterative: it used to stop at about 400 services."""
    from itsmctl.model import Ref

    refs = [Ref("Service", f"s{i}") for i in range(5000)]
    edges = {ref: [refs[i + 1]] for i, ref in enumerate(refs[:-1])}
    edges[refs[-1]] = [refs[0]]  # and a cycle, cut where found

    class Service:
        def __init__(self, ref: Ref) -> None:
            self.ref = ref

    found = depths([Service(r) for r in refs], edges)  # type: ignore[arg-type]
    assert found[refs[0]] == 4999 and found[refs[-1]] == 0


def catalog_with_chain(tmp_path: Path, count: int) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    (root / "services" / "chain.yaml").write_text(chain(count))
    return root


def test_a_chain_of_1200_services_validates(tmp_path: Path, invoke: Invoke) -> None:
    root = catalog_with_chain(tmp_path, 1200)
    result = invoke("validate", str(root), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["entities"] == 1200 + 11


@pytest.mark.slow
def test_a_chain_of_600_services_renders(tmp_path: Path, invoke: Invoke) -> None:
    """Past the ~400 where the recursive layout stopped (each page lists the whole chain
    below it, so the site grows with the square of the chain: 600 keeps this test short)."""
    root = catalog_with_chain(tmp_path, 600)
    result = invoke("render", str(root), "-o", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    assert (site / "services" / "s599.html").is_file()
    # past 150 services the global graph shows groups; the chain is laid out on its group's page
    group = "".join(p.read_text() for p in sorted((site / "graphs").glob("group-*.html")))
    assert "services/s0.html" in group and "services/s599.html" in group
