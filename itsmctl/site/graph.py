"""The dependency graph as an SVG picture, laid out at build time in pure Python.

Layered layout by dependency depth: services that depend on nothing sit in the bottom
layer, each service one layer above its deepest dependency. Within a layer, a few
barycentre sweeps pull nodes towards their neighbours to cut crossings; ties break by name
so the picture is the same bytes on every build. No JavaScript is needed to read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from itsmctl.catalog import Catalog
from itsmctl.model import Entity, Ref
from itsmctl.site.paths import ref_path

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 184, 40, 24, 64, 16
SWEEPS = 4
MAX_LABEL = 24


@dataclass(frozen=True)
class Node:
    ref: Ref
    title: str
    href: str | None
    layer: int
    x: int
    y: int
    broken: bool


@dataclass(frozen=True)
class Edge:
    source: Ref
    target: Ref
    hard: bool


@dataclass(frozen=True)
class Layout:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: int
    height: int


def depths(services: list[Entity], edges: dict[Ref, list[Ref]]) -> dict[Ref, int]:
    """Depth 0 for a service without dependencies; a dependency cycle is cut where found.

    Iterative: a chain of thousands of services is as deep as it is long.
    """
    depth: dict[Ref, int] = {}
    for service in services:
        _visit(service.ref, edges, depth)
    return depth


def _visit(start: Ref, edges: dict[Ref, list[Ref]], depth: dict[Ref, int]) -> None:
    """Depth-first from `start`, with an explicit stack; what `visit` did by recursion."""
    if start in depth:
        return
    on_stack = {start}
    stack: list[tuple[Ref, list[int], list[Ref]]] = [(start, [], list(edges.get(start, [])))]
    while stack:
        ref, below, pending = stack[-1]
        if pending:
            target = pending.pop(0)
            if target in on_stack:
                continue
            if target in depth:
                below.append(depth[target])
                continue
            on_stack.add(target)
            stack.append((target, [], list(edges.get(target, []))))
            continue
        stack.pop()
        on_stack.discard(ref)
        depth[ref] = 1 + max(below) if below else 0
        if stack:
            stack[-1][1].append(depth[ref])


def _barycentre(ref: Ref, neighbours: dict[Ref, list[Ref]], position: dict[Ref, int],
                fallback: int) -> tuple[float, str]:
    linked = [position[n] for n in neighbours.get(ref, []) if n in position]
    return (sum(linked) / len(linked) if linked else float(fallback)), ref.name


def _order(layers: list[list[Ref]], up: dict[Ref, list[Ref]], down: dict[Ref, list[Ref]]
           ) -> list[list[Ref]]:
    """Barycentre sweeps: sort each layer by the mean position of its neighbours."""
    for sweep in range(SWEEPS):
        neighbours, indices = (down, range(1, len(layers))) if sweep % 2 == 0 else (
            up, range(len(layers) - 2, -1, -1))
        for index in indices:
            position = {ref: i for layer in layers for i, ref in enumerate(layer)}
            layers[index] = sorted(layers[index], key=lambda ref: _barycentre(
                ref, neighbours, position, position[ref]))
    return layers


def layout(catalog: Catalog, broken: set[Ref]) -> Layout:
    services = [s for s in catalog.of_kind("Service") if ref_path(s.ref) is not None]
    known = {s.ref for s in services}
    down: dict[Ref, list[Ref]] = {}
    edges: list[Edge] = []
    for service in services:
        for target, kind in catalog.dependencies(service):
            if target.ref in known and target.ref != service.ref:
                down.setdefault(service.ref, []).append(target.ref)
                edges.append(Edge(service.ref, target.ref, kind == "hard"))
    up: dict[Ref, list[Ref]] = {}
    for edge in edges:
        up.setdefault(edge.target, []).append(edge.source)
    depth = depths(services, down)
    count = max(depth.values(), default=-1) + 1
    layers: list[list[Ref]] = [[] for _ in range(count)]
    for service in services:
        layers[depth[service.ref]].append(service.ref)
    layers = _order(layers, up, down)
    widest = max((len(layer) for layer in layers), default=0)
    width = max(widest * (NODE_W + GAP_X) - GAP_X, NODE_W) + 2 * MARGIN
    height = max(count * (NODE_H + GAP_Y) - GAP_Y, NODE_H) + 2 * MARGIN
    by_ref = {s.ref: s for s in services}
    nodes = []
    for index, layer in enumerate(layers):
        row_width = len(layer) * (NODE_W + GAP_X) - GAP_X
        left = (width - row_width) // 2
        top = MARGIN + (count - 1 - index) * (NODE_H + GAP_Y)
        for i, ref in enumerate(layer):
            nodes.append(Node(ref, by_ref[ref].title, ref_path(ref), index,
                              left + i * (NODE_W + GAP_X), top, ref in broken))
    edges.sort(key=lambda e: (e.source, e.target))
    return Layout(tuple(nodes), tuple(edges), width, height)


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "\u2026"


def svg(graph: Layout, title: str = "Service dependency graph") -> Markup:
    """The picture; links are relative to the site root (where graph.html lives)."""
    at = {node.ref: node for node in graph.nodes}
    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="dependency-graph" width="{graph.width}"'
         f' height="{graph.height}" viewBox="0 0 {graph.width} {graph.height}"'
         ' aria-labelledby="graph-title" font-family="system-ui, sans-serif" font-size="13">'),
        f'<title id="graph-title">{escape(title)}</title>',
        ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7"'
         ' markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#4a4a4a"/>'
         '</marker></defs>'),
    ]
    for edge in graph.edges:
        a, b = at[edge.source], at[edge.target]
        x1, y1 = a.x + NODE_W // 2, a.y + NODE_H
        x2, y2 = b.x + NODE_W // 2, b.y
        mid = (y1 + y2) // 2
        dash = "" if edge.hard else ' stroke-dasharray="6 4"'
        out.append(f'<path class="edge {"hard" if edge.hard else "soft"}" d="M{x1},{y1}'
                   f' C{x1},{mid} {x2},{mid} {x2},{y2}" fill="none" stroke="#4a4a4a"'
                   f' stroke-width="1.4"{dash} marker-end="url(#arrow)"/>')
    for node in graph.nodes:
        stroke = "#b00020" if node.broken else "#1f4e79"
        box = (f'<rect x="{node.x}" y="{node.y}" width="{NODE_W}" height="{NODE_H}" rx="6"'
               f' fill="#ffffff" stroke="{stroke}" stroke-width="{3 if node.broken else 1.5}"/>'
               f'<text x="{node.x + NODE_W // 2}" y="{node.y + NODE_H // 2 + 5}"'
               f' text-anchor="middle" fill="#1a1a1a">{escape(_label(node.title))}</text>')
        tip = escape(f"{node.title} ({node.ref.name})" + (": has errors" if node.broken else ""))
        out.append(f'<a href="{escape(node.href or "")}"><title>{tip}</title>{box}</a>')
    out.append("</svg>")
    return Markup("\n".join(out) + "\n")


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
        out.append(f'<rect x="{x}" y="{y}" width="{STATE_W}" height="{STATE_H}" rx="18"'
                   ' fill="#eef4fa" stroke="#1f4e79" stroke-width="1.5"/>'
                   f'<text x="{x + STATE_W // 2}" y="{y + STATE_H // 2 + 5}" text-anchor="middle"'
                   f' fill="#1a1a1a">{escape(_label(state))}</text>')
        if index < len(states) - 1:
            x1, x2, mid = x + STATE_W, x + STATE_W + STATE_GAP, y + STATE_H // 2
            out.append(f'<path d="M{x1},{mid} L{x2},{mid}" stroke="#4a4a4a" stroke-width="1.4"'
                       ' marker-end="url(#state-arrow)"/>')
    out.append("</svg>")
    return Markup("\n".join(out) + "\n")
