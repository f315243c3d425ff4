"""Dependency pictures as SVG, laid out at build time in pure Python (no Graphviz, no script).

A layered layout (Sugiyama style), iterative throughout so a chain of thousands is as deep as
it is long:
- layers by dependency depth: what depends on nothing sits in the bottom layer, each node one
  layer above its deepest dependency (a cycle is cut where found);
- an edge that skips layers gets a dummy node in every layer between, a narrow slot, so the
  edge runs between the boxes of those layers and never through one; the edges into one box
  share their slots, one trunk of the hard ones and one of the soft ones, which each joins
  below its own source (edge concentration: 30 services that need one database make one
  trunk, not 30 parallel lines, so a picture is about as wide as its boxes); an edge
  inside one layer (only a cut cycle makes one) runs in the free band above that layer;
- a layer of more than `MAX_ROW` boxes wraps onto rows stacked in its place;
- past `MAX_PICTURE` boxes plus dummy slots nothing is drawn (`Layout.drawn` is False; the
  nodes keep their layers, so a page lists them instead): a chain of 1,200 services that all
  also need the first one makes ~720,000 dummies, minutes of layout and a 36 MB picture;
- barycentre sweeps, down and up, order each layer to cut crossings, and the order with the
  fewest crossings seen is kept; ties break by name, so a build gives the same bytes always.
Between two layers an edge is a cubic curve whose control points lie in that band, so it
stays inside the band (a Bezier curve stays in the hull of its control points).

Boxes carry the full title (wrapped over up to four lines, and whole in the link's `<title>`,
its accessible name), a line with tier and findings (wrapped over two), and a border that marks
errors; a picture's boxes are as tall as its tallest text needs, so no text leaves its box.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain as chain_of
from typing import NamedTuple, TypeVar

from markupsafe import Markup, escape

from itsmctl.catalog import Catalog
from itsmctl.model import Entity, Ref
from itsmctl.site.paths import ref_path

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 184, 56, 24, 64, 16
DUMMY_W, DUMMY_GAP = 10, 8
SWEEPS = 8
MAX_ROW = 12  # boxes side by side at most; a wider layer wraps onto more rows
MAX_PICTURE = 2_000  # boxes + dummy slots; past this a picture is not drawn (docs/site.md)
MAX_LABEL = 24     # characters a title line (13 px)
MAX_META = 28      # characters a tier-and-findings line (11 px)
TITLE_LINES, META_LINES = 4, 2  # past these a text is cut with `…` (whole in `<title>`)
LINE_H = 15
TEXTS_KEPT = 32_768  # boxes' wrapped texts remembered (a title and a meta line each)
COUNT_CROSSINGS_UP_TO = 20_000  # segments; past this the sweeps run without keeping the best
K = TypeVar("K", bound=Hashable)

MARKS = ("error", "warning", "info")  # box borders by the worst finding (site.css: .mark-*)


@dataclass(frozen=True)
class Box:
    """What a picture shows of one node: its key, texts, link and marks."""

    key: str
    title: str
    href: str | None
    meta: str = ""
    mark: str = ""      # the worst finding severity: "error", "warning", "info" or ""
    focus: bool = False  # the service whose neighbourhood this is
    ref: Ref | None = None
    tip: str = ""        # the accessible name; default: title (key) and meta


@dataclass(frozen=True)
class Link:
    """A dependency: `source` needs `target`."""

    source: str
    target: str
    hard: bool
    weight: int = 1


@dataclass(frozen=True)
class Node:
    box: Box
    layer: int
    x: int
    y: int

    @property
    def ref(self) -> Ref | None:
        return self.box.ref

    @property
    def title(self) -> str:
        return self.box.title

    @property
    def href(self) -> str | None:
        return self.box.href

    @property
    def broken(self) -> bool:
        return self.box.mark == "error"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    hard: bool
    points: tuple[tuple[int, int], ...]  # from source to target; see `_path` for the curve
    flat: bool = False
    weight: int = 1


@dataclass(frozen=True)
class Layout:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: int
    height: int
    crossings: int = 0
    dummies: int = 0
    drawn: bool = True  # False past MAX_PICTURE: nodes have layers only, no coordinates
    items: int = 0      # boxes + dummy slots the picture would need
    too_wide: bool = False  # not drawn because it would be wider than `max_width`
    node_h: int = NODE_H  # every box's height: what the tallest text needs, at least NODE_H


def depths(services: list[Entity], edges: dict[Ref, list[Ref]]) -> dict[Ref, int]:
    """Depth 0 for a service without dependencies; a dependency cycle is cut where found."""
    return key_depths([s.ref for s in services], edges)


def key_depths(keys: Iterable[K], edges: dict[K, list[K]]) -> dict[K, int]:
    """Depth of every key: 0 without outgoing edges, else 1 + the deepest target's depth."""
    depth: dict[K, int] = {}
    for key in keys:
        if key in depth:
            continue
        if edges.get(key):
            _visit(key, edges, depth)
        else:
            depth[key] = 0  # what `_visit` finds for a key without edges, without its stack
    return depth


