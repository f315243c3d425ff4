"""Each service page shows its scorecard level and what it lacks for the next one."""

from __future__ import annotations

from pathlib import Path

from site_helpers import render_catalog, visible_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_service_pages_show_level_and_what_is_missing(tmp_path: Path) -> None:
    render_catalog(EXAMPLES, tmp_path / "site")

    def text(name: str) -> str:
        page = tmp_path / "site" / "services" / f"{name}.html"
        return visible_text(page.read_text(encoding="utf-8"))

    assert ("Operational readiness silver ; for gold it lacks: p1-response-30m (waived)"
            in text("data-warehouse"))
    assert "Operational readiness gold (the highest level)" in text("storefront")
    # services outside the scorecard's selector get no scorecard section
    assert "Scorecards" not in text("loyalty-programme")
