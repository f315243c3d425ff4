"""Our fields that a foreign format has no place for travel as `itsmctl.io/...` annotations.

Export writes them, import reads them back, so a round trip through Backstage loses nothing.
Plain text fields are stored as they are; structured ones as compact JSON with sorted keys
(deterministic). Foreign fields we cannot map are kept the same way under
`itsmctl.io/<format>-...` keys: nothing is dropped silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PREFIX = "itsmctl.io/"
MAX_VALUE = 65_536  # bytes of one carried annotation value that import will decode


@dataclass(frozen=True, slots=True)
class Carried:
    """One field of ours carried as an annotation: where it lives in the entity, and its key."""

    path: tuple[str, ...]
    key: str
    text: bool = False  # a plain string, stored verbatim


SERVICE_FIELDS = (
    Carried(("spec", "tier"), "itsmctl.io/tier"),
    Carried(("spec", "sla"), "itsmctl.io/sla", text=True),
    Carried(("spec", "supportCalendar"), "itsmctl.io/support-calendar", text=True),
    Carried(("spec", "changeModels"), "itsmctl.io/change-models"),
    Carried(("spec", "cost"), "itsmctl.io/cost"),
    Carried(("spec", "dataClassification"), "itsmctl.io/data-classification", text=True),
    Carried(("spec", "review"), "itsmctl.io/review"),
    Carried(("spec", "evidence"), "itsmctl.io/evidence"),
    Carried(("metadata", "waivers"), "itsmctl.io/waivers"),
)
TEAM_FIELDS = (
    Carried(("spec", "chat"), "itsmctl.io/chat", text=True),
    Carried(("spec", "onCall"), "itsmctl.io/on-call"),
    Carried(("metadata", "waivers"), "itsmctl.io/waivers"),
)
# dependency details Backstage's dependsOn cannot hold: {service: {"type": ..., "description": ...}}
DEPENDENCY_DETAILS = "itsmctl.io/dependencies"
MEMBER_ROLES = "itsmctl.io/member-roles"  # {email: role} of a Team's members
NO_OWNER = "itsmctl.io/no-owner"  # the service has no owner; Backstage's owner is a stand-in
LABELS = "itsmctl.io/labels"            # our labels the target's label grammar rejects (JSON)
ANNOTATIONS = "itsmctl.io/annotations"  # our annotations whose keys the target rejects (JSON)


def encode(value: Any, text: bool = False) -> str:
    if text and isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode(raw: str, text: bool = False) -> tuple[Any, str]:
    """The value of a carried annotation, or ("", reason) when it cannot be read."""
    if text:
        return raw, ""
    if len(raw.encode("utf-8")) > MAX_VALUE:
        return None, f"is longer than {MAX_VALUE} bytes"
    try:
        return json.loads(raw), ""
    except (ValueError, RecursionError):
        return None, "is not valid JSON"


def dig(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def carry_out(entity: dict[str, Any], fields: tuple[Carried, ...]) -> dict[str, str]:
    """Annotations for the fields of `entity` (one of our documents) listed in `fields`."""
    out = {}
    for item in fields:
        value = dig(entity, item.path)
        if value is not None:
            out[item.key] = encode(value, item.text)
    return out
