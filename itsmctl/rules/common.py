"""Small readers shared by the governance rules; each tolerates schema-invalid data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from itsmctl.catalog import Catalog, Dependency
from itsmctl.model import Entity


def number(value: Any) -> float | None:
    """A YAML number as float; booleans and strings are not numbers (the schema says so)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def plain_number(value: float) -> str:
    """99.90 -> `99.9`, 99.0 -> `99`: numbers the way people write them (4 decimals at most)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def percent(value: float) -> str:
    return plain_number(value) + "%"


def count(amount: int, noun: str) -> str:
    """`1 day`, `3 days`: counts in messages read as English."""
    return f"{amount} {noun}{'' if amount == 1 else 's'}"


def tier(entity: Entity) -> int | None:
    value = entity.get("spec", "tier")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def lifecycle(entity: Entity) -> str | None:
    value = entity.get("spec", "lifecycle")
    return value if isinstance(value, str) else None


def dependencies(service: Entity, catalog: Catalog) -> Iterator[Dependency]:
    """Entries that name an existing service; unresolved ones are `ref-unresolved` findings."""
    return iter(catalog.resolved_dependencies(service))
