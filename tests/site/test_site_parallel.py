"""Rendering in several worker processes: same files, same bytes, same failure guarantees."""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from site_helpers import SMALL, Render, break_page, files_of

from itsmctl.errors import ItsmctlError
from itsmctl.site.parallel import MIN_PAGES, death_cause, worker_count

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="parallel rendering needs fork")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 4 pages, so that even the test catalogs are split across the workers."""
    import itsmctl.site.parallel

    monkeypatch.setattr(itsmctl.site.parallel, "CHUNK", 4)


# the examples (more page kinds, 6 s): with the slow tests; the small catalog in the fast loop
@pytest.mark.parametrize("catalog", [SMALL, pytest.param(EXAMPLES, marks=pytest.mark.slow)],
                         ids=["small", "examples"])
def test_workers_write_the_same_files_in_the_same_order(catalog: Path, tmp_path: Path,
                                                        render: Render) -> None:
    serial = render(catalog, tmp_path / "serial", workers=1)
    parallel = render(catalog, tmp_path / "parallel", workers=3)
    assert parallel.files == serial.files
    assert files_of(tmp_path / "parallel") == files_of(tmp_path / "serial")


def test_progress_reaches_the_total_in_order(tmp_path: Path, render: Render) -> None:
    seen: list[tuple[int, int]] = []
    result = render(SMALL, tmp_path / "site", workers=2,
                    progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(result.files), len(result.files))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.parametrize(("death", "message", "hint"), [
    (lambda: os._exit(9), "it exited with status 9", "called exit"),
    (lambda: os.kill(os.getpid(), signal.SIGKILL), "killed by signal 9 (SIGKILL)",
     "out-of-memory killer"),
    (lambda: os.kill(os.getpid(), signal.SIGSEGV), "killed by signal 11 (SIGSEGV)",
     "crashed in native code"),
    (lambda: os.kill(os.getpid(), signal.SIGTERM), "killed by signal 15 (SIGTERM)",
     "something outside itsmctl stopped it"),
], ids=["exit-9", "sigkill", "sigsegv", "sigterm"])
def test_a_worker_that_dies_fails_the_render_with_its_real_cause(
        tmp_path: Path, render: Render, monkeypatch: pytest.MonkeyPatch,
        death: Callable[[], None], message: str, hint: str) -> None:
    """A worker's death is read from its exit status: an exit code, or the signal (SIGKILL
    from the out-of-memory killer) - not a guess. The previous site stays as it was."""
    site = tmp_path / "site"
    render(SMALL, site)
    before = files_of(site)
    parent = os.getpid()

    def die() -> None:
        if os.getpid() != parent:  # only ever a worker: the test process carries on
            faulthandler.disable()  # pytest's handler would print the worker's stack
            death()

    break_page(monkeypatch, "teams/ops.html", die)
    with pytest.raises(ItsmctlError) as caught:
        render(SMALL, site, workers=2)
    assert message in caught.value.message
    assert hint in caught.value.hint and "previous site is kept" in caught.value.hint
    assert files_of(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize(("codes", "message"), [
    ([-15, -9, -15], "signal 9 (SIGKILL)"),  # the pool SIGTERMs the others: not the cause
    ([-15, -15], "signal 15 (SIGTERM)"),     # only SIGTERMs: then it was the cause
    ([0, 3, -15], "exited with status 3"),
    ([0, None], "exit status is unknown"),
    ([-200], "signal 200 (an unknown signal)"),
])
def test_the_cause_of_death_is_read_from_the_exit_statuses(codes: list[int | None],
                                                           message: str) -> None:
    assert message in death_cause(codes)[0]


def test_small_sites_render_in_one_process_and_large_ones_on_every_core() -> None:
    assert worker_count(MIN_PAGES - 1) == 1
    assert worker_count(10, requested=3) == 3
    assert worker_count(MIN_PAGES) == min(os.cpu_count() or 1, 8)


def test_a_process_with_other_threads_renders_serially() -> None:
    """Forking while another thread runs can deadlock the child: stay in one process."""
    import threading

    release = threading.Event()
    waiter = threading.Thread(target=release.wait)
    waiter.start()
    try:
        assert worker_count(MIN_PAGES * 10) == 1
        assert worker_count(MIN_PAGES, requested=3) == 1
    finally:
        release.set()
        waiter.join()
    assert worker_count(MIN_PAGES, requested=3) == 3


@pytest.mark.slow
def test_workers_share_nothing_that_reads_git(tmp_path: Path, render: Render,
                                              isolated_git: None) -> None:
    """With --ref, file bytes come through one `git cat-file` process: workers must not read
    through it (they would read each other's answers: wrong pages, hangs, crashes)."""
    import shutil
    import subprocess

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "catalog"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    serial = render(repo, tmp_path / "serial", workers=1, ref="HEAD")
    for attempt in range(3):
        out = tmp_path / f"parallel-{attempt}"
        assert render(repo, out, workers=2, ref="HEAD").files == serial.files
        assert files_of(out) == files_of(tmp_path / "serial")
