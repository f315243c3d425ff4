"""Parsing on every core gives the same documents, data, lines and findings, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from itsmctl import parallelparse
from itsmctl.limits import Limits
from itsmctl.sources import directory_sources
from itsmctl.yamlload import ParsedFile
from tests.conftest import EXAMPLES

HOSTILE = Path(__file__).resolve().parent.parent / "hostile" / "corpus"


def _shape(parsed: list[ParsedFile]) -> list[object]:
    return [(p.source.label, [(d.index, d.line, d.data) for d in p.documents], p.findings,
             p.escapes) for p in parsed]


@pytest.mark.parametrize("root", [EXAMPLES, HOSTILE], ids=["examples", "hostile"])
def test_parallel_parse_equals_serial(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = directory_sources(root, ("**/*.yaml", "**/*.yml"), (), "cat", 1_048_576)
    monkeypatch.setattr(parallelparse, "CHUNK", 7)  # several chunks even for a small catalog
    serial = parallelparse.parse_all(sources, Limits(), workers=1)
    parallel = parallelparse._parallel(sources, Limits(), 2)
    assert len(serial) == len(sources) > 40
    assert _shape(parallel) == _shape(serial)
    assert all(p.source is s for p, s in zip(parallel, sources, strict=True))


def test_small_catalogs_stay_in_one_process() -> None:
    sources = directory_sources(EXAMPLES, ("**/*.yaml",), (), "", 1_048_576)
    assert parallelparse.worker_count(sources) == 1
