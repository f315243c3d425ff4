"""Which fields point at other entities, and how a reference text becomes a `Ref`.

The table here is the single source for reference checks, for diff (what a change touches)
and for render (links between pages).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


@dataclass(frozen=True, slots=True, init=False)
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

    def __init__(self, source: Entity, path: JsonPath, text: str, expected: str,
                 label: str) -> None:
        """The dataclass's own `__init__`, by the slots' setters: a catalog makes one per
        reference (33,000 at 2,000 services), and a frozen dataclass's `object.__setattr__`
        per field was most of building `Catalog.references`."""
        _SET_SOURCE(self, source)
        _SET_PATH(self, path)
        _SET_TEXT(self, text)
        _SET_EXPECTED(self, expected)
        _SET_LABEL(self, label)
        _SET_TARGET(self, parse_ref(text, expected))


_SET_SOURCE, _SET_PATH, _SET_TEXT, _SET_EXPECTED, _SET_LABEL, _SET_TARGET = (
    Reference.__dict__[name].__set__
    for name in ("source", "path", "text", "expected", "label", "target"))


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


Out = list[tuple[JsonPath, Any]]
Step = Callable[[Any, JsonPath, Out], None]


def _leaf(node: Any, at: JsonPath, out: Out) -> None:
    out.append((at, node))


def _every_key(node: Any, at: JsonPath, out: Out) -> None:
    if isinstance(node, dict):
        for key in node:
            out.append((at + (key,), key))


def _each(then: Step) -> Step:
    def step(node: Any, at: JsonPath, out: Out) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                then(item, at + (index,), out)
    return step


def _key(head: str, then: Step) -> Step:
    def step(node: Any, at: JsonPath, out: Out) -> None:
        if isinstance(node, dict) and head in node:
            then(node[head], at + (head,), out)
    return step


def walker(path: tuple[str, ...]) -> Step:
    """A function appending (JSON path, value) of what `path` reaches from a node to a
    list, in document order: `EACH` every item of a list, `KEYS` every key of a mapping
    (the walk ends there), any other head the value of that key in a mapping.

    Built once per field of REFERENCE_FIELDS (every entity of a catalog is walked): a chain
    of small closures, not one function re-reading the path at every step."""
    if KEYS in path:
        path = path[:path.index(KEYS) + 1]
    step: Step = _leaf
    for head in reversed(path):
        step = _every_key if head == KEYS else _each(step) if head == EACH else _key(head, step)
    return step


_WALKERS: dict[str, tuple[tuple[RefField, Step], ...]] = {
    kind: tuple((spec, walker(spec.path)) for spec in specs)
    for kind, specs in REFERENCE_FIELDS.items()}


def references_of(entity: Entity, label: str | None = None) -> Iterator[Reference]:
    """Every reference an entity makes (only string values: the schema flags the rest), or
    only those of the fields of one `label` (a RACI's `scope`: the other fields unwalked)."""
    data = entity.data
    for spec, walk in _WALKERS.get(entity.kind, ()):
        if label is not None and spec.label != label:
            continue
        found: Out = []
        walk(data, (), found)
        for path, value in found:
            if isinstance(value, str):
                yield Reference(entity, path, value, spec.kind, spec.label)
