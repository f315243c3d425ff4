"""`itsmctl diff --format github`: annotations on the pull request's files.

Breaking changes are errors, approval-required ones warnings, reviews notices; new findings
follow with the same 10-per-level budget as `validate --format github`.
"""

from __future__ import annotations

from itsmctl.diff.result import Classified, DiffResult, EntityChange, Impact
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.diff_text import summary
from itsmctl.reporters.github_report import escape_data, escape_property, render_findings
from itsmctl.reporters.wording import approval_words

_LEVEL = {Impact.BREAKING: "error", Impact.APPROVAL_REQUIRED: "warning", Impact.REVIEW: "notice"}


def annotation(change: EntityChange, impact: Classified) -> str:
    props = [f"file={escape_property(change.file)}"]
    if change.line:
        props.append(f"line={change.line}")
    props.append(f"title={escape_property(f'itsmctl diff: {impact.impact.label}')}")
    body = f"{change.kind} {change.name}: {impact.message} ({impact.change_class})"
    return f"::{_LEVEL[impact.impact]} {','.join(props)}::{escape_data(body)}"


def render(result: DiffResult, options: ReportOptions) -> str:
    lines = [annotation(change, impact) for change in result.changes
             for impact in sorted(change.impacts, key=lambda i: -i.impact)
             if impact.impact in _LEVEL]
    finding_lines, _ = render_findings(result.new_findings)
    lines += finding_lines
    for approval in result.approvals:
        lines.append("itsmctl: " + escape_data(
            f"approval needed from {approval.party}: {approval.reasons[0]}"))
    waiting = approval_words(result)
    verdict = (f"FAIL ({'; '.join(result.reasons)})" if result.failed
               else "OK" + (f" ({waiting})" if waiting else ""))
    lines.append("itsmctl diff: " + escape_data(f"{verdict}: {summary(result)}"))
    return "\n".join(lines) + "\n"
