"""Helpers shared by the site tests (imported by name: tests/ is not a package)."""

from __future__ import annotations

import html
import os
import re
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from itsmctl.runcontext import resolve_context
from itsmctl.site import RenderResult, render_site

SMALL = Path(__file__).resolve().parent / "data" / "small"
TODAY = date(2026, 11, 23)

Render = Callable[..., RenderResult]


def visible_text(markup: str) -> str:
    """The text of a page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def files_of(site: Path) -> dict[str, bytes]:
    """Every file of a rendered site, by posix path."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def render_catalog(root: Path, output: Path, *, today: date = TODAY,
                   **options: Any) -> RenderResult:
    """Render with the catalog's own config, a fixed today and no git history (unless asked)."""
    options.setdefault("history", False)
    run = resolve_context(root, today=today, read_policies=options.get("ref") is None)
    return render_site(run, output, **options)


def break_page(monkeypatch: Any, path: str, action: Callable[[], None]) -> None:
    """Make rendering the page at `path` run `action` (raise, or end the process) first."""
    from itsmctl.site import render as render_module

    original = render_module.Renderer.render

    def render(self: render_module.Renderer, page: Any) -> bytes:
        if page.path == path:
            action()
        data: bytes = original(self, page)
        return data

    monkeypatch.setattr(render_module.Renderer, "render", render)


def git(repo: Path, *args: str, when: str = "2026-01-05T10:00:00+00:00") -> str:
    """Run git in `repo` as Grace Hopper at `when`, with no user or system config."""
    env = os.environ | {"GIT_AUTHOR_NAME": "Grace Hopper", "GIT_AUTHOR_EMAIL": "g@example.com",
                        "GIT_COMMITTER_NAME": "Grace Hopper",
                        "GIT_COMMITTER_EMAIL": "g@example.com",
                        "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
                        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    out = subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                         text=True)
    return out.stdout.strip()


def internal_targets(page: Any) -> list[str]:
    """Every link, stylesheet and script of a browser page that points at a local file."""
    urls: list[str] = page.evaluate("""() => Array.from(
        document.querySelectorAll('a[href], link[href], script[src]'),
        el => new URL(el.getAttribute('href') || el.getAttribute('src'), document.baseURI).href
    ).filter(u => u.startsWith('file:'))""")
    return urls


def crawl(page: Any, site: Path, start: str) -> tuple[set[str], list[str]]:
    """Pages reachable from `start`, and every broken link or fragment on them."""
    first = (site / start).as_uri()
    queue, seen, ids, fragments, broken = [first], {first}, {}, [], []
    while queue:
        url = queue.pop()
        page.goto(url, wait_until="domcontentloaded")
        ids[url] = set(page.evaluate("Array.from(document.querySelectorAll('[id]'), e => e.id)"))
        for target in internal_targets(page):
            address, _, fragment = target.partition("#")
            path = Path(unquote(urlsplit(address).path))
            if not path.is_file() or not path.resolve().is_relative_to(site.resolve()):
                broken.append(f"{url} -> {target}")
                continue
            if fragment:
                fragments.append((url, address, fragment))
            if path.suffix == ".html" and address not in seen:
                seen.add(address)
                queue.append(address)
    broken += [f"{u} -> {a}#{f}" for u, a, f in fragments if f not in ids.get(a, set())]
    return seen, broken
