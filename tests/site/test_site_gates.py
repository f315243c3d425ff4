"""Each service page shows where it stands against the catalog's lifecycle gates (its stage's
entry criteria, what the next move asks) and its evidence with dates and ages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from site_helpers import render_catalog, visible_text


def page(site: Path, name: str) -> str:
    return (site / "services" / f"{name}.html").read_text(encoding="utf-8")


def section(markup: str) -> str:
    """The visible text of the gate section (up to the next h2)."""
    start = markup.index('<h2 id="lifecycle-gates">')
    return visible_text(markup[start:markup.index("<h2", start + 4)])


def test_an_operational_service_shows_its_met_criteria_and_evidence_ages(
        examples_copy: Path, tmp_path: Path) -> None:
    render_catalog(examples_copy, tmp_path / "site")
    text = section(page(tmp_path / "site", "checkout"))
    assert "Gate production-readiness Stage operational : entry criteria met" in text
    assert "met: evidence load-test (at most 52w old)" in text
    assert "not met" not in text
    # 2026-01-03 to 2026-11-23 (the render's day): 28 + 28 + 31 + 30 + 31 + 30 + 31 + 31
    # + 30 + 31 + 23 = 324 days; newest entry first
    assert ("security-signoff 2026-01-03 324 days old luca.moretti@larkspur.example"
            " https://security.larkspur.example/reviews/checkout-2026") in text
    assert (text.index("production-readiness-review 2026-01-24")
            < text.index("security-signoff 2026-01-03"))


def test_a_service_in_design_shows_what_its_move_to_transition_lacks(
        examples_copy: Path, tmp_path: Path) -> None:
    render_catalog(examples_copy, tmp_path / "site")
    text = section(page(tmp_path / "site", "loyalty-programme"))
    assert "Stage design : no entry criteria" in text
    assert "Next stage transition : not ready yet; approved by change-manager" in text
    assert ("not met : enter transition: evidence security-signoff (at most 52w old)"
            " (evidence 'security-signoff' is missing)") in text
    assert "No evidence recorded." in text


def test_stale_evidence_and_hostile_refs(examples_copy: Path, tmp_path: Path) -> None:
    path = examples_copy / "services/checkout.yaml"
    source = path.read_text(encoding="utf-8")
    old = "https://security.larkspur.example/reviews/checkout-2026"
    assert old in source
    source = source.replace(old, "javascript:alert(1)").replace(
        "approver: luca.moretti@larkspur.example", "approver: <script>alert(2)</script>", 1)
    path.write_text(source, encoding="utf-8")
    render_catalog(examples_copy, tmp_path / "site")
    markup = page(tmp_path / "site", "checkout")
    assert 'href="javascript:' not in markup
    assert '<td data-label="Record">javascript:alert(1)</td>' in markup
    assert "<script>alert(2)" not in markup and "&lt;script&gt;alert(2)" in markup
    render_catalog(examples_copy, tmp_path / "later", today=date(2027, 3, 1))
    text = section(page(tmp_path / "later", "checkout"))
    assert "entry criteria not met" in text
    assert ("not met : evidence security-signoff (at most 52w old) (evidence"
            " 'security-signoff' of 2026-01-03 is 422 days old, more than 52w)") in text
