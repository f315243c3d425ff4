"""The site's fast paths give exactly what the slow ones gave: every value escaped the same.

No timings here (benchmarks/ measures). The rendered site's bytes are compared before and after
each change by hand (RESULTS.md); these tests pin the pieces.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from itsmctl.site.render import environment, fast_escape


class HasHtml:
    def __html__(self) -> str:
        return "<b>own</b>"


class Sub(str):
    pass


class MarkupSub(Markup):
    pass


HOSTILE: list[Any] = [
    "", "plain", "<script>alert(1)</script>", "\"'&<>", "&amp;", "a\u202eb", "\ud800",
    "\x00\x1b[31m", "</textarea><img src=x onerror=alert(1)>", Markup("<em>safe</em>"),
    Markup(""), MarkupSub("<i>x</i>"), Sub("<sub>"), HasHtml(), 0, 1.5, True, None,
    ["<a>"], {"<k>": "<v>"},
]


def same(value: object) -> None:
    fast, slow = fast_escape(value), escape(value)
    assert type(fast) is type(slow) is Markup
    assert str(fast) == str(slow)


def test_every_hostile_value_is_escaped_as_markupsafe_escapes_it() -> None:
    for value in HOSTILE:
        same(value)


@given(st.text())
def test_any_text_is_escaped_as_markupsafe_escapes_it(text: str) -> None:
    same(text)
    same(Markup(text))


def test_templates_escape_through_the_fast_path_with_the_same_output() -> None:
    env = environment()
    template = env.from_string("{{ a }}|{{ b }}|{{ c }}|{% for x in d %}{{ x }}{% endfor %}")
    assert template.root_render_func.__globals__["escape"] is fast_escape
    out = template.render(a="<x>&\"'", b=Markup("<b>ok</b>"), c=HasHtml(), d=[1, "<", None])
    assert out == "&lt;x&gt;&amp;&#34;&#39;|<b>ok</b>|<b>own</b>|1&lt;None"


def test_the_bound_link_writes_what_the_context_link_wrote() -> None:
    from itsmctl.site.paths import Link
    from itsmctl.site.render import Renderer, link_markup

    renderer = Renderer({})
    hostile = Link('<b>"x"</b>', "services/a&b.html")
    for root in ("", "../", "../../"):
        assert renderer.link_at(root) is renderer.link_at(root)
        assert renderer.link_at(root)(hostile) == link_markup(root, hostile)
    template = renderer.env.from_string("{% for x in xs %}{{ link(x) }}{% endfor %}")
    assert template.render(xs=[hostile, None], root="../") == template.render(
        xs=[hostile, None], root="../", link=renderer.link_at("../"))


PAGE_TEXT = ["", "plain\n\tpage", "a · b — c", "\x00", "\x7f", "\r\n", "\x85", "\u00ad",
             "\u202e", "\u2028", "\ufeff", "\ud800", "\udcff", "\ud83d\ude00", "\U0001f600",
             "é\u200bé", "<p>\x1b[31m</p>", "\u061c", "\u180e", "\u2066", "\ufffb"]


def same_page_bytes(text: str) -> None:
    from itsmctl.visible import encode, visible, visible_lines_bytes

    assert visible_lines_bytes(text) == encode(visible(text, lines=True))


def test_page_bytes_show_every_hidden_character_as_the_slow_path_does() -> None:
    for text in PAGE_TEXT:
        same_page_bytes(text)
        same_page_bytes("<html>" + text + " · " + text + "</html>\n")


# any character, lone surrogates (which st.characters leaves out unless asked) and the hidden
# ones among ordinary page text
PAGE_CHARACTERS = st.characters(exclude_categories=()) | st.characters(categories=["Cs"]) \
    | st.sampled_from("\x00\t\n\r\x7f\x85\u00ad\u202e\u2028\ufeff·—<>&")


@given(st.text(PAGE_CHARACTERS))
def test_any_page_text_makes_the_bytes_of_the_slow_path(text: str) -> None:
    same_page_bytes(text)


def test_table_open_writes_what_its_macro_wrote_for_every_label() -> None:
    macro = environment().from_string(
        '{% macro table_open(label) -%}\n<div class="table-wrap" role="region"'
        ' aria-label="{{ label }}" tabindex="0">\n{%- endmacro %}{{ table_open(label) }}')
    page = environment().from_string("{{ table_open(label) }}")
    for label in HOSTILE[:-2] + ["RACI matrix " + "<b>", Markup("Findings about ") + "<x>"]:
        assert page.render(label=label) == macro.render(label=label)
