"""The page sections written in Python (itsmctl/site/sections.py) give the bytes of the macros
they replaced (tests/site/data/section-macros.html), with hostile text in every field they print:
markup, quotes and `&` come out escaped, exactly as Jinja's autoescape escaped them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from itsmctl.site.figures import Downtime
from itsmctl.site.paths import Link
from itsmctl.site.render import Renderer
from itsmctl.site.sections import WRITERS

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
CASES = {"sla_section": ("sla_summary", SLAS), "raci_section": ("raci_table", MATRICES)}


@pytest.mark.parametrize("section", sorted(WRITERS))
@pytest.mark.parametrize("root", ["", "../"])
def test_a_section_is_the_macro_it_replaced_hostile_text_escaped(section: str, root: str) -> None:
    renderer = Renderer({})
    macro_name, values = CASES[section]
    macros = renderer.env.from_string(MACROS).make_module(
        {"link": renderer.link_at(root), "root": root})
    write = renderer.sections_at(root)[section]
    for value in values:
        written = write(value)
        assert written == getattr(macros, macro_name)(value)
        assert write(value) is written  # remembered: written once per model object
        assert "<script>" not in written and '"x"' not in written
    assert ESCAPED in write(values[0])


def test_every_section_is_tested() -> None:
    assert set(CASES) == set(WRITERS)
