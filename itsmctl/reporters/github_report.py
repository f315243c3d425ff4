"""GitHub Actions workflow commands: inline annotations on the pull request's files.

GitHub shows at most 10 annotations of each level per step and drops the rest silently,
so we annotate the first 10 of each level, print the others as plain log lines, and say so.
"""

from __future__ import annotations

from itsmctl.findings import Finding, Severity
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.text_report import summary_line
from itsmctl.validate import ValidationResult
from itsmctl.visible import visible

ANNOTATIONS_PER_LEVEL = 10
_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Workflow-command data: `%`, CR and LF encoded (GitHub decodes them), every other
    hidden or control character shown as its escape (visible.py)."""
    encoded = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return visible(encoded)


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    props = [f"file={escape_property(finding.file)}"]
    if finding.line:
        props.append(f"line={finding.line}")
    if finding.column:
        props.append(f"col={finding.column}")
    props.append(f"title={escape_property(f'itsmctl {finding.rule}')}")
    body = finding.message + (f"\nHint: {finding.hint}" if finding.hint else "")
    return f"::{_COMMAND[finding.severity]} {','.join(props)}::{escape_data(body)}"


def plain(finding: Finding) -> str:
    """A log line, not a command: escaped like one, so no value can start a `::` command."""
    where = f"{finding.file}:{finding.line}:{finding.column or 1}" if finding.line else finding.file
    # prefixed: a file named `::error::x` must not make the line a command
    return "itsmctl: " + escape_data(
        f"{where}: {finding.severity.label} [{finding.rule}] {finding.message}")


def render_findings(findings: list[Finding] | tuple[Finding, ...]) -> tuple[list[str], int]:
    """Annotation lines for the first 10 per level, plain lines for the rest."""
    shown: dict[Severity, int] = {s: 0 for s in Severity}
    lines, overflow = [], 0
    for finding in findings:
        if shown[finding.severity] < ANNOTATIONS_PER_LEVEL:
            shown[finding.severity] += 1
            lines.append(annotation(finding))
        else:
            overflow += 1
            lines.append(plain(finding))
    return lines, overflow


def render(result: ValidationResult, options: ReportOptions) -> str:
    lines, overflow = render_findings(result.findings)
    if overflow:
        lines.append(
            f"::notice title=itsmctl::{overflow} more findings are listed in the log above but"
            " not annotated (GitHub shows at most 10 annotations per level and step);"
            " upload SARIF (--format sarif) to see all of them in code scanning")
    lines.append(f"itsmctl: {summary_line(result)}")
    return "\n".join(lines) + "\n"
