"""What the site makes once and shows many times must be what it would make each time: a
remembered link or SLA summary never shows on a page that should show another."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from site_helpers import SMALL, Render, visible_text

from itsmctl.site.paths import Link
from itsmctl.site.render import Renderer, link_markup

PageText = Callable[[str], str]


def test_a_remembered_link_prints_as_link_markup_would_for_every_value() -> None:
    links = [Link("API", "services/api.html"), Link("API", "services/web.html"),
             Link("API", None, "unresolved"), Link("API", None, "role"), Link("API", None),
             Link("API", "services/api.html", title="api"), Link("<b>", "x.html"), None]
    for root in ("", "../", "../../"):
        link = Renderer({}).link_at(root)
        for value in links + links[::-1]:
            assert link(value) == link_markup(root, value)


def test_links_that_are_equal_but_print_apart_are_not_remembered_as_one() -> None:
    link = Renderer({}).link_at("")
    # 1 == True and Link(1) == Link(True), but they read "1" and "True"
    first, second = Link(1, "a.html"), Link(True, "a.html")  # type: ignore[arg-type]
    assert first == second
    assert (link(first), link(second)) == (link_markup("", first), link_markup("", second))
    assert link(first) != link(second)


@pytest.mark.parametrize(("service", "sla_page", "shown"), [
    ("services/api.html", "slas/api-sla.html", "Allowed downtime per quarter 2.2 h (132 min)"),
    ("services/db.html", "slas/db-sla.html", "Allowed downtime per month 21.9 min"),
    ("services/web.html", "slas/web-sla.html", "Allowed downtime per month 3.7 h (219 min)"),
])
def test_each_service_page_and_its_sla_page_show_that_slas_own_downtime(
        page_text: PageText, service: str, sla_page: str, shown: str) -> None:
    # db-sla and web-sla share a calendar; each page is rendered in one process, after the
    # others, so a summary remembered for the wrong agreement would show here
    assert shown in page_text(service)
    assert shown in page_text(sla_page)


def test_a_box_drawn_in_many_pictures_is_written_for_each_pictures_place_and_root() -> None:
    from itsmctl.site.graph import Box, Link, layout_boxes, svg

    api = Box("api", "API <gateway>", "services/api.html", "tier 1")
    db = Box("db", "Database", "services/db.html", "tier 2", mark="error")
    cache = Box("cache", "Cache", None)
    first = layout_boxes([api, db], [Link("api", "db", True)])
    second = layout_boxes([api, db, cache, Box("web", "Web", "services/web.html")],
                          [Link("web", "api", True), Link("api", "db", False),
                           Link("api", "cache", False)])
    here, deeper = svg(first, root=""), svg(second, root="../")
    assert '<a href="services/api.html"><title>API &lt;gateway&gt; (api): tier 1</title>' in here
    assert '<a href="../services/api.html"><title>API &lt;gateway&gt; (api): tier 1</title>' \
        in deeper
    assert '<g class="box"><title>Cache (cache)</title>' in deeper
    # the same box, focused or not, marked or not: each drawn as it is
    focused = svg(layout_boxes([Box("api", "API <gateway>", "services/api.html", "tier 1",
                                    focus=True), db], [Link("api", "db", True)]))
    assert 'class="node focus"' in focused and 'class="node focus"' not in here
    assert 'class="node mark-error"' in here
    for picture in (first, second):
        drawn = svg(picture)
        for node in picture.nodes:
            assert f'x="{node.x}" y="{node.y}"' in drawn


def test_the_macros_shared_by_the_pages_at_a_root_write_what_a_page_import_wrote() -> None:
    # `m` is made once per root; it must link from that root, as the page's own
    # `{% import "macros.html" as m with context %}` did
    renderer = Renderer({"rule_ids": frozenset({"known-rule"})})
    calls = ('{{ m.rule_link("known-rule") }}|{{ m.rule_link("other") }}|'
             '{{ m.commits_table([], "none here") }}')
    imported = renderer.env.from_string('{% import "macros.html" as m with context %}' + calls)
    shared = renderer.env.from_string(calls)
    for root in ("", "../", "../../"):
        values = {"root": root, "link": renderer.link_at(root),
                  "rule_ids": frozenset({"known-rule"})}
        assert renderer.macros_at(root) is renderer.macros_at(root)
        out = shared.render(values, m=renderer.macros_at(root))
        assert out == imported.render(values)
        assert f'<a href="{root}rules.html#rule-known-rule">' in out
        assert "none here" in out


def test_one_raci_role_resolved_for_two_services_names_each_services_own_owner(
        tmp_path: Path, render: Render) -> None:
    # `role:service-owner` is made once per party and owner, each RACI's rows once: a row
    # remembered for the wrong service would name the other owner team here
    catalog = tmp_path / "catalog"
    shutil.copytree(SMALL, catalog)
    (catalog / "db-raci.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: RACI\nmetadata: {name: db-raci, title: DB RACI}\n"
        "spec:\n  scope: {service: db}\n  activities:\n"
        "    - {name: change-service, title: Deploy changes,"
        " assignments: {ops: R, role:service-owner: A}}\n")
    render(catalog, tmp_path / "site")

    def text(rel: str) -> str:
        return visible_text((tmp_path / "site" / rel).read_text(encoding="utf-8"))

    assert "Deploy changes role:service-owner : Developers dev : Developers" in text(
        "services/api.html")
    assert "Deploy changes role:service-owner : Operations ops : Operations" in text(
        "services/db.html")
    matrix = "Activity Operations service-owner (role) Deploy changes R A"
    assert matrix in text("services/db.html") and matrix in text("raci/db-raci.html")


# the `holders_list` macro that `holders_markup` replaced, as it was
HOLDERS_MACRO = (
    '{% for h in list %}<span class="holder"><code>{{ h.party }}</code>{% if h.teams or h.people %}'
    ': {% for name, team in h.teams %}{{ link(team) }}{% if not loop.last or h.people %}, '
    '{% endif %}{% endfor %}{% for p in h.people %}{{ link(p.link) }}{% if not loop.last %}, '
    '{% endif %}{% endfor %}{% endif %}{% for note in h.unresolved %} <span class="note">'
    '({{ note }})</span>{% endfor %}</span>{% if not loop.last %}; {% endif %}{% endfor %}')


def test_holders_are_written_as_the_macro_wrote_them_hostile_text_escaped() -> None:
    from itsmctl.site.people import Holders, Person

    ann, bob = Person("ann", "Ann <b>", anchor="person-ann"), Person('bob"', "Bob & co")
    team = ("a", Link("A & <i>", "teams/a.html"))
    cases = [[], [Holders("team:a", (team,), (), ())],
             [Holders("<script>", (), (ann,), ()), Holders("role:x", (), (), ('"no one"',))],
             [Holders("role:y", (team, ("b", Link("B", None, "unresolved"))), (ann, bob),
                      ("<note>", "two"))]]
    renderer = Renderer({})
    macro = renderer.env.from_string(HOLDERS_MACRO)
    page = renderer.env.from_string("{{ holders_list(list) }}")
    for root in ("", "../"):
        for holders in cases:
            expected = macro.render(list=holders, link=renderer.link_at(root))
            assert page.render(list=holders, holders_list=renderer.holders_at(root)) == expected
    assert "&lt;script&gt;" in macro.render(list=cases[2], link=renderer.link_at(""))
