"""The benchmarks' generated catalog, for tests that want a realistic one of a given size."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _benchmark_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def generated_catalog(target: Path, services: int, seed: int = 7) -> int:
    """Write benchmarks/generate.py's catalog of `services` services to `target`; returns its
    entity count."""
    return int(_benchmark_module("generate").generate(target, services, seed))


def generated_records(target: Path, tickets: int, seed: int = 7) -> Path:
    """Write benchmarks/generate_records.py's records of `tickets` tickets (over one year,
    from 2026-01-01, as its command line does) to `target`; returns `target`."""
    from datetime import datetime

    module = _benchmark_module("generate_records")
    start = datetime(2026, 1, 1, tzinfo=module.BERLIN)
    module.write(target, tickets, seed, start, tickets / 365)
    return target
