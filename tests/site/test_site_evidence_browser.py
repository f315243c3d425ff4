"""The audit-evidence pages in headless Chromium: searching a person, the people page, and a
changes page with pull requests, crawled for broken links and console errors, checked by axe.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import test_site_browser
from site_helpers import crawl, render_catalog
from test_site_browser import EXAMPLES
from test_site_evidence import pr, pr_repo, review

pytestmark = [pytest.mark.slow, pytest.mark.browser]
browser = test_site_browser.browser  # the module-scoped Chromium fixture (skips without it)


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("evidence-browser") / "site"
    render_catalog(EXAMPLES, site)
    return site


def open_page(browser: Any, width: int = 1280) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  is_mobile=width < 600)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


@pytest.mark.parametrize("width", [1280, 375])
def test_searching_a_person_finds_them_on_the_people_page(browser: Any, example_site: Path,
                                                          width: int) -> None:
    page = open_page(browser, width)
    page.goto((example_site / "index.html").as_uri())
    page.get_by_label("Name or text").fill("thomas.richter@larkspur")
    results = page.locator("#search-results")
    results.get_by_role("link", name="Thomas Richter", exact=True).wait_for()
    hit = results.locator("li").filter(has_text="Thomas Richter").first.inner_text()
    assert "Person" in hit and "Change Advisory Board" in hit
    results.get_by_role("link", name="Thomas Richter", exact=True).click()
    page.wait_for_url("**/people.html#person-thomas-richter-larkspur-example")
    person = page.locator("#person-thomas-richter-larkspur-example")
    assert person.get_by_role("heading", level=2).inner_text() == "Thomas Richter"
    assert "change-manager" in person.inner_text()
    person.get_by_role("link", name="Change Advisory Board").click()
    page.wait_for_url("**/teams/change-advisory-board.html")
    page.goto((example_site / "index.html").as_uri())
    page.get_by_label("Name or text").fill("CC-4200")
    results.get_by_role("link", name="Kubernetes Platform", exact=True).wait_for()
    assert page.errors == []
    page.context.close()


def test_the_changes_page_with_pull_requests_has_no_broken_link_or_error(
        browser: Any, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    shas = pr_repo(tmp_path / "repo")
    pulls = [pr(1, "Lower the API availability", shas["pr1"],
                [review("alan-t", "APPROVED", "2026-01-31T09:00:00Z", shas["pr1-head"])]),
             pr(2, "Lower the database OLA", shas["pr2"], [])]
    (tmp_path / "prs.json").write_text(json.dumps(pulls))
    site = tmp_path / "site"
    render_catalog(tmp_path / "repo", site, since="v1", pull_requests=tmp_path / "prs.json",
                   history=True)
    page = open_page(browser)
    seen, broken = crawl(page, site, "changes.html")
    assert broken == []
    assert {(site / p).as_uri() for p in ("changes.html", "people.html",
                                          "services/api.html")} <= seen
    problems = []
    for rel in ("changes.html", "people.html", "services/api.html"):
        page.goto((site / rel).as_uri())
        result = Axe().run(page, options={"preload": False, "resultTypes": ["violations"]})
        problems += [f"{rel}: {v['id']} ({v['impact']})" for v in result.response["violations"]
                     if v["impact"] in ("serious", "critical")]
    assert problems == []
    page.goto((site / "changes.html").as_uri())
    # a missing approval reads as a warning without colour: a sign before the word, a border
    flag = page.locator(".flag-missing", has_text="missing").first
    assert flag.evaluate("e => getComputedStyle(e, '::before').content").startswith('"\u26a0')
    assert flag.evaluate("e => getComputedStyle(e).borderTopWidth") == "2px"
    page.get_by_role("link", name="#2", exact=True).first.click()
    assert page.evaluate("location.hash") == "#pr-2"
    # a team page's member leads to their entry on the people page
    page.goto((site / "teams" / "ops.html").as_uri())
    page.get_by_role("link", name="Ada Lovelace", exact=True).click()
    assert page.evaluate("location.hash") == "#person-ada-example-com"
    assert page.locator("#person-ada-example-com h2").inner_text() == "Ada Lovelace"
    assert page.errors == []
    page.context.close()
