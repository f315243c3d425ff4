"""Fixtures of the site tests: render a catalog into tmp_path, read pages as a user sees them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from site_helpers import SMALL, Render, render_catalog, visible_text


@pytest.fixture
def render() -> Render:
    """Render `root` into `output` with a fixed today and no git history (unless asked)."""
    return render_catalog


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("small") / "site"
    render_catalog(SMALL, output)
    return output


@pytest.fixture
def page_text(small_site: Path) -> Callable[[str], str]:
    return lambda rel: visible_text((small_site / rel).read_text(encoding="utf-8"))