def _visit(start: K, edges: dict[K, list[K]], depth: dict[K, int]) -> None:
    """Depth-first from `start`, with an explicit stack (no recursion limit); each key's
    targets are taken from the end of its list. A target without edges is depth 0 at once,
    without a turn on the stack."""
    if start in depth:
        return
    on_stack = {start}
    stack: list[tuple[K, list[int], Iterator[K]]] = [
        (start, [], reversed(edges.get(start, [])))]
    while stack:
        ref, below, pending = stack[-1]
        for target in pending:  # resumes where the last turn of this key left off
            if target in on_stack:
                continue
            known = depth.get(target)
            if known is not None:
                below.append(known)
                continue
            further = edges.get(target)
            if not further:
                depth[target] = 0
                below.append(0)
                continue
            on_stack.add(target)
            stack.append((target, [], reversed(further)))
            break
        else:
            stack.pop()
            on_stack.discard(ref)
            found = depth[ref] = 1 + max(below) if below else 0
            if stack:
                stack[-1][1].append(found)


# the slots an edge runs through: shared by the edges of one kind (hard or not) that meet the
# box `lower` from above (into it, or out of it for an edge of a cut cycle: `reverse`)
Trunk = tuple[str, bool, bool]  # lower, hard, reverse
Item = tuple[str | Trunk, int]  # (node key, -1) for a box; (trunk, layer) for a dummy


class Chain(NamedTuple):
    """One link as laid out: its items' numbers (`Numbered`) from the upper end to the lower
    end (a named tuple: one is made per link of every picture tried)."""

    link: Link
    items: list[int]
    reverse: bool  # the source is the lower end (an edge of a cut cycle)
    flat: bool     # both ends in one layer


Adjacent = list[list[int] | None]  # by item number: its neighbours' numbers (None: none)


@dataclass(frozen=True)
class Numbered:
    """Layers of items as numbers, so that every look-up of the sweeps and of the placing is
    a list's, not a dictionary's by a tuple: `rows` of numbers, each number's item, its
    neighbours above and below, and its place in its row. Which number an item gets does not
    matter (`arrange` numbers them as it makes them), only each row's order does."""

    items: list[Item]
    rows: list[list[int]]
    above: Adjacent
    below: Adjacent
    position: list[int]


def _pair_crossings(upper: list[int], below: Adjacent, position: list[int]) -> int:
    """Crossings between a row and the one below it (every segment from an item ends in the
    next row down): the segments' lower ends, read in the order of their upper ends, then
    left to right, and every pair in which the earlier end lies strictly to the right of the
    later is one crossing. An inversion count in O(E log E) comparisons (`bisect` keeps the
    ends seen in order), not one test per pair of segments."""
    ends: list[int] = []
    for item in upper:
        targets = below[item]
        if not targets:
            continue
        if len(targets) == 1:
            ends.append(position[targets[0]])
        else:
            ends += sorted([position[t] for t in targets])
    if ends == sorted(ends):
        return 0  # no end left of an earlier one (most layer pairs of a neighbourhood)
    seen: list[int] = []
    not_crossed = 0  # pairs whose earlier end is left of the later end or at it
    for end in ends:
        at = bisect_right(seen, end)
        seen.insert(at, end)
        not_crossed += at
    return len(ends) * (len(ends) - 1) // 2 - not_crossed


