"""Atomic writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from itsmctl.errors import ItsmctlError
from itsmctl.visible import encode


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, encode(text))


def _mode_for(path: Path) -> int:
    """Keep an existing file's mode; a new file gets what open() would give it (0666 - umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600; a report or scaffold is shared
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ItsmctlError(f"cannot write {path}: {exc.strerror or exc}",
                           "check that the folder exists and is writable") from exc


@contextmanager
def atomic_text_writer(path: Path) -> Iterator[IO[str]]:
    """A text file that appears at `path` only if the block completes; otherwise nothing.

    For outputs written row by row (measure's per-ticket CSV): the rows go to a temporary
    file next to `path`, renamed over it at the end, removed on any error.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ItsmctlError(f"cannot write {path}: {exc.strerror or exc}",
                           "check that the folder exists and is writable") from exc
    try:
        with os.fdopen(fd, "w+", encoding="utf-8", newline="") as handle:
            yield handle
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
