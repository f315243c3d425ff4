"""A fast yes/no schema check for the happy path, so jsonschema only explains the failures.

jsonschema's `iter_errors` builds an error object graph for every keyword of every document,
which made it most of the time of validating a large catalog even when every entity is valid.
Here each schema is compiled once into plain Python functions (generated source, one function
per subschema) that only answer "valid?". `schemas.schema_findings` runs jsonschema's
`iter_errors` only when this says no, so findings (messages, paths, hints) are exactly what
jsonschema reports.

Soundness is the contract: when the check says valid, jsonschema finds no error. Every keyword
is implemented with jsonschema's own semantics (same type rules, `re.search` for patterns
with `$` read as JSON Schema reads it, `patterns.ecma`,
jsonschema's format checker); where ours is only stricter (const and enum values other than
strings, uniqueItems) it is never used under `not`, `oneOf` or an `if` condition, where
stricter would mean laxer. A schema with any keyword not listed here is not compiled at all
(`compile_documents` returns None) and always takes the full path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urldefrag, urljoin

from itsmctl.patterns import ecma

Check = Callable[[Any], bool]
DIALECT = "https://json-schema.org/draft/2020-12/schema"

# keywords that never affect validity (annotations, containers reached only through $ref)
_ANNOTATIONS = frozenset({
    "title", "description", "default", "examples", "$comment", "$schema", "$defs",
    "definitions", "deprecated", "readOnly", "writeOnly", "$id",
})
_TYPES = {  # jsonschema's draft 2020-12 type checker: bools are not numbers, 1.0 is an integer
    "object": "isinstance(x, dict)",
    "array": "isinstance(x, list)",
    "string": "isinstance(x, str)",
    "boolean": "isinstance(x, bool)",
    "null": "x is None",
    "number": "(isinstance(x, (int, float)) and not isinstance(x, bool))",
    "integer": "((isinstance(x, int) and not isinstance(x, bool))"
               " or (isinstance(x, float) and x.is_integer()))",
}
_GUARD = {"object": _TYPES["object"], "array": _TYPES["array"], "string": _TYPES["string"],
          "number": _TYPES["number"]}


def _when(kind: str, schema: dict[str, Any], condition: str) -> str:
    """`if <type guard> and <condition>`, without the guard when `type` already ensured it."""
    if schema.get("type") == kind:
        return f"if {condition}: return False"
    return f"if {_GUARD[kind]} and {condition}: return False"


def _block(kind: str, schema: dict[str, Any], lines: list[str]) -> list[str]:
    """Statements that apply to one JSON type only (`type` may already have ensured it)."""
    if schema.get("type") == kind:
        return lines
    return [f"if {_GUARD[kind]}:", *(f"    {line}" for line in lines)]
_BOUNDS = {  # keyword -> (the type it applies to, what is measured, the failing comparison)
    "minLength": ("string", "len(x)", "<"), "maxLength": ("string", "len(x)", ">"),
    "minItems": ("array", "len(x)", "<"), "maxItems": ("array", "len(x)", ">"),
    "minProperties": ("object", "len(x)", "<"), "maxProperties": ("object", "len(x)", ">"),
    "minimum": ("number", "x", "<"), "maximum": ("number", "x", ">"),
    "exclusiveMinimum": ("number", "x", "<="), "exclusiveMaximum": ("number", "x", ">="),
}
_INEXACT = object()
_STRICTER = (_INEXACT,)  # appended by a keyword whose check is only stricter than jsonschema's


class Unsupported(Exception):
    """The schema uses something this compiler does not mirror exactly: use jsonschema."""


class _Generator:
    """Writes one function per subschema of one registry (uri -> schema document)."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents
        self.functions: dict[tuple[str, str], tuple[str, bool]] = {}
        self.in_progress: set[str] = set()
        self.source: list[str] = []
        self.count = 0
        self.env: dict[str, Any] = {"_conforms": _format_checker().conforms, "_unique": _unique}

    def constant(self, value: Any) -> str:
        name = f"c{len(self.env)}"
        self.env[name] = value
        return name

    def reference(self, base: str, ref: str) -> tuple[str, bool]:
        url, fragment = urldefrag(urljoin(base, ref))
        if url not in self.documents or (fragment and not fragment.startswith("/")):
            raise Unsupported(f"$ref {ref!r}")
        key = (url, fragment)
        if key in self.functions:
            name, exact = self.functions[key]
            return name, exact and name not in self.in_progress  # recursion: assume inexact
        node: Any = self.documents[url]
        for part in fragment.split("/")[1:] if fragment else ():
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        name = self.new_name()
        self.functions[key] = (name, True)
        self.in_progress.add(name)
        exact = self.write(name, node, url)
        self.in_progress.discard(name)
        self.functions[key] = (name, exact)
        return name, exact

    def new_name(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def write(self, name: str, schema: Any, base: str) -> bool:
        """Write `def name(x)` for a subschema; return whether it is exact."""
        body, exact = self.body(schema, base)
        self.source += [f"def {name}(x):", *(f"    {line}" for line in body), "    return True", ""]
        return exact

    def sub(self, schema: Any, base: str) -> tuple[str, bool]:
        if isinstance(schema, dict) and "$ref" in schema and _ANNOTATIONS.issuperset(
                k for k in schema if k != "$ref") and "$id" not in schema:
            return self.reference(base, schema["$ref"])  # no wrapper around a bare $ref
        name = self.new_name()
        return name, self.write(name, schema, base)

    def exact_sub(self, schema: Any, base: str, where: str) -> str:
        name, exact = self.sub(schema, base)
        if not exact:
            raise Unsupported(f"an inexact check under {where}")
        return name

    def body(self, schema: Any, base: str) -> tuple[list[str], bool]:
        if schema is True:
            return [], True
        if schema is False:
            return ["return False"], True
        if not isinstance(schema, dict):
            raise Unsupported("schema is not an object")
        lines: list[str] = []
        exact = True
        for keyword, value in sorted(schema.items(), key=lambda item: item[0] != "type"):
            if keyword in _ANNOTATIONS:
                if keyword == "$id" and schema is not self.documents.get(base):
                    raise Unsupported("embedded $id")
                if keyword == "$schema" and value != DIALECT:
                    raise Unsupported(f"dialect {value!r}")  # other drafts differ in semantics
                continue
            if keyword in _BOUNDS:
                result = self._bound(*_BOUNDS[keyword], value, schema)
            else:
                method = getattr(self, "k_" + keyword.replace("$", "_"), None)
                if method is None:
                    raise Unsupported(f"keyword {keyword!r}")
                result = method(value, schema, base)
            if result and result[-1] is _INEXACT:
                exact, result = False, result[:-1]
            lines += result
        return lines, exact

    # one method per keyword: the statements that `return False` when it fails
    def k__ref(self, value: str, schema: dict[str, Any], base: str) -> list[Any]:
        name, exact = self.reference(base, value)
        return [f"if not {name}(x): return False", *(() if exact else _STRICTER)]

    def k_type(self, value: Any, schema: dict[str, Any], base: str) -> list[Any]:
        names = [value] if isinstance(value, str) else list(value)
        if any(n not in _TYPES for n in names):
            raise Unsupported(f"type {value!r}")
        return [f"if not ({' or '.join(_TYPES[n] for n in names)}): return False"]

    def k_properties(self, value: dict[str, Any], schema: dict[str, Any],
                     base: str) -> list[Any]:
        lines, exact = [], True
        for prop, sub in value.items():
            name, sub_exact = self.sub(sub, base)
            exact = exact and sub_exact
            lines.append(f"if {prop!r} in x and not {name}(x[{prop!r}]): return False")
        return _block("object", schema, lines) + ([] if exact else list(_STRICTER))

    def k_additionalProperties(self, value: Any, schema: dict[str, Any],
                               base: str) -> list[Any]:
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        known = self.constant(frozenset(schema.get("properties", ())))
        if value is False:
            return [_when("object", schema, f"not {known}.issuperset(x)")]
        name, exact = self.sub(value, base)
        return [*_block("object", schema, [
            "for k, v in x.items():", f"    if k not in {known} and not {name}(v): return False"]),
            *(() if exact else _STRICTER)]

    def k_required(self, value: list[str], schema: dict[str, Any], base: str) -> list[Any]:
        if not value:
            return []
        present = " and ".join(f"{n!r} in x" for n in value)
        return [_when("object", schema, f"not ({present})")]

    def k_items(self, value: Any, schema: dict[str, Any], base: str) -> list[Any]:
        if "prefixItems" in schema or isinstance(value, list):
            raise Unsupported("prefixItems")
        name, exact = self.sub(value, base)
        return [*_block("array", schema, ["for v in x:", f"    if not {name}(v): return False"]),
                *(() if exact else _STRICTER)]

    def k_const(self, value: Any, schema: dict[str, Any], base: str) -> list[Any]:
        test, exact = self.equal(value)
        return [f"if not ({test}): return False", *(() if exact else _STRICTER)]

    def k_enum(self, value: list[Any], schema: dict[str, Any], base: str) -> list[Any]:
        if value and all(isinstance(v, str) for v in value):
            options = self.constant(frozenset(value))
            return [f"if not (isinstance(x, str) and x in {options}): return False"]
        tests = [self.equal(v) for v in value]
        return [f"if not ({' or '.join(t for t, _ in tests) or 'False'}): return False",
                *(() if all(e for _, e in tests) else _STRICTER)]

    def equal(self, value: Any) -> tuple[str, bool]:
        """jsonschema's `equal`: exact for strings, stricter (same type) for other scalars."""
        name = self.constant(value)
        if isinstance(value, str):
            return f"(isinstance(x, str) and x == {name})", True
        if isinstance(value, (bool, int, float)) or value is None:
            kind = self.constant(type(value))
            return f"(type(x) is {kind} and x == {name})", False
        raise Unsupported("const or enum with a list or mapping value")

    def k_pattern(self, value: str, schema: dict[str, Any], base: str) -> list[Any]:
        search = self.constant(re.compile(ecma(value)).search)
        return [_when("string", schema, f"{search}(x) is None")]

    def k_format(self, value: str, schema: dict[str, Any], base: str) -> list[Any]:
        return [f"if not _conforms(x, {self.constant(value)}): return False"]

    def _bound(self, guard: str, measure: str, op: str, value: Any,
               schema: dict[str, Any]) -> list[Any]:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise Unsupported("a bound that is not a number")
        return [_when(guard, schema, f"{measure} {op} {value!r}")]

    def k_uniqueItems(self, value: bool, schema: dict[str, Any], base: str) -> list[Any]:
        if not value:
            return []
        # Python equality merges 1, 1.0 and True, which jsonschema keeps apart: only stricter
        return [_when("array", schema, "not _unique(x)"), *_STRICTER]

    def k_propertyNames(self, value: Any, schema: dict[str, Any], base: str) -> list[Any]:
        name, exact = self.sub(value, base)
        return [*_block("object", schema, ["for k in x:", f"    if not {name}(k): return False"]),
                *(() if exact else _STRICTER)]

    def k_allOf(self, value: list[Any], schema: dict[str, Any], base: str) -> list[Any]:
        subs = [self.sub(s, base) for s in value]
        return [*(f"if not {n}(x): return False" for n, _ in subs),
                *(() if all(e for _, e in subs) else _STRICTER)]

    def k_anyOf(self, value: list[Any], schema: dict[str, Any], base: str) -> list[Any]:
        subs = [self.sub(s, base) for s in value]
        return [f"if not ({' or '.join(f'{n}(x)' for n, _ in subs) or 'False'}): return False",
                *(() if all(e for _, e in subs) else _STRICTER)]

    def k_oneOf(self, value: list[Any], schema: dict[str, Any], base: str) -> list[Any]:
        names = [self.exact_sub(s, base, "oneOf") for s in value]
        return [f"if [{', '.join(f'{n}(x)' for n in names)}].count(True) != 1: return False"]

    def k_not(self, value: Any, schema: dict[str, Any], base: str) -> list[Any]:
        return [f"if {self.exact_sub(value, base, 'not')}(x): return False"]

    def k_if(self, value: Any, schema: dict[str, Any], base: str) -> list[Any]:
        condition = self.exact_sub(value, base, "if")
        then, then_exact = self.sub(schema.get("then", True), base)
        other, other_exact = self.sub(schema.get("else", True), base)
        return [f"if not ({then}(x) if {condition}(x) else {other}(x)): return False",
                *(() if then_exact and other_exact else _STRICTER)]

    def k_then(self, value: Any, schema: dict[str, Any], base: str) -> list[Any]:
        return []  # evaluated by k_if (without an `if`, then/else do nothing)

    k_else = k_then


def _unique(items: list[Any]) -> bool:
    try:
        return len(set(items)) == len(items)
    except TypeError:  # unhashable items: leave it to jsonschema
        return False


@cache
def _format_checker() -> Any:
    from itsmctl.formats import format_checker

    return format_checker()


def compile_documents(documents: dict[str, dict[str, Any]], root: str) -> Check | None:
    """The check for document `root` (a $id in `documents`), or None when it is unsupported."""
    try:
        generator = _Generator(documents)
        name, _ = generator.reference(root, root)
        namespace = dict(generator.env)
        # our own generated code, from our own package schemas (names and repr() literals)
        code = compile("\n".join(generator.source), f"<schema {root}>", "exec")
        exec(code, namespace)  # our code (see above), never the catalog's
    except (Unsupported, KeyError, IndexError, ValueError, TypeError, re.error):
        return None
    return namespace[name]  # type: ignore[no-any-return]
