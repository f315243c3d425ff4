"""Hostile file systems: links out of the catalog, unreadable, vanishing and special files."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

import itsmctl.sources
from tests.conftest import Invoke, run_cli

BASE = Path(__file__).resolve().parent / "corpus" / "base"
SECRET = "TOP-SECRET-9f3c"  # must never appear in a report: its file is outside the catalog
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file semantics")


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the catalog holding a 'secret' that is also broken YAML."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.yaml").write_text(f"password: {SECRET}\n  bad: [indent\n")
    return folder


def validate(root: Path, *args: str) -> tuple[Result, dict[str, Any]]:
    result = run_cli("validate", str(root), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    return result, json.loads(result.stdout)


def findings_for(report: dict[str, Any], rel: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["file"].endswith("/" + rel)]


def assert_rest_checked(report: dict[str, Any]) -> None:
    """The base catalog's 11 entities were all loaded despite the hostile file."""
    assert report["summary"]["entities"] == 11


def assert_unreadable(catalog: Path, rel: str, message: str) -> None:
    """One file-unreadable finding for `rel`, exit 1, and every other file still loaded."""
    result, report = validate(catalog)
    assert result.exit_code == 1
    [finding] = findings_for(report, rel)
    assert (finding["rule"], finding["message"]) == ("file-unreadable", message)
    assert_rest_checked(report)


@posix_only
def test_symlink_to_a_file_outside_is_a_finding_and_never_read(catalog: Path,
                                                              outside: Path) -> None:
    (catalog / "leak.yaml").symlink_to(outside / "secret.yaml")
    result, report = validate(catalog)
    assert result.exit_code == 1
    [finding] = findings_for(report, "leak.yaml")
    assert finding["rule"] == "file-unreadable"
    assert "symlink points outside the catalog root" in finding["message"]
    assert SECRET not in result.output
    assert_rest_checked(report)


@posix_only
def test_symlink_to_a_folder_outside_is_a_finding_and_never_entered(catalog: Path,
                                                                   outside: Path) -> None:
    (catalog / "shared").symlink_to(outside, target_is_directory=True)
    result, report = validate(catalog)
    assert result.exit_code == 1
    assert [f["rule"] for f in findings_for(report, "shared")] == ["file-unreadable"]
    assert not [f for f in report["findings"] if "secret" in f["file"]]
    assert SECRET not in result.output
    assert_rest_checked(report)


@posix_only
def test_symlink_inside_the_catalog_is_followed(catalog: Path) -> None:
    (catalog / "alias.yaml").symlink_to(catalog / "teams" / "platform.yaml")
    _, report = validate(catalog)
    # read, hence the same Team twice: the link is followed, not reported as unreadable
    assert [f["rule"] for f in findings_for(report, "alias.yaml")] == ["duplicate-name"]
    duplicates = [f for f in report["findings"] if f["rule"] == "duplicate-name"]
    assert sorted(Path(f["file"]).name for f in duplicates) == ["alias.yaml", "platform.yaml"]
    assert any("alias.yaml" in f["message"] for f in duplicates)


@posix_only
def test_symlink_loop_and_dangling_link_are_findings(catalog: Path) -> None:
    (catalog / "a.yaml").symlink_to(catalog / "b.yaml")
    (catalog / "b.yaml").symlink_to(catalog / "a.yaml")
    (catalog / "dangling.yaml").symlink_to(catalog / "missing.yaml")
    result, report = validate(catalog)
    assert result.exit_code == 1
    for rel in ("a.yaml", "b.yaml"):
        [finding] = findings_for(report, rel)
        assert finding["rule"] == "file-unreadable"
        assert "symbolic links" in finding["message"]
    [dangling] = findings_for(report, "dangling.yaml")
    assert dangling["message"] == "symlink target does not exist"
    assert_rest_checked(report)


@posix_only
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_a_finding_not_a_hang(catalog: Path, watchdog: None) -> None:
    os.mkfifo(catalog / "pipe.yaml")
    assert_unreadable(catalog, "pipe.yaml", "not a regular file (never read)")


