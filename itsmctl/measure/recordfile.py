"""The one place that opens a record file (tickets, events, outages, mapping.yaml).

Records may come from a pull request (`check --records`), as untrusted as its catalog, and
every command that reads them (`measure`, `render --records`, `diff --records`, `check`)
goes through here. A record file is a plain regular file of the records folder: a symbolic
link (`events.csv -> ../.git/config`, where GitHub Actions keeps the checkout token) is never
followed, a FIFO or device is never opened for reading, and nothing under a `.git` folder is
read. Each refusal is a usage error (exit 2) naming the file, before any of its text is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from itsmctl.errors import ItsmctlError

_HINT = "records are read from plain files in the records folder only (docs/measure.md)"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def present(path: Path) -> bool:
    """Whether the folder has an entry of that name, a link or other non-file included
    (so that it is refused when opened rather than skipped as absent)."""
    return os.path.lexists(path)


def open_record(path: Path, label: str) -> BinaryIO:
    """`path` opened for reading in binary, or ItsmctlError saying why it is refused."""
    if os.path.islink(path):
        raise ItsmctlError(f"record file {label} is a symbolic link (not followed)", _HINT)
    if ".git" in Path(os.path.realpath(path)).parts:
        raise ItsmctlError(f"record file {label} lies inside a .git folder (not read)", _HINT)
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:  # ELOOP: it became a link since
        raise ItsmctlError(f"cannot read {label}: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ItsmctlError(f"record file {label} is not a regular file (not read)", _HINT)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")
