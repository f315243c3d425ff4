"""What the pages show: SLA downtime, RACI tables, dependents, blast radius, coverage, findings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from itsmctl.availability import MINUTES_PER_MONTH, allowed_downtime_minutes
from itsmctl.site.figures import format_minutes

PageText = Callable[[str], str]


@pytest.mark.parametrize(("availability", "shown"), [
    (99.9, "43.8 min"), (99.95, "21.9 min"), (99.99, "4.4 min"), (99.999, "26.3 s"),
    (99.5, "3.7 h (219 min)"), (99.0, "7.3 h (438 min)"),
])
def test_allowed_downtime_per_30_44_day_month(availability: float, shown: str) -> None:
    assert format_minutes(allowed_downtime_minutes(availability, MINUTES_PER_MONTH)) == shown


def test_downtime_scales_with_the_measurement_period() -> None:
    assert allowed_downtime_minutes(99.9, 3 * MINUTES_PER_MONTH) == pytest.approx(3 * 43.8336)


def test_service_page_shows_sla_summary_and_targets(page_text: PageText) -> None:
    text = page_text("services/api.html")
    assert "Availability target 99.9%" in text
    assert "Allowed downtime per month 43.8 min" in text
    assert "Allowed downtime per quarter 2.2 h (132 min)" in text
    # office hours: 50 h a week, so 99.9 % allows 0.1 % of ~217 h a month
    assert "Within the agreed hours 13.0 min per month (50 service hours a week)" in text
    assert "P1 15m 4h" in text and "P2 1h 1d" in text


def test_round_the_clock_sla_has_no_business_hours_line(page_text: PageText) -> None:
    text = page_text("services/web.html")
    assert "Allowed downtime per month 3.7 h (219 min)" in text
    assert "Within the agreed hours" not in text


def test_raci_table_has_a_row_per_activity_and_a_column_per_party(small_site: Path) -> None:
    page = (small_site / "services" / "api.html").read_text()
    start = page.index('<table class="raci stack">')
    table = page[start:page.index("</table>", start)]
    assert '<th scope="col"><a href="../teams/dev.html">Developers</a></th>' in table
    assert "incident-manager</span> <span class=\"note\">(role)</span>" in table
    # each cell names its party, so a phone can show the row as "Developers: RA" lines
    assert ('<th scope="row">Restore the API</th><td class="raci-cell" data-label="Developers">'
            "RA</td>") in table


def test_dependents_and_transitive_blast_radius(page_text: PageText) -> None:
    db = page_text("services/db.html")
    assert "Dependents Public API (hard)" in db
    assert "can affect 3 services" in db
    assert "Public API 1 hard" in db
    assert "Web Shop 2 hard" in db
    assert "Nightly Batch 2 degraded (soft)" in db
    assert "No other service is affected" in page_text("services/web.html")


def test_a_long_chain_lists_the_nearest_50_and_counts_the_rest(tmp_path: Path) -> None:
    from itsmctl.site.services import BLAST_SHOWN
    from tests.site.site_helpers import render_catalog, visible_text

    # s00 <- s01 <- ... <- s59: everything above s00 depends on it, transitively
    docs = [f"""apiVersion: itsmctl.io/v1
kind: Service
metadata: {{name: s{n:02d}}}
spec:
  type: technical
  owner: ops
  lifecycle: operational
  dependencies: [{{service: s{n - 1:02d}, type: hard}}]
