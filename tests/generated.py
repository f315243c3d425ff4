"""The benchmarks' generated catalog, for tests that want a realistic one of a given size."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generated_catalog(target: Path, services: int, seed: int = 7) -> int:
    """Write benchmarks/generate.py's catalog of `services` services to `target`; returns its
    entity count."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate  # dataclasses look their module up
    try:
        spec.loader.exec_module(generate)
    finally:
        del sys.modules[spec.name]
    return int(generate.generate(target, services, seed))
