"""Atomic writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from itsmctl.errors import ItsmctlError
from itsmctl.visible import encode

# errors of a write that found no room (a full disk, a quota, a file size limit): the rows
# written inside an `atomic_text_writer` block raise them where the block writes
_NO_ROOM = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG})


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, encode(text))


def streamed(path: Path) -> bool:
    """Whether `path` is a character device or a pipe (`-o /dev/null`, `-o /dev/stdout`, a
    FIFO): written straight, as a shell redirection would. Renaming over it would replace the
    device node with a regular file (as root: /dev/null itself, for every process after)."""
    try:
        mode = os.stat(path).st_mode  # /dev/stdout is a link to the real stream
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _write_stream(path: Path, data: bytes | BinaryIO) -> None:
    """`data` (bytes, or a binary file from where it stands) written straight to the stream
    at `path`."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                shutil.copyfileobj(data, handle, 1 << 16)
    except OSError as exc:
        raise ItsmctlError(f"cannot write {path}: {exc.strerror or exc}",
                           "check that the output can be written") from exc


def _spooled(path: Path) -> Iterator[IO[str]]:
    """`atomic_text_writer` for a stream (`--per-ticket /dev/stdout`, a pipe): a stream
    cannot start over, and a second attempt writes every row again, so the rows gather in
    an anonymous temporary file (in memory they would be the whole output: 44 MB of text
    for 1,000,000 tickets) and are copied to the stream once the block completes."""
    try:
        spool = tempfile.TemporaryFile(  # noqa: SIM115 - entered below; making it may fail
            "w+", encoding="utf-8", newline="", errors="backslashreplace")
    except OSError:  # no writable temporary folder: in memory, as before
        with io.StringIO(newline="") as buffer:
            yield buffer
            _write_stream(path, buffer.getvalue().encode("utf-8", "backslashreplace"))
        return
    with spool:
        try:
            yield spool
            spool.flush()
        except OSError as exc:
            if exc.errno not in _NO_ROOM:
                raise
            raise ItsmctlError(f"cannot write {path}: {exc.strerror or exc} (the rows are"
                               f" gathered in {tempfile.gettempdir()} first)",
                               "free space there, or point TMPDIR elsewhere") from exc
        with open(spool.fileno(), "rb", closefd=False) as rows:  # its bytes, from the start
            rows.seek(0)
            _write_stream(path, rows)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a temporary file beside `path` and rename it over. A new file gets the mode
    open() would give it (0666 less the umask, applied by the kernel: we never read or
    change the process umask, which other threads share); an existing one keeps its mode.
    A device or pipe is written straight (`streamed`)."""
    path = Path(path)
    if streamed(path):
        _write_stream(path, data)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp, fd = _temporary(path)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            with contextlib.suppress(FileNotFoundError):
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ItsmctlError(f"cannot write {path}: {exc.strerror or exc}",
                           "check that the folder exists and is writable") from exc


def _temporary(path: Path) -> tuple[Path, int]:
    """A new, exclusive temporary file next to `path`, opened with mode 0666 (less umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name next to {path}")


@contextmanager
def atomic_text_writer(path: Path) -> Iterator[IO[str]]:
    """A text file that appears at `path` only if the block completes; otherwise nothing.

    For outputs written row by row (measure's per-ticket CSV): the rows go to a temporary
    file next to `path`, renamed over it at the end, removed on any error. A disk that
    fills while they are written is an ItsmctlError (exit 2) naming `path`, as
    `write_bytes_atomic` says it: not an internal error.
    """
    path = Path(path)
    if streamed(path):
        yield from _spooled(path)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp, fd = _temporary(path)
    except OSError as exc:
        raise ItsmctlError(f"cannot write {path}: {exc.strerror or exc}",
                           "check that the folder exists and is writable") from exc
    written = False
    try:
        with os.fdopen(fd, "w+", encoding="utf-8", newline="", errors="backslashreplace") as handle:
            yield handle
            written = True
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        # the block's own OSError is the block's, unless it is a write that found no room
        if written or exc.errno in _NO_ROOM:
            raise ItsmctlError(f"cannot write {path}: {exc.strerror or exc}",
                               "free space on its disk (or raise the quota), then run again"
                               if exc.errno in _NO_ROOM else
                               "check that the folder exists and is writable") from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
