"""Counting on forked workers gives every format byte for byte what one process gives."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from itsmctl.measure import shards
from itsmctl.measure.run import MeasureOptions, measure_path
from itsmctl.reporters.registry import report
from itsmctl.runcontext import resolve_context

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("json", "text", "markdown", "csv")


def _outputs(records: Path, workers: int | None, **extra: object) -> list[str]:
    context = resolve_context(ROOT / "examples", label="examples", read_policies=False)
    sink = io.StringIO()
    result = measure_path(context, MeasureOptions(records, workers=workers, **extra), sink)
    return [report(result, fmt) for fmt in FORMATS] + [sink.getvalue()]


@pytest.mark.parametrize("extra", [{}, {"date_from": date(2026, 11, 3),
                                      "date_to": date(2026, 11, 20)}])
def test_examples_records_same_with_workers(monkeypatch: pytest.MonkeyPatch,
                                            extra: dict[str, object]) -> None:
    monkeypatch.setattr(shards, "BATCH", 3)  # many small batches, merged in order
    records = ROOT / "examples" / "records"
    assert _outputs(records, 2, **extra) == _outputs(records, None, **extra)


def test_generated_records_same_with_workers(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    records = tmp_path / "records"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate_records.py"),
                    str(records), "--tickets", "3000", "--start", "2026-01-01"], check=True,
                   capture_output=True)
    monkeypatch.setattr(shards, "BATCH", 97)
    assert _outputs(records, 2) == _outputs(records, None)


def test_one_process_unless_asked() -> None:
    assert shards.worker_count() == 1
