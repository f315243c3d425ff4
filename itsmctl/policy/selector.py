"""Which entities a policy or scorecard applies to: kinds, labels and field conditions.

A condition is keyed by a dotted path (`spec.tier`, `metadata.labels.domain`) and is either a
value to equal or operators (`in`, `notIn`, `exists`). Paths are checked against the kinds'
JSON Schemas when the policy is loaded, so a typo is a configuration error, not a rule that
silently selects nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from itsmctl.model import KINDS, Entity

_MISSING = object()
_MAX_DEPTH = 6


class SelectorError(ValueError):
    """A selector that cannot work; `key` is the path of the key at fault (for its line)."""

    def __init__(self, message: str, hint: str, key: tuple[str, ...]) -> None:
        super().__init__(message)
        self.hint, self.key = hint, key


def _same(a: Any, b: Any) -> bool:
    """YAML equality without Python's `True == 1`."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


@dataclass(frozen=True, slots=True)
class Condition:
    path: tuple[str, ...]
    ops: tuple[tuple[str, Any], ...]

    def holds(self, entity: Entity) -> bool:
        value = entity.get(*self.path, default=_MISSING)
        return all(_test(op, arg, value) for op, arg in self.ops)

    def describe(self) -> str:
        words = {"equals": "=", "in": "in", "notIn": "not in"}
        parts = []
        for op, arg in self.ops:
            if op == "exists":
                parts.append(f"{'.'.join(self.path)} is {'set' if arg else 'not set'}")
            else:
                shown = f"[{', '.join(map(str, arg))}]" if isinstance(arg, list) else str(arg)
                parts.append(f"{'.'.join(self.path)} {words[op]} {shown}")
        return " and ".join(parts)


def _test(op: str, arg: Any, value: Any) -> bool:
    if op == "exists":
        return (value is not _MISSING) == bool(arg)
    if op == "equals":
        return _same(value, arg)
    hit = any(_same(value, item) for item in arg)
    return hit if op == "in" else not hit


@dataclass(frozen=True, slots=True)
class Selector:
    kinds: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()

    def matches(self, entity: Entity) -> bool:
        return entity.kind in self.kinds and all(c.holds(entity) for c in self.conditions)

    def describe(self) -> str:
        kinds = ", ".join(self.kinds) if len(self.kinds) < len(KINDS) else "every entity"
        where = " and ".join(c.describe() for c in self.conditions)
        return f"{kinds} where {where}" if where else kinds


def parse_selector(raw: Mapping[str, Any], default_kinds: tuple[str, ...] = KINDS) -> Selector:
    """Build a selector from its (schema-valid) YAML; raise SelectorError for unknown fields."""
    kind = raw.get("kind")
    kinds = default_kinds if kind is None else tuple([kind] if isinstance(kind, str) else kind)
    items: list[tuple[str, Any, tuple[str, ...]]]
    items = [(f"metadata.labels.{k}", v, ("labels", k)) for k, v in
             (raw.get("labels") or {}).items()]
    items += [(k, v, (k,)) for k, v in raw.items() if k not in ("kind", "labels")]
    conditions = []
    for dotted, value, key in items:
        _check_field(dotted, kinds, key)
        conditions.append(Condition(tuple(dotted.split(".")), _ops(value)))
    return Selector(kinds, tuple(conditions))


def _ops(value: Any) -> tuple[tuple[str, Any], ...]:
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return (("equals", value),)


def _check_field(dotted: str, kinds: tuple[str, ...], key: tuple[str, ...]) -> None:
    if not dotted.startswith(("spec.", "metadata.")):
        raise SelectorError(
            f"unknown selector field {dotted!r}",
            "select by kind, labels, or a dotted field path such as spec.tier or"
            " metadata.labels.domain", key)
    if any(known_field(kind, dotted) for kind in kinds):
        return
    names = sorted({f for kind in kinds for f in fields_of(kind)})
    close = difflib.get_close_matches(dotted, names, n=1)
    raise SelectorError(
        f"unknown selector field {dotted!r} for {', '.join(kinds)}",
        f"did you mean {close[0]!r}?" if close else "see `itsmctl schema <Kind>` for the fields",
        key)


def known_field(kind: str, dotted: str) -> bool:
    """Whether a dotted path exists in the kind's schema (free-form maps accept any key)."""
    fields = fields_of(kind)
    if dotted in fields:
        return True
    parts = dotted.split(".")
    return any(fields.get(".".join(parts[:i])) for i in range(1, len(parts)))


@cache
def fields_of(kind: str) -> dict[str, bool]:
    """Every dotted field path of a kind's schema -> whether it is a free-form map."""
    from itsmctl.schemas import SCHEMA_FILES, load_schema

    filename = SCHEMA_FILES[kind]
    out: dict[str, bool] = {}
    _collect(load_schema(filename), filename, "", out, 0)
    return out


def _collect(node: Any, base: str, prefix: str, out: dict[str, bool], depth: int) -> None:
    node, base = _deref(node, base)
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return
    for name, child in (node.get("properties") or {}).items():
        dotted = f"{prefix}.{name}" if prefix else name
        target, target_base = _deref(child, base)
        open_map = isinstance(target, dict) and isinstance(target.get("additionalProperties"),
                                                           dict)
        out[dotted] = out.get(dotted, False) or open_map
        _collect(target, target_base, dotted, out, depth + 1)
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in node.get(key) or []:
            _collect(branch, base, prefix, out, depth + 1)
    for key in ("then", "else"):
        if key in node:
            _collect(node[key], base, prefix, out, depth + 1)


def _deref(node: Any, base: str) -> tuple[Any, str]:
    """Follow `$ref`s between the built-in schema files."""
    from itsmctl.schemas import load_schema

    for _ in range(_MAX_DEPTH):
        if not isinstance(node, dict) or "$ref" not in node:
            break
        filename, _, pointer = str(node["$ref"]).partition("#")
        base = filename or base
        node = load_schema(base)
        for part in filter(None, pointer.split("/")):
            node = node.get(part, {}) if isinstance(node, dict) else {}
    return node, base
