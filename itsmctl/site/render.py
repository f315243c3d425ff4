"""Jinja2 templates from package data, autoescaped, turned into page bytes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from itsmctl.site.markup import (
    fast_escape,
    holders_markup,
    link_markup,
    table_open,
    value_markup,
)
from itsmctl.site.pagemodel import Page
from itsmctl.site.paths import Link, root_of
from itsmctl.site.sections import PLAIN_WRITERS, WRITERS, remembered, with_link
from itsmctl.visible import visible_lines_bytes

if TYPE_CHECKING:
    from jinja2 import Environment, Template
    from jinja2.runtime import Context

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
    from jinja2 import FunctionLoader, StrictUndefined, pass_context

    @pass_context
    def link(context: Context, value: Link | None) -> Markup:
        return link_markup(context["root"], value)

    env = _fast_environment_class()(
        loader=FunctionLoader(_load_template), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        # the templates are package data, compiled once (`Renderer.preload`) and never
        # changed while a site is rendered: a plain dict holds them, with no check that a
        # template is up to date (about 20 `get_template` calls a page: each `include`, the
        # `extends` and the `import`, through a locked least-recently-used cache)
        cache_size=-1, auto_reload=False)
    env.template_class = _fast_template_class()
    env.context_class = _fast_context_class()
    env.filters["doc"] = doc_markup
    env.globals["link"] = link
    env.globals["value"] = value_markup
    env.globals["table_open"] = table_open
    return env


_DICT_ATTRIBUTES = frozenset(dir(dict))


def _fast_environment_class() -> type[Environment]:
    """Jinja's Environment, but `{{ d.key }}` on a plain dict looks the key up at once.

    Jinja tries the attribute first and falls back to the item on AttributeError; a page
    model's dicts take that exception about 60 times a page. A plain `dict` has an attribute
    exactly when its type has one (it has no instance attributes), so a name that is none of
    `dir(dict)` goes to the item lookup directly: the same value, or the same undefined."""
    from jinja2 import Environment

    class FastEnvironment(Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except (TypeError, LookupError, AttributeError):
                    return self.undefined(obj=obj, name=attribute)
            return super().getattr(obj, attribute)

    return FastEnvironment


def _fast_context_class() -> type[Context]:
    """Jinja's Context, but a call to a plain function or a macro skips `Context.call`'s
    search for a `pass_context`-style marker (four attribute lookups a call, about 40 calls
    a page): a Python function without a `jinja_pass_arg` attribute and a template's
    `Macro` take no context, so they are called as `Context.call` itself would call them."""
    from types import FunctionType

    from jinja2.runtime import Context, Macro

    class FastContext(Context):
        def call(__self, __obj: Callable[..., Any], *args: Any,
                 **kwargs: Any) -> Any:
            kind = type(__obj)
            if kind is Macro or (kind is FunctionType
                                 and "jinja_pass_arg" not in __obj.__dict__):
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
                try:
                    return __obj(*args, **kwargs)
                except StopIteration:
                    return __self.environment.undefined(
                        "value was undefined because a callable raised a"
                        " StopIteration exception")
            return super().call(__obj, *args, **kwargs)

    return FastContext


def _fast_template_class() -> type[Template]:
    """Jinja's Template, but each compiled template's `{{ ... }}` output calls `fast_escape`.

    The generated code looks `escape` up in the template module's own namespace (it imports
    markupsafe's), shared by its blocks and macros; that one name is replaced, nothing else."""
    from jinja2 import Template

    class FastEscapeTemplate(Template):
        @classmethod
        def from_code(cls, environment: Environment, code: Any, globals: Any,
                      uptodate: Callable[[], bool] | None = None) -> Template:
            template = super().from_code(environment, code, globals, uptodate)
            namespace = template.root_render_func.__globals__
            assert namespace.get("escape") is escape, "jinja2's generated code changed"
            namespace["escape"] = fast_escape
            return template

    return FastEscapeTemplate


def _remembered_links(root: str) -> Callable[[Link | None], Markup]:
    """`link_markup` at `root`, made once per link: a service's owner, SLA and dependencies
    are linked from dozens of pages, each time the same markup. Remembered by the link's
    value (text, href, note, title: all `link_markup` reads), so an equal link made again
    for another page finds it too; a catalog has one entry per entity it links, about.

    Most links a page prints are the very objects the site made once (`SiteInput.link_entity`,
    `link_text`), so each is found first by identity, before its value is hashed (a frozen
    dataclass's hash is Python code over its four fields): a frozen `Link` of plain text is
    the same markup for as long as it lives, and the entry keeps it alive, so its id is
    never another object's."""
    made: dict[Link, Markup] = {}
    same: dict[int, tuple[Link, Markup]] = {}

    def bound(value: Link | None) -> Markup:
        found = same.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        # only links of plain text: equal values of other types can print apart (1 == True)
        if type(value) is not Link or type(value.text) is not str or type(value.note) is not str \
                or (value.href is not None and type(value.href) is not str):
            return link_markup(root, value)
        markup = made.get(value)
        if markup is None:
            markup = made[value] = link_markup(root, value)
        same[id(value)] = (value, markup)
        return markup
    return bound