def _sweep_layer(row: list[int], neighbours: Adjacent, position: list[int]) -> list[int] | None:
    """A row sorted by the mean position of each item's neighbours in the adjacent row (ties,
    and an item without neighbours: where it is now, so no two keys are equal); None when its
    order stays. A stable sort by the means is the sort by (mean, place now)."""
    if len(row) < 2:
        return None
    means: list[float] = []
    for here, item in enumerate(row):
        linked = neighbours[item]
        if not linked:
            means.append(here)
        elif len(linked) == 1:
            means.append(position[linked[0]])
        else:
            means.append(sum([position[x] for x in linked]) / len(linked))
    order = sorted(range(len(row)), key=means.__getitem__)
    if order == list(range(len(row))):
        return None  # the means already rise left to right
    return [row[here] for here in order]


def _sweeps(graph: Numbered, segments: int) -> tuple[list[list[int]], int]:
    """Barycentre sweeps, alternately up (each row follows the one below it) and down (each
    follows the one above); the order with the fewest crossings is kept when they are counted
    (after a sweep only the row pairs with a reordered row are counted again). Returns the rows
    kept (`graph.rows` and `graph.position` end as the last sweep left them) and their
    crossings, -1 when not counted.

    A sweep replaces the rows it reorders (no row list is changed in place), so a shallow copy
    keeps an order. Once a sweep leaves the order of two sweeps before, the sweeps left would
    only repeat the last two orders (each sweep is a function of the order and its direction)
    and their counts, never fewer: they are not run, and the rows end as they would have."""
    rows, position = graph.rows, graph.position
    counting = segments <= COUNT_CROSSINGS_UP_TO
    best = list(rows)
    pairs = ([_pair_crossings(upper, graph.below, position) for upper in rows[1:]]
             if counting else [])
    fewest = sum(pairs) if counting else -1
    earlier, last = None, list(rows)  # the orders two sweeps ago and one sweep ago
    for sweep in range(SWEEPS):
        if fewest == 0:
            break  # nothing left to untangle (most neighbourhoods start here)
        upward = sweep % 2 == 0
        neighbours = graph.below if upward else graph.above
        indices = range(1, len(rows)) if upward else range(len(rows) - 2, -1, -1)
        moved = set()
        for index in indices:
            ordered = _sweep_layer(rows[index], neighbours, position)
            if ordered is not None:
                rows[index] = ordered
                for here, item in enumerate(ordered):
                    position[item] = here
                moved.add(index)
        if counting and moved:
            for pair in {i for index in moved for i in (index - 1, index)
                         if 0 <= i < len(pairs)}:
                pairs[pair] = _pair_crossings(rows[pair + 1], graph.below, position)
            count = sum(pairs)
            if count < fewest:
                best, fewest = list(rows), count
        if rows == earlier:
            if (SWEEPS - 1 - sweep) % 2:  # the last sweep would leave the order before this
                _restore(graph, last)
            break
        earlier, last = last, list(rows)
    return (best if counting else rows), fewest


def _restore(graph: Numbered, rows: list[list[int]]) -> None:
    """The rows (and every item's place in its row) as in `rows`."""
    graph.rows[:] = rows
    for row in rows:
        for here, item in enumerate(row):
            graph.position[item] = here


