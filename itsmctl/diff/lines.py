"""Where a change sits at HEAD: the line of the changed field, for inline annotations.

GitHub shows an annotation inline only on a line of the pull request's diff, so a change is
annotated on the field that changed, not on the document's first line. Change paths name
list items by identity (`spec.targets[P1].resolution`, see semantic.py); they are mapped
back to a JSON path in HEAD's entity, as far as it exists there (a removed field: its
parent), and located like a finding.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from itsmctl.catalog import Catalog
from itsmctl.diff.result import Classified, EntityChange
from itsmctl.diff.semantic import item_identity
from itsmctl.findings import JsonPath
from itsmctl.limits import Limits
from itsmctl.locate import Locator
from itsmctl.model import Ref

_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")


def json_path(data: Any, path: str) -> JsonPath:
    """`spec.targets[P1].resolution` -> `("spec", "targets", 0, "resolution")` in `data`,
    followed only as far as it exists."""
    out: list[str | int] = []
    node, name = data, ""
    for match in _SEGMENT.finditer(path):
        key, ident = match.group(1), match.group(2)
        if key is not None:
            if not isinstance(node, dict) or key not in node:
                break
            node, name = node[key], key
            out.append(key)
            continue
        index = _item(node, name, ident)
        if index is None:
            break
        node = node[index]
        out.append(index)
    return tuple(out)


def _item(items: Any, name: str, ident: str) -> int | None:
    """The position of the item named `ident` (`P1`, `x#2` for a repeated identity)."""
    if not isinstance(items, list):
        return None
    base, _, nth = ident.partition("#")
    wanted = int(nth) if nth.isdigit() else 1
    seen = 0
    for index, item in enumerate(items):
        if item_identity(name, item) == base or (not isinstance(item, dict) and str(item) == base):
            seen += 1
            if seen == wanted:
                return index
    return None


def on_changed_lines(changes: tuple[EntityChange, ...], head: Catalog,
                     limits: Limits) -> tuple[EntityChange, ...]:
    """Each impact with the HEAD line of its first path (0 when there is none to point at);
    `limits`: HEAD's, which its files were parsed under."""
    locator = Locator(limits)
    out = []
    for change in changes:
        entity = head.get(Ref(change.kind, change.name)) if change.status != "removed" else None
        if entity is None or not any(i.paths for i in change.impacts):
            out.append(change)
            continue
        impacts: list[Classified] = []
        for impact in change.impacts:
            line = 0
            if impact.paths:
                found, _ = locator.position(entity.document.source, entity.document.index,
                                            json_path(entity.data, impact.paths[0]))
                line = found or 0
            impacts.append(replace(impact, line=line) if line else impact)
        out.append(replace(change, impacts=tuple(impacts)))
    return tuple(out)
