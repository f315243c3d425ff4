"""The site's dependency pictures: each service's neighbourhood, and the catalog's graph.

Up to `AGGREGATE_AT` services the graph page draws every service; past that one picture
cannot be read (2,000 services made a 166,408 px wide band of edges), so it draws one box per
group (the `domain` label when most services carry one, else the owner team) with an edge
where a service of one group depends on a service of another, and each group gets a page of
its own services and their direct dependencies elsewhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from itsmctl.capping import every_finding
from itsmctl.model import NAME_PATTERN, Entity, Ref
from itsmctl.site.context import SiteInput
from itsmctl.site.graph import (
    MAX_PICTURE,
    Box,
    Layout,
    Link,
    attempt,
    key_depths,
    laid_out,
    prepare,
    svg,
)
from itsmctl.site.pagemodel import Page, text
from itsmctl.site.paths import ref_path, root_of

AGGREGATE_AT = 150     # more services than this: the graph page shows groups
# px: the content width of a page in a 1,280 px window (site.css: main is 72rem less 2 x 1rem
# padding, at 16 px a rem); no picture is wider, so none scrolls sideways on a desktop: a
# group's picture that would be is drawn in parts
MAX_WIDTH = 1_120
GROUP_ROWS = (5, 4, 3)  # boxes side by side in a picture, fewer when too wide (5 fill MAX_WIDTH)
PART = 24              # services a part starts with; a part too wide for MAX_WIDTH is halved
NEIGHBOURS = 24        # at most this many services besides the focus in a neighbourhood
GROUP_LABEL = "domain"


def worst(site: SiteInput, entity: Entity) -> tuple[str, str]:
    """(mark, text): the worst severity among an entity's findings, and their counts; once a
    site (a group's box, and the box of every group that needs it, ask for each service)."""
    def make() -> tuple[str, str]:
        counts = Counter(f.severity for f in every_finding(site.findings_of(entity)))
        words = [f"{counts[s]} {s.label}{'s' if counts[s] != 1 else ''}"
                 for s in sorted(counts, reverse=True)]
        mark = max(counts).label if counts else ""
        return mark, ", ".join(words)
    return site.per_entity("worst", entity, make)


def service_box(site: SiteInput, service: Entity, focus: bool = False, note: str = "") -> Box:
    """A service's box: the same in every picture that shows it, so made once per site."""
    def make() -> Box:
        mark, findings = worst(site, service)
        tier = text(service.get("spec", "tier"))
        meta = ", ".join(x for x in (f"tier {tier}" if tier else "", findings, note) if x)
        return Box(service.ref.name, service.title, ref_path(service.ref), meta, mark, focus,
                   service.ref)
    return site.per_entity("service_box", service, make, (focus, note))


Drawn = tuple[tuple[str, Entity, Link], ...]  # (the other's name, the other, the dependency)
# every grouped service's dependencies (target, its ref, hard), read once for the graph pages
Needs = dict[Ref, tuple[tuple[Entity, Ref, bool], ...]]


def drawn_dependencies(site: SiteInput, service: Entity) -> Drawn:
    """What a service needs that has a page (so a box), each with the link drawn to it; once
    a site, not once per neighbourhood that shows the service (a dozen, about)."""
    def make() -> Drawn:
        name = service.ref.name
        return tuple((t.ref.name, t, Link(name, t.ref.name, k == "hard"))
                     for t, k in site.catalog.dependencies(service) if ref_path(t.ref) is not None)
    return site.per_entity("drawn_dependencies", service, make)


def drawn_dependents(site: SiteInput, service: Entity) -> Drawn:
    """What needs a service and has a page, each with the link drawn from it; once a site."""
    def make() -> Drawn:
        name = service.ref.name
        return tuple((s.ref.name, s, Link(s.ref.name, name, k == "hard"))
                     for s, k in site.dependents.get(service.ref, [])
                     if ref_path(s.ref) is not None)
    return site.per_entity("drawn_dependents", service, make)


@dataclass(frozen=True)
class Neighbourhood:
    """A service, what it needs and what needs it, within two hops; what was left out."""

    layout: Layout
    depth: int
    left_out: int


def neighbourhood(site: SiteInput, service: Entity) -> Neighbourhood | None:
    """Depth 2 when it fits in `NEIGHBOURS` services, else depth 1 (cut at `NEIGHBOURS`,
    so a picture stays a few screens wide; the tables below count every dependent).
    Services are told apart by name: every box is a service, keyed by its name."""
    # what it needs (following dependencies only) and what needs it (dependents only)
    focus = service.ref.name
    rings: list[dict[str, Entity]] = [{focus: service}, {}, {}]
    seen = {focus}
    for step in (drawn_dependencies, drawn_dependents):
        frontier = [service]
        for hop in (1, 2):
            found: list[Entity] = []
            ring = rings[hop]
            for entity in frontier:
                for name, other, _ in step(site, entity):
                    if name not in seen:
                        seen.add(name)
                        ring[name] = other
                        found.append(other)
            frontier = found
    if not rings[1]:
        return None
    shown = dict(rings[0])
    depth = 2 if len(rings[1]) + len(rings[2]) <= NEIGHBOURS else 1
    candidates = sorted(rings[1].items(), key=lambda item: item[1].name)
    if depth == 2:
        candidates += sorted(rings[2].items(), key=lambda item: item[1].name)
    total = len(candidates)
    shown.update(candidates[:NEIGHBOURS])
    boxes = [service_box(site, e, name == focus) for name, e in shown.items()]
    links = [link for e in shown.values() for name, _, link in drawn_dependencies(site, e)
             if name in shown]
    return Neighbourhood(_narrowest(boxes, links, real=True), depth,
                         total - min(total, NEIGHBOURS))


def neighbourhood_svg(site: SiteInput, service: Entity, root: str) -> dict[str, Any] | None:
    """What the service page shows: the picture and a sentence about what it leaves out."""
    found = neighbourhood(site, service)
    if found is None:
        return None
    picture = svg(found.layout, f"Dependencies of {service.title} within {found.depth}"
                  f" hop{'s' if found.depth != 1 else ''}", root, "neighbourhood")
    return {"svg": picture, "depth": found.depth, "left_out": found.left_out,
            "undrawn": undrawn(found.layout),
            "count": len(found.layout.nodes) - 1}


def undrawn(picture: Layout) -> int:
    """How many boxes and edge slots a picture not drawn (past `MAX_PICTURE`) would need; 0
    when it is drawn. Pages say so and list what it would show."""
    return 0 if picture.drawn else picture.items


# --- the graph page -------------------------------------------------------------------------

@dataclass(frozen=True)
class Group:
    key: str
    title: str
    path: str
    services: tuple[Entity, ...]


def grouping(site: SiteInput, services: list[Entity]) -> tuple[str, list[Group]]:
    """Groups by the `domain` label when at least half the services have one, else by owner."""
    labelled = sum(1 for s in services if _label(s))
    by_label = labelled * 2 >= len(services)
    members: dict[str, list[Entity]] = {}
    for service in services:
        if by_label:
            name = _label(service) or "(no domain)"
        else:
            link = site.link_text(service.get("spec", "owner"), "Team")
            name = link.text if link is not None else "(no owner)"
        members.setdefault(name, []).append(service)
    slugs = _group_slugs(sorted(members))
    groups = [Group(slug, name, f"graphs/{slug}.html", tuple(members[name]))
              for name, slug in slugs.items()]
    return ("domain" if by_label else "owner team"), groups


def _group_slugs(names: list[str]) -> dict[str, str]:
    """A unique page name per group, the same for the same names whatever the file order.

    A name that is a valid entity name once lower-cased keeps it (`Payments` -> `payments`),
    the others get `group-N` by their place in `names`. Names come first, so a label written
    `group-3` keeps its page and the generated one moves aside; a clash (`Payments` and
    `payments`) takes the next free `-2`, `-3`... in sorted order. One counter per base keeps
    many clashes linear.
    """
    wanted = {name: name.lower() if NAME_PATTERN.match(name.lower()) else f"group-{i + 1}"
              for i, name in enumerate(names)}
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}
    out: dict[str, str] = {}
    natural = [n for n in names if NAME_PATTERN.match(n.lower())]
    for name in natural + [n for n in names if not NAME_PATTERN.match(n.lower())]:
        base = slug = wanted[name]
        while slug in taken:
            n = next_suffix.get(base, 2)
            next_suffix[base] = n + 1
            slug = f"{base}-{n}"
        taken.add(slug)
        out[name] = slug
    return {name: out[name] for name in names}


