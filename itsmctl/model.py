"""The one model of a catalog entity, shared by validate, diff and render."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from itsmctl.findings import Finding, JsonPath, Severity, Waiver
from itsmctl.yamlload import Document

API_VERSION = "itsmctl.io/v1"
KINDS = ("Team", "Service", "BusinessCalendar", "SLA", "RACI", "ChangeModel", "ServiceCatalog",
         "Process")
_KIND_BY_LOWER = {k.lower(): k for k in KINDS}
NAME_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\Z")
LIFECYCLE_STAGES = ("proposed", "design", "transition", "operational", "retiring", "retired")
IN_PRODUCTION = ("operational", "retiring")
PRIORITIES = ("P1", "P2", "P3", "P4")
_ABSENT = object()  # what `Entity.get` reads as "no such key" (None is a value)


def canonical_kind(text: str) -> str | None:
    """`service`, `Service` and `SERVICE` all name the Service kind."""
    return _KIND_BY_LOWER.get(text.lower())


@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """A kind and a name: how entities point at each other."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True, slots=True)
class Entity:
    """One catalog document with a known kind: envelope, spec, and where it came from."""

    kind: str
    name: str
    metadata: dict[str, Any]
    spec: dict[str, Any]
    document: Document = field(compare=False, repr=False)
    # built once: render and the rules read it hundreds of thousands of times
    ref: Ref = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ref", Ref(self.kind, self.name))

    @property
    def file(self) -> str:
        return self.document.source.label

    @property
    def rel(self) -> str:
        return self.document.source.rel

    @property
    def line(self) -> int:
        return self.document.line

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data  # type: ignore[no-any-return]

    @property
    def title(self) -> str:
        title = self.metadata.get("title")
        return title if isinstance(title, str) and title else self.name

    @property
    def waivers(self) -> tuple[Waiver, ...]:
        raw = self.metadata.get("waivers")
        if not isinstance(raw, list):
            return ()
        return tuple(
            Waiver(str(w.get("rule", "")), str(w.get("reason", "")), str(w.get("expires", "")),
                   str(w.get("approver", "") or ""))
            for w in raw if isinstance(w, dict)
        )

    def get(self, *path: str | int, default: Any = None) -> Any:
        """Walk spec/metadata safely: schema-invalid data must not crash a rule."""
        node: Any = self.document.data
        for part in path:
            if type(part) is str:  # the common step, one lookup: `get` runs ~800,000 times
                if not isinstance(node, dict):
                    return default
                node = node.get(part, _ABSENT)
                if node is _ABSENT:
                    return default
            elif isinstance(part, int):
                if not isinstance(node, list) or not -len(node) <= part < len(node):
                    return default
                node = node[part]
            elif not isinstance(node, dict) or part not in node:
                return default
            else:
                node = node[part]
        return node

    def finding(self, rule: str, message: str, path: JsonPath = (), hint: str = "",
                severity: Severity = Severity.ERROR) -> Finding:
        """A finding about this entity; its line is resolved later from `path`."""
        line = self.line if not path else None
        return Finding(rule, severity, message, self.file, line, 1 if not path else None,
                       path=path, hint=hint, entity=str(self.ref), doc=self.document.index)


def list_of_dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """Enumerate the mapping items of a list, skipping anything the schema already flagged."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item
