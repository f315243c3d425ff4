"""Governance first and the registers: the home page's attention list, the SLA register, the
change calendar (and "freeze in force" on service pages), the services table, the teams register."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_helpers import SMALL, render_catalog, visible_text

PageText = Callable[[str], str]


class Rows(HTMLParser):
    """The rows of the first table with the given id (or of the first table), as cell texts
    and the row's data attributes: what a reader, and the sorting script, get from the HTML."""

    def __init__(self, table_id: str | None = None) -> None:
        super().__init__()
        self.table_id, self.depth, self.done = table_id, 0, False
        self.rows: list[tuple[dict[str, str], list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "table" and not self.done and (self.table_id in (None, found.get("id"))):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append(({k: v for k, v in found.items() if k.startswith("data-")}, []))
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1][1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif self.depth and tag == "table":
            self.depth, self.done = 0, True

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page: Path, table_id: str | None = None) -> list[tuple[dict[str, str], list[str]]]:
    parser = Rows(table_id)
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.rows


@pytest.fixture(scope="module")
def attention_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small catalog with one of each thing that needs attention, as of 2026-11-23."""
    root = tmp_path_factory.mktemp("attention") / "catalog"
    shutil.copytree(SMALL, root)
    services = (root / "services.yaml").read_text()
    services = services.replace(
        "  name: db\n  title: Database\n",
        "  name: db\n  title: Database\n  waivers:\n    - {rule: tier1-raci-required,"
        " reason: drafting, approver: ada@example.com, expires: 2026-12-01}\n", 1)
    services = services.replace(
        "  changeModels: [normal]\n  links: {runbook: https://wiki.example.com/db}\n"
        "  review: {lastReviewed: 2026-09-01, interval: 26w}",
        "  changeModels: [normal]\n  links: {runbook: https://wiki.example.com/db}\n"
        "  review: {lastReviewed: 2026-01-01, interval: 26w}\n"
        "  dataClassification: restricted\n  evidence:\n"
        "    - {name: security-signoff, date: 2025-12-10, ref: 'https://sec.example.com/1',"
        " approver: ada@example.com}",
        1)
    (root / "services.yaml").write_text(services)
    governance = (root / "governance.yaml").read_text().replace(
        "    - {name: year-end, from: 2026-12-15, until: 2027-01-05, reason: Peak}",
        "    - {name: year-end, from: 2026-12-15, until: 2027-01-05, reason: Peak}\n"
        "    - {name: audit-week, from: 2026-11-20, until: 2026-11-27, reason: Annual audit}")
    (root / "governance.yaml").write_text(governance)
    site = root.parent / "site"
    render_catalog(root, site)
    return site


def text_of(site: Path, rel: str) -> str:
    return visible_text((site / rel).read_text(encoding="utf-8"))


def test_the_home_page_opens_with_governance_health_before_the_search(attention_site: Path
                                                                      ) -> None:
    text = text_of(attention_site, "index.html")
    body = text[text.index("Rules ") + 6:]  # after the navigation
    assert body.index("Governance health") < body.index("Find a service")
    assert body.index("Needs attention") < body.index("Find a service")
    assert "Errors: 3 error findings on 2 entities: Standard change , Database ( findings )" in body


def test_attention_lists_freezes_reviews_waivers_and_evidence(attention_site: Path) -> None:
    text = text_of(attention_site, "index.html")
    assert ("Freezes in force: Normal change audit-week until 2026-11-27 (3 services)"
            " — change calendar") in text
    # 2026-01-01 + 26 weeks = 2026-07-02
    assert "Overdue reviews: 1: Database (Service, due 2026-07-02)" in text
    assert ("Waivers lapsing within 30 days: Database (waiver of tier1-raci-required,"
            " expires 2026-12-01)") in text
    # 52 weeks (364 days) after 2025-12-10
    assert ("Evidence going stale within 30 days: Database (security-signoff of 2025-12-10,"
            " stale on 2026-12-09)") in text


def test_a_clean_catalog_says_none_needs_attention(page_text: PageText) -> None:
    text = page_text("index.html")
    for line in ("Freezes in force: none", "Overdue reviews: none",
                 "Waivers lapsing within 30 days: none",
                 "Evidence going stale within 30 days: none"):
        assert line in text


def test_search_results_are_limited_with_a_way_to_see_all(small_site: Path) -> None:
    page = (small_site / "index.html").read_text()
    assert ('<button type="button" id="search-more" class="more" hidden>Show all results'
            "</button>") in page
    script = (small_site / "assets" / "site.js").read_text()
    assert "var LIMIT = 20;" in script
    assert page.index('id="health"') < page.index('id="search"')


def test_sla_register_has_targets_downtime_calendar_and_dates(small_site: Path) -> None:
    rows = {cells[0]: cells for _, cells in table_rows(small_site / "slas.html")[1:]}
    api = rows["API SLA"]
    # header: agreement, type, service, target, around the clock, in hours, calendar, until, review
    assert api[1:4] == ["SLA", "Public API", "99.9%"]
    assert api[4] == "43.8 min"  # (100 - 99.9) % of 30.44 days
    assert api[5] == "13.0 min (50 h a week)"  # the same formula over 50 service hours a week
    assert api[6] == "Office hours"
    header = table_rows(small_site / "slas.html")[0][1]
    assert header == ["Agreement", "Type", "Service", "Target",
                      "Allowed downtime a month, around the clock",
                      "Allowed downtime a month, in service hours", "Calendar", "Effective until",
                      "Review due"]


def test_sla_register_uses_the_shared_arithmetic(small_site: Path) -> None:
    from itsmctl.availability import MINUTES_PER_MONTH, allowed_downtime_minutes
    from itsmctl.site.figures import format_minutes

    rows = {cells[0]: cells for _, cells in table_rows(small_site / "slas.html")[1:]}
    for cells in rows.values():
        if cells[3].endswith("%"):
            expected = allowed_downtime_minutes(float(cells[3][:-1]), MINUTES_PER_MONTH)
            assert cells[4] == format_minutes(expected)


def test_change_calendar_lists_every_window_and_service_pages_show_a_freeze(
        attention_site: Path) -> None:
    rows = [cells for _, cells in table_rows(attention_site / "change-calendar.html")[1:]]
    assert rows == [
        ["freeze in force", "2026-11-20", "2026-11-27", "audit-week", "Normal change",
         "Annual audit", "3"],
        ["upcoming", "2026-12-15", "2027-01-05", "year-end", "Normal change", "Peak", "3"],
    ]
    db = text_of(attention_site, "services/db.html")
    assert ("Freeze in force: no Normal change changes until 2026-11-27 ( audit-week : Annual"
            " audit). See the change calendar .") in db
    assert "Freeze in force" not in text_of(attention_site, "services/batch.html")


def test_services_table_rows_carry_what_the_filters_need(small_site: Path) -> None:
    rows = table_rows(small_site / "services.html", "services-table")
    header = rows[0][1]
    assert header == ["Service", "Tier", "Lifecycle", "Type", "Owner", "Scorecard level",
                      "Findings", "Availability"]
    by_name = {cells[0]: (data, cells) for data, cells in rows[1:]}
    data, cells = by_name["Database errors"]
    assert data == {"data-name": "db database", "data-tier": "1",
                    "data-lifecycle": "operational", "data-type": "technical",
                    "data-owner": "Operations", "data-level": "", "data-findings": "error"}
    assert cells[6] == "3 errors"
    assert by_name["Web Shop"][1][6] == "1 warning"
    assert [c[0] for _, c in rows[1:]] == ["Public API", "Nightly Batch", "Database errors",
                                           "Web Shop"]  # catalog order without JavaScript
    page = (small_site / "services.html").read_text()
    assert re.search(r'<form id="table-filters"[^>]* hidden>', page)  # shown by the script
    assert "<noscript>" in page


def test_teams_register(small_site: Path) -> None:
    rows = {cells[0]: cells for _, cells in table_rows(small_site / "teams.html")[1:]}
    assert rows["Operations"][1:6] == ["none", "1", "2", "1", "none"]
    assert rows["Developers"][3] == "2"


def test_registers_are_reached_from_the_home_page(small_site: Path) -> None:
    page = (small_site / "index.html").read_text()
    for href in ("services.html", "slas.html", "change-calendar.html", "teams.html"):
        assert f'href="{href}"' in page
    assert (small_site / "change-calendar.html").is_file()


def test_window_status_by_day_and_for_unreadable_dates() -> None:
    from datetime import date

    from itsmctl.site.registers import window_status

    today = date(2026, 11, 23)
    assert window_status({"from": "2026-11-23", "until": "2026-11-23"}, today) == "in force"
    assert window_status({"from": "2026-11-24", "until": "2026-11-30"}, today) == "upcoming"
    assert window_status({"from": "2026-11-01", "until": "2026-11-22"}, today) == "past"
    assert window_status({"from": "soon", "until": "2026-11-22"}, today) == ""


def test_site_counts_every_finding_past_the_listing_bound(tmp_path: Path) -> None:
    """Past 100 findings of a rule in a document validate lists a counting finding ("30 more
    schema findings in this document"); the home page, the findings-by-rule table, the
    services table and the graph's boxes count every finding it stands for, as `itsmctl
    validate` does (they counted it as one: 101 where there were 130)."""
    root = tmp_path / "catalog"
    shutil.copytree(SMALL, root)
    labels = "".join(f"    l{i:03}: {'x' * 70}\n" for i in range(130))
    services = (root / "services.yaml").read_text().replace(
        "  name: db\n  title: Database\n", f"  name: db\n  title: Database\n  labels:\n{labels}", 1)
    (root / "services.yaml").write_text(services)
    site = tmp_path / "site"
    render_catalog(root, site)
    home = text_of(site, "index.html")
    assert "Errors: 134 error findings on 2 entities" in home  # 4 of the small catalog's own
    assert " schema 130 0 0 130 " in home  # the findings by rule and severity
    by_name = {cells[0]: cells for _, cells in table_rows(site / "services.html",
                                                          "services-table")[1:]}
    assert by_name["Database errors"][6] == "133 errors"
    assert "133 errors" in (site / "graph.html").read_text()