def _label(service: Entity) -> str:
    labels = service.metadata.get("labels")
    value = labels.get(GROUP_LABEL) if isinstance(labels, dict) else None
    return value if isinstance(value, str) and value else ""


def graph_pages(site: SiteInput) -> list[Page]:
    """graph.html, and past `AGGREGATE_AT` services one page per group."""
    services = [s for s in site.catalog.of_kind("Service") if ref_path(s.ref) is not None]
    if len(services) <= AGGREGATE_AT:
        boxes = [service_box(site, s) for s in services]
        known = {s.ref for s in services}
        links = [Link(s.ref.name, t.ref.name, k == "hard")
                 for s in services for t, k in site.catalog.dependencies(s) if t.ref in known]
        picture = _narrowest(boxes, links, real=True)
        return [Page("graph.html", "graph.html", "Dependency graph", "Graph", {
            "svg": svg(picture), "undrawn": undrawn(picture), "limit": MAX_PICTURE,
            "layers": _layers(picture), "groups": [], "by": "",
            "count": len(services)})]
    by, groups = grouping(site, services)
    group_of = {s.ref: g for g in groups for s in g.services}
    needs: Needs = {s.ref: tuple((t, t.ref, k == "hard") for t, k in site.catalog.dependencies(s))
                    for s in services}
    links = _between(needs, services, group_of)
    boxes = [_group_box(site, g) for g in groups]
    picture = _narrowest(boxes, links, real=True)
    pages = [Page("graph.html", "graph.html", "Dependency graph", "Graph", {
        "svg": svg(picture, f"Dependencies between groups of services, by {by}"),
        "undrawn": undrawn(picture), "limit": MAX_PICTURE,
        "layers": _layers(picture), "groups": [(g, len(g.services)) for g in groups],
        "by": by, "count": len(services)})]
    for group in groups:
        pages += _group_pages(site, needs, group, group_of, by)
    return pages


