"""What an import or an export did, for the reporters: results, never prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from itsmctl.findings import Finding, Severity


@dataclass(frozen=True, slots=True, order=True)
class Note:
    """One line of an import report about one entity (ours, or the source's)."""

    subject: str
    message: str


@dataclass
class Mapped:
    """Entities built by a mapper, and what it has to say about them."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    mapped: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, ours) -> count
    kept: list[Note] = field(default_factory=list)       # foreign fields kept as annotations
    attention: list[Note] = field(default_factory=list)  # gaps a person has to fill
    findings: list[Finding] = field(default_factory=list)  # bad input, with file:line

    def count(self, source_kind: str, our_kind: str) -> None:
        key = (source_kind, our_kind)
        self.mapped[key] = self.mapped.get(key, 0) + 1


@dataclass(frozen=True)
class ImportResult:
    source_format: str
    output: str
    written: tuple[str, ...]
    overwritten: tuple[str, ...]
    mapped: tuple[tuple[str, str, int], ...]
    kept: tuple[Note, ...]
    attention: tuple[Note, ...]
    findings: tuple[Finding, ...]
    validation: tuple[Finding, ...]
    blocked: bool

    @property
    def entities(self) -> int:
        return sum(n for _, _, n in self.mapped)

    @property
    def exit_code(self) -> int:
        bad_input = any(f.severity >= Severity.ERROR for f in self.findings)
        return 1 if self.blocked or bad_input else 0


@dataclass(frozen=True)
class ExportResult:
    """Files an export wrote (paths as the user sees them) and what it could not carry."""

    target_format: str
    output: str
    files: tuple[str, ...]
    counts: tuple[tuple[str, int], ...]  # (their kind, count)
    notes: tuple[Note, ...] = ()
    findings: tuple[Finding, ...] = ()  # the catalog's own errors: nothing is exported then

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity >= Severity.ERROR for f in self.findings) else 0
