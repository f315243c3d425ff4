"""`itsmctl diff --format markdown`: a pull-request comment.

A summary table first (one row per entity), the approvals the pull request needs, the new
findings, then one collapsible <details> block per entity with its field changes. Output is
deterministic (no timestamps), so a bot can update its comment only when it changes.
"""

from __future__ import annotations

import html
import re

from itsmctl.diff.result import DiffResult, EntityChange, shown_value
from itsmctl.findings import Finding, total
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.wording import change_counts, headline, plural, short, verdict_words
from itsmctl.visible import visible

MARKER = "<!-- itsmctl-diff -->"


# Markdown that works inside a line: emphasis, strike-through, code, links and images (their
# brackets), math, table pipes and escapes (cells never start a line, so no heading or list)
_MARKDOWN = re.compile(r"([\\`*_\[\]|~$])")
# `@name` notifies people, `#12` links an issue, URLs and `www.` become links: a zero-width
# space (as an entity, so it survives as plain ASCII) breaks each one and shows nothing
_TRIGGERS = re.compile(r"(@|://|\bwww\.|#(?=\d))", re.IGNORECASE)
COMMENT_LIMIT = 65_536  # GitHub's limit on a comment's length, in characters
_BREAK = "&#8203;"


def cell(text: str) -> str:
    """Catalog text made inert in Markdown: no HTML, no formatting, no mention, no link or
    image, no line break; hidden characters shown (visible.py). Safe in a cell or heading."""
    safe = _MARKDOWN.sub(r"\\\1", html.escape(visible(text, lines=True), quote=False))
    safe = _TRIGGERS.sub(lambda m: m.group()[0] + _BREAK + m.group()[1:], safe)
    return safe.replace("\n", "<br>")


def capped(text: str, where: str, limit: int = COMMENT_LIMIT) -> str:
    """At most `limit` characters, cut at a line break, with a note saying where the rest is."""
    if len(text) <= limit:
        return text
    note = f"\n\n</details>\n\n_This report is too long for GitHub and was cut here: {where}._\n"
    cut = text.rfind("\n", 0, limit - len(note))
    return text[:max(cut, 0)] + note


def code(text: str) -> str:
    return f"<code>{cell(text)}</code>" if text else ""


def _summary_table(result: DiffResult) -> list[str]:
    rows = ["| Entity | Change | Impact | What it means |", "|---|---|---|---|"]
    for change in result.changes:
        renamed = f" from {code(change.renamed_from)}" if change.renamed_from else ""
        rows.append(f"| {change.kind} {code(change.name)} | {change.status}{renamed} |"
                    f" **{change.impact.label}** | {cell(headline(change))} |")
    return rows


def _approvals(result: DiffResult) -> list[str]:
    if not result.approvals:
        return []
    rows = ["", "### Approvals required", "", "| Approver | Why |", "|---|---|"]
    for approval in result.approvals:
        reasons = "<br>".join(cell(r) for r in approval.reasons)
        rows.append(f"| {code(approval.party)} | {reasons} |")
    return rows


def _finding_rows(findings: tuple[Finding, ...]) -> list[str]:
    rows = ["| Severity | Where | Rule | Message |", "|---|---|---|---|"]
    for f in findings:
        rows.append(f"| {f.severity.label} | {code(f'{f.file}:{f.line or 0}')} | {code(f.rule)} |"
                    f" {cell(f.message)} |")
    return rows


def _findings(result: DiffResult) -> list[str]:
    out = ["", "### Findings", "",
           (f"{plural(total(result.new_findings), 'new finding')} introduced by this change,"
           f" {total(result.existing_findings)} already there,"
           f" {total(result.fixed_findings)} fixed.")]
    if result.new_findings:
        out += [""] + _finding_rows(result.new_findings)
    for title, group in (("Existing findings", result.existing_findings),
                         ("Fixed findings", result.fixed_findings)):
        if group:
            out += ["", f"<details><summary>{title} ({total(group)})</summary>", ""]
            out += _finding_rows(group) + ["", "</details>"]
    return out


def _details(change: EntityChange) -> list[str]:
    out = ["", (f"<details><summary>{change.kind} {code(change.name)}: {change.status},"
           f" {change.impact.label}</summary>"), ""]
    moved = change.base_file and change.base_file != change.file
    out.append(f"File: {code(change.file)}"
               + (f" (was {code(change.base_file)})" if moved else ""))
    if change.impacts:
        out.append("")
        for impact in sorted(change.impacts, key=lambda i: (-i.impact, i.message)):
            out.append(f"- **{impact.impact.label}** {cell(impact.message)}"
                       f" ({code(impact.change_class)})")
    if change.fields:
        out += ["", "| Field | Change | Before | After |", "|---|---|---|---|"]
        for f in change.fields:
            before = code(shown_value(f.before)) if f.before is not None else ""
            after = code(shown_value(f.after)) if f.after is not None else ""
            out.append(f"| {code(f.path)} | {f.op} | {before} | {after} |")
    return out + ["", "</details>"]


def render(result: DiffResult, options: ReportOptions) -> str:
    verdict = verdict_words(result.reasons, result)
    out = [MARKER, f"## itsmctl diff: {code(result.base)} → {code(result.head)}: {cell(verdict)}",
           "", (f"Compared {code(short(result.base_sha))} with {code(short(result.head_sha))}:"
                f" {cell(change_counts(result))}."), ""]
    if result.records is not None:
        out += [f"Records {cell(result.records.describe())}.", ""]
    out += _summary_table(result) if result.changes else ["No catalog entity changed."]
    out += _approvals(result) + _findings(result)
    if result.changes:
        out += ["", "### Details"]
        for change in result.changes:
            out += _details(change)
    return capped("\n".join(out) + "\n", "run `itsmctl diff --format json` for all of it")