def _between(needs: Needs, services: Iterable[Entity], group_of: dict[Ref, Group]
             ) -> list[Link]:
    """One link per pair of groups where a service of one needs a service of the other,
    weighted by how many such dependencies there are; hard when any of them is."""
    weights: Counter[tuple[str, str, bool]] = Counter()
    for service in services:
        source_group = group_of[service.ref]
        for _, ref, is_hard in needs[service.ref]:
            target_group = group_of.get(ref)
            if target_group is not None and target_group is not source_group:
                weights[(source_group.key, target_group.key, is_hard)] += 1
    hard = {(a, b) for a, b, h in weights if h}
    pair_weight: Counter[tuple[str, str]] = Counter()
    for (a, b, _), n in weights.items():
        pair_weight[(a, b)] += n
    return [Link(a, b, (a, b) in hard, n) for (a, b), n in sorted(pair_weight.items())]


def _group_box(site: SiteInput, group: Group) -> Box:
    errors = sum(1 for s in group.services if s.ref in site.broken)
    marks = [worst(site, s)[0] for s in group.services]
    mark = next((m for m in ("error", "warning", "info") if m in marks), "")
    count = len(group.services)
    meta = f"{count} service{'s' if count != 1 else ''}" + (
        f", {errors} with errors" if errors else "")
    return Box(group.key, group.title, group.path, meta, mark,
               tip=f"{group.title}: {meta}")


def fits(picture: Layout) -> bool:
    """Drawn, and no wider than `MAX_WIDTH`: a group picture that is not gets split."""
    return picture.drawn and picture.width <= MAX_WIDTH


