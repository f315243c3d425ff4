"""benchmarks/RESULTS.md: a benchmark rewrites its own section and leaves the hand-written
text around it byte for byte (one writer serves every benchmark)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

WRITER = Path(__file__).resolve().parents[2] / "benchmarks" / "results_file.py"


@pytest.fixture(scope="module")
def results_file() -> ModuleType:
    spec = importlib.util.spec_from_file_location("results_file", WRITER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


START, END = "<!-- gate:start -->", "<!-- gate:end -->"
FILE = ("# Benchmark results\n\n<!-- results:start -->\ntable\n<!-- results:end -->\n\n"
        "Hand-written log A.\n\n<!-- gate:start -->\nold gate\n<!-- gate:end -->\n\n"
        "Hand-written log B.\n")


def test_a_section_is_replaced_where_it_stands(results_file: ModuleType,
                                                tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text(FILE, encoding="utf-8")
    for _ in range(3):  # every run: the same file, no blank line left behind
        results_file.write_section(f"{START}\nnew gate\n{END}\n", START, END, path)
        assert path.read_text(encoding="utf-8") == FILE.replace("old gate", "new gate")
    assert [p.name for p in tmp_path.iterdir()] == ["RESULTS.md"]  # no temporary file left


def test_a_new_section_goes_after_the_results_table(results_file: ModuleType,
                                                    tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text(FILE, encoding="utf-8")
    results_file.write_section("<!-- cache:start -->\nc\n<!-- cache:end -->",
                               "<!-- cache:start -->", "<!-- cache:end -->", path)
    assert path.read_text(encoding="utf-8") == FILE.replace(
        "<!-- results:end -->\n", "<!-- results:end -->\n\n<!-- cache:start -->\nc\n"
        "<!-- cache:end -->\n", 1)


def test_a_missing_file_is_started(results_file: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    results_file.write_section(f"{START}\ng\n{END}", START, END, path)
    assert path.read_text(encoding="utf-8") == f"# Benchmark results\n\n{START}\ng\n{END}\n"
