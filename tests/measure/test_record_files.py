"""Record files are plain files of the records folder, for every command that reads them.

A pull request's records are as untrusted as its catalog, and `measure`, `render --records`,
`diff --records` and `check --records` all read them through one opener
(itsmctl/measure/recordfile.py): a symbolic link is never followed, a FIFO or device never
opened, nothing under `.git` read; the refusal names the file (exit 2) and quotes none of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.measure.conftest import EXAMPLES

if TYPE_CHECKING:
    from conftest import Invoke

SECRET = "AUTHORIZATION: basic SECRETTOKEN123"


def _secret(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    config.write_text(f"[core]\n\trepositoryformatversion = 0\n[http]\n\textraheader = {SECRET}\n",
                      encoding="utf-8")
    return config


@pytest.mark.parametrize("name", ["events.csv", "tickets.csv", "mapping.yaml"])
def test_a_symlinked_record_file_is_refused_by_measure(records: Callable[..., Path],
                                                       tmp_path: Path, invoke: Invoke,
                                                       name: str) -> None:
    folder = records()
    (folder / name).unlink(missing_ok=True)
    (folder / name).symlink_to(_secret(tmp_path))
    result = invoke("measure", EXAMPLES, "--records", folder, "--max-bad-rows", "100", code=2)
    assert f"{name} is a symbolic link (not followed)" in result.output
    assert "records are read from plain files in the records folder only" in result.output
    assert "SECRETTOKEN123" not in result.output and "repositoryformatversion" not in result.output


def test_a_link_that_stays_inside_the_folder_is_refused_too(records: Callable[..., Path],
                                                            invoke: Invoke) -> None:
    folder = records()
    (folder / "events.csv").rename(folder / "history.csv")
    (folder / "events.csv").symlink_to("history.csv")
    result = invoke("measure", EXAMPLES, "--records", folder, code=2)
    assert "events.csv is a symbolic link (not followed)" in result.output


def test_render_records_refuses_a_symlinked_record_file(records: Callable[..., Path],
                                                        tmp_path: Path, invoke: Invoke) -> None:
    folder = records()
    (folder / "outages.csv").unlink()
    (folder / "outages.csv").symlink_to(_secret(tmp_path))
    out = tmp_path / "site"
    result = invoke("render", EXAMPLES, "-o", out, "--records", folder, code=2)
    assert "outages.csv is a symbolic link (not followed)" in result.output
    assert "SECRETTOKEN123" not in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting(records: Callable[..., Path],
                                           invoke: Invoke) -> None:
    folder = records()
    (folder / "events.csv").unlink()
    os.mkfifo(folder / "events.csv")
    result = invoke("measure", EXAMPLES, "--records", folder, code=2)
    assert "events.csv is not a regular file (not read)" in result.output


def test_nothing_under_a_git_folder_is_read(tmp_path: Path, records: Callable[..., Path],
                                            invoke: Invoke) -> None:
    folder = records()
    inside = tmp_path / ".git" / "records"
    inside.parent.mkdir()
    folder.rename(inside)
    result = invoke("measure", EXAMPLES, "--records", inside, code=2)
    assert "lies inside a .git folder (not read)" in result.output


def test_a_mapping_over_1_mib_is_refused(records: Callable[..., Path], invoke: Invoke) -> None:
    folder = records(mapping_yaml="# padding\n" * 110_000)
    result = invoke("measure", EXAMPLES, "--records", folder, code=2)
    assert "mapping.yaml is larger than 1 MiB" in result.output
