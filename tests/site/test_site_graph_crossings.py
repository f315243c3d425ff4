"""The layout's crossing count and sweeps against the plain definitions they replace: the same
integers and the same orders, so every picture keeps its bytes."""

from __future__ import annotations

from functools import partial
from itertools import combinations, pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from itsmctl.site.graph import SWEEPS, Item, _order, _pair_crossings, numbered

Graph = tuple[list[list[Item]], dict[Item, list[Item]], dict[Item, list[Item]]]


@st.composite
def layered(draw: st.DrawFn) -> Graph:
    """Random layers (shuffled) and segments between adjacent layers only, as chains make
    them; an item may have several segments down, and several items may share a lower end."""
    sizes = draw(st.lists(st.integers(1, 7), min_size=1, max_size=5))
    layers: list[list[Item]] = [[(f"n{layer}.{i}", -1) for i in range(size)]
                                for layer, size in enumerate(sizes)]
    layers = [draw(st.permutations(layer)) for layer in layers]
    down: dict[Item, list[Item]] = {}
    up: dict[Item, list[Item]] = {}
    for below, above in pairwise(layers):
        pairs = draw(st.sets(st.tuples(st.sampled_from(above), st.sampled_from(below)),
                             max_size=12))
        for upper, lower in sorted(pairs):
            down.setdefault(upper, []).append(lower)
            up.setdefault(lower, []).append(upper)
    return layers, up, down


def brute_crossings(layers: list[list[Item]], down: dict[Item, list[Item]]) -> int:
    """Every pair of segments between two adjacent layers tested: ends strictly swapped."""
    total = 0
    for lower, upper in pairwise(layers):
        segments = [(upper.index(u), lower.index(t)) for u in upper for t in down.get(u, [])]
        total += sum(1 for (a, b), (c, d) in combinations(segments, 2)
                     if (a - c) * (b - d) < 0)
    return total


def plain_order(layers: list[list[Item]], up: dict[Item, list[Item]],
                down: dict[Item, list[Item]]) -> tuple[list[list[Item]], int]:
    """The sweeps as first written: sort by (barycentre, position), count all pairs again."""
    def barycentre(item: Item, neighbours: dict[Item, list[Item]],
                   position: dict[Item, int]) -> tuple[float, int]:
        linked = [position[n] for n in neighbours.get(item, [])]
        here = position[item]
        return (sum(linked) / len(linked) if linked else float(here)), here

    best = [list(layer) for layer in layers]
    fewest = brute_crossings(layers, down)
    position = {item: i for layer in layers for i, item in enumerate(layer)}
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
        count = brute_crossings(layers, down)
        if count < fewest:
            best, fewest = [list(layer) for layer in layers], count
    return best, fewest


@settings(max_examples=300, deadline=None)
@given(layered())
def test_the_crossing_count_is_the_number_of_crossing_segment_pairs(graph: Graph) -> None:
    layers, up, down = graph
    by_number = numbered(layers, up, down)
    counted = sum(_pair_crossings(upper, by_number.below, by_number.position)
                  for upper in by_number.rows[1:])
    assert counted == brute_crossings(layers, down)


@settings(max_examples=300, deadline=None)
@given(layered())
def test_the_sweeps_keep_the_order_the_plain_sweeps_keep(graph: Graph) -> None:
    layers, up, down = graph
    segments = sum(len(targets) for targets in down.values())
    expected = plain_order([list(layer) for layer in layers], up, down)
    assert _order([list(layer) for layer in layers], up, down, segments) == expected
