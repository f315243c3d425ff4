"""Jinja2 templates from package data, autoescaped, turned into page bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from itsmctl.site.pagemodel import Page
from itsmctl.site.paths import root_of

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


def environment() -> Environment:
    from jinja2 import Environment, FunctionLoader, StrictUndefined

    env = Environment(loader=FunctionLoader(_load_template), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["doc"] = doc_markup
    return env


class Renderer:
    """Renders pages with the site-wide context (title, navigation, ref, timestamp)."""

    def __init__(self, common: dict[str, Any]) -> None:
        self.env = environment()
        self.common = common

    def render(self, page: Page) -> bytes:
        template = self.env.get_template(page.template)
        html = template.render(self.common | page.context, page=page, root=root_of(page.path))
        return html.encode("utf-8")
