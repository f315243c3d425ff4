"""`itsmctl diff --format github`: annotations on the pull request's files.

Breaking changes are errors, approval-required ones warnings, reviews notices, each on the
line of the changed field at HEAD; new findings follow. Both share GitHub's budget of 10
annotations per level and step (github_report.Budget); the rest are log lines.
"""

from __future__ import annotations

from itsmctl.diff.records import KPI_REEVALUATED, REEVALUATED
from itsmctl.diff.result import Classified, DiffResult, EntityChange, Impact
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.diff_text import summary
from itsmctl.reporters.github_report import (
    Budget,
    escape_data,
    escape_property,
    render_findings,
)
from itsmctl.reporters.wording import approval_words

_LEVEL = {Impact.BREAKING: "error", Impact.APPROVAL_REQUIRED: "warning", Impact.REVIEW: "notice"}
# the records' info readings (`diff --records`), shown by every format: SLAs' and KPIs'
RECORDS_INFO = (REEVALUATED, KPI_REEVALUATED)


def annotation(change: EntityChange, impact: Classified) -> str:
    """On the line of the changed field at HEAD (inline in the pull request's diff)."""
    props = [f"file={escape_property(change.file)}"]
    line = impact.line or change.line
    if line:
        props.append(f"line={line}")
    props.append(f"title={escape_property(f'itsmctl diff: {impact.impact.label}')}")
    return f"::{_LEVEL[impact.impact]} {','.join(props)}::{escape_data(_body(change, impact))}"


def _body(change: EntityChange, impact: Classified) -> str:
    return f"{change.kind} {change.name}: {impact.message} ({impact.change_class})"


def change_lines(result: DiffResult, budget: Budget) -> list[str]:
    """Annotations for review-and-above impacts while the budget lasts, log lines after."""
    lines = []
    for change in result.changes:
        for impact in sorted(change.impacts, key=lambda i: -i.impact):
            if impact.impact not in _LEVEL:
                continue
            if budget.take(_LEVEL[impact.impact]):
                lines.append(annotation(change, impact))
            else:
                line = impact.line or change.line
                where = f"{change.file}:{line}" if line else change.file
                lines.append("itsmctl: " + escape_data(f"{where}: {impact.impact.label}"
                                                      f" {_body(change, impact)}"))
    return lines


def records_lines(result: DiffResult) -> list[str]:
    """`--records`: which records were read, and the info readings (not annotations: one
    log line each; the approval-required ones are annotations of `change_lines`)."""
    if result.records is None:
        return []
    return ["itsmctl: " + escape_data(f"records {result.records.describe()}")] + [
        "itsmctl: " + escape_data(_body(c, i)) for c in result.changes for i in c.impacts
        if i.change_class in RECORDS_INFO]


def render(result: DiffResult, options: ReportOptions) -> str:
    budget = Budget()
    lines = change_lines(result, budget) + records_lines(result)
    lines += render_findings(result.new_findings, budget)[0] + budget.note("findings and changes")
    for approval in result.approvals:
        lines.append("itsmctl: " + escape_data(
            f"approval needed from {approval.party}: {approval.reasons[0]}"))
    waiting = approval_words(result)
    verdict = (f"FAIL ({'; '.join(result.reasons)})" if result.failed
               else "OK" + (f" ({waiting})" if waiting else ""))
    lines.append("itsmctl diff: " + escape_data(f"{verdict}: {summary(result)}"))
    return "\n".join(lines) + "\n"