""" if n else "apiVersion: itsmctl.io/v1\nkind: Service\nmetadata: {name: s00}\n"
        "spec: {type: technical, owner: ops, lifecycle: operational}\n" for n in range(60)]
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "services.yaml").write_text("---\n".join(docs))
    render_catalog(tmp_path / "cat", tmp_path / "site")
    page = (tmp_path / "site" / "services" / "s00.html").read_text(encoding="utf-8")
    text = visible_text(page)
    assert BLAST_SHOWN == 50 and "can affect 59 services" in text
    assert "The 50 nearest are listed; 9 more are not." in text
    assert "s50 50 hard" in text and "s51 " not in text
    assert "more are not" not in visible_text(
        (tmp_path / "site" / "services" / "s09.html").read_text(encoding="utf-8"))


def test_dependencies_link_to_their_pages(small_site: Path) -> None:
    page = (small_site / "services" / "web.html").read_text()
    assert ('<a href="../services/api.html">Public API</a></td><td data-label="Type">hard</td>'
            '<td data-label="Why">All data</td>') in page


def test_team_page_lists_owned_services_and_raci_involvement(page_text: PageText) -> None:
    text = page_text("teams/dev.html")
    assert "Owned services Public API Web Shop" in text
    assert "API RACI Restore the API RA" in text
    assert "Approver in: Normal change" in text
    assert "Change Advisory Board for: Normal change" in page_text("teams/ops.html")


def test_change_model_page_shows_states_and_expired_templates(small_site: Path,
                                                              page_text: PageText) -> None:
    page = (small_site / "change-models" / "standard.html").read_text()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram"' in page
    text = page_text("change-models/standard.html")
    assert "2026-01-31 (expired)" in text
    assert "2027-06-30 (expired)" not in text
    normal = page_text("change-models/normal.html")
    assert "year-end 2026-12-15 2027-01-05 Peak in force" not in normal
    assert "year-end 2026-12-15 2027-01-05 Peak upcoming" in normal


def test_calendar_page_sums_weekly_hours(page_text: PageText) -> None:
    text = page_text("calendars/office-hours.html")
    assert "50 hours a week" in text
    assert "Saturday closed 0 h" in text
    assert "2026-12-25 Christmas Day" in text


def test_home_page_counts_and_coverage(page_text: PageText) -> None:
    text = page_text("index.html")
    assert "design 1" in text and "operational 3" in text
    assert "owner team 4 of 4 100%" in text
    assert "SLA 3 of 4 75%" in text
    assert "runbook 3 of 4 75%" in text
    assert "RACI matrix 1 of 4 25%" in text


def test_every_field_is_on_the_page(page_text: PageText) -> None:
    assert "interval: 26w" in page_text("services/db.html")


def test_rules_page_documents_every_rule(page_text: PageText) -> None:
    from itsmctl.rules import all_rules

    text = page_text("rules.html")
    for rule in all_rules():
        assert rule.id in text


def test_graph_picture_links_every_service(small_site: Path) -> None:
    assert not (small_site / "graph.svg").exists()  # one copy: the picture inside the page
    page = (small_site / "graph.html").read_text()
    svg = page[page.index("<svg"):page.index("</svg>")]
    for name in ("api", "batch", "db", "web"):
        assert f'<a href="services/{name}.html">' in svg
    assert svg.count('class="edge hard"') == 2 and svg.count('class="edge soft"') == 1


def test_search_index_lists_entities_with_service_facets(small_site: Path) -> None:
    import json

    assert not (small_site / "search-index.json").exists()  # one copy of the index
    script = (small_site / "assets" / "search-index.js").read_text()
    assert script.startswith("window.ITSMCTL_SEARCH_INDEX = [")
    entries = json.loads(script.removeprefix("window.ITSMCTL_SEARCH_INDEX = ").rstrip(";\n"))
    api = next(e for e in entries if e["name"] == "api")
    assert api == {"kind": "Service", "name": "api", "title": "Public API",
                   "url": "services/api.html", "description": "", "tier": "2",
                   "lifecycle": "operational", "owner": "Developers"}


def test_links_are_relative_and_nothing_is_loaded_from_the_network(small_site: Path) -> None:
    import re

    for page in small_site.rglob("*.html"):
        markup = page.read_text()
        assert 'href="/' not in markup and 'src="/' not in markup, page
        assets = re.findall(r'<(?:script|link|img)[^>]*(?:src|href)="([^"]+)"', markup)
        assert assets and all(not re.match(r"[a-z]+:", a) for a in assets), page


def test_all_fields_show_only_this_document_of_a_multi_document_file(small_site: Path) -> None:
    page = (small_site / "raci" / "api-raci.html").read_text()
    source = page[page.index("<pre>"):page.index("</pre>")]
    assert source.startswith("<pre>apiVersion: itsmctl.io/v1\nkind: RACI")
    assert "assignments: {dev: RA, ops: C, role:incident-manager: I}" in source
    assert "ChangeModel" not in source and "---" not in source


def test_fast_lookups_keep_jinjas_meaning() -> None:
    # the site's environment looks dict keys up directly and calls plain functions and
    # macros without Context.call: the same results as Jinja's own, context functions too
    from jinja2 import Environment, StrictUndefined, pass_context
    from jinja2.exceptions import UndefinedError

    from itsmctl.site.render import environment

    @pass_context
    def where(context: dict[str, object]) -> object:
        return context["root"]

    def plain(value: str) -> str:
        return value.upper()

    source = ("{% macro m(x) %}<{{ x }}>{% endmacro %}{{ d.a }} {{ d.items is callable }}"
              " {{ plain(d.a) }} {{ m(d.a) }} {{ where() }}"
              "{% for i in [1] %} {{ m(loop.index) }} {{ where() }}{% endfor %}")
    values = {"d": {"a": "x&y", "items": "shadowed"}, "plain": plain,
              "where": where, "root": "../"}
    ours = environment().from_string(source).render(values)
    theirs = Environment(autoescape=True, undefined=StrictUndefined).from_string(source)
    assert ours == theirs.render(values) == "x&amp;y True X&amp;Y <x&amp;y> ../ <1> ../"
    with pytest.raises(UndefinedError, match="has no attribute 'missing'"):
        environment().from_string("{{ d.missing }}").render(values)