class Renderer:
    """Renders pages with the site-wide context (title, navigation, ref, timestamp).

    What every page repeats is rendered once and spliced in as markup: the provenance line
    (twice a page) once per site, the navigation once per root, current page and section.
    The macros (`m` in every template) are made once per root, not imported into each page.
    """

    def __init__(self, common: dict[str, Any]) -> None:
        self.env = environment()
        self.common = common
        self._provenance: Markup | None = None
        self._nav: dict[tuple[str, str, str], Markup] = {}
        self._nav_pages = frozenset(item.href for item in common.get("nav", ()))
        self._links: dict[str, Callable[[Link | None], Markup]] = {}
        self._holders: dict[str, Callable[[Iterable[Any]], Markup]] = {}
        self._sections: dict[str, dict[str, Callable[[Any], Markup]]] = {}
        self._macros: dict[str, Any] = {}

    def preload(self, unused: Iterable[str] = ()) -> None:
        """Compile every template now, once, rather than in each worker process; but the
        `unused` ones, of pages this site has none of (changes.html, the largest, without
        --since): one still asked for is compiled then, to the same bytes."""
        folder = resources.files("itsmctl").joinpath(*TEMPLATES)
        for entry in folder.iterdir():
            if entry.name.endswith(".html") and entry.name not in unused:
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

    def link_at(self, root: str) -> Callable[[Link | None], Markup]:
        """The `link` global bound to a page's root, once per root: what the global does, but
        a plain function, so Jinja's `context.call` no longer derives a new context for each
        of a page's dozens of links inside a block or loop (its cost for a context function)."""
        bound = self._links.get(root)
        if bound is None:
            bound = self._links[root] = _remembered_links(root)
        return bound

    def holders_at(self, root: str) -> Callable[[Iterable[Any]], Markup]:
        """`holders_markup` with the links of a page at `root` (the `holders_list` global)."""
        bound = self._holders.get(root)
        if bound is None:
            link = self.link_at(root)

            def holders_list(holders: Iterable[Any]) -> Markup:
                return holders_markup(link, holders)

            bound = self._holders[root] = holders_list
        return bound

    def sections_at(self, root: str) -> dict[str, Callable[[Any], Markup]]:
        """The Python-written sections as globals of the pages at `root`: `sections.WRITERS`
        each remembering what it wrote for each page-model object (`sections.remembered`),
        `sections.PLAIN_WRITERS` writing afresh."""
        bound = self._sections.get(root)
        if bound is None:
            link = self.link_at(root)
            bound = self._sections[root] = {name: remembered(write, link)
                                            for name, write in WRITERS.items()}
            bound |= {name: with_link(write, link) for name, write in PLAIN_WRITERS.items()}
        return bound

    def macros_at(self, root: str) -> Any:
        """macros.html as a module for pages at `root`, made once per root.

        A page's `{% import "macros.html" as m with context %}` built this module again for
        every page and every include that imported it (about two a page); the macros read
        only `link`, `root` and `rule_ids` of a page's context, and those are the same for
        every page at one root, so the module gets exactly those and is shared."""
        module = self._macros.get(root)
        if module is None:
            values = {"link": self.link_at(root), "root": root,
                      "holders_list": self.holders_at(root)}
            if "rule_ids" in self.common:
                values["rule_ids"] = self.common["rule_ids"]
            module = self._macros[root] = self.env.get_template("macros.html").make_module(values)
        return module

    def render(self, page: Page) -> bytes:
        template = self.env.get_template(page.template)
        root = root_of(page.path)
        if self._provenance is None:
            self._provenance = self._fragment("provenance.html")
        html = template.render({"link": self.link_at(root), "holders_list": self.holders_at(root)}
                               | self.sections_at(root) | self.common | page.context,
                               page=page, root=root, m=self.macros_at(root),
                               provenance_text=self._provenance,
                               nav_items=self.nav_items(root, page.path, page.section))
        # templates hold no control or bidi character: any in the page came from the catalog
        return visible_lines_bytes(html)
