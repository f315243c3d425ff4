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


def _sample(d: str) -> list[tuple[float, float]]:
    """Points along an SVG path of M, L and C commands (what the layout writes)."""
    tokens = re.findall(r"[MLC]|-?\d+(?:\.\d+)?", d)
    points: list[tuple[float, float]] = []
    current = (0.0, 0.0)
    index, command = 0, ""
    while index < len(tokens):
        if tokens[index] in ("M", "L", "C"):
            command = tokens[index]
            index += 1
            continue
        values = [float(v) for v in tokens[index:index + (6 if command == "C" else 2)]]
        index += len(values)
        if command == "M":
            current = (values[0], values[1])
        elif command == "L":
            points += [(current[0] + (values[0] - current[0]) * k / 20,
                        current[1] + (values[1] - current[1]) * k / 20) for k in range(21)]
            current = (values[0], values[1])
        else:
            p1, p2, p3 = (values[0], values[1]), (values[2], values[3]), (values[4], values[5])
            for k in range(41):
                t, u = k / 40, 1 - k / 40
                points.append(tuple(u ** 3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t ** 3 * e
                                    for a, b, c, e in zip(current, p1, p2, p3, strict=True)))
            current = p3
    return points


def boxes_crossed(picture: str) -> list[str]:
    """Edges of an SVG picture that pass through the inside of a box (1 px in from its border)."""
    rects = [tuple(float(v) for v in m) for m in re.findall(
        r'<rect class="node[^"]*" x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"', picture)]
    crossed = []
    for d in re.findall(r'<path class="edge[^"]*" d="([^"]+)"', picture):
        for x, y in _sample(d):
            if any(rx + 1 < x < rx + w - 1 and ry + 1 < y < ry + h - 1 for rx, ry, w, h in rects):
                crossed.append(d)
                break
    return crossed
