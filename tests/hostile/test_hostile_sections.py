"""The page sections written in Python (itsmctl/site/sections.py) give the bytes of the macros
they replaced (tests/site/data/section-macros.html), with hostile text in every field they print:
markup, quotes and `&` come out escaped, exactly as Jinja's autoescape escaped them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from itsmctl.site.figures import Downtime
from itsmctl.site.paths import Link
from itsmctl.site.people import Holders, Person
from itsmctl.site.render import Renderer
from itsmctl.site.sections import PLAIN_WRITERS, WRITERS

MACROS = (Path(__file__).resolve().parents[1] / "site" / "data"
          / "section-macros.html").read_text(encoding="utf-8")
BAD = '<script>alert("x")</script>\'&amp;'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#39;&amp;amp;"


def bad(label: str) -> str:
    return f"{label}{BAD}"


def link(label: str, href: str | None = "slas/a.html", note: str = "") -> Link:
    return Link(bad(label), href and href + bad("#"), bad(note) if note else "", bad("t"))


def downtime(period: str, in_hours: str | None) -> Downtime:
    return Downtime(99.95, bad("21m"), period, bad("per-period"), 37.5 if in_hours else None,
                    in_hours)


def sla(**changes: Any) -> dict[str, Any]:
    summary = {"link": link("SLA"), "type": bad("type"), "customer": bad("customer"),
               "calendar": link("cal", None, "unresolved"), "timezone": bad("tz"),
               "downtime": downtime("quarterly", bad("in-hours")),
               "targets": [(bad("P1"), bad("15m"), bad("4h")), (bad("P2"), "", bad("1d"))],
               "credits": [(bad("99.9"), bad("10")), ("99", "")],
               "effective_from": bad("from"), "effective_until": bad("until")}
    return summary | changes


SLAS = [sla(), sla(customer="", timezone="", targets=[], credits=[], effective_until=""),
        sla(downtime=None, type="", calendar=None, effective_from=""),
        sla(downtime=downtime("monthly", None)), sla(downtime=downtime(bad("p"), ""))]


def matrix(parties: int, rows: int) -> dict[str, Any]:
    links = [link(f"party{i}", "teams/a.html" if i % 2 else None, "role") for i in range(parties)]
    return {"link": link("RACI", "raci/r.html"), "parties": links,
            "rows": [{"name": bad("n"), "title": bad(f"activity{r}"),
                      "cells": [bad("RA") if (r + p) % 3 else "" for p in range(parties)]}
                     for r in range(rows)]}


MATRICES = [matrix(3, 4), matrix(0, 2), matrix(2, 0), matrix(1, 1)]


def holders(n: int) -> list[Holders]:
    person = Person(bad("p"), bad("Person"), anchor=bad("a"))
    team = (bad("t"), link("team", "teams/t.html"))
    return [Holders(bad("party"), (team,) if i % 2 else (), (person,) if i % 3 else (),
                    (bad("unresolved"),) if i == 2 else ()) for i in range(n)]


ROWS = [{"title": bad("activity"), "A": holders(3), "R": holders(1)},
        {"title": "", "A": [], "R": holders(4)}]
TABLES = [(link("RACI", "raci/r.html"), ROWS), (link("RACI", None, "wrong kind"), [])]
CASES = {"sla_section": ("sla_summary", SLAS), "raci_section": ("raci_table", MATRICES),
         "accountability_section": ("service_people", TABLES)}


def macro_module(renderer: Renderer, root: str) -> Any:
    """The replaced macros, with what a page at `root` gave them."""
    return renderer.env.from_string(MACROS).make_module(
        {"link": renderer.link_at(root), "root": root, "holders_list": renderer.holders_at(root)})


@pytest.mark.parametrize("section", sorted(WRITERS))
@pytest.mark.parametrize("root", ["", "../"])
def test_a_section_is_the_macro_it_replaced_hostile_text_escaped(section: str, root: str) -> None:
    renderer = Renderer({})
    macro_name, values = CASES[section]
    macros = macro_module(renderer, root)
    write = renderer.sections_at(root)[section]
    for value in values:
        written = write(value)
        if section == "accountability_section":  # the tables of the `service_people` macro
            heading = renderer.sections_at(root)["people_section"](None, [])
            assert heading + written == macros.service_people(None, [], [value])
        else:
            assert written == getattr(macros, macro_name)(value)
        assert write(value) is written  # remembered: written once per model object
        assert "<script>" not in written and '"x"' not in written
    assert ESCAPED in write(values[0])


LINKS = [link("a"), None, link("b", None, "unresolved"), link("c", None)]
DEPENDENCIES = [(link("dep"), bad("hard"), bad("why")), (None, "soft", "")]
DEPENDENTS = [(link("dependent"), bad("hard"))]
BLAST = [(link("far"), 1, True), (link("near", None, "x"), 2, False)]
IMPACTS = [(bad("Title"), DEPENDENCIES, DEPENDENTS, BLAST, 2),
           (bad("Title"), [], [], [], 0), (bad("Title"), DEPENDENCIES, [], BLAST[:1], 1),
           (bad("Title"), [], DEPENDENTS, BLAST, 70)]
# what each page-wide section's macro is called with, as the templates call it
PLAIN_CASES: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
    "link_list": ("link_list", [(LINKS,), ([],), (LINKS, bad("empty")), ([], bad("empty"))]),
    "people_section": ("service_people", [(link("owner"), LINKS[:1] + LINKS[2:], []),
                                          (None, [], TABLES), (link("o", None, "role"), [], [])]),
    "impact_section": ("service_impact", IMPACTS)}


@pytest.mark.parametrize("section", sorted(PLAIN_WRITERS))
@pytest.mark.parametrize("root", ["", "../"])
def test_a_page_section_is_the_macro_it_replaced_hostile_text_escaped(section: str,
                                                                      root: str) -> None:
    renderer = Renderer({})
    macro_name, calls = PLAIN_CASES[section]
    macros = macro_module(renderer, root)
    sections = renderer.sections_at(root)
    for args in calls:
        if section == "people_section":  # its RACI tables are `accountability_section`s
            owner, people, tables = args
            written = sections[section](owner, people) + Markup("").join(
                sections["accountability_section"](t) for t in tables)
        else:
            written = sections[section](*args)
        assert written == getattr(macros, macro_name)(*args)
        assert "<script>" not in written and '"x"' not in written
    assert ESCAPED in sections[section](*calls[0][:2 if section == "people_section" else None])


def test_every_section_is_tested() -> None:
    assert set(CASES) == set(WRITERS)
    assert set(PLAIN_CASES) == set(PLAIN_WRITERS)