def _wrap(depth: dict[str, int], keys: list[str], max_row: int = MAX_ROW) -> dict[str, int]:
    """Rows of at most `max_row` boxes: a wider layer is split into rows stacked in its place
    (by name), so 200 services of one depth make a picture 17 rows high, not 40,000 px wide.
    Edges between rows of one layer and past them get dummy slots like any other."""
    by_layer: dict[int, list[str]] = {}
    for key in keys:  # in name order
        by_layer.setdefault(depth[key], []).append(key)
    if all(len(row) <= max_row for row in by_layer.values()):
        return depth
    out: dict[str, int] = {}
    base = 0
    for layer in sorted(by_layer):
        members = by_layer[layer]
        rows = -(-len(members) // max_row)
        for index, key in enumerate(members):
            out[key] = base + rows - 1 - index // max_row  # the first names on the top row
        base += rows
    return out


@dataclass(frozen=True)
class Prepared:
    """What a layout of some boxes and links needs whatever the row width: made once for every
    width `_narrowest` tries (the layers by depth, the boxes' height)."""

    by_key: dict[str, Box]
    links: list[Link]
    keys: list[str]
    layer_of: dict[str, int]
    node_h: int
    widest: int  # the most boxes of one layer: a row width of at least this wraps none


def prepare(boxes: list[Box], links: list[Link]) -> Prepared:
    """The links between known boxes (no self-links, one per pair, by name) and each box's
    layer by dependency depth."""
    by_key = {b.key: b for b in boxes}
    pairs = {(lk.source, lk.target): lk for lk in links
             if lk.source in by_key and lk.target in by_key and lk.source != lk.target}
    links = [pairs[pair] for pair in sorted(pairs)]  # one link a pair, so by the pair alone
    out_edges: dict[str, list[str]] = {}
    for source, target in pairs:
        targets = out_edges.get(source)
        if targets is None:
            out_edges[source] = [target]
        else:
            targets.append(target)
    for targets in out_edges.values():
        targets.sort(reverse=True)  # visited in name order (the walk takes from the end)
    keys = sorted(by_key)
    node_h = max((_text_height(box.title, box.meta) for box in by_key.values()),
                 default=NODE_H)
    layer_of = key_depths(keys, out_edges)
    return Prepared(by_key, links, keys, layer_of, node_h,
                    max(Counter(layer_of.values()).values(), default=0))


def layout_boxes(boxes: list[Box], links: list[Link], max_row: int = MAX_ROW,
                 max_width: int | None = None) -> Layout:
    """Lay out any boxes and links (services, or groups of them) as described above; a layer
    wraps past `max_row` boxes. With `max_width`, a picture wider than that is not drawn
    (`too_wide`); one whose rows are certainly wider (`_least_width`) is not even ordered."""
    return arrange(prepare(boxes, links), max_row, max_width)


def arrange(prepared: Prepared, max_row: int = MAX_ROW, max_width: int | None = None
            ) -> Layout:
    """`layout_boxes` of prepared boxes and links."""
    return laid_out(prepared, attempt(prepared, max_row, max_width))


@dataclass(frozen=True)
class Undrawn:
    """A try that draws nothing: the boxes and slots it would need, and whether it is only
    too wide (else past `MAX_PICTURE`)."""

    items: int
    too_wide: bool = False


def attempt(prepared: Prepared, max_row: int = MAX_ROW, max_width: int | None = None
            ) -> Layout | Undrawn:
    """`arrange`, with a picture not drawn as `Undrawn`: a try that `_narrowest` drops
    (too wide, a narrower row tried next) makes no nodes."""
    links, keys, layer_of = prepared.links, prepared.keys, prepared.layer_of
    # the row each box is drawn in
    depth = layer_of if prepared.widest <= max_row else _wrap(layer_of, keys, max_row)
    count = max(depth.values(), default=-1) + 1
    # counted before any is made: a hostile catalog's dummies grow with n², its boxes with n
    reach = _trunks(links, depth)
    items = len(keys) + sum(high - low - 1 for low, high in reach.values())
    if items > MAX_PICTURE:
        return Undrawn(items)
    if max_width is not None and _least_width(depth, reach, count) > max_width:
        return Undrawn(items, too_wide=True)
    graph, chains, row_of, segments = _numbered_chains(keys, links, depth, count)
    rows, crossings = _sweeps(graph, segments)
    widths = [_row_width(row, len(keys)) for row in rows]  # measured once a row, used twice
    if max_width is not None and _picture_width(widths) > max_width:
        return Undrawn(items, too_wide=True)  # no coordinates for a discarded try
    return _place(rows, widths, prepared, row_of, chains, crossings)


def laid_out(prepared: Prepared, found: Layout | Undrawn) -> Layout:
    """A try as the layout pages show: one not drawn lists its boxes with their layers."""
    if isinstance(found, Layout):
        return found
    nodes = tuple(Node(prepared.by_key[k], prepared.layer_of[k], 0, 0) for k in prepared.keys)
    return Layout(nodes, (), 0, 0, drawn=False, items=found.items, too_wide=found.too_wide)


def _numbered_chains(keys: list[str], links: list[Link], depth: dict[str, int], count: int
                     ) -> tuple[Numbered, list[Chain], list[int], int]:
    """The rows of boxes (by name) and dummy slots (as made), numbered as they are made
    (box i is `keys[i]`), with their segments; each link's chain; each number's row; how
    many segments there are (a trunk's segment is one segment, whatever its edges)."""
    items: list[Item] = [(key, -1) for key in keys]
    number = {key: i for i, key in enumerate(keys)}
    row_of = [depth[key] for key in keys]
    rows: list[list[int]] = [[] for _ in range(count)]
    for i, row in enumerate(row_of):
        rows[row].append(i)
    above: Adjacent = [None] * len(keys)
    below: Adjacent = [None] * len(keys)
    chains: list[Chain] = []
    made: dict[tuple[Trunk, int], int] = {}
    joined: set[tuple[int, int]] = set()
    for lk in links:
        source, target = number[lk.source], number[lk.target]
        ls, lt = row_of[source], row_of[target]
        if ls == lt:
            chains.append(Chain(lk, [source, target], False, True))
            continue
        top, bottom = (source, target) if ls > lt else (target, source)
        chain = [top]
        if abs(ls - lt) > 1:  # dummies in the layers between, one a trunk and layer
            trunk = (keys[bottom], lk.hard, ls < lt)
            for layer in range(row_of[top] - 1, row_of[bottom], -1):
                dummy = made.get((trunk, layer))
                if dummy is None:
                    dummy = made[(trunk, layer)] = len(items)
                    items.append((trunk, layer))
                    row_of.append(layer)
                    above.append(None)
                    below.append(None)
                    rows[layer].append(dummy)
                chain.append(dummy)
        chain.append(bottom)
        upper = top
        for lower in chain[1:]:
            if (upper, lower) not in joined:
                joined.add((upper, lower))
                down = below[upper]
                if down is None:
                    below[upper] = [lower]
                else:
                    down.append(lower)
                up = above[lower]
                if up is None:
                    above[lower] = [upper]
                else:
                    up.append(upper)
            upper = lower
        chains.append(Chain(lk, chain, ls < lt, False))
    position = [0] * len(items)
    for members in rows:
        for here, item in enumerate(members):
            position[item] = here
    return Numbered(items, rows, above, below, position), chains, row_of, len(joined)


def _picture_width(widths: list[int]) -> int:
    """A picture's width from its rows' widths."""
    return max(max(widths, default=0), NODE_W) + 2 * MARGIN


def _trunks(links: list[Link], depth: dict[str, int]) -> dict[Trunk, tuple[int, int]]:
    """Each trunk's lower box's layer and the highest layer one of its edges starts in: it
    has a slot in every layer between."""
    reach: dict[Trunk, tuple[int, int]] = {}
    for lk in links:
        ls, lt = depth[lk.source], depth[lk.target]
        if ls - lt > 1:
            trunk, low, high = (lk.target, lk.hard, False), lt, ls
        elif lt - ls > 1:
            trunk, low, high = (lk.source, lk.hard, True), ls, lt
        else:
            continue
        known = reach.get(trunk)  # its `low` is its lower box's layer, the same every time
        if known is None or known[1] < high:
            reach[trunk] = (low, high)
    return reach


def _least_width(depth: dict[str, int], reach: dict[Trunk, tuple[int, int]], count: int
                 ) -> int:
    """A lower bound of the picture's width whatever the order of each row (`_place` measures
    the same sizes and gaps), from the boxes of each row and the trunks through it, before any
    slot is made: a gap next to a box is `GAP_X`, and a row with b boxes and a dummy has at
    least b such gaps (b - 1 without dummies); every other gap is `DUMMY_GAP`. A trunk's slots
    are counted where they start and end (`steps`), not row by row."""
    in_row = [0] * count  # boxes
    for row in depth.values():
        in_row[row] += 1
    steps = [0] * (count + 1)  # dummies from this row up, less those ended below it
    for low, high in reach.values():
        steps[low + 1] += 1
        steps[high] -= 1
    widest, dummies = NODE_W, 0
    for boxes, step in zip(in_row, steps, strict=False):
        dummies += step
        touching = boxes if dummies and boxes else max(boxes - 1, 0)
        gaps = max(boxes + dummies - 1, 0)
        widest = max(widest, boxes * NODE_W + dummies * DUMMY_W + touching * GAP_X
                     + (gaps - touching) * DUMMY_GAP)
    return widest + 2 * MARGIN


def _row_width(row: list[int], boxes: int) -> int:
    """A row's width: its boxes (numbered below `boxes`, as `_numbered_chains` numbers them)
    and dummy slots, `DUMMY_GAP` between two dummies, else `GAP_X`."""
    width, after_dummy = 0, False
    for i, number in enumerate(row):
        dummy = number >= boxes
        width += (DUMMY_W if dummy else NODE_W) + (
            (DUMMY_GAP if dummy and after_dummy else GAP_X) if i else 0)
        after_dummy = dummy
    return width


def _place(rows: list[list[int]], widths: list[int], prepared: Prepared, row_of: list[int],
           chains: list[Chain], crossings: int) -> Layout:
    """Coordinates: rows top (deepest) to bottom, each centred (`widths`: each row's width);
    then the edge points. `row_of`: each number's row (box i is `prepared.keys[i]`, a higher
    number a dummy)."""
    by_key, layer_of, node_h, keys = (prepared.by_key, prepared.layer_of, prepared.node_h,
                                      prepared.keys)
    boxes = len(keys)
    count = len(rows)
    top_margin = MARGIN + (GAP_Y // 2 if any(c.flat for c in chains) else 0)
    width = _picture_width(widths)
    height = max(count * (node_h + GAP_Y) - GAP_Y, node_h) + top_margin + MARGIN
    left_of = [0] * len(row_of)  # by number
    top_of = [top_margin + (count - 1 - index) * (node_h + GAP_Y) for index in range(count)]
    placed: list[list[Node]] = []
    for index, row in enumerate(rows):
        x = (width - widths[index]) // 2 - GAP_X  # no gap before the first item
        top = top_of[index]
        nodes_here: list[Node] = []
        after_dummy = False
        for number in row:
            if number < boxes:
                key = keys[number]
                x += GAP_X
                left_of[number] = x
                nodes_here.append(Node(by_key[key], layer_of[key], x, top))
                x += NODE_W
                after_dummy = False
            else:
                x += DUMMY_GAP if after_dummy else GAP_X
                left_of[number] = x
                x += DUMMY_W
                after_dummy = True
        placed.append(nodes_here)
    bottom, upper = _ports(chains, left_of)
    half = DUMMY_W // 2
    edges = []
    for number, (lk, numbers, reverse, flat) in enumerate(chains):
        if flat:
            layer_top = top_of[row_of[numbers[0]]]
            xs, xt = (left_of[n] + NODE_W // 2 for n in numbers)
            edges.append(Edge(lk.source, lk.target, lk.hard, ((xs, layer_top), (xt, layer_top)),
                              True, lk.weight))
            continue
        points = [(bottom[number], top_of[row_of[numbers[0]]] + node_h)]
        for n in numbers[1:-1]:  # the dummies between the ends
            x, y = left_of[n] + half, top_of[row_of[n]]
            points += [(x, y), (x, y + node_h)]
        points.append((upper[number], top_of[row_of[numbers[-1]]]))
        if reverse:
            points.reverse()
        edges.append(Edge(lk.source, lk.target, lk.hard, tuple(points), False, lk.weight))
    # by (y, x): the rows from the top one down, each left to right as placed
    nodes = tuple(chain_of.from_iterable(reversed(placed)))
    # the edges are by (source, target) as made: one chain a link, and `prepare` sorts links
    dummies = len(row_of) - len(nodes)
    return Layout(nodes, tuple(edges), width, height, max(crossings, 0), dummies,
                  items=len(nodes) + dummies, node_h=node_h)


def _ports(chains: list[Chain], left_of: list[int]) -> tuple[list[int], list[int]]:
    """Where each edge meets a box, by chain (on its upper end's bottom side, on its lower
    end's top side): spread over the middle of that side, in the order of the other ends, so
    edges leaving one box do not cross each other there; the edges of one trunk meet the box
    at one point. By number: two other ends at one x are one item (a row's items stand
    apart), so sorting by (x, number) is sorting by (x, item)."""
    sides: tuple[dict[int, list[tuple[int, int, int]]], ...] = ({}, {})  # bottom, top
    bottoms, tops = sides
    for number, (_, items, _, flat) in enumerate(chains):
        if not flat:
            below, above = items[1], items[-2]
            bottoms.setdefault(items[0], []).append((left_of[below], below, number))
            tops.setdefault(items[-1], []).append((left_of[above], above, number))
    out = ([0] * len(chains), [0] * len(chains))
    span = NODE_W * 3 // 5
    for attached, at_side in zip(sides, out, strict=True):
        for key, ends in attached.items():
            centre = left_of[key] + NODE_W // 2
            if len(ends) == 1:
                at_side[ends[0][2]] = centre
                continue
            ends.sort()
            others = list(dict.fromkeys([other for _, other, _ in ends]))  # in x order
            if len(others) == 1:
                for _, _, number in ends:
                    at_side[number] = centre
                continue
            at = {other: i for i, other in enumerate(others)}
            for _, other, number in ends:
                at_side[number] = centre + (at[other] + 1) * span // (len(others) + 1) - span // 2
    return out


def _path(edge: Edge) -> str:
    """A curve across each band between two layers; straight down a dummy's slot (every
    odd segment: the points are the two ends, then two per dummy, in order)."""
    points = edge.points
    if edge.flat:
        (x1, y), (x2, _) = points
        lift = y - GAP_Y // 2
        return f"M{x1},{y} C{x1},{lift} {x2},{lift} {x2},{y}"
    x1, y1 = points[0]
    out = [f"M{x1},{y1}"]
    for index in range(0, len(points) - 1, 2):  # a pair of points a band: line to it, curve
        (xa, ya), (xb, yb) = points[index], points[index + 1]
        mid = (ya + yb) // 2
        out.append(f" L{xa},{ya} C{xa},{mid} {xb},{mid} {xb},{yb}" if index else
                   f" C{xa},{mid} {xb},{mid} {xb},{yb}")
    if len(points) % 2 and len(points) > 1:  # a last point past the last band (none drawn)
        x2, y2 = points[-1]
        out.append(f" L{x2},{y2}")
    return "".join(out)


def wrap(text: str, width: int = MAX_LABEL, lines: int = 2) -> list[str]:
    """A title over at most `lines` lines of `width` characters, by words; `…` marks a cut."""
    words = text.split()
    out: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:  # a word longer than a line is split
            if current:
                out.append(current)
                current = ""
            out.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "\u2026"
    return out or [""]


def svg(graph: Layout, title: str = "Service dependency graph", root: str = "",
        ident: str = "graph") -> Markup:
    """The picture; `root` prefixes every link (links are relative to the site root).

    Inline in the page, it is styled by the site's stylesheet (classes `edge hard|soft`,
    `node mark-*`, `focus`, `meta`), which keeps each box a few hundred bytes. An undrawn
    layout (past `MAX_PICTURE`) is empty markup; the page says why and lists the layers."""
    if not graph.drawn:
        return Markup("")
    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="dependency-graph" width="{graph.width}"'
         f' height="{graph.height}" viewBox="0 0 {graph.width} {graph.height}"'
         f' aria-labelledby="{ident}-title" font-family="system-ui, sans-serif" font-size="13">'),
        f'<title id="{ident}-title">{escape(title)}</title>',
        # one dependency picture a page: site.css gives every edge this arrow head
        ('<defs><marker id="dependency-arrow" viewBox="0 0 10 10" refX="10" refY="5"'
         ' markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"'
         ' fill="#4a4a4a"/></marker></defs>'),
    ]
    for edge in graph.edges:
        thick = f' stroke-width="{min(1.4 + 0.4 * (edge.weight - 1), 5.0):g}"' if (
            edge.weight > 1) else ""
        out.append(f'<path class="edge {"hard" if edge.hard else "soft"}" d="{_path(edge)}"'
                   f"{thick}/>")
    for node in graph.nodes:
        out.append(_box(node, root, graph.node_h))
    out.append("</svg>")
    return Markup("\n".join(out) + "\n")


@lru_cache(maxsize=TEXTS_KEPT)
def _lines(title: str, meta: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A box's title lines and its tier-and-findings lines, wrapped once per text however
    many pictures show the box (its height, then its lines)."""
    return (tuple(wrap(title, MAX_LABEL, TITLE_LINES)),
            tuple(wrap(meta, MAX_META, META_LINES)) if meta else ())


@lru_cache(maxsize=TEXTS_KEPT)
def _text_height(title: str, meta: str) -> int:
    """What a box's lines need: `NODE_H` holds three (a title over two and the meta line);
    once per text however many pictures show the box."""
    lines, meta_lines = _lines(title, meta)
    return max(NODE_H, LINE_H * (len(lines) + len(meta_lines)) + NODE_H - 3 * LINE_H)


def _box(node: Node, root: str, node_h: int = NODE_H) -> str:
    box = node.box
    head, texts, closing = _box_markup(box.key, box.title, box.href, box.meta, box.mark,
                                       box.focus, box.tip, root, node_h)
    x, y = node.x, node.y
    centre = x + NODE_W // 2
    lines = "".join([f'{start}{centre}" y="{y + below}">{line}' for start, below, line in texts])
    return f'{head}{x}" y="{y}" width="{NODE_W}" height="{node_h}" rx="6"/>{lines}{closing}'


@lru_cache(maxsize=TEXTS_KEPT)
def _box_markup(key: str, title: str, href: str | None, meta: str, mark: str, focus: bool,
                tip: str, root: str, node_h: int
                ) -> tuple[str, tuple[tuple[str, int, str], ...], str]:
    """What `_box` writes of a box wherever it stands, all but its coordinates: the link (or
    group) that opens it with its accessible name and the start of its rectangle; each text
    line's start, its baseline below the box's top and its escaped text; what closes it.
    A service's box is drawn in the neighbourhood of every service next to it (a dozen
    pictures, about), each time the same text; remembered by the box's fields that it shows
    (not its `ref`: a Box's own hash, of every field, cost more than the markup's look-up),
    the root and the boxes' height, so only the coordinates are written per picture."""
    classes = "node" + (f" mark-{mark}" if mark in MARKS and mark else "") + (
        " focus" if focus else "")
    lines, metas = _lines(title, meta)
    tip = tip or (f"{title} ({key})" + (f": {meta}" if meta else ""))
    heading = f"<title>{escape(tip)}</title>"
    if href is None:
        opening, closing = f'<g class="box">{heading}', "</g>"
    else:
        opening, closing = f'<a href="{escape(root)}{escape(href)}">{heading}', "</a>"
    first = (node_h - LINE_H * (len(lines) + len(metas))) // 2 + 12
    texts = [('<text x="', first + i * LINE_H, f"{escape(line)}</text>")
             for i, line in enumerate(lines)]
    texts += [('<text class="meta" x="', first + (len(lines) + i) * LINE_H,
               f"{escape(line)}</text>") for i, line in enumerate(metas)]
    return f'{opening}<rect class="{classes}" x="', tuple(texts), closing


def layout(catalog: Catalog, broken: set[Ref]) -> Layout:
    """Every service with a page and the dependencies between them (the whole graph)."""
    services = [s for s in catalog.of_kind("Service") if ref_path(s.ref) is not None]
    boxes = [Box(str(s.ref.name), s.title, ref_path(s.ref),
                 mark="error" if s.ref in broken else "", ref=s.ref,
                 tip=f"{s.title} ({s.ref.name})" + (": has errors" if s.ref in broken else ""))
             for s in services]
    known = {s.ref for s in services}
    links = [Link(s.ref.name, target.ref.name, kind == "hard")
             for s in services for target, kind in catalog.dependencies(s)
             if target.ref in known]
    return layout_boxes(boxes, links)


STATE_W, STATE_H, STATE_GAP = 112, 36, 28


def chain_svg(states: list[str], title: str) -> Markup:
    """A change model's ordered workflow states as boxes joined by arrows."""
    width = max(len(states) * (STATE_W + STATE_GAP) - STATE_GAP, STATE_W) + 2 * MARGIN
    height = STATE_H + 2 * MARGIN
    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram" width="{width}"'
         f' height="{height}" viewBox="0 0 {width} {height}" role="img"'
         f' aria-label="{escape(title)}: {escape(", ".join(states))}"'
         ' font-family="system-ui, sans-serif" font-size="13">'),
        ('<defs><marker id="state-arrow" viewBox="0 0 10 10" refX="10" refY="5"'
         ' markerWidth="7" markerHeight="7" orient="auto">'
         '<path d="M0,0 L10,5 L0,10 z" fill="#4a4a4a"/></marker></defs>'),
    ]
    y = MARGIN
    for index, state in enumerate(states):
        x = MARGIN + index * (STATE_W + STATE_GAP)
        label = state if len(state) <= MAX_LABEL else state[: MAX_LABEL - 1].rstrip() + "\u2026"
        out.append(f'<rect x="{x}" y="{y}" width="{STATE_W}" height="{STATE_H}" rx="18"'
                   ' fill="#eef4fa" stroke="#1f4e79" stroke-width="1.5"/>'
                   f'<text x="{x + STATE_W // 2}" y="{y + STATE_H // 2 + 5}" text-anchor="middle"'
                   f' fill="#1a1a1a">{escape(label)}</text>')
        if index < len(states) - 1:
            x1, x2, mid = x + STATE_W, x + STATE_W + STATE_GAP, y + STATE_H // 2
            out.append(f'<path d="M{x1},{mid} L{x2},{mid}" stroke="#4a4a4a" stroke-width="1.4"'
                       ' marker-end="url(#state-arrow)"/>')
    out.append("</svg>")
    return Markup("\n".join(out) + "\n")
