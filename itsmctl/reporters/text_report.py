"""Human output: findings grouped per file, coloured on a terminal."""

from __future__ import annotations

from itertools import groupby

from itsmctl.findings import Finding, Severity, total
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.wording import plural
from itsmctl.validate import ValidationResult
from itsmctl.visible import visible

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, options: ReportOptions) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if options.color else text


def format_finding(finding: Finding, options: ReportOptions) -> list[str]:
    where = f"{finding.line}:{finding.column or 1}" if finding.line else "-"
    severity = _paint(f"{finding.severity.label:<7}", _COLORS[finding.severity], options)
    message, rule = visible(finding.message), _paint(visible(finding.rule), "2", options)
    lines = [f"  {where:<8} {severity}  {message}  {rule}"]
    if finding.hint:
        lines.append(f"  {'':<8} {'':<7}  hint: {visible(finding.hint)}")
    return lines


def summary_line(result: ValidationResult) -> str:
    counts = result.counts
    parts = [plural(counts["error"], "error"), plural(counts["warning"], "warning"),
             f"{counts['info']} info"]
    waived = f", {total(result.waived)} waived" if result.waived else ""
    checked = f"{plural(result.files, 'file')}, {plural(result.entities, 'entity')}"
    return f"{', '.join(parts)}{waived} in {checked}"


def render(result: ValidationResult, options: ReportOptions) -> str:
    out: list[str] = []
    for file, group in groupby(result.findings, key=lambda f: f.file):
        out.append(_paint(visible(file), "1", options))
        for finding in group:
            out.extend(format_finding(finding, options))
        out.append("")
    if options.verbose and result.waived:
        out.append(_paint("waived", "1", options))
        for finding in result.waived:
            waiver = finding.waived_by
            until = f" until {waiver.expires}: {waiver.reason}" if waiver else ""
            out.append(visible(f"  {finding.file}:{finding.line}  {finding.rule}{until}"))
        out.append("")
    status = "FAIL" if result.failed else "OK"
    color = "31" if result.failed else "32"
    out.append(f"{_paint(status, color, options)}: {summary_line(result)}")
    return "\n".join(out) + "\n"
