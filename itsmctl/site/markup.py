"""HTML of the values pages print, escaped as Jinja's autoescape escapes them: the templates'
globals (`link`, `value`, `table_open`, `holders_list`) and the Python-written sections
(`sections.py`) share these, so one escaping function serves both."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import markupsafe
from markupsafe import Markup, escape

from itsmctl.site.paths import Link

# markupsafe's own escaping of a str (its C speedup when built); `escape` without it
_ESCAPE_STR: Callable[[str], str] | None = getattr(markupsafe, "_escape_inner", None)
_AS_MARKUP = str.__new__


def fast_escape(value: object) -> Markup:
    """`markupsafe.escape`, the same result for every value, without its two costs that a
    page pays about 60 times: a `str` is escaped and wrapped without `Markup.__new__`'s
    `__html__` lookup (a str has none), and a `Markup` (already safe) is returned as it is
    rather than copied. Anything else (numbers, Markup subclasses, objects with `__html__`)
    goes to `escape` itself."""
    kind = type(value)
    if kind is str and _ESCAPE_STR is not None:
        return _AS_MARKUP(Markup, _ESCAPE_STR(value))  # type: ignore[arg-type]
    if kind is Markup:
        return value  # type: ignore[return-value]
    return escape(value)


def link_markup(root: str, link: Link | None) -> Markup:
    """A link as HTML (what the `link` macro was: a Python function is much faster per page)."""
    if link is None:
        return Markup('<span class="muted">not set</span>')
    e = fast_escape
    if link.href:
        return Markup(f'<a href="{e(root)}{e(link.href)}">{e(link.text)}</a>')
    note = f' <span class="note">({e(link.note)})</span>' if link.note else ""
    return Markup(f'<span class="unlinked">{e(link.text)}</span>{note}')


def value_markup(value: Any, empty: str = "not set") -> Markup:
    """A field's text, or a muted placeholder when it is empty (was the `value` macro)."""
    if value:
        return fast_escape(value)
    return Markup(f'<span class="muted">{escape(empty)}</span>')


def table_open(label: Any) -> Markup:
    """The opening of a table's scrollable, labelled region (was a macro: about five a page)."""
    return Markup(f'<div class="table-wrap" role="region" aria-label="{fast_escape(label)}"'
                  ' tabindex="0">')


def holders_markup(link: Callable[[Link | None], Markup], holders: Iterable[Any]) -> Markup:
    """Parties as written, then the teams and people each resolves to (`people.Holders`),
    as the `holders_list` macro wrote them: a service page shows a dozen (each activity's
    Accountable and Responsible), and a Python function is much faster per page."""
    e = fast_escape
    out = []
    for h in holders:
        html = f'<span class="holder"><code>{e(h.party)}</code>'
        if h.teams or h.people:
            html += ": " + ", ".join([*(link(team) for _, team in h.teams),
                                      *(link(person.link) for person in h.people)])
        html += "".join(f' <span class="note">({e(note)})</span>' for note in h.unresolved)
        out.append(html + "</span>")
    return Markup("; ".join(out))
