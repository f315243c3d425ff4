"""The one import pipeline every format shares: mapped entities in, a validated catalog out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from itsmctl.findings import Finding
from itsmctl.interop.result import ImportResult, Mapped, Note
from itsmctl.interop.writer import (
    existing_files,
    is_blocking,
    plan_catalog,
    refuse_overwrite,
    validate_plan,
    write_plan,
)
from itsmctl.limits import Limits
from itsmctl.locate import Locator
from itsmctl.rules import all_rules
from itsmctl.scaffold import refuse_links
from itsmctl.sources import SourceFile

# governance findings every mapper already reports in its own words
REPORTED_BY_MAPPERS = ("service-sla-required",)


def _subject(finding: Finding) -> str:
    kind, sep, name = finding.entity.partition(":")
    return f"{kind.lower()}:{name}" if sep else finding.file


def _located(findings: Iterable[Finding], sources: dict[str, SourceFile],
             limits: Limits) -> tuple[Finding, ...]:
    return tuple(sorted(Locator(limits).locate(findings, sources), key=Finding.sort_key))


def finish_import(source_format: str, mapped: Mapped, sources: dict[str, SourceFile],
                  target: Path, *, limits: Limits, force: bool = False,
                  today: date | None = None, label: str | None = None) -> ImportResult:
    """Plan, validate and (when the result is sound) write the imported catalog to `target`.

    Governance gaps (no SLA, no runbook, ...) do not stop the write: they are what the
    report's "needs a person" section lists. Structural breakage does: nothing is written.
    `limits`: those `sources` were parsed under (where the mappers' findings are located).
    """
    shown = label if label is not None else target.as_posix()
    files = plan_catalog(mapped.documents)
    existing = existing_files(target, files)
    # as init: -o, a folder on the way to a file, or a file --force replaces is never a link
    refuse_links(target, [f.rel for f in files], set(existing), force, "import")
    if existing and not force:
        refuse_overwrite(target, existing)
    checked = validate_plan(files, shown, today)
    categories = {rule.id: rule.category for rule in all_rules()}
    blocked = any(is_blocking(f, categories) for f in checked.findings)
    attention = list(mapped.attention)
    for finding in checked.findings:
        if not is_blocking(finding, categories) and finding.rule not in REPORTED_BY_MAPPERS:
            attention.append(Note(_subject(finding), f"{finding.message} ({finding.rule})"))
    if not blocked:
        write_plan(target, files)
    return ImportResult(
        source_format=source_format,
        output=shown,
        written=() if blocked else tuple(f.rel for f in files if f.rel not in set(existing)),
        overwritten=() if blocked else tuple(sorted(existing)),
        mapped=tuple(sorted((s, o, n) for (s, o), n in mapped.mapped.items())),
        kept=tuple(sorted(set(mapped.kept))),
        attention=tuple(sorted(set(attention))),
        findings=_located(mapped.findings, sources, limits),
        validation=tuple(f for f in checked.findings if is_blocking(f, categories)),
        blocked=blocked,
    )
