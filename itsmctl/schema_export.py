"""Write the built-in JSON Schemas out, for editors and other tools."""

from __future__ import annotations

from pathlib import Path

from itsmctl.atomic import write_text_atomic
from itsmctl.errors import ItsmctlError
from itsmctl.model import canonical_kind
from itsmctl.schemas import SCHEMA_FILES, schema_names, schema_text


def resolve_schema_name(name: str) -> str:
    """Accept a kind (`Service`, `sla`) or a file name (`service.schema.json`)."""
    if name in schema_names():
        return name
    kind = canonical_kind(name)
    if kind is not None:
        return SCHEMA_FILES[kind]
    for candidate in schema_names():
        if candidate.removesuffix(".schema.json") == name.lower():
            return candidate
    raise ItsmctlError(f"no schema named {name!r}",
                       f"choose one of: {', '.join(schema_names())}")


def export_schemas(directory: Path, names: list[str] | None = None) -> list[Path]:
    """Write the chosen schemas (all by default) into `directory`; returns what was written."""
    chosen = [resolve_schema_name(n) for n in names] if names else schema_names()
    written = []
    for filename in chosen:
        target = directory / filename
        write_text_atomic(target, schema_text(filename))
        written.append(target)
    return written
