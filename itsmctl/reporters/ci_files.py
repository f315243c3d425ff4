"""The files `itsmctl check` leaves for CI: step summary, SARIF, pull-request comment body."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from itsmctl.atomic import write_text_atomic
from itsmctl.check import CheckResult
from itsmctl.errors import ItsmctlError
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.check_report import comment_body, summary_markdown
from itsmctl.reporters.sarif_report import records_readings
from itsmctl.reporters.sarif_report import render as render_sarif


@dataclass(frozen=True)
class ReportFiles:
    """Where `write_reports` puts the CI files; None skips one."""

    step_summary: Path | None = None
    sarif: Path | None = None
    comment: Path | None = None


def write_reports(result: CheckResult, files: ReportFiles) -> list[Path]:
    """Write the CI reports: the step summary is appended (GitHub joins every step's),
    SARIF and the comment body replace their files atomically. Returns what was written."""
    written = []
    if files.step_summary is not None:
        append_text(files.step_summary, summary_markdown(result))
        written.append(files.step_summary)
    if files.sarif is not None:
        write_text_atomic(files.sarif, render_sarif(result.validation, ReportOptions(),
                                                     records_readings(result.diff)))
        written.append(files.sarif)
    if files.comment is not None:
        write_text_atomic(files.comment, comment_body(result))
        written.append(files.comment)
    return written


def append_text(path: Path, text: str) -> None:
    """Append to a file that others append to too (GitHub's $GITHUB_STEP_SUMMARY)."""
    try:
        with open(path, "a", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise ItsmctlError(f"cannot write the step summary {path}: {exc.strerror or exc}",
                           "check GITHUB_STEP_SUMMARY, or unset it outside GitHub Actions") from exc
