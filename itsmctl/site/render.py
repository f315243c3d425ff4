"""Jinja2 templates from package data, autoescaped, turned into page bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from itsmctl.site.pagemodel import Page
from itsmctl.site.paths import Link, root_of
from itsmctl.visible import encode, visible

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = ("templates", "site")
_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    section: str


def package_file(*parts: str) -> bytes | None:
    """A file of the templates folder, read through importlib.resources (works from a wheel)."""
    resource = resources.files("itsmctl").joinpath(*TEMPLATES, *parts)
    return resource.read_bytes() if resource.is_file() else None


def _load_template(name: str) -> str | None:
    data = package_file(*name.split("/"))
    return data.decode("utf-8") if data is not None else None


def doc_markup(value: str) -> Markup:
    """Rule documentation: paragraphs and `code`, with everything else escaped."""
    paragraphs = [p.strip() for p in value.split("\n\n") if p.strip()]
    html = []
    for paragraph in paragraphs:
        escaped = str(escape(paragraph))
        html.append("<p>" + _CODE.sub(r"<code>\1</code>", escaped) + "</p>")
    return Markup("\n".join(html))


def link_markup(root: str, link: Link | None) -> Markup:
    """A link as HTML (what the `link` macro was: a Python function is much faster per page)."""
    if link is None:
        return Markup('<span class="muted">not set</span>')
    if link.href:
        return Markup(f'<a href="{escape(root)}{escape(link.href)}">{escape(link.text)}</a>')
    note = f' <span class="note">({escape(link.note)})</span>' if link.note else ""
    return Markup(f'<span class="unlinked">{escape(link.text)}</span>{note}')


def value_markup(value: Any, empty: str = "not set") -> Markup:
    """A field's text, or a muted placeholder when it is empty (was the `value` macro)."""
    if value:
        return escape(value)
    return Markup(f'<span class="muted">{escape(empty)}</span>')


def environment() -> Environment:
    from jinja2 import Environment, FunctionLoader, StrictUndefined, pass_context
    from jinja2.runtime import Context

    @pass_context
    def link(context: Context, value: Link | None) -> Markup:
        return link_markup(context["root"], value)

    env = Environment(loader=FunctionLoader(_load_template), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["doc"] = doc_markup
    env.globals["link"] = link
    env.globals["value"] = value_markup
    return env


class Renderer:
    """Renders pages with the site-wide context (title, navigation, ref, timestamp).

    What every page repeats is rendered once and spliced in as markup: the provenance line
    (twice a page) once per site, the navigation once per root, current page and section.
    """

    def __init__(self, common: dict[str, Any]) -> None:
        self.env = environment()
        self.common = common
        self._provenance: Markup | None = None
        self._nav: dict[tuple[str, str, str], Markup] = {}
        self._nav_pages = frozenset(item.href for item in common.get("nav", ()))

    def preload(self) -> None:
        """Compile every template now, once, rather than in each worker process."""
        folder = resources.files("itsmctl").joinpath(*TEMPLATES)
        for entry in folder.iterdir():
            if entry.name.endswith(".html"):
                self.env.get_template(entry.name)

    def _fragment(self, name: str, **context: Any) -> Markup:
        return Markup(self.env.get_template(name).render(self.common, **context))

    def nav_items(self, root: str, path: str, section: str) -> Markup:
        """The navigation list items of a page (only these three inputs change them)."""
        key = (root, path if path in self._nav_pages else "", section)
        items = self._nav.get(key)
        if items is None:
            items = self._nav[key] = self._fragment("nav.html", root=key[0], path=key[1],
                                                    section=section)
        return items

    def render(self, page: Page) -> bytes:
        template = self.env.get_template(page.template)
        root = root_of(page.path)
        if self._provenance is None:
            self._provenance = self._fragment("provenance.html")
        html = template.render(self.common | page.context, page=page, root=root,
                               provenance_text=self._provenance,
                               nav_items=self.nav_items(root, page.path, page.section))
        # templates hold no control or bidi character: any in the page came from the catalog
        return encode(visible(html, lines=True))
