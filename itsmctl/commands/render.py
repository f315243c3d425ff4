"""`itsmctl render`: build the static catalog site, or check a committed one with --check."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from itsmctl.commands.common import (
    cache_option,
    emit,
    format_option,
    open_cache,
    records_measure,
    records_options,
    today_option,
)
from itsmctl.reporters.registry import formats, report


@click.command("render")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the site to (default: settings.site.output, `site`,"
                   " under PATH). It is replaced as a whole, atomically.")
@click.option("--ref", help="Render the catalog as it was at this git ref (no checkout).")
@click.option("--since", help="Add a page of what changed since this git tag or ref.")
@click.option("--pull-requests", "pull_requests",
              type=click.Path(dir_okay=False, path_type=Path),
              help="With --since: a JSON file of merged pull requests (`gh pr list --state merged"
                   " --json number,title,url,author,mergedBy,mergedAt,mergeCommit,headRefOid,"
                   "reviews`);"
                   " changes.html links each change to its pull request, lists reviewers and"
                   " flags missing approvals and commits without a pull request.")
@click.option("--check", "check_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write nothing: compare the site in this folder with what would be"
                   " rendered now; list stale, missing and extra files and exit 1 if any.")
@click.option("--history/--no-history", default=True, show_default=True,
              help="Show each entity's git commits (a committed site needs --no-history).")
@click.option("--history-depth", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="Commits read per entity for its history (what each changed in it, its SLA"
                   " and RACI); 0 lists its file's commits without reading them.")
@click.option("--timestamp", is_flag=True,
              help="Print the build time in the footer (the bytes then differ per build).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: .itsmctl.yaml at the catalog root).")
@click.option("--jobs", "jobs", type=click.IntRange(min=1), metavar="N",
              help="Render the pages in N processes (1: this process only; default: every"
                   " core, at most 8, for a site of 400 pages or more). The bytes are the"
                   " same for any N.")
@records_options(help="Records folder (as for measure): attainment, error budget and KPI"
                      " charts on the service, SLA and process pages.")
@format_option(formats("RenderResult"), help="Format of the summary (and of the --check report).")
@today_option
@cache_option
@click.pass_context
def command(ctx: click.Context, path: Path, output: Path | None, ref: str | None,
            since: str | None, pull_requests: Path | None, check_dir: Path | None,
            history: bool, history_depth: int, timestamp: bool,
            config_file: Path | None, jobs: int | None, records: Path | None,
            assume_tz: str | None, max_bad_rows: int, fmt: str, today: date | None,
            no_cache: bool) -> None:
    """Render the catalog in PATH as a static site for auditors and stakeholders.

    The site works from disk and any static host (relative links, no network). Findings
    do not stop the render: broken entities are flagged on their pages. Exits 0 after a
    render, 1 when --check finds the committed site stale, 2 on a usage problem.

    Pages judge overdue reviews and expired templates as of --today (default: today), and
    the site records that day; --check without --today judges as of the recorded day.
    """
    from itsmctl.runcontext import resolve_context
    from itsmctl.site import check_site, render_site
    from itsmctl.site.build import configured_output

    # one run: the working tree's config and policies read once (at --ref: that ref's are)
    run = resolve_context(path, config_file=config_file, today=today, read_policies=ref is None,
                          cache=open_cache(no_cache))
    options: dict[str, Any] = {"ref": ref, "since": since, "history": history,
                               "pull_requests": pull_requests,
                               "history_depth": history_depth,
                               "timestamp": datetime.now(UTC) if timestamp else None,
                               "records": records_measure(records, assume_tz, max_bad_rows)}
    if check_dir is not None:
        # without --today, dates are judged as of the day the committed site records
        checked = check_site(run, check_dir, **options)
        emit(report(checked, fmt), None)
        ctx.exit(checked.exit_code)
    target = output if output is not None else configured_output(path, run.config)
    with _progress() as progress:
        result = render_site(run, target, progress=progress, workers=jobs, **options)
    emit(report(result, fmt), None)
    ctx.exit(result.exit_code)


class _progress:
    """A click progress bar on a terminal; nothing (no callback) in CI logs and pipes."""

    def __enter__(self) -> Callable[[int, int], None] | None:
        self.bar: Any = None
        if not sys.stderr.isatty():
            return None

        def update(done: int, total: int) -> None:
            if self.bar is None:
                self.bar = click.progressbar(length=total, label="Rendering", file=sys.stderr)
                self.bar.__enter__()
            self.bar.update(done - self.bar.pos)

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
