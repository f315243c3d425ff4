"""The rendered example site in a real browser: headless Chromium from Debian via Playwright.

Opens the site from disk (file://), searches, follows links, crawls every page for broken
links and console errors, and runs axe-core. Skips with a reason when Chromium or Playwright
is missing, except under CI (the CI variable set), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from site_helpers import crawl, render_catalog

# Debian's Chromium here and in .ci/run; GitHub's runners ship Google Chrome instead
CHROMIUM = Path(os.environ.get("ITSMCTL_TEST_BROWSER", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = [pytest.mark.slow, pytest.mark.browser]  # minutes in a browser: not the fast loop
# one page of every template, and the pages most likely to hold findings
AXE_PAGES = ("index.html", "services.html", "services/payments-api.html",
             "teams.html", "teams/payments.html", "slas/payments-api-ola.html",
             "calendars/berlin-business-hours.html", "raci/payments-api-raci.html",
             "change-models/standard-change.html", "catalogs/employee-service-catalog.html",
             "graph.html", "findings.html", "rules.html")


def missing_requirement() -> str | None:
    if not CHROMIUM.is_file():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (pip install -e '.[test]')"
    return None


def require_browser() -> None:
    """Skip when the browser is missing, but never in CI: there a skip would hide a failure."""
    reason = missing_requirement()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI, but {reason}")
        pytest.skip(reason)


def test_a_missing_browser_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        require_browser()


@contextmanager
def launched() -> Iterator[Any]:
    """Debian's Chromium through Playwright, with the flags this closed network needs: the one
    launch every browser test uses."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("browser") / "site"
    render_catalog(EXAMPLES, site)
    return site


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []  # console errors and uncaught exceptions seen on this page
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


@pytest.mark.slow
@pytest.mark.browser
def test_search_then_follow_links_to_the_owner_and_back(page: Any, example_site: Path) -> None:
    page.goto((example_site / "index.html").as_uri())
    page.get_by_label("Name or text").fill("payments")
    results = page.locator("#search-results")
    results.get_by_role("link", name="Payments API", exact=True).wait_for()
    assert "result" in page.locator("#search-status").inner_text()

    results.get_by_role("link", name="Payments API", exact=True).click()
    page.wait_for_url("**/services/payments-api.html")
    assert page.get_by_role("heading", level=1).inner_text() == "Payments API"

    page.locator("dt:text-is('Owner team') + dd a").click()
    page.wait_for_url("**/teams/payments.html")
    assert page.get_by_role("heading", level=1).inner_text() == "Payments"
    page.locator("main").get_by_role("link", name="Payments API", exact=True).click()
    page.wait_for_url("**/services/payments-api.html")

    page.go_back()
    page.wait_for_url("**/teams/payments.html")
    page.go_back()
    page.wait_for_url("**/services/payments-api.html")
    assert page.get_by_role("heading", level=1).inner_text() == "Payments API"
    assert page.errors == []


@pytest.mark.slow
@pytest.mark.browser
def test_filters_work_from_the_keyboard(page: Any, example_site: Path) -> None:
    page.goto((example_site / "index.html").as_uri())
    page.get_by_label("Name or text").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-tier"
    page.keyboard.press("ArrowDown")  # Tier 1
    links = page.locator("#search-results a")
    names = set(links.all_inner_texts())
    assert "Payments API" in names and "Data Warehouse" not in names
    assert all("tier 1" in t for t in page.locator("#search-results li").all_inner_texts())
    page.get_by_label("Owner").select_option("Payments")
    assert links.all_inner_texts() == ["Payments API"]
    assert page.locator("#search-status").inner_text() == "1 result"
    assert page.errors == []


@pytest.mark.slow
@pytest.mark.browser
def test_every_page_loads_without_errors_and_no_link_is_broken(page: Any,
                                                               example_site: Path) -> None:
    seen, broken = crawl(page, example_site, "index.html")
    assert broken == []
    assert seen == {p.as_uri() for p in example_site.rglob("*.html")}  # all pages reachable
    assert page.errors == []


@pytest.mark.slow
@pytest.mark.browser
def test_no_serious_or_critical_accessibility_violation(page: Any, example_site: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for rel in AXE_PAGES:
        page.goto((example_site / rel).as_uri())
        if rel == "index.html":
            page.get_by_label("Name or text").fill("a")  # check the rendered results too
        result = axe.run(page, options={"preload": False, "resultTypes": ["violations"]})
        for violation in result.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"][:3]]
                problems.append(f"{rel}: {violation['id']} ({violation['impact']}) at {targets}")
    assert problems == []
    assert page.errors == []


@pytest.mark.slow
@pytest.mark.browser
def test_broken_entities_and_a_phone_screen_stay_accessible(browser: Any, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLES, catalog)
    service = catalog / "services" / "payments-api.yaml"
    service.write_text(re.sub(r"owner: \w+", "owner: nobody", service.read_text()))
    render_catalog(catalog, tmp_path / "site")
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    problems = []
    for rel in ("services/payments-api.html", "findings.html", "index.html"):
        page.goto((tmp_path / "site" / rel).as_uri())
        result = Axe().run(page, options={"preload": False, "resultTypes": ["violations"]})
        problems += [f"{rel}: {v['id']}" for v in result.response["violations"]
                     if v["impact"] in ("serious", "critical")]
    page.goto((tmp_path / "site" / "services" / "payments-api.html").as_uri())
    assert "has errors" in page.locator(".flag-broken").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert problems == []
    assert width <= 375  # wide tables scroll inside their own region, not the page
