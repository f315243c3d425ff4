"""`render --records`: attainment, error budget and KPI charts, readable without JavaScript.

Each chart is an SVG image named by its <title> and described in words by its <desc> (every
period's value, "missed" where it missed), followed by the same figures as a table. The
figures are those of `itsmctl measure` on the same records (tests/measure cover them).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_helpers import render_catalog

from itsmctl.measure.run import MeasureOptions
from tests.conftest import Invoke

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RECORDS = EXAMPLES / "records"


@pytest.fixture(scope="module")
def measured_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("measured") / "site"
    render_catalog(EXAMPLES, site, records=MeasureOptions(RECORDS, records_label="records"))
    return site


class _Svgs(HTMLParser):
    """Each <svg>'s role, aria-labelledby, and its <title> and <desc> texts by id."""

    def __init__(self) -> None:
        super().__init__()
        self.svgs: list[dict[str, str]] = []
        self.texts: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "svg" and "chart" in values.get("class", ""):
            self.svgs.append(values)
        if tag in ("title", "desc") and "id" in values:
            self._open = values["id"]

    def handle_data(self, data: str) -> None:
        if self._open:
            self.texts[self._open] = self.texts.get(self._open, "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "desc"):
            self._open = None


def _charts(page: Path) -> list[tuple[str, str]]:
    parser = _Svgs()
    parser.feed(page.read_text(encoding="utf-8"))
    out = []
    for svg in parser.svgs:
        assert svg["role"] == "img"
        title_id, desc_id = svg["aria-labelledby"].split()
        out.append((parser.texts[title_id], parser.texts[desc_id]))
    return out


def test_sla_page_charts_attainment_and_the_error_budget(measured_site: Path) -> None:
    charts = dict(_charts(measured_site / "slas" / "checkout-sla.html"))
    desc = charts["P2 resolution attainment per period (checkout-sla)"]
    # the figures of `itsmctl measure examples --records examples/records`
    assert desc.endswith("2026-09: 78.9% (missed); 2026-10: 81.2% (missed).")
    assert "the dashed line is the 95% attainment target" in desc
    budget = charts["Error budget used per period (checkout-sla)"]
    assert "2026-10: 61%" in budget  # 27.2 of 44.7 minutes
    page = (measured_site / "slas" / "checkout-sla.html").read_text(encoding="utf-8")
    assert page.count("<details><summary>The figures as a table</summary>") == len(charts)
    assert "<caption>P2 resolution attainment per period (checkout-sla)</caption>" in page
    assert "From the records in <code>records</code>: 700 tickets" in page


def test_service_and_process_pages(measured_site: Path) -> None:
    service = dict(_charts(measured_site / "services" / "checkout.html"))
    assert list(service) == ["Error budget used per period (checkout-sla)"]
    kpis = dict(_charts(measured_site / "processes" / "change-enablement.html"))
    share = kpis["emergency-change-share per period (rate emergency-change-share)"]
    assert "2026-09: 11.1% (missed); 2026-10: 9.1%." in share
    assert "the dashed line is the target <= 10%" in share


def test_pages_without_figures_and_sites_without_records(measured_site: Path,
                                                         tmp_path: Path) -> None:
    assert _charts(measured_site / "teams" / "payments.html") == []
    plain = tmp_path / "plain"
    render_catalog(EXAMPLES, plain)
    assert _charts(plain / "slas" / "checkout-sla.html") == []
    assert 'id="measured"' not in (plain / "slas" / "checkout-sla.html").read_text()


@pytest.mark.slow
def test_render_records_option(tmp_path: Path, invoke: Invoke) -> None:
    out = tmp_path / "site"
    result = invoke("render", str(EXAMPLES), "-o", str(out), "--no-history",
                    "--today", "2026-11-23", "--records", str(RECORDS))
    assert result.exit_code == 0, result.output
    assert re.search(r'<svg [^>]*class="chart"', (out / "slas" / "checkout-sla.html").read_text())
    missing = invoke("render", str(EXAMPLES), "-o", str(tmp_path / "x"),
                     "--records", str(tmp_path / "none"))
    assert missing.exit_code == 2 and "does not exist" in missing.output



@pytest.mark.parametrize(("row", "advice"), [
    ("legacy-erp,not-a-time,2026-09-02T05:23:52Z,full,,false", ["--max-bad-rows", "1"]),
    ("legacy-erp,2026-09-02T05:21:52,2026-09-02T05:23:52,full,,false",
     ["--assume-tz", "Europe/Berlin"]),
])
def test_render_takes_the_advice_its_records_error_gives(
        tmp_path: Path, invoke: Invoke, row: str, advice: list[str]) -> None:
    records = tmp_path / "records"
    records.mkdir()
    for name in ("tickets.csv", "events.csv"):
        (records / name).write_bytes((RECORDS / name).read_bytes())
    (records / "outages.csv").write_text(
        (RECORDS / "outages.csv").read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    args = ["render", EXAMPLES, "-o", tmp_path / "site", "--no-history", "--records", records]
    refused = invoke(*args, code=2)
    assert "outages.csv:97: column start" in refused.output
    assert f"{advice[0]} " in refused.output  # the error or its hint names the option
    invoke(*args, *advice, code=0)

@pytest.mark.slow
@pytest.mark.browser
def test_charts_in_the_browser_are_named_images_and_pass_axe(measured_site: Path) -> None:
    """The charts, and the home page's service review, read without script and pass axe."""
    from test_site_browser import launched

    with launched() as browser:
        from axe_playwright_python.sync_playwright import Axe

        still = browser.new_page(java_script_enabled=False)  # the charts need no script
        still.goto((measured_site / "processes" / "incident-management.html").as_uri())
        assert still.get_by_role("img", name="mtta per period (mean mtta)").count() == 1
        still.goto((measured_site / "index.html").as_uri())  # the service review: no script
        review = still.get_by_role("region", name="Service review")
        assert review.get_by_role("table", name="KPIs missed").count() == 1
        below = review.get_by_role("table", name="SLAs below their availability target")
        assert below.get_by_role("link", name="Order Management OLA").count() == 1
        page = browser.new_page()
        problems = []
        for rel in ("index.html", "slas/checkout-sla.html", "services/checkout.html",
                    "processes/incident-management.html"):
            page.goto((measured_site / rel).as_uri())
            if rel != "index.html":
                assert page.get_by_role("img", name=re.compile("per period")).count() > 0
            result = Axe().run(page, options={"preload": False,
                                              "resultTypes": ["violations"]})
            problems += [f"{rel}: {v['id']} ({v['impact']})"
                         for v in result.response["violations"]
                         if v["impact"] in ("serious", "critical")]
        browser.close()
    assert problems == []


def test_every_id_on_a_measured_page_is_unique(measured_site: Path) -> None:
    for page in measured_site.rglob("*.html"):
        ids = re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8"))
        assert len(ids) == len(set(ids)), page


def test_names_differing_only_in_punctuation_get_distinct_chart_ids() -> None:
    from itsmctl.site.measured import _Ids

    ids = _Ids()
    assert [ids.take(t) for t in ("a.b", "a-b", "a_b", "a-b-2", "a b")] == [
        "chart-a-b", "chart-a-b-2", "chart-a_b", "chart-a-b-2-2", "chart-a-b-3"]


def test_a_chart_draws_the_newest_periods_and_its_table_keeps_every_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from itsmctl.site import measured

    monkeypatch.setattr(measured, "MAX_BARS", 1)
    site = tmp_path / "site"
    render_catalog(EXAMPLES, site, records=MeasureOptions(RECORDS, records_label="records"))
    page = site / "slas" / "checkout-sla.html"
    desc = dict(_charts(page))["P2 resolution attainment per period (checkout-sla)"]
    assert "2026-09" not in desc
    assert desc.endswith("2026-10: 81.2% (missed). The newest 1 of 2 periods are drawn; the"
                         " table lists every one.")
    markup = page.read_text(encoding="utf-8")
    chart = markup.split('aria-labelledby="chart-checkout-sla-P2-resolution-title')[1]
    drawn, table = chart.split("</svg>", 1)
    assert drawn.count("<rect ") == 2  # the hatch pattern's, and one bar
    rows = table.split("</table>", 1)[0]
    assert "2026-09" in rows and "2026-10" in rows
    # the scale is that of the drawn bars: 2026-10's 415% (not drawn) must not flatten 2026-11
    budget = (site / "slas" / "kubernetes-platform-ola.html").read_text(encoding="utf-8")
    svg = budget.split('aria-labelledby="chart-kubernetes-platform-ola-budget-title')[1]
    svg = svg.split("</svg>", 1)[0]
    assert ">100%</text>" in svg and "415%" not in svg


def test_a_kpi_chart_scale_is_that_of_the_drawn_bars() -> None:
    from itsmctl.processes.metrics import METRICS
    from itsmctl.site.measured import Bar, _kpi_scale

    minutes = next(m for m in METRICS if m.unit == "count")
    scale = _kpi_scale(minutes, 10.0)
    assert scale([Bar("2026-11", 20.0, "20", False)])[0] == pytest.approx(23.0)
    assert scale([Bar("2026-11", 2.0, "2", False)])[0] == pytest.approx(11.5)  # the target
    assert scale([Bar("2026-11", None, "-", False)])[0] == pytest.approx(11.5)


def _review(site: Path) -> str:
    page = (site / "index.html").read_text(encoding="utf-8")
    return page.split('<section id="service-review"', 1)[1].split("</section>", 1)[0]


def _rows(review: str, caption: str) -> list[list[str]]:
    """The rows of one review table, as the cell texts (the entity's link text first)."""
    table = review.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in
             re.findall(r"<t[hd] [^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr><th scope=\"row\".*?</tr>", table)]


def test_the_home_page_reviews_the_latest_complete_period(measured_site: Path) -> None:
    """The records end on 25 November 2026: October is the latest complete month, Q3 the
    latest complete quarter; November and Q4 are still running and not reviewed."""
    page = (measured_site / "index.html").read_text(encoding="utf-8")
    # governance first: health, then the review, then search
    assert page.index('id="health"') < page.index('id="service-review"') < page.index(
        'id="search"')
    review = _review(measured_site)
    assert ("The latest complete period of each SLA and KPI, measured on the records in"
            " <code>records</code>: 700 tickets, as of 2026-11-25T15:29Z.") in review
    assert "<strong>Availability below target:</strong> 4 SLAs" in review
    assert ("<strong>Attainment below target:</strong> 11 response or resolution targets"
            in review)
    assert "<strong>KPIs missed:</strong> 9 KPIs" in review
    periods = {cell for caption in ("SLAs below their availability target",
                                    "SLAs with attainment below target, per priority",
                                    "KPIs missed") for row in _rows(review, caption)
               for cell in row if re.fullmatch(r"2026-(\d\d|Q\d|W\d\d)", cell)}
    assert periods == {"2026-10", "2026-Q3", "2026-W44"}
    availability = _rows(review, "SLAs below their availability target")
    assert availability[0] == ["Order Management OLA", "order-management", "2026-10",
                               "99.945%", "99.97%", "-"]  # 0.025 points short: the worst
    assert [r[0] for r in availability[1:]] == [
        "Nimbus Cloud enterprise agreement (compute, network, managed Kubernetes)",
        "Kubernetes Platform OLA", "Customer Identity OLA"]
    assert availability[1][-1] == "10%"  # the credit the supplier owes
    attainment = _rows(review, "SLAs with attainment below target, per priority")
    assert attainment[0][1:] == ["P3", "resolution", "2026-10", "50.0%", "95%", "1 of 2"]
    assert [float(r[4].rstrip("%")) for r in attainment] == sorted(
        float(r[4].rstrip("%")) for r in attainment)  # worst first
    assert attainment[-1] == ["Checkout SLA", "P4", "resolution", "2026-10", "93.9%", "95%",
                              "3 of 49"]
    kpis = _rows(review, "KPIs missed")
    assert kpis[0] == ["Major incident management", "major-incident-mttr", "2026-Q3", "6h22m",
                       "<= 2h"]  # 3.2 times its target
    assert ["Incident management", "mtta", "2026-W44", "22m", "<= 15m"] in kpis
    assert '<a href="slas/order-management-ola.html">' in review
    assert '<a href="processes/major-incident-management.html">' in review


def test_without_records_the_home_page_has_no_review(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    render_catalog(EXAMPLES, plain)
    page = (plain / "index.html").read_text(encoding="utf-8")
    assert "service-review" not in page and "Service review" not in page


def test_a_long_review_list_shows_the_worst_and_counts_the_rest(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from itsmctl.site import review

    monkeypatch.setattr(review, "SHOWN", 2)
    site = tmp_path / "site"
    render_catalog(EXAMPLES, site, records=MeasureOptions(RECORDS, records_label="records"))
    text = _review(site)
    assert len(_rows(text, "SLAs with attainment below target, per priority")) == 2
    assert "And 9 more, not as far from their targets: each page has its figures." in text
    assert ("<strong>Attainment below target:</strong> 11 response or resolution targets"
            in text)


def test_records_without_a_complete_period_say_so(tmp_path: Path) -> None:
    """One ticket of 23 November 2026: no month, quarter or week has ended by its as-of."""
    records = tmp_path / "records"
    records.mkdir()
    (records / "tickets.csv").write_text(
        "id,type,service,priority,opened_at,responded_at,resolved_at\n"
        "T1,incident,checkout,P2,2026-11-23T09:00:00+01:00,2026-11-23T09:05:00+01:00,"
        "2026-11-23T10:00:00+01:00\n", encoding="utf-8")
    site = tmp_path / "site"
    render_catalog(EXAMPLES, site, records=MeasureOptions(records, records_label="records"))
    review = _review(site)
    assert ("No SLA or KPI has a complete period in these records yet: the review shows a"
            " period once it has ended.") in review
    assert "<table" not in review and "attention-ok" not in review
