"""Reports and scaffolds are written atomically, with the permissions a normal write gives."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from itsmctl.atomic import write_text_atomic
from itsmctl.errors import ItsmctlError


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_umask_permissions_and_no_temp_file_is_left(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "out" / "report.json", "{}\n")
    finally:
        os.umask(old)
    assert mode(tmp_path / "out" / "report.json") == 0o644
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["report.json"]


def test_overwrite_keeps_the_existing_mode_and_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    target.write_text("old")
    target.chmod(0o640)
    write_text_atomic(target, "new")
    assert (mode(target), target.read_text()) == (0o640, "new")


def test_unwritable_target_is_an_environment_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ItsmctlError, match="cannot write"):
        write_text_atomic(tmp_path / "file" / "child.json", "{}")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("writer", ["bytes", "rows"])
def test_a_pipe_or_device_is_written_straight_never_replaced(tmp_path: Path, writer: str) -> None:
    """`-o /dev/null` or a FIFO: renaming over it would swap the device for a regular file
    (as root, /dev/null itself). It is written like a shell redirection and stays what it was."""
    import threading

    from itsmctl.atomic import atomic_text_writer, streamed, write_bytes_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    if writer == "bytes":
        write_bytes_atomic(fifo, b"report\n")
    else:
        with atomic_text_writer(fifo) as handle:
            handle.write("row 1\n")
            handle.write("row 2\n")
    reader.join(timeout=10)
    assert received == [b"report\n" if writer == "bytes" else b"row 1\nrow 2\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]
    assert streamed(Path(os.devnull)) and not streamed(tmp_path / "missing")
