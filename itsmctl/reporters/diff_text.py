"""Human output of `itsmctl diff`: entity by entity, then approvals, findings and the verdict."""

from __future__ import annotations

from itsmctl.diff.result import DiffResult, EntityChange, Impact
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.text_report import format_finding
from itsmctl.reporters.wording import approval_words, change_counts, short
from itsmctl.visible import visible

_COLORS = {Impact.BREAKING: "31", Impact.APPROVAL_REQUIRED: "33", Impact.REVIEW: "36",
           Impact.INFO: "2"}


def _paint(text: str, code: str, options: ReportOptions) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if options.color else text


def _entity(change: EntityChange, options: ReportOptions) -> list[str]:
    level = _paint(change.impact.label, _COLORS[change.impact], options)
    renamed = f" from {change.renamed_from}" if change.renamed_from else ""
    lines = [_paint(visible(f"{change.kind} {change.name}"), "1", options)
             + visible(f"  {change.status}{renamed}  [") + level + visible(f"]  {change.file}")]
    lines += [f"  {visible(f.line())}" for f in change.fields]
    for impact in sorted(change.impacts, key=lambda i: -i.impact):
        lines.append(visible(f"  * {impact.impact.label}: {impact.message}"
                             f"  ({impact.change_class})"))
    return lines + [""]


def summary(result: DiffResult) -> str:
    return change_counts(result)


def render(result: DiffResult, options: ReportOptions) -> str:
    head = f"{result.head} ({short(result.head_sha)})" if result.head_sha else result.head
    out = [f"itsmctl diff {result.base} ({short(result.base_sha)}) -> {head}", ""]
    if result.records is not None:
        out += [visible(f"Records {result.records.describe()}"), ""]
    for change in result.changes:
        out += _entity(change, options)
    if result.approvals:
        out.append(_paint("Approvals required", "1", options))
        for approval in result.approvals:
            out.append(f"  {visible(approval.party)}")
            out += [f"    - {visible(reason)}" for reason in approval.reasons]
        out.append("")
    for title, findings in (("New findings", result.new_findings),
                            ("Existing findings", result.existing_findings if options.verbose
                             else ())):
        if findings:
            out.append(_paint(title, "1", options))
            for finding in findings:
                out.append(f"  {visible(finding.file)}")
                out += format_finding(finding, options)
            out.append("")
    waiting = approval_words(result)
    verdict = (_paint("FAIL", "31", options) + visible(f" ({'; '.join(result.reasons)})")
               if result.failed else _paint("OK", "32", options)
               + (visible(f" ({waiting})") if waiting else ""))
    out.append(f"{verdict}: {summary(result)}")
    return "\n".join(out) + "\n"
