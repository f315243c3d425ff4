"""Find a `$ref` loop in a policy's `require` that evaluation would follow forever.

jsonschema follows `$ref` and `$dynamicRef` by recursion. A reference that leads back to
its own schema *at the same value* (`{$ref: "#"}`, two `$defs` that refer to each other,
`$dynamicRef: "#"`) never ends: a RecursionError, exit 3. A reference reached only through
`properties`, `items` and the like steps into the value first, so it ends where the value's
nesting does (at most settings.maxDepth). We look only for the first kind: a cycle among
the edges that stay at the same value.
"""

from __future__ import annotations

from typing import Any

from itsmctl.findings import JsonPath

# keywords whose subschemas apply to the same value as the schema that holds them
_SAME_VALUE_ONE = ("not", "if", "then", "else")
_SAME_VALUE_MANY = ("allOf", "anyOf", "oneOf")
_SAME_VALUE_MAP = ("dependentSchemas",)


def ref_cycle(schema: dict[str, Any], resolver: Any) -> JsonPath | None:
    """The path of a reference that closes a same-value loop, or None when there is none."""
    nodes = _subschemas(schema)
    anchors: dict[str, list[int]] = {}
    for key, (node, _) in nodes.items():
        if isinstance(node.get("$dynamicAnchor"), str):
            anchors.setdefault(node["$dynamicAnchor"], []).append(key)
    edges = {key: list(_edges(node, path, nodes, anchors, resolver))
             for key, (node, path) in nodes.items()}
    return _first_cycle(edges)


def _subschemas(schema: dict[str, Any]) -> dict[int, tuple[dict[str, Any], JsonPath]]:
    """Every schema object in the fragment by identity, with its path (iteratively)."""
    found: dict[int, tuple[dict[str, Any], JsonPath]] = {}
    stack: list[tuple[Any, JsonPath]] = [(schema, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            if id(node) in found:
                continue
            found[id(node)] = (node, path)
            stack.extend((value, path + (key,)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((item, path + (index,)) for index, item in enumerate(node))
    return found


def _edges(node: dict[str, Any], path: JsonPath, nodes: dict[int, Any],
           anchors: dict[str, list[int]], resolver: Any) -> Any:
    """(target id, path of the edge) for each same-value step out of `node`."""
    for key in _SAME_VALUE_ONE:
        if isinstance(node.get(key), dict):
            yield id(node[key]), path + (key,)
    for key in _SAME_VALUE_MANY:
        for index, item in enumerate(node.get(key) or []):
            if isinstance(item, dict):
                yield id(item), path + (key, index)
    for key in _SAME_VALUE_MAP:
        for name, item in (node.get(key) or {}).items():
            if isinstance(item, dict):
                yield id(item), path + (key, name)
    for key in ("$ref", "$dynamicRef"):
        ref = node.get(key)
        if not isinstance(ref, str):
            continue
        targets = [_lookup(resolver, ref)]
        if key == "$dynamicRef":
            targets += anchors.get(ref.rpartition("#")[2], [])
        for target in targets:
            if target is not None and target in nodes:
                yield target, path + (key,)


def _lookup(resolver: Any, ref: str) -> int | None:
    from referencing.exceptions import Unresolvable

    try:
        return id(resolver.lookup(ref).contents)
    except Unresolvable:
        return None


def _first_cycle(edges: dict[int, list[tuple[int, JsonPath]]]) -> JsonPath | None:
    """Iterative depth-first search; the path of the edge that closes the first loop."""
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start, first in edges.items():
        if start in state:
            continue
        stack = [(start, iter(first))]
        state[start] = 1
        while stack:
            node, pending = stack[-1]
            step = next(pending, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            target, where = step
            if state.get(target) == 1:
                return where
            if target not in state and target in edges:
                state[target] = 1
                stack.append((target, iter(edges[target])))
    return None
