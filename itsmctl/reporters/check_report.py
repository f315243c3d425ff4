"""`itsmctl check` reports: text, JSON, GitHub annotations, and Markdown (summary, comment).

Each part is rendered by the reporter of the command it comes from (validate, diff,
render --check); this module only puts them together and adds the verdict.
"""

from __future__ import annotations

from typing import Any

from itsmctl.check import CheckResult
from itsmctl.findings import total
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.diff_markdown import COMMENT_LIMIT, capped, cell, code
from itsmctl.reporters.diff_markdown import MARKER as DIFF_MARKER
from itsmctl.reporters.envelope import envelope, json_document
from itsmctl.reporters.text_report import summary_line
from itsmctl.reporters.wording import (
    approval_words,
    display_path,
    site_advice,
    site_out_of_date,
    verdict_words,
)

MARKER = "<!-- itsmctl-check -->"
SUMMARY_LIMIT = 900_000  # GitHub refuses step summaries over 1 MiB
FINDINGS_SHOWN = 50


def verdict(result: CheckResult) -> str:
    waiting = approval_words(result.diff)
    if result.failed:
        return f"FAIL ({'; '.join(result.failures)})"
    return "OK" + (f" ({waiting})" if waiting else "")


def site_line(result: CheckResult) -> str:
    site = result.site
    if site is None:
        return f"site: {result.site_note}"
    if site.ok:
        return f"site: {display_path(site.site_dir)} is up to date ({site.checked} files)"
    return f"site: {site_out_of_date(site)}; {site_advice(result.root, site)}"


def render_text(result: CheckResult, options: ReportOptions) -> str:
    from itsmctl.reporters.diff_text import render as diff_text
    from itsmctl.reporters.text_report import render as validate_text

    approvals = ""
    if result.approvals is not None:
        from itsmctl.reporters.approvals_report import text_lines

        approvals = "\n".join(text_lines(result.approvals)) + "\n"
    return (validate_text(result.validation, options) + "\n" + diff_text(result.diff, options)
            + "\n" + site_line(result) + "\n" + approvals + "\n"
            + f"itsmctl check: {verdict(result)}\n")


def as_dict(result: CheckResult) -> dict[str, Any]:
    from itsmctl.reporters.diff_json import as_dict as diff_dict
    from itsmctl.reporters.json_report import as_dict as validate_dict

    site = (result.site.to_dict() if result.site is not None
            else {"checked": False, "note": result.site_note})
    return envelope({
        "root": result.root,
        "failed": result.failed,
        "exitCode": result.exit_code,
        "failures": list(result.failures),
        "validate": validate_dict(result.validation),
        "diff": diff_dict(result.diff),
        "site": site,
        "approvals": result.approvals.to_dict() if result.approvals is not None else None,
    })


def render_json(result: CheckResult, options: ReportOptions) -> str:
    return json_document(as_dict(result))


def render_github(result: CheckResult, options: ReportOptions) -> str:
    """Annotations for the findings (validate) and the governance impacts (diff)."""
    from itsmctl.reporters.diff_github import change_lines, records_lines
    from itsmctl.reporters.diff_text import summary
    from itsmctl.reporters.github_report import Budget, escape_data, finding_lines

    budget = Budget()  # one step: findings and change annotations share GitHub's 10 per level
    lines = finding_lines(result.validation, budget) + change_lines(result.diff, budget)
    lines += records_lines(result.diff)
    lines += budget.note("findings and changes")
    lines.append(f"itsmctl diff: {summary(result.diff)}")
    if result.site is not None and not result.site.ok:
        lines.append(f"::error title=itsmctl site::{escape_data(site_line(result))}")
    else:
        lines.append(f"itsmctl {escape_data(site_line(result))}")
    lines.append(f"itsmctl check: {escape_data(verdict(result))}")
    return "\n".join(lines) + "\n"


def _findings_table(result: CheckResult) -> list[str]:
    findings = result.validation.findings
    if not findings:
        return []
    out = ["", f"<details><summary>Validation findings ({total(findings)})</summary>", "",
           "| Severity | Where | Rule | Message |", "|---|---|---|---|"]
    shown = findings[:FINDINGS_SHOWN]
    for f in shown:
        hint = f"<br><em>hint: {cell(f.hint)}</em>" if f.hint else ""
        out.append(f"| {f.severity.label} | {code(f'{f.file}:{f.line or 0}')} | {code(f.rule)} |"
                   f" {cell(f.message)}{hint} |")
    if len(findings) > FINDINGS_SHOWN:  # findings, as the title counts them, not rows
        out += ["", f"{total(findings) - total(shown)} more: run `itsmctl validate` to see all."]
    return out + ["", "</details>"]


def render_markdown(result: CheckResult) -> str:
    """The step summary: verdict, one row per check, findings, then the diff report."""
    from itsmctl.reporters.diff_markdown import render as diff_markdown
    from itsmctl.reporters.diff_text import summary

    out = [f"## itsmctl check {cell(verdict_words(result.blocking, result.diff))}", ""]
    out += [f"- {cell(reason)}" for reason in result.blocking]
    if result.approvals is not None:
        from itsmctl.reporters.approvals_report import markdown_lines

        out += markdown_lines(result.approvals)[1:] + [""]
    out += ["" if result.blocking else _clean_words(result), "",
            "| Check | Result |", "|---|---|",
            f"| Validate {code(result.root)} | {cell(summary_line(result.validation))} |",
            f"| Diff against {code(result.diff.base)} | {cell(summary(result.diff))} |",
            f"| Site | {cell(site_line(result).removeprefix('site: '))} |"]
    out += _findings_table(result)
    diff = diff_markdown(result.diff, ReportOptions()).removeprefix(DIFF_MARKER + "\n")
    return "\n".join(out) + "\n\n" + diff


def _clean_words(result: CheckResult) -> str:
    """The line under a headline without failures: it says "passed" only when it is true."""
    status = result.diff.approval_status
    if status == "outstanding":
        return ("Validation, diff and site checks found nothing to fix; the approvals below"
                " are outstanding.")
    if status == "approved":
        return "Validation, diff and site checks passed, and every required party approved."
    return "Validation, diff and site checks passed."


def summary_markdown(result: CheckResult) -> str:
    """The step summary (GitHub takes at most 1 MiB per step)."""
    return capped(render_markdown(result), "run `itsmctl check` locally for all of it",
                  SUMMARY_LIMIT)


def comment_body(result: CheckResult) -> str:
    """The pull-request comment: the summary behind a marker a bot finds to update it."""
    return capped(f"{MARKER}\n{render_markdown(result)}",
                  "the workflow run's summary has all of it", COMMENT_LIMIT)
