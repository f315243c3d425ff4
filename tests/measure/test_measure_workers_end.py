"""`measure --jobs 2` stopped from outside: its workers end too, and nothing is left behind.

A CI runner cancels a job with SIGTERM, and the out-of-memory killer sends SIGKILL. Either
way the forked workers must not sleep on forever (they wait on a queue they hold open
themselves), and after SIGTERM the run stops as on Ctrl-C: exit 143, the temporary folder of
per-ticket rows and the half-written output removed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.generated import generated_records
from tests.measure.conftest import EXAMPLES

pytestmark = pytest.mark.slow


def _running(marker: str) -> list[int]:
    """The processes whose command line names `marker` (the parent and its forked workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in command and state != "Z":
            found.append(int(entry.name))
    return found


def _start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    records = generated_records(tmp_path / "records", 100_000)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    rows = tmp_path / "out" / "rows.csv"
    rows.parent.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "itsmctl", "measure", str(EXAMPLES), "--records", str(records),
         "--jobs", "2", "--per-ticket", str(rows), "-f", "json", "-o", os.devnull],
        env={**os.environ, "TMPDIR": str(scratch)}, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(_running(str(records))) < 3:  # the parent and both workers
        assert process.poll() is None, "measure ended before its workers started"
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.05)
    return process, records, scratch


def _gone(marker: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _running(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc")
def test_sigterm_stops_the_workers_and_removes_the_rows(tmp_path: Path) -> None:
    process, records, scratch = _start(tmp_path)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 143
    assert b"itsmctl: terminated" in stderr
    assert _gone(str(records), 5), "a worker outlived its terminated parent"
    assert list(scratch.iterdir()) == []  # the per-ticket rows' folder
    assert list((tmp_path / "out").iterdir()) == []  # no rows.csv, no half-written temp


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc")
def test_a_killed_parents_workers_end_with_it(tmp_path: Path) -> None:
    process, records, _ = _start(tmp_path)
    process.kill()
    process.communicate(timeout=30)
    assert _gone(str(records), 5), "a worker outlived its killed parent"
