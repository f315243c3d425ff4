"""Which fields point at other entities, and how a reference text becomes a `Ref`.

The table here is the single source for reference checks, for diff (what a change touches)
and for render (links between pages).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from itsmctl.findings import JsonPath
from itsmctl.model import Entity, Ref, canonical_kind

PARTY = "party"  # a Team, or a role written `role:<name>` (not an entity)
EACH = "*"  # every item of a list
KEYS = "{}"  # every key of a mapping (RACI assignments are keyed by party)


@dataclass(frozen=True, slots=True)
class RefField:
    path: tuple[str, ...]
    kind: str
    label: str


REFERENCE_FIELDS: dict[str, tuple[RefField, ...]] = {
    "Team": (RefField(("spec", "parent"), "Team", "parent team"),),
    "Service": (
        RefField(("spec", "owner"), "Team", "owner"),
        RefField(("spec", "dependencies", EACH, "service"), "Service", "dependency"),
        RefField(("spec", "sla"), "SLA", "SLA"),
        RefField(("spec", "supportCalendar"), "BusinessCalendar", "support calendar"),
        RefField(("spec", "changeModels", EACH), "ChangeModel", "change model"),
    ),
    "SLA": (
        RefField(("spec", "service"), "Service", "service"),
        RefField(("spec", "calendar"), "BusinessCalendar", "calendar"),
    ),
    "RACI": (
        RefField(("spec", "scope", "service"), "Service", "scope"),
        RefField(("spec", "activities", EACH, "assignments", KEYS), PARTY, "party"),
    ),
    "ChangeModel": (
        RefField(("spec", "approvals", "cab"), "Team", "CAB"),
        RefField(("spec", "approvals", "approvers", EACH), PARTY, "approver"),
    ),
    "ServiceCatalog": (
        RefField(("spec", "categories", EACH, "offerings", EACH, "service"), "Service", "offering"),
    ),
    "Process": (
        RefField(("spec", "owner"), PARTY, "process owner"),
        RefField(("spec", "raci"), "RACI", "RACI"),
        RefField(("spec", "escalation", EACH, "to"), PARTY, "escalation party"),
        RefField(("spec", "escalation", EACH, "notify", EACH), PARTY, "escalation notify"),
        RefField(("spec", "kpis", EACH, "review", "owner"), PARTY, "KPI review owner"),
        RefField(("spec", "kpis", EACH, "select", "service", EACH), "Service", "KPI service"),
        RefField(("spec", "declaration", "declaredBy", EACH), PARTY, "declared by"),
        RefField(("spec", "changeModels", EACH), "ChangeModel", "change model"),
        RefField(("spec", "catalog"), "ServiceCatalog", "service catalog"),
    ),
}


@dataclass(frozen=True, slots=True)
class Reference:
    """One reference found in an entity: where, what it says, and what it must name."""

    source: Entity
    path: JsonPath
    text: str
    expected: str
    label: str
    target: Ref | None = field(init=False, compare=False, repr=False)
    """The entity named, or None for a role party; a wrong kind prefix keeps its kind. Worked
    out once (`parse_ref` of the text): the reference rules, referrers and the site read it
    for every reference."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "target", parse_ref(self.text, self.expected))


@lru_cache(maxsize=1 << 16)
def parse_ref(text: str, expected: str) -> Ref | None:
    """`payments`, `team:payments` -> Ref(Team, payments); `role:cab-chair` -> None.

    Memoised (a pure function of two strings, returning a frozen Ref): every reference's
    `target` is read by several rules, and a catalog names the same entities again and again.
    The bound keeps a hostile catalog from growing it without limit.
    """
    prefix, sep, name = text.partition(":")
    if not sep:
        return Ref("Team" if expected == PARTY else expected, text)
    if expected == PARTY and prefix.lower() == "role":
        return None
    kind = canonical_kind(prefix) or prefix
    return Ref(kind, name)


def _walk(node: Any, path: tuple[str, ...], at: JsonPath,
          out: list[tuple[JsonPath, Any]]) -> list[tuple[JsonPath, Any]]:
    """Append (JSON path, value) of what `path` reaches from `node` to `out`, in document
    order (a list, not nested generators: every entity of a catalog is walked)."""
    for depth, head in enumerate(path):
        if head == EACH:
            if isinstance(node, list):
                rest = path[depth + 1:]
                for index, item in enumerate(node):
                    _walk(item, rest, at + (index,), out)
            return out
        if head == KEYS:
            if isinstance(node, dict):
                out.extend((at + (key,), key) for key in node)
            return out
        if not isinstance(node, dict) or head not in node:
            return out
        node, at = node[head], at + (head,)
    out.append((at, node))
    return out


def references_of(entity: Entity) -> Iterator[Reference]:
    """Every reference an entity makes (only string values: the schema flags the rest)."""
    for spec in REFERENCE_FIELDS.get(entity.kind, ()):
        for path, value in _walk(entity.data, spec.path, (), []):
            if isinstance(value, str):
                yield Reference(entity, path, value, spec.kind, spec.label)
