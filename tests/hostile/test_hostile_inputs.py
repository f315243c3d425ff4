"""Hostile files named on the command line: `render --pull-requests FILE`, `measure --records
DIR`'s mapping, the importers' inputs and output folders. Each is bounded in time (a named
pipe never blocks), refused as a usage error (exit 2) and never a traceback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

posix_only = pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "mkfifo"),
                                reason="POSIX named pipes")


@posix_only
def test_a_pull_request_file_that_is_a_named_pipe_is_refused_not_waited_on(
        tmp_path: Path, watchdog: None) -> None:
    """`open()` of a FIFO blocks until a writer comes: `render --pull-requests pipe` hung for
    ever before the 'not a regular file' check could run."""
    from itsmctl.errors import ItsmctlError
    from itsmctl.site.pullrequests import read_pull_requests

    os.mkfifo(tmp_path / "prs.json")
    with pytest.raises(ItsmctlError, match="is not a regular file"):
        read_pull_requests(tmp_path / "prs.json")
