"""validate runs without full garbage collections (itsmctl/heap.py) and gives the collector back
as it found it: same findings, young collections as usual, thresholds restored."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from itsmctl.errors import ConfigError
from itsmctl.heap import frozen
from itsmctl.runcontext import resolve_context
from itsmctl.site import check_site, render_site
from itsmctl.validate import validate, validate_path


@contextmanager
def collecting_eagerly() -> Iterator[list[int]]:
    """Thresholds low enough that any run would collect every generation; the generations
    each collection started on, in order."""
    saved = gc.get_threshold()
    seen: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.set_threshold(10, 1, 1)
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*saved)


@pytest.fixture
def eager_collector() -> Iterator[list[int]]:
    with collecting_eagerly() as seen:
        yield seen


def test_validate_collects_only_the_young_generations(examples_dir: Path, today,
                                                      eager_collector: list[int]) -> None:
    expected = validate_path(examples_dir, today=today)
    context = resolve_context(examples_dir, today=today)  # reading the config may collect
    eager_collector.clear()
    result = validate(context)
    assert 2 not in eager_collector and 0 in eager_collector
    assert (result.findings, result.waived) == (expected.findings, expected.waived)
    assert gc.get_threshold() == (10, 1, 1)


def test_thresholds_come_back_when_validate_fails(write_catalog,
                                                  eager_collector: list[int]) -> None:
    root = write_catalog({".itsmctl.yaml": "apiVersion: itsmctl.io/v1\nkind: Config\n"
                          "rules:\n  no-such-rule: off\n"})
    with pytest.raises(ConfigError, match="no-such-rule"):
        validate_path(root)
    assert gc.get_threshold() == (10, 1, 1)


def test_frozen_nests_and_only_the_outermost_block_thaws() -> None:
    """The rules' workers fork inside a site render's frozen heap: the inner block's end
    must not thaw what the outer one froze."""
    assert gc.get_freeze_count() == 0
    with frozen():
        outer = gc.get_freeze_count()
        assert outer > 0
        with frozen():
            pass
        assert gc.get_freeze_count() >= outer
    assert gc.get_freeze_count() == 0



@pytest.mark.parametrize("workers", [1, 2])
def test_a_render_collects_only_the_young_generations(examples_dir: Path, tmp_path: Path,
                                                      workers: int) -> None:
    """What the pages remember per entity and per site lives to the end of a render, as the
    catalog does: no full collection walks it (nor in a forked page worker, which inherits
    the thresholds), the site's bytes are those of a render with the collector as usual,
    and the thresholds come back as they were."""
    from tests.site.site_helpers import TODAY, files_of

    run = resolve_context(examples_dir, today=TODAY)
    render_site(run, tmp_path / "usual", history=False, workers=workers)
    with collecting_eagerly() as seen:
        render_site(run, tmp_path / "young", history=False, workers=workers)
        assert gc.get_threshold() == (10, 1, 1)
    assert 2 not in seen and 0 in seen
    assert files_of(tmp_path / "young") == files_of(tmp_path / "usual")


def test_a_site_check_collects_only_the_young_generations(examples_dir: Path,
                                                          tmp_path: Path) -> None:
    """`render --check` and `check` render every page in one process, the catalog unfrozen:
    no full collection walks it, and the check still finds the site up to date, or a page
    that differs."""
    from tests.site.site_helpers import TODAY

    run = resolve_context(examples_dir, today=TODAY)
    render_site(run, tmp_path / "site", history=False, workers=1)
    with collecting_eagerly() as seen:
        fresh = check_site(run, tmp_path / "site", history=False)
        assert gc.get_threshold() == (10, 1, 1)
    assert 2 not in seen and 0 in seen
    assert fresh.ok and fresh.checked == len(list((tmp_path / "site").rglob("*.html"))) + 4
    (tmp_path / "site" / "index.html").write_text("stale", encoding="utf-8")
    assert check_site(run, tmp_path / "site", history=False).stale == ("index.html",)
