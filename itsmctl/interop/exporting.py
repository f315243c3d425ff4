"""What every export shares: the catalog from the one validate pipeline, and atomic writes.

A catalog that does not parse, breaks its schema or has dangling references is not
exported (its findings are the result); governance findings do not stop an export, they
are the catalog's business, not the target format's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itsmctl.atomic import write_text_atomic
from itsmctl.catalog import Catalog
from itsmctl.findings import Finding
from itsmctl.interop.result import ExportResult, Note
from itsmctl.rules import all_rules
from itsmctl.validate import validate

if TYPE_CHECKING:
    from itsmctl.runcontext import RunContext

STRUCTURAL = ("yaml", "schema", "reference")


@dataclass(frozen=True)
class Loaded:
    catalog: Catalog
    blocking: tuple[Finding, ...]


def load_catalog(context: RunContext) -> Loaded:
    """The run's catalog through the one validate pipeline, with what blocks an export."""
    result = validate(context)
    categories = {rule.id: rule.category for rule in all_rules()}
    blocking = tuple(f for f in result.findings
                     if categories.get(f.rule, "governance") in STRUCTURAL
                     and f.severity == f.severity.ERROR)
    return Loaded(result.catalog, blocking)


def refused(target_format: str, output: Path, loaded: Loaded) -> ExportResult:
    return ExportResult(target_format, output.as_posix(), (), (), (), loaded.blocking)


def write_files(output: Path, files: dict[str, str]) -> tuple[str, ...]:
    """Write {posix path below `output`: text}; names come from our name grammar only."""
    for rel in sorted(files):
        if rel.startswith("/") or ".." in rel.split("/"):
            raise ValueError(f"export path {rel!r} leaves the output folder")  # a bug, not input
        write_text_atomic(output / rel, files[rel])
    return tuple((output / rel).as_posix() for rel in sorted(files))


def exported(target_format: str, output: Path, files: tuple[str, ...],
             counts: dict[str, int], notes: list[Note]) -> ExportResult:
    return ExportResult(target_format, output.as_posix(), files,
                        tuple(sorted(counts.items())), tuple(sorted(set(notes))))


def spec_of(entity: Any) -> dict[str, Any]:
    return entity.spec if isinstance(entity.spec, dict) else {}


def write_one(target_format: str, output: Path, text: str, counts: dict[str, int],
              notes: list[Note]) -> ExportResult:
    """An export that is one file (`-o FILE`), written atomically."""
    write_text_atomic(output, text)
    return exported(target_format, output, (output.as_posix(),), counts, notes)
