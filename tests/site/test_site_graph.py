"""The dependency graph picture: layers by depth, cycle-safe, same bytes whatever the file order."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from site_helpers import boxes_crossed

from itsmctl.config import Config
from itsmctl.loader import load_directory
from itsmctl.model import Ref
from itsmctl.site.graph import NODE_H, NODE_W, Box, Layout, Node, layout, svg
from itsmctl.site.graphs import _layers

WriteCatalog = Callable[[dict[str, str]], Path]


def service(name: str, *needs: str) -> str:
    deps = "".join(f"\n    - {{service: {n}, type: hard}}" for n in needs)
    return (f"apiVersion: itsmctl.io/v1\nkind: Service\nmetadata: {{name: {name}}}\n"
            f"spec:\n  type: technical\n  lifecycle: design\n  tier: 3\n"
            f"  dependencies:{deps or ' []'}\n")


def graph_of(root: Path):  # type: ignore[no-untyped-def]
    return layout(load_directory(root, Config(), "").catalog, broken=set())


def test_each_service_sits_above_its_deepest_dependency(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"s.yaml": "---\n".join([
        service("app", "api", "db"), service("api", "db"), service("db"), service("tool")])})
    nodes = {n.ref.name: n for n in graph_of(root).nodes}
    assert {name: n.layer for name, n in nodes.items()} == {"db": 0, "tool": 0, "api": 1, "app": 2}
    assert nodes["app"].y < nodes["api"].y < nodes["db"].y
    assert nodes["db"].y == nodes["tool"].y


def test_a_dependency_cycle_still_draws(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"s.yaml": "---\n".join([
        service("a", "b"), service("b", "c"), service("c", "a"), service("d", "d")])})
    graph = graph_of(root)
    assert sorted(n.ref.name for n in graph.nodes) == ["a", "b", "c", "d"]
    assert len(graph.edges) == 3  # the self-dependency is not drawn
    assert graph.height >= 3 * NODE_H


def test_same_picture_whatever_the_order_of_files(write_catalog: WriteCatalog,
                                                  tmp_path: Path) -> None:
    docs = [service("web", "api"), service("api", "db", "cache"), service("db"),
            service("cache"), service("batch", "db")]
    first = write_catalog({"s.yaml": "---\n".join(docs)})
    second = tmp_path / "other"
    second.mkdir()
    for index, doc in enumerate(reversed(docs)):
        (second / f"{index}.yaml").write_text(doc)
    assert svg(graph_of(first)) == svg(graph_of(second))


def test_broken_services_are_marked(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"s.yaml": service("web")})
    catalog = load_directory(root, Config(), "").catalog
    picture = svg(layout(catalog, broken={Ref("Service", "web")}))
    assert 'class="node mark-error"' in picture and "web (web): has errors" in picture


# --- layout quality: long edges around boxes, fewer crossings, full titles --------------------

def test_an_edge_that_skips_a_layer_goes_around_the_box_between(
        write_catalog: WriteCatalog) -> None:
    # app -> db skips the layer of api; with api right above db, a straight edge would cross it
    root = write_catalog({"s.yaml": "---\n".join([
        service("app", "api", "db"), service("api", "db"), service("db")])})
    graph = graph_of(root)
    long_edge = next(e for e in graph.edges if (e.source, e.target) == ("app", "db"))
    assert len(long_edge.points) == 4  # the two ends and a dummy's slot through api's layer
    api = next(n for n in graph.nodes if n.ref is not None and n.ref.name == "api")
    slot = long_edge.points[1][0]
    assert not api.x <= slot <= api.x + NODE_W
    assert boxes_crossed(svg(graph)) == []


def test_no_edge_crosses_a_box_in_random_graphs() -> None:
    import random

    from itsmctl.site.graph import Box, Link, layout_boxes

    generator = random.Random(7)
    for _ in range(25):
        count = generator.randint(3, 40)
        boxes = [Box(f"s{i:02d}", f"Service {i}", f"services/s{i:02d}.html") for i in range(count)]
        links = [Link(f"s{i:02d}", f"s{generator.randrange(count):02d}", generator.random() < 0.7)
                 for i in range(count) for _ in range(generator.randint(0, 3))]
        picture = svg(layout_boxes(boxes, links))
        assert boxes_crossed(picture) == [], picture


def test_barycentre_sweeps_untangle_a_crossing() -> None:
    from itsmctl.site.graph import Box, Link, layout_boxes

    # by name alone: a b over x y, with a -> y and b -> x crossing
    boxes = [Box(k, k, None) for k in ("a", "b", "x", "y")]
    graph = layout_boxes(boxes, [Link("a", "y", True), Link("b", "x", True)])
    assert graph.crossings == 0
    x = {n.box.key: n.x for n in graph.nodes}
    assert (x["a"] < x["b"]) == (x["y"] < x["x"])


def test_long_titles_wrap_and_stay_whole_in_the_accessible_name(
        write_catalog: WriteCatalog) -> None:
    title = "Customer notification gateway for every market and channel"
    root = write_catalog({"s.yaml": service("notify").replace(
        "metadata: {name: notify}", f"metadata: {{name: notify, title: {title}}}")})
    picture = str(svg(graph_of(root)))
    assert f"<title>{title} (notify)</title>" in picture
    assert "<text" in picture and ">Customer notification</text>" in picture
    # over three lines in the box, not cut at two ("gateway for every marke…" before)
    assert ">gateway for every market</text>" in picture and ">and channel</text>" in picture
    assert "\u2026" not in picture


def test_every_example_picture_keeps_edges_out_of_boxes(tmp_path: Path) -> None:
    from site_helpers import render_catalog

    examples = Path(__file__).resolve().parents[2] / "examples"
    site = tmp_path / "site"
    render_catalog(examples, site)
    pages = [site / "graph.html", *sorted((site / "services").glob("*.html"))]
    drawn = 0
    for page in pages:
        markup = page.read_text(encoding="utf-8")
        for picture in re.findall(r'<svg[^>]*class="dependency-graph".*?</svg>', markup, re.S):
            drawn += 1
            assert boxes_crossed(picture) == [], page.name
    assert drawn > 10


# --- the neighbourhood on each service page, and groups past AGGREGATE_AT --------------------

def test_a_service_page_draws_what_it_needs_and_what_needs_it(small_site: Path) -> None:
    page = (small_site / "services" / "api.html").read_text()
    picture = page[page.index('<svg'):page.index("</svg>")]
    assert 'id="neighbourhood-title">Dependencies of Public API within 2 hops' in picture
    assert '<rect class="node focus"' in picture  # api itself, highlighted
    assert '<a href="../services/db.html"><title>Database (db): tier 1, 3 errors</title>' in picture
    assert ('<a href="../services/web.html"><title>Web Shop (web): tier 2, 1 warning</title>'
            in picture)
    assert 'class="node mark-error"' in picture and 'class="node mark-warning"' in picture
    assert picture.count('class="edge hard"') == 2  # web -> api -> db


def test_a_service_without_dependencies_or_dependents_draws_nothing(
        write_catalog: WriteCatalog, tmp_path: Path) -> None:
    from site_helpers import render_catalog

    root = write_catalog({"s.yaml": service("alone")})
    render_catalog(root, tmp_path / "site")
    assert "Dependency neighbourhood" not in (tmp_path / "site" / "services" / "alone.html"
                                              ).read_text()


def test_past_the_threshold_the_graph_shows_groups_with_pages_of_their_own(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from site_helpers import SMALL, render_catalog, visible_text

    from itsmctl.site import graphs

    monkeypatch.setattr(graphs, "AGGREGATE_AT", 2)
    render_catalog(SMALL, tmp_path / "site")
    page = (tmp_path / "site" / "graph.html").read_text()
    text = visible_text(page)
    assert "4 services are too many for one readable picture" in text
    assert "Groups by owner team Groups of services" in text
    assert '<a href="graphs/developers.html"><title>Developers: 2 services' in page
    group = (tmp_path / "site" / "graphs" / "developers.html").read_text()
    assert "<h1>Developers</h1>" in group
    assert ('<a href="../graphs/operations.html"><title>Operations (owner team): 1 service'
            " needed</title>") in group
    assert '<a href="../graphs/operations.html">Operations</a>' in group


def test_a_wide_layer_wraps_onto_rows_and_edges_still_go_around_boxes() -> None:
    from itsmctl.site.graph import DUMMY_W, GAP_X, MARGIN, MAX_ROW, Box, Link, layout_boxes

    # 30 services that all need one database: one layer of 30 would be 6,000 px wide
    boxes = [Box("db", "Database", None)] + [Box(f"app{i:02d}", f"App {i}", None)
                                             for i in range(30)]
    graph = layout_boxes(boxes, [Link(f"app{i:02d}", "db", True) for i in range(30)])
    rows = sorted({n.y for n in graph.nodes if n.box.key != "db"})
    assert len(rows) == 3  # 12 + 12 + 6
    assert {n.layer for n in graph.nodes if n.box.key != "db"} == {1}  # still one depth
    assert graph.width <= MAX_ROW * (NODE_W + GAP_X) + 2 * MARGIN + 30 * 20
    assert boxes_crossed(svg(graph)) == []
    # the 18 edges from the two upper rows share one trunk of slots into db: one a row passed
    assert graph.dummies == 2 and graph.items == 31 + 2
    assert graph.width == MAX_ROW * (NODE_W + GAP_X) - GAP_X + DUMMY_W + GAP_X + 2 * MARGIN


def labelled(name: str, domain: str, *needs: tuple[str, str]) -> str:
    deps = "".join(f"\n    - {{service: {n}, type: {k}}}" for n, k in needs)
    return (f"apiVersion: itsmctl.io/v1\nkind: Service\nmetadata:\n  name: {name}\n"
            f"  labels: {{domain: {domain!r}}}\nspec:\n  type: technical\n  lifecycle: design\n"
            f"  tier: 3\n  dependencies:{deps or ' []'}\n")


def test_groups_whose_names_slug_alike_get_pages_of_their_own(
        monkeypatch: pytest.MonkeyPatch, write_catalog: WriteCatalog, tmp_path: Path) -> None:
    from site_helpers import render_catalog, visible_text

    from itsmctl.site import graphs

    monkeypatch.setattr(graphs, "AGGREGATE_AT", 2)
    root = write_catalog({"s.yaml": "---\n".join([
        labelled("a", "Payments", ("c", "hard")), labelled("b", "Payments", ("c", "soft")),
        labelled("c", "payments"), labelled("d", "group-2"),
        labelled("e", "Zahlung & Co")])})
    render_catalog(root, tmp_path / "site")
    pages = {p.name: visible_text(p.read_text()) for p in (tmp_path / "site" / "graphs").iterdir()}
    # a label that is a page name keeps it; a clash and a generated name move aside
    assert sorted(pages) == ["group-2-2.html", "group-2.html", "payments-2.html",
                             "payments.html"]
    assert "Dependency graph: Payments" in pages["payments.html"]
    assert "Dependency graph: payments" in pages["payments-2.html"]
    assert "Dependency graph: group-2" in pages["group-2.html"]
    assert "Dependency graph: Zahlung & Co" in pages["group-2-2.html"]
    graph = (tmp_path / "site" / "graph.html").read_text()
    for name in pages:
        assert f'href="graphs/{name}"' in graph
    # a hard and a soft dependency from Payments to payments: one edge of weight 2, drawn hard
    assert graph.count('<path class="edge hard"') == 1
    assert 'stroke-width="1.8"' in graph


def test_a_picture_past_the_limit_is_not_drawn_and_the_page_lists_the_layers(
        monkeypatch: pytest.MonkeyPatch, write_catalog: WriteCatalog, tmp_path: Path) -> None:
    from site_helpers import render_catalog, visible_text

    from itsmctl.site import graph, graphs
    from itsmctl.site.graph import Box, Link, layout_boxes

    # s01 <- s02 <- ... <- s30, and every one also needs s01: the edges into s01 share one
    # trunk of slots, 28 (one a layer between s01 and s30; 406 were one slot an edge a layer)
    chain = [f"s{i:02d}" for i in range(1, 31)]
    boxes = [Box(k, k, None) for k in chain]
    links = [Link(b, a, True) for a, b in pairwise(chain)] + [Link(k, "s01", True)
                                                              for k in chain[2:]]
    assert layout_boxes(boxes, links).items == 30 + 28
    # every one needs every earlier one: a trunk into each, 28 + 27 + ... + 1 = 406 slots
    links = [Link(b, a, True) for i, b in enumerate(chain) for a in chain[:i]]
    assert layout_boxes(boxes, links).items == 30 + 406
    monkeypatch.setattr(graph, "MAX_PICTURE", 435)
    big = layout_boxes(boxes, links)
    assert not big.drawn and big.items == 436 and big.edges == ()
    assert sorted((n.layer, n.box.key) for n in big.nodes) == list(enumerate(chain))
    assert graph.svg(big) == ""

    monkeypatch.setattr(graphs, "MAX_PICTURE", 435)
    root = write_catalog({"s.yaml": "---\n".join(
        service(k, *chain[:i]) for i, k in enumerate(chain))})
    render_catalog(root, tmp_path / "site")
    page = (tmp_path / "site" / "graph.html").read_text()
    assert "<svg" not in page
    text = visible_text(page)
    assert ("Not drawn: this picture would need 436 boxes and edge slots (a box per service, a"
            " slot per layer an arrow passes), more than the 435 a picture is drawn with") in text
    assert "Layer 29 s30 Layer 28 s29" in text and "Layer 0 (no dependencies) s01" in text
    # past AGGREGATE_AT the one group is drawn in parts, and its page keeps every layer
    monkeypatch.setattr(graphs, "AGGREGATE_AT", 2)
    render_catalog(root, tmp_path / "grouped")
    group = (tmp_path / "grouped" / "graphs" / "group-1.html").read_text()
    text = visible_text(group)
    assert "Not drawn" not in text
    assert ("30 services of this owner team: too many for one picture a screen can show, so"
            " they are drawn in 2 parts") in text
    assert "Parts (no owner), part 1 of 2 (24 services) (no owner), part 2 of 2 (6 services)" \
        in text
    assert "Services by layer Layer 29 s30" in text
    for part in ("part-1", "part-2"):
        markup = (tmp_path / "grouped" / "graphs" / "group-1" / f"{part}.html").read_text()
        [picture] = re.findall(r'<svg[^>]*class="dependency-graph".*?</svg>', markup, re.S)
        assert boxes_crossed(picture) == []


def test_a_group_too_wide_for_one_picture_is_drawn_in_parts_that_fit(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A generated catalog of 200 services in 12 domains; a picture may be 900 px wide, so
    the domains' pictures do not fit and each is drawn in parts (at 2,000 services and the real
    1,120 px the same happens: see docs/site-pages.md)."""
    import subprocess
    import sys

    from site_helpers import render_catalog, visible_text

    from itsmctl.site import graphs

    generator = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
    subprocess.run([sys.executable, str(generator), "--services", "200", str(tmp_path / "catalog")],
                   check=True, capture_output=True)
    monkeypatch.setattr(graphs, "MAX_WIDTH", 900)
    render_catalog(tmp_path / "catalog", tmp_path / "site")
    site = tmp_path / "site"
    overview = (site / "graph.html").read_text()
    groups = sorted((site / "graphs").glob("*.html"))
    assert len(groups) == 12
    split = 0
    for page in groups:
        markup = page.read_text()
        assert f'href="graphs/{page.name}"' in overview  # the global graph links down to it
        [picture] = re.findall(r'<svg[^>]*class="dependency-graph".*?</svg>', markup, re.S)
        assert boxes_crossed(picture) == [], page.name
        assert int(re.search(r'width="(\d+)"', picture)[1]) <= 900  # type: ignore[index]
        parts = sorted((site / "graphs" / page.stem).glob("part-*.html"))
        if not parts:
            continue
        split += 1
        services: list[str] = []
        for part in parts:
            inner = part.read_text()
            assert f'href="../../graphs/{page.name}"' in inner  # back to its group
            assert f'href="../graphs/{page.stem}/{part.name}"' in markup  # and down to it
            [drawn] = re.findall(r'<svg[^>]*class="dependency-graph".*?</svg>', inner, re.S)
            assert boxes_crossed(drawn) == [], part.name
            assert int(re.search(r'width="(\d+)"', drawn)[1]) <= 900  # type: ignore[index]
            services += re.findall(r'<a href="\.\./\.\./services/([^"]+)\.html"><title>', drawn)
        # each service of the group is drawn in exactly one part
        text = visible_text(markup)
        count = int(re.search(r"(\d+) services of this domain", text)[1])  # type: ignore[index]
        assert len(services) == len(set(services)) == count
    assert split == 12


