"""The registers, the neighbourhood graph, phones and print in a real browser (Chromium).

Desktop (1280 px) and phone (375 px) widths: the services table sorts and filters, the
search shows 20 results and then all, each dependency picture keeps every edge out of every
box (measured on the SVG geometry the browser computes), axe finds nothing serious or
critical, nothing logs an error; a service page prints on A4 with its RACI matrix inside the
sheet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from site_helpers import render_catalog
from test_site_browser import EXAMPLES, launched

pytestmark = [pytest.mark.slow, pytest.mark.browser]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}
NEW_PAGES = ("index.html", "services.html", "slas.html", "teams.html", "change-calendar.html",
             "graph.html", "services/payments-api.html", "services/kubernetes-platform.html",
             "raci/payments-api-raci.html", "findings.html")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launched() as browser:
        yield browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("browser-pages") / "site"
    render_catalog(EXAMPLES, output)
    return output


@pytest.fixture(params=sorted(WIDTHS))
def screen(request: pytest.FixtureRequest, chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=WIDTHS[request.param],
                                   is_mobile=request.param == "phone")
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.width = WIDTHS[request.param]["width"]
    yield page
    context.close()


def column(page: Any, index: int) -> list[str]:
    return page.evaluate(f"""() => Array.from(
        document.querySelectorAll('#services-table tbody tr:not([hidden])'),
        row => row.cells[{index}].textContent.trim())""")


def sort(page: Any, name: str, ascending: bool) -> None:
    """A click on the column's header on a desktop; the "Sort by" list on a phone, where the
    table is stacked rows without visible headers."""
    if page.width > 640:
        header = page.locator("#services-table th", has=page.get_by_role("button", name=name))
        while header.get_attribute("aria-sort") != ("ascending" if ascending else "descending"):
            page.get_by_role("button", name=name).click()
    else:
        page.get_by_label("Sort by").select_option(
            label=f"{name}, {'ascending' if ascending else 'descending'}")


def test_services_table_sorts_and_filters(screen: Any, site: Path) -> None:
    screen.goto((site / "services.html").as_uri())
    assert screen.locator("#table-filters").is_visible()  # the script shows the form
    total = len(column(screen, 0))
    catalog_order = column(screen, 0)
    sort(screen, "Tier", ascending=True)
    tiers = column(screen, 1)
    assert tiers == sorted(tiers, key=int) and tiers[0] == "1"
    assert screen.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"
    sort(screen, "Tier", ascending=False)
    assert column(screen, 1) == sorted(tiers, key=int, reverse=True)
    sort(screen, "Service", ascending=True)
    names = column(screen, 0)
    assert names == sorted(names, key=str.lower) and names != catalog_order
    sort(screen, "Findings", ascending=False)
    assert screen.locator("th[aria-sort]").inner_text() == "Findings"

    screen.get_by_label("Owner").select_option("Payments")
    assert set(column(screen, 4)) == {"Payments"}
    shown = len(column(screen, 0))
    assert screen.locator("#table-status").inner_text() == f"{shown} of {total} shown"
    screen.get_by_label("Tier").select_option("1")
    assert set(column(screen, 1)) == {"1"}
    screen.get_by_label("Name contains").fill("no such service")
    assert column(screen, 0) == []
    assert screen.locator("#table-status").inner_text() == f"0 of {total} shown"
    assert screen.errors == []


def test_the_table_is_complete_without_javascript(chromium: Any, site: Path) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "services.html").as_uri())
    assert not page.locator("#table-filters").is_visible()
    services = len(list((site / "services").glob("*.html")))
    assert page.locator("#services-table tbody tr").count() == services
    context.close()


def test_search_shows_twenty_then_all(screen: Any, site: Path) -> None:
    screen.goto((site / "index.html").as_uri())
    screen.get_by_label("Name or text").fill("a")
    results = screen.locator("#search-results li")
    assert results.count() == 20
    more = screen.locator("#search-more")
    assert more.is_visible()
    total = int(more.inner_text().split()[2])
    assert total > 20
    more.click()
    assert results.count() == total and not more.is_visible()
    assert screen.errors == []


GEOMETRY = """() => {
  const crossed = [];
  for (const svg of document.querySelectorAll('svg.dependency-graph')) {
    const boxes = Array.from(svg.querySelectorAll('rect.node'), r => r.getBBox());
    for (const path of svg.querySelectorAll('path.edge')) {
      const length = path.getTotalLength();
      for (let i = 0; i <= 200; i++) {
        const p = path.getPointAtLength(length * i / 200);
        if (boxes.some(b => p.x > b.x + 1 && p.x < b.x + b.width - 1 &&
                            p.y > b.y + 1 && p.y < b.y + b.height - 1)) {
          crossed.push(path.getAttribute('d'));
          break;
        }
      }
    }
  }
  return crossed;
}"""


def test_neighbourhood_graph_is_drawn_and_no_edge_crosses_a_box(screen: Any, site: Path) -> None:
    for rel in ("services/payments-api.html", "services/kubernetes-platform.html",
                "services/checkout.html", "graph.html"):
        screen.goto((site / rel).as_uri())
        pictures = screen.locator("svg.dependency-graph")
        assert pictures.count() == 1, rel
        assert screen.locator("svg.dependency-graph path.edge").count() > 0, rel
        assert screen.evaluate(GEOMETRY) == [], rel
    screen.goto((site / "services" / "payments-api.html").as_uri())
    focus = screen.locator("svg.dependency-graph a:has(rect.focus)")
    assert focus.get_attribute("href") == "../services/payments-api.html"
    screen.get_by_role("link", name="PostgreSQL Platform (postgres-platform): tier 1").click()
    screen.wait_for_url("**/services/postgres-platform.html")
    assert screen.errors == []


def test_no_serious_or_critical_violation_on_the_new_pages(screen: Any, site: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []
    for rel in NEW_PAGES:
        screen.goto((site / rel).as_uri())
        if rel == "services.html":
            sort(screen, "Tier", ascending=True)
            screen.get_by_label("Lifecycle").select_option("operational")
        result = axe.run(screen, options={"preload": False, "resultTypes": ["violations"]})
        problems += [f"{rel}: {v['id']} ({v['impact']})" for v in result.response["violations"]
                     if v["impact"] in ("serious", "critical")]
    assert problems == []
    assert screen.errors == []


def test_on_a_phone_wide_tables_become_labelled_rows(chromium: Any, site: Path) -> None:
    context = chromium.new_context(viewport=WIDTHS["phone"], is_mobile=True)
    page = context.new_page()
    for rel in ("raci/payments-api-raci.html", "slas.html", "services.html",
                "change-calendar.html"):
        page.goto((site / rel).as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, rel
        wide = page.evaluate("""() => Array.from(document.querySelectorAll('table.stack'),
            t => t.getBoundingClientRect().width).filter(w => w > 375)""")
        assert wide == [], rel
    page.goto((site / "raci" / "payments-api-raci.html").as_uri())
    label = page.evaluate("""() => getComputedStyle(
        document.querySelector('td.raci-cell:not(:empty)'), '::before').content""")
    assert label.endswith(': "') and len(label) > 4  # "Payments: " before the letters
    context.close()


def test_a_service_page_prints_on_a4_with_its_raci_matrix_inside_the_sheet(
        chromium: Any, site: Path, tmp_path: Path) -> None:
    # A4 is 210 mm: 794 CSS px; less 2 x 12 mm margins, 703 px of printable width
    context = chromium.new_context(viewport={"width": 703, "height": 1000})
    page = context.new_page()
    page.goto((site / "services" / "payments-api.html").as_uri())
    page.emulate_media(media="print")
    assert not page.locator(".site-header nav").is_visible()
    assert page.locator(".print-provenance").is_visible()
    widths = page.evaluate("""() => Array.from(document.querySelectorAll('table.raci'),
        t => t.scrollWidth)""")
    assert widths and max(widths) <= 703
    pdf = tmp_path / "service.pdf"
    page.pdf(path=str(pdf), format="A4", margin={"top": "12mm", "bottom": "12mm",
                                                 "left": "12mm", "right": "12mm"})
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    context.close()


@pytest.fixture(scope="module")
def grouped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 generated services in 12 domains, pictures at most 900 px wide: every domain is
    drawn in parts (as at 2,000 services and the real 1,120 px)."""
    import subprocess
    import sys

    from itsmctl.site import graphs

    base = tmp_path_factory.mktemp("grouped")
    generator = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
    subprocess.run([sys.executable, str(generator), "--services", "200", str(base / "catalog")],
                   check=True, capture_output=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(graphs, "MAX_WIDTH", 900)
        render_catalog(base / "catalog", base / "site")
    return base / "site"


def test_a_group_drawn_in_parts_leads_down_to_the_services(screen: Any,
                                                           grouped_site: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    screen.goto((grouped_site / "graph.html").as_uri())
    screen.locator("svg.dependency-graph a[href='graphs/payments.html']").click()
    screen.wait_for_url("**/graphs/payments.html")
    axe, problems = Axe(), []
    for step in ("group", "part"):
        picture = screen.locator("svg.dependency-graph")
        assert picture.count() == 1 and int(picture.get_attribute("width") or 0) <= 900
        assert screen.evaluate(GEOMETRY) == [], screen.url
        result = axe.run(screen, options={"preload": False, "resultTypes": ["violations"]})
        problems += [f"{screen.url}: {v['id']} ({v['impact']})"
                     for v in result.response["violations"]
                     if v["impact"] in ("serious", "critical")]
        if step == "group":
            screen.locator("svg.dependency-graph a[href='../graphs/payments/part-1.html']").click()
            screen.wait_for_url("**/graphs/payments/part-1.html")
    assert screen.get_by_role("heading", level=1).inner_text().startswith("payments, part 1 of")
    screen.locator("svg.dependency-graph a[href^='../../services/']").first.click()
    screen.wait_for_url("**/services/*.html")
    assert problems == []
    assert screen.errors == []


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated services in 12 domains, rendered as a user would: its group pictures were
    1,700 to 1,950 px wide and its neighbourhoods up to 2,600 px, in 1,120 px of content; two
    domains are drawn in parts."""
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("generated")
    generator = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
    subprocess.run([sys.executable, str(generator), "--services", "300", str(base / "catalog")],
                   check=True, capture_output=True)
    render_catalog(base / "catalog", base / "site")
    return base / "site"


def one_page_of_each_type(site: Path) -> list[str]:
    """Every page at the site's top, and of each folder its first and its largest page (the
    most rows, the widest picture)."""
    folders: dict[Path, list[Path]] = {}
    for page in sorted(site.rglob("*.html")):
        folders.setdefault(page.parent, []).append(page)
    chosen = list(folders.pop(site))
    for pages in folders.values():
        chosen += {pages[0], max(pages, key=lambda p: (p.stat().st_size, p.name))}
    return sorted(p.relative_to(site).as_posix() for p in chosen)


# what scrolls sideways: the document, and a table's or picture's own region (a phone keeps a
# picture's and the YAML source's width in their own region; a table never scrolls there)
OVERFLOW = """(phone) => {
  const regions = phone ? '.table-wrap' : '.table-wrap, .diagram';
  const wide = Array.from(document.querySelectorAll(regions))
    .filter(r => r.scrollWidth > r.clientWidth + 1)
    .map(r => `${r.getAttribute('aria-label')}: ${r.scrollWidth} > ${r.clientWidth}`);
  return {page: document.documentElement.scrollWidth, wide};
}"""
# a box's texts inside its box: no title runs past its border, sideways or below
CUT = """() => Array.from(document.querySelectorAll('svg.dependency-graph rect.node'), rect => {
  const box = rect.getBBox();
  return Array.from(rect.parentNode.querySelectorAll('text'), t => [t.getBBox(), t.textContent])
    .filter(([b]) => b.x < box.x || b.x + b.width > box.x + box.width ||
                     b.y < box.y || b.y + b.height > box.y + box.height)
    .map(([, text]) => text);
}).flat()"""


@pytest.mark.parametrize("which", ["examples", "generated"])
def test_no_page_scrolls_sideways_and_every_picture_fits_the_page(
        screen: Any, which: str, site: Path, generated_site: Path) -> None:
    """At 1,280 px no page, table or picture scrolls sideways (a picture is at most the
    1,120 px of content); at 375 px no page or table does. Every type of page, the graph's
    group and part pages included."""
    root = site if which == "examples" else generated_site
    pages = one_page_of_each_type(root)
    assert which == "examples" or any("/part-" in p for p in pages)
    phone = screen.width < 640
    problems, cut = [], []
    for rel in pages:
        screen.goto((root / rel).as_uri())
        found = screen.evaluate(OVERFLOW, phone)
        if found["page"] > screen.width or found["wide"]:
            problems.append(f"{rel}: page {found['page']} px, {found['wide']}")
        cut += [f"{rel}: {text}" for text in screen.evaluate(CUT)]
    assert problems == []
    assert cut == []
    assert screen.errors == []