def test_unreadable_file_is_a_finding(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 does not stop root (CI runs as root), so the refusal is simulated at open()."""
    locked = catalog / "teams" / "locked.yaml"
    shutil.copy(catalog / "teams" / "platform.yaml", locked)
    real_open = os.open

    def refuse(path: Any, *args: Any, **kwargs: Any) -> int:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(itsmctl.sources.os, "open", refuse)
    assert_unreadable(catalog, "teams/locked.yaml", "cannot read file: Permission denied")


@posix_only
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root reads files whatever their mode; the simulated test covers it")
def test_chmod_000_file_is_a_finding(catalog: Path) -> None:
    locked = catalog / "locked.yaml"
    locked.write_text("a: 1\n")
    locked.chmod(0)
    try:
        _, report = validate(catalog)
    finally:
        locked.chmod(0o644)
    assert [f["message"] for f in findings_for(report, "locked.yaml")] == [
        "cannot read file: Permission denied"]


def test_file_deleted_during_the_run_is_a_finding(catalog: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is listed, then removed before it is read (a real race, made certain)."""
    doomed = catalog / "teams" / "doomed.yaml"
    shutil.copy(catalog / "teams" / "platform.yaml", doomed)
    real_walk = itsmctl.sources.walk_entries

    def walk_then_delete(root: Path) -> Iterator[tuple[str, str, bool]]:
        entries = list(real_walk(root))
        doomed.unlink()
        return iter(entries)

    monkeypatch.setattr(itsmctl.sources, "walk_entries", walk_then_delete)
    assert_unreadable(catalog, "teams/doomed.yaml",
                      "file disappeared while the catalog was being read")


def test_read_error_in_the_middle_of_reading_is_a_finding(
        catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An I/O error after open (a disk or network file system failing) is a finding too."""
    real_read = os.read
    target = catalog / "teams" / "platform.yaml"
    target_inode = target.stat().st_ino

    def read(fd: int, size: int) -> bytes:
        if os.fstat(fd).st_ino == target_inode:
            raise OSError(5, "Input/output error")
        return real_read(fd, size)

    monkeypatch.setattr(itsmctl.sources.os, "read", read)
    result, report = validate(catalog)
    assert result.exit_code == 1
    finding, waiting = findings_for(report, "teams/platform.yaml")
    assert finding["message"] == "cannot read file: Input/output error"
    # what the file defined is known by its name: the references wait on it, reported once
    assert waiting["rule"] == "ref-into-broken-file" and "'Team:platform'" in waiting["message"]
    assert not [f for f in report["findings"] if f["rule"] == "ref-unresolved"]


def test_short_reads_are_read_on_to_the_end(catalog: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system that hands out a few bytes a read (network, FUSE) gives the same
    report as one that hands out a whole file."""
    whole = validate(catalog, "--no-cache")[1]
    real_read = os.read
    monkeypatch.setattr(itsmctl.sources.os, "read",
                        lambda fd, size: real_read(fd, min(size, 7)))
    assert validate(catalog, "--no-cache")[1] == whole
    assert whole["summary"]["entities"] == 11


@pytest.mark.parametrize("make", ["missing", "file"])
def test_a_path_that_is_not_a_catalog_folder_is_a_usage_error(tmp_path: Path, make: str,
                                                              invoke: Invoke) -> None:
    path = tmp_path / "catalog"
    if make == "file":
        path.write_text("a: 1\n")
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("itsmctl: error: catalog folder ")
    assert "hint: pass the folder that holds your catalog YAML" in result.stderr
    assert "Traceback" not in result.output


@posix_only
def test_config_symlinked_out_of_the_catalog_is_not_read(catalog: Path, tmp_path: Path,
                                                         invoke: Invoke) -> None:
    secret = tmp_path / "outside.json"
    secret.write_text(f'{{"include": "{SECRET}"}}\n')
    (catalog / ".itsmctl.yaml").symlink_to(secret)
    result = invoke("validate", str(catalog))
    assert SECRET not in result.output
    assert result.exit_code == 2
    assert "symlink points outside the catalog root" in result.output
