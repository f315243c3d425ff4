"""Fixtures of the site tests: render a catalog into tmp_path, read pages as a user sees them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from site_helpers import SMALL, Render, render_catalog, visible_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def render() -> Render:
    """Render `root` into `output` with a fixed today and no git history (unless asked)."""
    return render_catalog


# The sites many modules only read, rendered once per run (per xdist worker): a test that
# changes a site renders its own into tmp_path.
@pytest.fixture(scope="session")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("small") / "site"
    render_catalog(SMALL, output)
    return output


@pytest.fixture(scope="session")
def examples_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("examples") / "site"
    render_catalog(EXAMPLES, output)
    return output


@pytest.fixture
def page_text(small_site: Path) -> Callable[[str], str]:
    return lambda rel: visible_text((small_site / rel).read_text(encoding="utf-8"))
