"""What render draws against the plain definitions the layout's sweeps replace: in random
pictures laid out as render lays them out (`layout_boxes`: `_numbered_chains`, then
`_sweeps`), no edge crosses a box, the crossing count is the number of crossing segment pairs
in the picture, and the rows stand in the order the plain sweeps keep, so every picture keeps
its bytes."""

from __future__ import annotations

from functools import partial
from itertools import combinations, pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from site_helpers import boxes_crossed

from itsmctl.site.graph import (
    NODE_W,
    SWEEPS,
    Box,
    Item,
    Layout,
    Link,
    _numbered_chains,
    _wrap,
    layout_boxes,
    prepare,
    svg,
)

Picture = tuple[list[Box], list[Link], int]
Segment = tuple[tuple[int, int], tuple[int, int]]  # (row, place) of its upper and lower end


@st.composite
def pictures(draw: st.DrawFn) -> Picture:
    """Random boxes and links (hard or soft, cycles and self-links included) and a row width:
    long edges make dummy slots and shared trunks, a narrow row width wraps layers."""
    count = draw(st.integers(2, 14))
    keys = [f"s{i:02d}" for i in range(count)]
    pairs = draw(st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(keys), st.booleans()),
                          max_size=3 * count))
    boxes = [Box(key, f"Service {key}", f"services/{key}.html") for key in keys]
    return boxes, [Link(a, b, hard) for a, b, hard in pairs], draw(st.integers(2, 6))


def drawn_rows(picture: Layout) -> list[list[tuple[int, int, str | None]]]:
    """The picture's rows read off its coordinates, the bottom row first as the layout numbers
    them, each left to right: a box's (left, right, key), a slot's (x, x, None) (an edge's
    points past its ends come two a slot, at its row's top and bottom)."""
    rows: dict[int, set[tuple[int, int, str | None]]] = {}
    for node in picture.nodes:
        rows.setdefault(node.y, set()).add((node.x, node.x + NODE_W, node.box.key))
    for edge in picture.edges:
        if not edge.flat:
            inner = edge.points[1:-1]
            for (x, ya), (_, yb) in zip(inner[::2], inner[1::2], strict=True):
                rows.setdefault(min(ya, yb), set()).add((x, x, None))
    return [sorted(rows[y]) for y in sorted(rows, reverse=True)]


def drawn_segments(picture: Layout, rows: list[list[tuple[int, int, str | None]]]
                   ) -> list[set[Segment]]:
    """The picture's segments between two adjacent rows: a band's curve (every even-numbered
    pair of an edge's points) runs from a box's bottom side or a slot to the next row's top
    side or slot, its ends told apart by x (the box that spans it, else the slot at it), each
    as (row, place). Edges of one trunk share their segments."""
    tops = sorted({node.y for node in picture.nodes} | {
        min(p[1], q[1]) for e in picture.edges if not e.flat
        for p, q in zip(e.points[1:-1:2], e.points[2:-1:2], strict=True)}, reverse=True)

    def place(y: int, x: int) -> tuple[int, int]:
        row = tops.index(y)
        return row, next(i for i, (a, b, _) in enumerate(rows[row]) if a <= x <= b)

    bands: list[set[Segment]] = [set() for _ in rows[1:]]
    for edge in picture.edges:
        if edge.flat:
            continue
        for a, b in zip(edge.points[::2], edge.points[1::2], strict=True):
            (xu, yu), (xl, yl) = sorted([a, b], key=lambda p: p[1])
            upper, lower = place(yu - picture.node_h, xu), place(yl, xl)
            assert upper[0] == lower[0] + 1  # a band joins two adjacent rows
            bands[lower[0]].add((upper, lower))
    return bands


def brute_crossings(bands: list[set[Segment]]) -> int:
    """Every pair of segments of one band tested: ends strictly swapped."""
    return sum(1 for band in bands for ((_, a), (_, b)), ((_, c), (_, d)) in combinations(band, 2)
               if (a - c) * (b - d) < 0)


def plain_order(layers: list[list[Item]], up: dict[Item, list[Item]],
                down: dict[Item, list[Item]]) -> tuple[list[list[Item]], int]:
    """The sweeps as first written: sort by (barycentre, position), count all pairs again."""
    def barycentre(item: Item, neighbours: dict[Item, list[Item]],
                   position: dict[Item, int]) -> tuple[float, int]:
        linked = [position[n] for n in neighbours.get(item, [])]
        here = position[item]
        return (sum(linked) / len(linked) if linked else float(here)), here

    def crossings() -> int:
        segments = [{((upper, position[u]), (lower, position[t])) for u in layers[upper]
                     for t in down.get(u, [])} for lower, upper in pairwise(range(len(layers)))]
        return brute_crossings(segments)

    position = {item: i for layer in layers for i, item in enumerate(layer)}
    best = [list(layer) for layer in layers]
    fewest = crossings()
    for sweep in range(SWEEPS):
        if fewest == 0:
            break
        upward = sweep % 2 == 0
        neighbours = down if upward else up
        indices = range(1, len(layers)) if upward else range(len(layers) - 2, -1, -1)
        for index in indices:
            layers[index] = sorted(layers[index], key=partial(
                barycentre, neighbours=neighbours, position=position))
            position.update((item, i) for i, item in enumerate(layers[index]))
        count = crossings()
        if count < fewest:
            best, fewest = [list(layer) for layer in layers], count
    return best, fewest


def plain_layout(boxes: list[Box], links: list[Link], max_row: int
                 ) -> tuple[list[list[str | None]], int]:
    """The rows the plain sweeps keep for what render lays out (`_numbered_chains` makes the
    rows they start from), a box by its key, a slot as None; and their crossings."""
    prepared = prepare(boxes, links)
    depth = _wrap(prepared.layer_of, prepared.keys, max_row)
    graph, _, _, _ = _numbered_chains(prepared.keys, prepared.links, depth,
                                      max(depth.values(), default=-1) + 1)
    items = graph.items
    layers = [[items[i] for i in row] for row in graph.rows]
    up = {items[i]: [items[j] for j in out] for i, out in enumerate(graph.above) if out}
    down = {items[i]: [items[j] for j in out] for i, out in enumerate(graph.below) if out}
    best, fewest = plain_order(layers, up, down)
    return [[key if slot == -1 else None for key, slot in row] for row in best], fewest


@settings(max_examples=200, deadline=None)
@given(pictures())
def test_what_render_draws_has_no_edge_through_a_box_and_the_plain_sweeps_order(
        picture: Picture) -> None:
    boxes, links, max_row = picture
    drawn = layout_boxes(boxes, links, max_row)
    assert boxes_crossed(svg(drawn)) == []
    rows = drawn_rows(drawn)
    assert drawn.crossings == brute_crossings(drawn_segments(drawn, rows))
    plain, fewest = plain_layout(boxes, links, max_row)
    assert drawn.crossings == fewest
    assert [[key for _, _, key in row] for row in rows] == plain
