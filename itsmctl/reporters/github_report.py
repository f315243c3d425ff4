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


class Budget:
    """GitHub's 10 annotations per level and step, shared by everything one step prints
    (validate's findings and diff's change annotations alike)."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}
        self.overflow = 0

    def take(self, level: str) -> bool:
        """Whether one more `level` annotation is shown; counts the ones that are not."""
        if self.used.get(level, 0) < ANNOTATIONS_PER_LEVEL:
            self.used[level] = self.used.get(level, 0) + 1
            return True
        self.overflow += 1
        return False

    def note(self, what: str = "findings") -> list[str]:
        """The notice that says some lines were not annotated (none when all were)."""
        if not self.overflow:
            return []
        return [f"::notice title=itsmctl::{self.overflow} more {what} are listed in the log above"
                " but not annotated (GitHub shows at most 10 annotations per level and step);"
                " upload SARIF (--format sarif) to see all findings in code scanning"]


def render_findings(findings: list[Finding] | tuple[Finding, ...],
                    budget: Budget | None = None) -> tuple[list[str], int]:
    """Annotation lines while the budget lasts, plain lines for the rest."""
    budget = budget if budget is not None else Budget()
    before = budget.overflow
    lines = [annotation(f) if budget.take(_COMMAND[f.severity]) else plain(f) for f in findings]
    return lines, budget.overflow - before


def finding_lines(result: ValidationResult, budget: Budget) -> list[str]:
    """`render` without its notice, for a step that annotates more than findings."""
    return render_findings(result.findings, budget)[0] + [f"itsmctl: {summary_line(result)}"]


def render(result: ValidationResult, options: ReportOptions) -> str:
    budget = Budget()
    lines = render_findings(result.findings, budget)[0] + budget.note()
    lines.append(f"itsmctl: {summary_line(result)}")
    return "\n".join(lines) + "\n"
