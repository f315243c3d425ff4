"""One reporter table serves every command; every JSON document carries the same envelope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from itsmctl import __version__
from itsmctl.reporters.registry import REPORTERS, get_reporter
from tests.conftest import Invoke


def test_every_registered_reporter_resolves() -> None:
    for result_type, fmt in REPORTERS:
        assert callable(get_reporter(result_type, fmt)), (result_type, fmt)


@pytest.mark.slow
def test_json_documents_carry_schema_version_and_tool(examples_dir: Path, tmp_path: Path,
                                                      invoke: Invoke) -> None:
    runs = [["validate", str(examples_dir), "-f", "json"],
            ["score", str(examples_dir), "-f", "json"],
            ["render", str(examples_dir), "-o", str(tmp_path / "site"), "--no-history",
             "-f", "json"],
            ["render", str(examples_dir), "--check", str(tmp_path / "none"), "-f", "json"]]
    for args in runs:
        data = json.loads(invoke(*args, "--today", "2026-11-23").output)
        assert data["schemaVersion"] == 1, args
        assert data["tool"] == {"name": "itsmctl", "version": __version__}, args
