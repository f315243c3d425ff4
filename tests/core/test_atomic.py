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
