"""Records folders next to the example catalog, and running `itsmctl measure` on them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# legacy-erp-sla: Berlin business hours (Mon-Fri 08:00-18:00), P1 response 1h, resolution
# 8h, availability 99.5, monthly in Europe/Berlin, pauseOn [on-hold, awaiting-customer].
TICKETS = """\
id,type,service,priority,opened_at,responded_at,resolved_at
E2,incident,legacy-erp,P1,2026-11-20T17:00:00+01:00,2026-11-23T08:30:00+01:00,2026-11-23T15:00:00+01:00
E4,incident,SAP ECC,P2,2026-11-23T08:00:00+01:00,2026-11-23T08:10:00+01:00,2026-11-23T09:00:00+01:00
E1,incident,legacy-erp,P1,2026-11-23T09:00:00+01:00,2026-11-23T09:30:00+01:00,2026-11-23T16:00:00+01:00
E5,incident,legacy-erp,P9,2026-11-23T10:00:00+01:00,,2026-11-23T11:00:00+01:00
E3,incident,legacy-erp,P1,2026-11-24T09:00:00+01:00,2026-11-24T09:10:00+01:00,2026-11-25T12:00:00+01:00
"""
EVENTS = """\
id,at,status
E3,2026-11-24T09:00:00+01:00,new
E3,2026-11-24T09:10:00+01:00,in-progress
E3,2026-11-24T17:00:00+01:00,on-hold
E3,2026-11-25T10:00:00+01:00,in-progress
E3,2026-11-25T12:00:00+01:00,resolved
"""
OUTAGES = """\
service,start,end,impact,weight,planned
legacy-erp,2026-11-23T10:00:00+01:00,2026-11-23T11:00:00+01:00,full,,false
legacy-erp,2026-11-23T10:30:00+01:00,2026-11-23T11:30:00+01:00,full,,false
legacy-erp,2026-11-24T12:00:00+01:00,2026-11-24T14:00:00+01:00,partial,0.5,false
legacy-erp,2026-11-24T20:00:00+01:00,2026-11-24T22:00:00+01:00,full,,false
"""


def run(*args: str) -> Result:
    return run_cli(*args)


@pytest.fixture
def records(tmp_path: Path) -> Callable[..., Path]:
    """Write a records folder: {file name: text}; the defaults are the hand-computed set."""

    def write(**files: str) -> Path:
        folder = tmp_path / "records"
        folder.mkdir(exist_ok=True)
        texts = {"tickets.csv": TICKETS, "events.csv": EVENTS, "outages.csv": OUTAGES}
        texts.update({".".join(k.rsplit("_", 1)): v for k, v in files.items()})
        for name, text in texts.items():
            if text:
                (folder / name).write_text(text, encoding="utf-8")
        return folder

    return write


def measure_json(folder: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run("measure", str(EXAMPLES), "--records", str(folder), "-f", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def sla(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in data["slas"] if s["name"] == name)