def _group_pages(site: SiteInput, needs: Needs, group: Group, group_of: dict[Ref, Group],
                 by: str) -> list[Page]:
    """The group's page; a group too large for one readable picture is drawn in parts (each
    a page), and its own page draws the parts and the other groups they need."""
    whole = _group_picture(site, needs, group, group_of, by)
    if fits(whole) or len(group.services) == 1:
        if not fits(whole):
            whole = _group_picture(site, needs, group, group_of, by, real=True)
        return [_group_page(site, needs, group, whole, group_of, by)]
    parts, local, pictures = _parts(site, needs, group, group_of, by)
    boxes = [_group_box(site, part) for part in parts]
    # keyed by group key as `_between` links them (a part's key has a `/`, a group's never)
    others = [_needed_box(site, other, targets, by, "")
              for other, targets in _needed(needs, group.services, group_of)]
    links = _between(needs, group.services, local)
    overview = _narrowest(boxes + others, links)
    others_drawn = fits(overview)
    if not others_drawn:  # the parts alone; the other groups are listed below the picture
        overview = _narrowest(boxes, links, real=True)
    page = _group_page(site, needs, group, overview, group_of, by, whole)
    page.context.update(parts=[(p, len(p.services)) for p in parts], others_drawn=others_drawn)
    pages = [page]
    for part, picture in zip(parts, pictures, strict=True):
        part_page = _group_page(site, needs, part, picture, local, by)
        part_page.context["part_of"] = group
        pages.append(part_page)
    return pages


