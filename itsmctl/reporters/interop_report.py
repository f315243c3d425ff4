"""Reports of `import` and `export`: text for people, JSON (with schemaVersion and tool) for CI."""

from __future__ import annotations

from typing import Any

from itsmctl.findings import Finding
from itsmctl.interop.result import ExportResult, ImportResult, Note
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.envelope import json_document


def _clean(text: str) -> str:
    """One printable line: control characters of hostile input shown escaped, never raw."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _finding_line(finding: Finding) -> str:
    where = f"{finding.file}:{finding.line}" if finding.line else finding.file
    hint = f"\n      hint: {_clean(finding.hint)}" if finding.hint else ""
    return (f"  {_clean(where)}: {finding.severity.label}: {_clean(finding.message)}"
            f"  [{finding.rule}]{hint}")


def _notes(title: str, notes: tuple[Note, ...]) -> list[str]:
    if not notes:
        return []
    return [f"{title} ({len(notes)}):"] + [f"  {_clean(n.subject)}: {_clean(n.message)}"
                                            for n in notes] + [""]


def import_text(result: ImportResult, options: ReportOptions) -> str:
    out = [f"import {result.source_format} -> {_clean(result.output)}", ""]
    if result.mapped:
        out.append("mapped:")
        out += [f"  {n:>5}  {source} -> {ours}" for source, ours, n in result.mapped]
        out.append("")
    if result.findings:
        out.append(f"input problems ({len(result.findings)}); the rest was imported:")
        out += [_finding_line(f) for f in result.findings] + [""]
    out += _notes("not mapped, kept as annotations", result.kept)
    out += _notes("needs a person", result.attention)
    if result.blocked:
        out.append("the imported catalog does not validate; nothing was written:")
        out += [_finding_line(f) for f in result.validation]
    else:
        out.append(f"wrote {len(result.written)} new and {len(result.overwritten)} replaced "
                   f"file(s); {result.entities} entities. Next: itsmctl validate "
                   f"{_clean(result.output)}")
    return "\n".join(out) + "\n"


def _envelope(kind: str, body: dict[str, Any]) -> str:
    return json_document({"kind": kind, **body})


def _note_dicts(notes: tuple[Note, ...]) -> list[dict[str, str]]:
    return [{"subject": n.subject, "message": n.message} for n in notes]


def import_json(result: ImportResult, options: ReportOptions) -> str:
    return _envelope("ImportReport", {
        "format": result.source_format, "output": result.output, "written": not result.blocked,
        "files": list(result.written), "overwritten": list(result.overwritten),
        "mapped": [{"source": s, "itsmctl": o, "count": n} for s, o, n in result.mapped],
        "findings": [f.to_dict() for f in result.findings],
        "kept": _note_dicts(result.kept), "needsAPerson": _note_dicts(result.attention),
        "validation": [f.to_dict() for f in result.validation],
    })


def export_text(result: ExportResult, options: ReportOptions) -> str:
    if result.findings:
        out = ["the catalog has errors; nothing was exported:"]
        return "\n".join(out + [_finding_line(f) for f in result.findings]) + "\n"
    out = [f"export {result.target_format} -> {_clean(result.output)}"]
    out += [f"  {n:>5}  {kind}" for kind, n in result.counts]
    out += [""] + _notes("notes", result.notes)
    out.append(f"wrote {len(result.files)} file(s)")
    return "\n".join(out) + "\n"


def export_json(result: ExportResult, options: ReportOptions) -> str:
    return _envelope("ExportReport", {
        "format": result.target_format, "output": result.output, "files": list(result.files),
        "counts": dict(result.counts), "notes": _note_dicts(result.notes),
        "findings": [f.to_dict() for f in result.findings],
    })

