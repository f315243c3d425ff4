"""The record of one page and the fields every entity page shows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from itsmctl.model import Entity
from itsmctl.site.measured import measured_section

if TYPE_CHECKING:
    from itsmctl.site.context import SiteInput

SAFE_URL = re.compile(r"(?:https?://|mailto:)[^\s<>\"']+\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    """One HTML page: where it goes, which template, and the data the template shows."""

    path: str
    template: str
    title: str
    section: str
    context: dict[str, Any] = field(default_factory=dict)


def safe_url(value: Any) -> str | None:
    """An external link we may put in an href: http(s) or mailto only (never javascript:)."""
    if isinstance(value, str) and SAFE_URL.match(value):
        return value
    return None


def text(value: Any) -> str:
    """A scalar as shown on a page; lists and mappings are shown by the YAML section."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (str, int, float)):
        return str(value)
    return ""


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def string_items(value: Any) -> list[tuple[str, str]]:
    """Labels and annotations as sorted (key, value) text pairs."""
    return sorted((str(k), text(v)) for k, v in as_dict(value).items())


def entity_base(site: SiteInput, entity: Entity) -> dict[str, Any]:
    """What every entity page shows besides its kind's own fields."""
    return {
        "entity": entity,
        "description": text(entity.metadata.get("description")),
        "labels": string_items(entity.metadata.get("labels")),
        "annotations": string_items(entity.metadata.get("annotations")),
        "waivers": sorted(entity.waivers, key=lambda w: w.rule),
        "findings": site.findings_of(entity),
        "waived": site.waived_by_entity.get(str(entity.ref), []),
        "broken": entity.ref in site.broken,
        "history": site.history.get(entity.rel, ()),
        "semantic_history": site.semantic.get(str(entity.ref), ()),
        "history_depth": site.history_depth,
        "source": f"{entity.rel}:{entity.line}",
        "yaml": site.source_text(entity),
        "measured": measured_section(site.measured_index, entity),
    }
