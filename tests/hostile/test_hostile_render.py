"""Hostile catalogs rendered as a site: payloads stay text, names never become paths."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from tests.conftest import run_cli

BASE = Path(__file__).resolve().parent / "corpus" / "base"
SCRIPT = '<script>alert("pwned")</script>'
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*191 }}{% raw %}"
PAYLOAD = f"{SCRIPT}{IMG}{TEMPLATE}"
URL_PAYLOAD = "javascript:alert(document.cookie)"
# values that must stay as written: references, enums, names, dates, durations, time zones
KEEP = {
    "apiVersion", "kind", "name", "owner", "service", "sla", "calendar", "supportCalendar",
    "parent", "cab", "type", "lifecycle", "period", "timezone", "priority", "response",
    "resolution", "after", "interval", "leadTime", "within", "fulfilment", "from", "until",
    "expires", "lastReviewed", "reviewBy", "date", "start", "end", "currency", "model",
    "dataClassification", "risk", "audience", "rule", "process", "email", "contact",
}
URLS = {"runbook", "repository", "dashboard", "knowledgeBase", "schedule"}


def poison(value: Any, key: str = "") -> Any:
    """Append the payload to every free-text string; every link becomes javascript:."""
    if isinstance(value, dict):
        out = {k: poison(v, str(k)) for k, v in value.items()}
        if key in ("labels", "annotations"):
            out[f"x{len(out)}"] = PAYLOAD  # a payload in a label value, under a valid key
        return out
    if isinstance(value, list):
        return [poison(v, key) for v in value]
    if isinstance(value, str):
        if key in URLS:
            return URL_PAYLOAD
        if key not in KEEP and key not in ("states", "changeModels", "approvers",
                                           "requiredArtifacts", "assignments"):
            return value + PAYLOAD
    return value


def poisoned_catalog(root: Path) -> Path:
    shutil.copytree(BASE, root)
    for path in root.rglob("*.yaml"):
        documents = [poison(d) for d in yaml.safe_load_all(path.read_text(encoding="utf-8"))]
        path.write_text(yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    return root


def render(catalog: Path, output: Path, *args: str) -> Result:
    result = run_cli("render", str(catalog), "-o", str(output), "--no-history",
                     "--today", "2026-11-23", *args)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("poisoned")
    catalog = poisoned_catalog(folder / "catalog")
    result = render(catalog, folder / "site")
    assert result.exit_code == 0, result.output
    return folder / "site"


def pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(site.rglob("*")) if p.suffix in (".html", ".svg", ".json", ".js")}


def test_payloads_reach_the_pages_as_text(site: Path) -> None:
    html = "".join(text for rel, text in pages(site).items() if rel.endswith(".html"))
    assert "&lt;script&gt;alert(" in html  # the payload is there, escaped: the test is live
    assert html.count("&lt;script&gt;alert(") >= 10


class Markup(HTMLParser):
    """What a browser would act on: tags, attributes and inline script text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def test_no_payload_is_live_markup_anywhere(site: Path) -> None:
    for rel, text in pages(site).items():
        if rel.endswith((".js", ".json")):  # data for scripts: "</" could end an inline script
            assert "</" not in text and "<script" not in text.lower(), rel
            continue
        markup = Markup()
        markup.feed(text)
        for tag, attrs in markup.tags:
            assert not [a for a in attrs if a.startswith("on")], (rel, tag, attrs)
            for name in ("href", "src", "action", "xlink:href", "formaction"):
                assert not attrs.get(name, "").strip().lower().startswith("javascript:"), rel
            assert (tag, attrs.get("src")) != ("img", "x"), rel
        assert not [s for s in markup.scripts if "alert(" in s], rel


def test_catalog_text_is_never_evaluated_as_a_template(site: Path) -> None:
    for rel, text in pages(site).items():
        assert str(7 * 191) not in text, rel


def test_every_poisoned_service_field_is_on_its_page(site: Path) -> None:
    page = (site / "services" / "kubernetes-platform.html").read_text(encoding="utf-8")
    assert page.count("&lt;script&gt;") >= 3  # title, description, label value at least


DANGEROUS_NAMES = ["../../escape", "a/b", "/etc/passwd", "..", ".hidden", "con", "nul",
                   "index", "x" * 200, "caf\u00e9", "a\\b", "-rf"]


def service_named(name: str) -> str:
    text = (BASE / "services" / "kubernetes-platform.yaml").read_text(encoding="utf-8")
    scalar = yaml.safe_dump(name).split(chr(10))[0]
    return text.replace("name: kubernetes-platform\n", f"name: {scalar}\n",
                        1).replace("sla: kubernetes-platform-ola", "sla: kubernetes-platform-uc")


@pytest.mark.parametrize("name", DANGEROUS_NAMES)
def test_dangerous_names_never_become_paths_outside_the_site(tmp_path: Path, name: str) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(BASE, catalog)
    (catalog / "services" / "hostile.yaml").write_text(service_named(name), encoding="utf-8")
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "site")}
    result = render(catalog, tmp_path / "site")
    assert result.exit_code == 0, result.output
    after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "site")}
    assert after == before  # nothing written next to the site, nothing left behind
    for path in (tmp_path / "site").rglob("*"):
        assert path.resolve().is_relative_to((tmp_path / "site").resolve())


def test_an_entity_named_index_does_not_replace_the_kind_index(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(BASE, catalog)
    (catalog / "services" / "index.yaml").write_text(service_named("index"), encoding="utf-8")
    assert render(catalog, tmp_path / "site").exit_code == 0
    listing = (tmp_path / "site" / "services.html").read_text(encoding="utf-8")
    assert "services/kubernetes-platform.html" in listing  # the list links every service
    assert "services/index.html" in listing  # and the service named index has its own page


def test_render_of_the_hostile_corpus_completes(tmp_path: Path) -> None:
    """Every hostile YAML file at once: the site is still rendered, findings are listed."""
    from test_hostile_corpus import CASES, install

    catalog = tmp_path / "catalog"
    shutil.copytree(BASE, catalog)
    for case in CASES:
        install(case, catalog)
    result = render(catalog, tmp_path / "site")
    assert result.exit_code == 0, result.output
    findings = (tmp_path / "site" / "findings.html").read_text(encoding="utf-8")
    for rule in ("yaml-alias-limit", "yaml-tag", "yaml-too-deep", "file-too-large"):
        assert rule in findings


@pytest.mark.parametrize("option", ["--ref", "--since"])
@pytest.mark.parametrize("ref", ["--output=PWNED", "-x", "HEAD\nmain"])
def test_option_like_refs_are_refused(tmp_path: Path, option: str, ref: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    catalog = tmp_path / "catalog"
    shutil.copytree(BASE, catalog)
    result = render(catalog, tmp_path / "site", f"{option}={ref}")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("itsmctl: error: ")
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "site").exists()