def test_a_picture_refused_as_too_wide_would_have_been_wider() -> None:
    """`max_width` skips the ordering of a picture that cannot fit; it must never refuse one
    that would (the group pages draw the same bytes with and without it)."""
    import random

    from itsmctl.site.graph import Box, Link, layout_boxes

    generator = random.Random(11)
    refused = 0
    for _ in range(40):
        count = generator.randint(3, 60)
        boxes = [Box(f"s{i:02d}", f"Service {i}", None) for i in range(count)]
        links = [Link(f"s{i:02d}", f"s{generator.randrange(count):02d}", True)
                 for i in range(count) for _ in range(generator.randint(0, 3))]
        for row, limit in ((8, 1_000), (4, 700), (6, 1_400)):
            drawn = layout_boxes(boxes, links, row)
            bounded = layout_boxes(boxes, links, row, limit)
            if bounded.too_wide:
                refused += 1
                assert drawn.width > limit and not bounded.drawn
                assert [(n.box.key, n.layer) for n in bounded.nodes] == sorted(
                    (n.box.key, n.layer) for n in drawn.nodes)
            else:
                assert bounded == drawn
    assert refused > 10


def test_a_layer_lists_services_of_the_same_title_by_key_drawn_or_not() -> None:
    """A group page lists its services per layer; two services titled alike come in key order
    whether the picture was drawn (nodes in x-order) or left undrawn as too wide (key order)."""
    boxes = [Box(key, "Same", None) for key in ("k4", "k0", "k1")] + [Box("k2", "Other", None)]
    drawn = Layout(tuple(Node(box, 1, x, 0) for x, box in enumerate(boxes)), (), 0, 0)
    undrawn = Layout(tuple(Node(box, 1, 0, 0) for box in sorted(boxes, key=lambda b: b.key)),
                     (), 0, 0, drawn=False, too_wide=True)
    expected = [(1, ["k2", "k0", "k1", "k4"])]
    for picture in (drawn, undrawn):
        assert [(layer, [b.key for b in row]) for layer, row in _layers(picture)] == expected


def test_a_long_title_and_many_findings_stay_whole_inside_their_box() -> None:
    from itsmctl.site.graph import LINE_H, Box, Link, layout_boxes

    title = "Customer Identity and Access Management Platform (EU region, tenant B)"  # 70
    meta = "tier 1, 2 errors, 3 warnings, 1 info"
    picture = svg(layout_boxes([Box("iam", title, None, meta, "error"),
                                Box("db", "Database", None, "tier 2")],
                               [Link("iam", "db", True)]))
    [iam] = re.findall(r"<g class=\"box\"><title>Customer.*?</g>", picture)
    lines = re.findall(r'<text[^>]* y="(\d+)">([^<]*)</text>', iam)
    assert " ".join(text for _, text in lines) == f"{title} {meta}"  # nothing cut with …
    rect = re.search(r'<rect[^>]* y="(\d+)" width="\d+" height="(\d+)"', iam)
    assert rect is not None
    top, height = int(rect[1]), int(rect[2])
    assert height > NODE_H  # every box of this picture is as tall as this one needs
    assert all(top + LINE_H <= int(y) <= top + height - 4 for y, _ in lines)
    assert f'height="{height}"' in picture.split("Database")[0].rsplit("<rect", 1)[1]
