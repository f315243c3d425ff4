"""Field-level diff of two entities, matching list items by identity, never by position.

A reordered list is no change (except where order is meaning: a change model's `states`);
list items are named in paths by their identity: `spec.targets[P1].resolution`,
`spec.dependencies[postgres-platform].type`, `spec.members[jane.doe@example.com].role`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from itsmctl.diff.result import FieldChange
from itsmctl.model import Entity

# list field name -> the item keys that identify an item (first one present wins)
IDENTITY: dict[str, tuple[str, ...]] = {
    "targets": ("priority",),
    "serviceCredits": ("below",),
    "activities": ("name",),
    "dependencies": ("service",),
    "members": ("email", "name"),
    "holidays": ("date",),
    "templates": ("name",),
    "blackoutWindows": ("name",),
    "categories": ("name",),
    "offerings": ("name",),
    "requestTypes": ("name",),
    "waivers": ("rule",),
    "escalation": ("level",),
}
ORDERED = frozenset({"states"})  # scalar lists whose order is meaning (the workflow)
_PREFIXED = frozenset({"dependencies"})  # identity may be written `service:name`


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def same(a: Any, b: Any) -> bool:
    """Equal values of the same YAML type (1 is not `true`; 99 equals 99.0)."""
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, numbers) and isinstance(b, numbers):
        return a == b
    return type(a) is type(b) and a == b


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def item_identity(field_name: str, item: Any) -> str | None:
    """The identity of a list item (`P1`, `postgres-platform`), None if it has none."""
    if not isinstance(item, dict):
        return None
    for key in IDENTITY.get(field_name, ("name",)):
        value = item.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value)
            if field_name in _PREFIXED and ":" in text:
                text = text.partition(":")[2]
            return text
    return None


def _keyed(field_name: str, items: list[Any]) -> dict[str, Any] | None:
    """Items by identity (`#2` marks a repeated identity); None when items have none."""
    out: dict[str, Any] = {}
    for item in items:
        ident = item_identity(field_name, item)
        if ident is None:
            return None
        key, n = ident, 1
        while key in out:
            n += 1
            key = f"{ident}#{n}"
        out[key] = item
    return out


def diff_values(before: Any, after: Any, path: str = "", name: str = "") -> Iterator[FieldChange]:
    """Field changes from `before` to `after`; `name` is the field holding them.

    An empty value (`blackoutWindows:` with nothing under it) reads as an empty list or
    mapping, so removing the last item shows that item removed."""
    if before is None and isinstance(after, (dict, list)):
        before = type(after)()
    elif after is None and isinstance(before, (dict, list)):
        after = type(before)()
    if isinstance(before, dict) and isinstance(after, dict):
        yield from _diff_dicts(before, after, path)
    elif isinstance(before, list) and isinstance(after, list):
        yield from _diff_lists(before, after, path, name)
    elif not same(before, after):
        yield FieldChange(path, "changed", before, after)


def _diff_dicts(before: dict[str, Any], after: dict[str, Any], path: str) -> Iterator[FieldChange]:
    for key in list(before) + [k for k in after if k not in before]:
        sub = join(path, key)
        if key not in after:
            yield FieldChange(sub, "removed", before[key], None)
        elif key not in before:
            yield FieldChange(sub, "added", None, after[key])
        else:
            yield from diff_values(before[key], after[key], sub, key)


def _diff_lists(before: list[Any], after: list[Any], path: str, name: str) -> Iterator[FieldChange]:
    old, new = _keyed(name, before), _keyed(name, after)
    if old is not None and new is not None:
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}[{key}]"
            if key not in new:
                yield FieldChange(sub, "removed", old[key], None)
            elif key not in old:
                yield FieldChange(sub, "added", None, new[key])
            else:
                yield from diff_values(old[key], new[key], sub, name)
        return
    yield from _diff_bags(before, after, path, name)


def _diff_bags(before: list[Any], after: list[Any], path: str, name: str) -> Iterator[FieldChange]:
    """Lists without identity: compared as collections of values, plus order where it matters."""
    old = [canonical(v) for v in before]
    new = [canonical(v) for v in after]
    removed = _minus(old, new)
    added = _minus(new, old)
    for text in removed:
        yield FieldChange(f"{path}[{_short(text)}]", "removed", json.loads(text), None)
    for text in added:
        yield FieldChange(f"{path}[{_short(text)}]", "added", None, json.loads(text))
    if not removed and not added and name in ORDERED and old != new:
        yield FieldChange(path, "reordered", before, after)


def _minus(a: list[str], b: list[str]) -> list[str]:
    rest = list(b)
    out = []
    for item in a:
        if item in rest:
            rest.remove(item)
        else:
            out.append(item)
    return out


def _short(text: str) -> str:
    value = json.loads(text)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(value.items()))
    return text


def entity_body(entity: Entity) -> dict[str, Any]:
    """What is compared: metadata without the name, and spec."""
    metadata = {k: v for k, v in entity.metadata.items() if k != "name"}
    return {"metadata": metadata, "spec": entity.spec}


def diff_entities(base: Entity, head: Entity) -> tuple[FieldChange, ...]:
    return tuple(diff_values(entity_body(base), entity_body(head)))


def _leaves(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaves(sub, join(path, key))
    elif isinstance(value, list) and value:
        for item in value:
            yield from _leaves(item, path + "[]")
    else:
        yield f"{path}={canonical(value)}"


def similarity(a: Entity, b: Entity) -> float:
    """Share of leaf values two entities have in common (Jaccard), for rename detection."""
    left, right = set(_leaves(entity_body(a))), set(_leaves(entity_body(b)))
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


RENAME_THRESHOLD = 0.8


def pair_renames(removed: list[Entity], added: list[Entity]) -> list[tuple[Entity, Entity]]:
    """Removed and added entities of one kind with (nearly) the same content: renames."""
    scored = sorted(
        ((similarity(r, a), r.name, a.name, r, a) for r in removed for a in added
         if r.kind == a.kind),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used: set[int] = set()
    pairs = []
    for score, _, _, old, new in scored:
        if score < RENAME_THRESHOLD or id(old) in used or id(new) in used:
            continue
        used.update((id(old), id(new)))
        pairs.append((old, new))
    return pairs
