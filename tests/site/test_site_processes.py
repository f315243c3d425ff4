"""Process pages: owner, RACI, the matrix as a table, escalation against the SLA targets, KPIs;
the home page lists the processes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from site_helpers import render_catalog, visible_text


@pytest.fixture
def site(examples_site: Path) -> Path:
    """The examples' site (tests/site/conftest.py), which these tests only read."""
    return examples_site


def text_of(site: Path, rel: str) -> str:
    return visible_text((site / rel).read_text(encoding="utf-8"))


def test_every_process_has_a_page(site: Path) -> None:
    pages = sorted(p.name for p in (site / "processes").glob("*.html"))
    assert pages == ["change-enablement.html", "incident-management.html",
                     "major-incident-management.html", "problem-management.html",
                     "release-management.html", "request-fulfilment.html"]
    listing = text_of(site, "processes.html")
    assert "Incident management" in listing and "Release management" in listing


def test_the_incident_page_shows_owner_raci_and_matrix(site: Path) -> None:
    text = text_of(site, "processes/incident-management.html")
    assert "Process owner incident-process-owner (role)" in text
    assert "Log and categorise the incident A R" in text  # a RACI row
    assert "Impact \\ urgency critical high medium low" in text
    assert "extensive P1 P1 P2 P3" in text and "minor P3 P3 P4 P4" in text


def test_escalation_fires_at_its_share_of_each_priority_target(site: Path) -> None:
    text = text_of(site, "processes/incident-management.html")
    # P1 resolution targets of the covered SLAs run from 2h to 8h; P2 from 6h to 1d:
    # the step at 50% of resolution fires after 1h-4h (P1) and 3h-12h (P2)
    assert "50% resolution functional incident-manager (role) 1h\u20134h 3h\u201312h" in text
    # the 100% step applies to P1 and P2 only
    assert re.search(r"100% resolution hierarchical executive-on-call \(role\) 2h\u20138h"
                     r" 6h\u20131d - -", text), text
    markup = (site / "processes/incident-management.html").read_text(encoding="utf-8")
    assert markup.count('<svg xmlns="http://www.w3.org/2000/svg" class="timeline"') == 2
    assert 'aria-label="Escalation of Incident management against the resolution targets"' \
        in markup


def test_kpis_with_targets_and_review_cadence(site: Path) -> None:
    text = text_of(site, "processes/incident-management.html")
    assert ("Median time to resolve P1 incidents Mean time to resolve (MTTR) mttr median <= 4h"
            " monthly business priority: P1 incident-process-owner (role) weekly") in text
    assert "<= 28.00 EUR quarterly" in text


def test_practice_fields_are_shown(site: Path) -> None:
    major = text_of(site, "processes/major-incident-management.html")
    assert "Exercises tabletop every 13w, last 2026-10-14" in major
    assert "Stakeholder updates every 30m" in major
    problem = text_of(site, "processes/problem-management.html")
    assert "Root-cause analysis for every P1, P2 incident or 3 incidents within 30d" in problem
    release = text_of(site, "processes/release-management.html")
    assert "Release window weekday-mornings: mon, tue, wed, thu 09:00\u201312:00 Europe/Berlin" \
        in release
    request = (site / "processes/request-fulfilment.html").read_text(encoding="utf-8")
    assert 'href="../catalogs/employee-service-catalog.html"' in request


def test_the_home_page_lists_the_processes(site: Path) -> None:
    text = text_of(site, "index.html")
    assert "Processes How each ITSM practice is run Process Practice Owner Applies to KPIs" in text
    assert "Incident management incident incident-process-owner (role) the whole catalog 7" in text


def test_catalog_text_is_escaped_in_the_timeline(write_catalog: object, tmp_path: Path) -> None:
    root = tmp_path / "cat"
    root.mkdir()
    (root / "p.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Process\nmetadata:\n  name: incident-management\n"
        "  title: '<script>alert(1)</script>'\nspec:\n  process: incident\n"
        "  escalation:\n    - {at: 50%, of: resolution, type: functional, to: role:x}\n",
        encoding="utf-8")
    render_catalog(root, tmp_path / "site")
    markup = (tmp_path / "site/processes/incident-management.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; against the resolution targets" in markup
