"""`itsmctl check`: the single CI entry point (validate + diff + render --check)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from itsmctl.commands.common import (
    AUTO_FORMAT,
    cache_option,
    color_option,
    emit,
    format_option,
    open_cache,
    records_measure,
    records_options,
    report_output_option,
    resolve_format,
    today_option,
    use_color,
)
from itsmctl.diff.result import DEFAULT_FAIL_ON, FAIL_ON
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.registry import formats, report

CHECK_FORMATS = formats("CheckResult")


@click.command("check")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--base", help="Git ref to compare with: HEAD is compared with the merge base of"
                             " BASE and HEAD, as a pull request shows it (default BASE: the"
                             " default branch).")
@click.option("--exact-base", is_flag=True,
              help="Compare with BASE's tree as it is, not with the merge base.")
@click.option("--fail-on", "fail_on", type=click.Choice(FAIL_ON), multiple=True,
              help="Also fail when the diff meets this (repeatable). Default: new-errors.")
@click.option("--strict", is_flag=True, help="Fail on validation warnings too.")
@format_option(CHECK_FORMATS, default=AUTO_FORMAT, auto=True, help="Report format.")
@report_output_option
@click.option("--sarif", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the findings as SARIF 2.1.0 (for code scanning).")
@click.option("--comment", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the pull-request comment body (Markdown) to this file.")
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Compare this committed site folder with a fresh render (default: the"
                   " config's site folder, when it is committed to git).")
@click.option("--no-site", is_flag=True, help="Do not check the committed site.")
@click.option("--require-approvals", is_flag=True,
              help="Fail until every required party approved the head commit, as the pull"
                   " request's reviews say (GitHub REST API: GITHUB_TOKEN, GITHUB_REPOSITORY,"
                   " GITHUB_EVENT_PATH, GITHUB_API_URL); the checkout must be that commit or"
                   " its merge commit, committed, compared with the pull request's base.")
@records_options
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: .itsmctl.yaml at the catalog root).")
@today_option
@color_option
@cache_option
@click.pass_context
def command(ctx: click.Context, path: Path, base: str | None, exact_base: bool,
            fail_on: tuple[str, ...], strict: bool, fmt: str, output: Path | None,
            sarif: Path | None, comment: Path | None, site_dir: Path | None, no_site: bool,
            require_approvals: bool, records: Path | None, assume_tz: str | None,
            max_bad_rows: int, config_file: Path | None, today: date | None, color: str,
            no_cache: bool) -> None:
    """The CI command: validate PATH, diff it against the base, check its committed site.

    One exit code for all three checks. When
    GITHUB_STEP_SUMMARY is set, a Markdown report is appended to it. Exits 0 when all pass,
    1 on validation errors, a --fail-on threshold met, a stale site or (with
    --require-approvals) a required approval missing, 2 on a usage or environment problem
    (not a git repository, unknown base, shallow clone, GitHub API refused or unreachable,
    with --require-approvals a checkout that is not the reviewed tree, a --records folder
    outside the repository or with more bad rows than --max-bad-rows).
    With --records, the diff re-measures every changed SLA and KPI on those records under
    BASE and HEAD, as `diff --records` does (docs/measure.md).
    """
    from itsmctl.check import SITE_AUTO, SITE_OFF, run_check
    from itsmctl.errors import ItsmctlError
    from itsmctl.github.event import Connection
    from itsmctl.reporters.ci_files import ReportFiles, write_reports

    if site_dir is not None and no_site:
        raise ItsmctlError("--site and --no-site contradict each other", "pass one of them")
    result = run_check(
        path, base=base, fail_on=fail_on or DEFAULT_FAIL_ON,
        site=SITE_OFF if no_site else (site_dir or SITE_AUTO), config_file=config_file,
        today=today, strict=strict, exact_base=exact_base, cache=open_cache(no_cache),
        connect=Connection(os.environ) if require_approvals else None,
        records=records_measure(records, assume_tz, max_bad_rows),
    )
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    write_reports(result, ReportFiles(Path(summary) if summary else None, sarif, comment))
    options = ReportOptions(color=use_color(color, output))
    emit(report(result, resolve_format(fmt), options), output)
    ctx.exit(result.exit_code)