def _parts(site: SiteInput, needs: Needs, group: Group, group_of: dict[Ref, Group], by: str
           ) -> tuple[list[Group], dict[Ref, Group], list[Layout]]:
    """Parts of `PART` services, in the order of their depth inside the group (what the others
    need first), then by name; a part whose picture does not fit is halved, until each fits
    or is one service. Returns the parts, every service's group or part, and the pictures."""
    inside = {s.ref for s in group.services}
    edges = {s.ref: [ref for _, ref, _ in needs[s.ref] if ref in inside] for s in group.services}
    depth = key_depths([s.ref for s in group.services], edges)
    ordered = sorted(group.services, key=lambda s: (depth[s.ref], s.name))
    chunks = [ordered[i:i + PART] for i in range(0, len(ordered), PART)]
    base = group.path.removesuffix(".html")
    # a part's picture by its boxes and links, the whole of what lays it out: a part that a
    # sibling's halving leaves as it was is not laid out again (one that now shows a
    # renumbered sibling has other boxes, so it is); its services stand for their boxes
    # (one box a service), so the key hashes plain strings, not every box's fields
    laid: dict[tuple[tuple[str, ...], tuple[Box, ...], tuple[tuple[str, str, bool], ...]],
               Layout] = {}
    while True:
        parts = [Group(f"{group.key}/part-{i}", f"{group.title}, part {i} of {len(chunks)}",
                       f"{base}/part-{i}.html", tuple(chunk))
                 for i, chunk in enumerate(chunks, 1)]
        local = group_of | {s.ref: part for part in parts for s in part.services}
        pictures = []
        for part in parts:
            boxes, links = _group_contents(site, needs, part, local, by)
            shape = (tuple(s.name for s in part.services), tuple(boxes[len(part.services):]),
                     tuple((lk.source, lk.target, lk.hard) for lk in links))
            if shape not in laid:
                laid[shape] = _narrowest(boxes, links)
            pictures.append(laid[shape])
        wide = {i for i, picture in enumerate(pictures)
                if not fits(picture) and len(chunks[i]) > 1}
        if not wide:  # a part of one service that does not fit is drawn as wide as it is
            return parts, local, [picture if fits(picture) else
                                  _group_picture(site, needs, part, local, by, real=True)
                                  for part, picture in zip(parts, pictures, strict=True)]
        chunks = [half for i, chunk in enumerate(chunks)
                  for half in ((chunk[:len(chunk) // 2], chunk[len(chunk) // 2:])
                               if i in wide else (chunk,))]


def _needed(needs: Needs, services: Iterable[Entity], group_of: dict[Ref, Group]
            ) -> list[tuple[Group, dict[Ref, Entity]]]:
    """The other groups `services` need, each with the services of it needed, by key."""
    mine = {s.ref for s in services}
    needed: dict[str, tuple[Group, dict[Ref, Entity]]] = {}
    for service in services:
        for target, ref, _ in needs[service.ref]:
            if ref not in mine:
                other = group_of.get(ref)
                if other is not None:
                    needed.setdefault(other.key, (other, {}))[1][ref] = target
    return [needed[key] for key in sorted(needed)]


def _needed_box(site: SiteInput, other: Group, targets: dict[Ref, Entity], by: str,
                prefix: str = "group:") -> Box:
    marks = [worst(site, t)[0] for t in targets.values()]
    mark = next((m for m in ("error", "warning", "info") if m in marks), "")
    count = len(targets)
    meta = f"{count} service{'s' if count != 1 else ''} needed"
    return Box(f"{prefix}{other.key}", other.title, other.path, meta, mark,
               tip=f"{other.title} ({by}): {meta}")


def _group_picture(site: SiteInput, needs: Needs, group: Group, group_of: dict[Ref, Group],
                   by: str, real: bool = False) -> Layout:
    """A group's services, and one box for each other group they need (not every service
    of it: at 2,000 services that made pictures 70,000 px wide)."""
    return _narrowest(*_group_contents(site, needs, group, group_of, by), real)


def _group_contents(site: SiteInput, needs: Needs, group: Group, group_of: dict[Ref, Group],
                    by: str) -> tuple[list[Box], list[Link]]:
    """The boxes and links of `_group_picture`: its services' boxes first, then one a group
    they need (`_needed`, found in the same pass over their dependencies)."""
    inside = {s.ref for s in group.services}
    hard: set[tuple[str, str]] = set()
    pairs: list[tuple[str, str, bool]] = []
    needed: dict[str, tuple[Group, dict[Ref, Entity]]] = {}
    for service in group.services:
        name = service.ref.name
        for target, ref, is_hard in needs[service.ref]:
            if ref in inside:
                pairs.append((name, ref.name, is_hard))
                continue
            other = group_of.get(ref)
            if other is not None:
                needed.setdefault(other.key, (other, {}))[1][ref] = target
                pairs.append((name, f"group:{other.key}", is_hard))
                if is_hard:
                    hard.add((name, f"group:{other.key}"))
    links = [Link(source, target, is_hard or (source, target) in hard)
             for source, target, is_hard in pairs]
    boxes = [service_box(site, s) for s in group.services]
    boxes += [_needed_box(site, *needed[key], by) for key in sorted(needed)]
    return boxes, links


def _narrowest(boxes: list[Box], links: list[Link], real: bool = False) -> Layout:
    """The first layout that fits with `GROUP_ROWS` boxes side by side, else the narrowest
    (a row of fewer boxes is taller, and a long edge crosses more rows). An attempt that
    certainly cannot fit is not ordered, one that does not fit is not placed (`too_wide`),
    and one dropped lists no boxes; `real` draws the last one anyway. The layers by depth
    are found once for every try."""
    prepared = prepare(boxes, links)
    for row in GROUP_ROWS:
        bound = None if real and row == GROUP_ROWS[-1] else MAX_WIDTH
        found = attempt(prepared, row, bound)
        if (found.width <= MAX_WIDTH if isinstance(found, Layout) else not found.too_wide):
            break  # it fits, or it is past MAX_PICTURE (then no row width draws it)
    return laid_out(prepared, found)


def _group_page(site: SiteInput, needs: Needs, group: Group, picture: Layout,
                group_of: dict[Ref, Group], by: str, whole: Layout | None = None) -> Page:
    """`whole`: the picture of every service of a group drawn in parts (its layers are
    listed below the picture of the parts)."""
    others = sorted((g for g, _ in _needed(needs, group.services, group_of)),
                    key=lambda g: g.title)
    drawn = ("the parts of " if whole is not None else "Services of ") + group.title
    return Page(group.path, "graph-group.html", f"Dependency graph: {group.title}", "Graph", {
        "svg": svg(picture, f"{drawn} ({by}) and the groups they need", root_of(group.path)),
        "undrawn": undrawn(picture), "limit": MAX_PICTURE,
        "layers": _layers(whole or picture), "group": group, "by": by, "others": others,
        "count": len(group.services), "parts": [], "part_of": None})


def _layers(picture: Layout) -> list[tuple[int, list[Box]]]:
    """Each layer's services by title, then key: the list must not depend on whether the
    picture was drawn (drawn nodes come in x-order, an undrawn too-wide layout's in key order)."""
    layers: dict[int, list[Box]] = {}
    for node in picture.nodes:
        layers.setdefault(node.layer, []).append(node.box)
    return [(layer, sorted(boxes, key=lambda b: (b.title, b.key))) for layer, boxes
            in sorted(layers.items(), reverse=True)]

