"""`itsmctl diff`: what a pull request changes in the catalog, and what it means for governance."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from itsmctl.commands.common import (
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


@click.command("diff")
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option("-C", "--repo", "repo", type=click.Path(file_okay=False, path_type=Path),
              default=".", show_default=True, help="A folder inside the git repository.")
@click.option("--catalog", "catalog", type=click.Path(file_okay=False, path_type=Path),
              help="The catalog folder inside the repository (default: --repo).")
@format_option(formats("DiffResult"), auto=True,
               help="Report format (markdown: a pull-request comment).")
@report_output_option
@click.option("--fail-on", "fail_on", type=click.Choice(FAIL_ON), multiple=True,
              help="Exit 1 when this is met (repeatable). Default: new-errors.")
@click.option("--exact-base", is_flag=True,
              help="Compare with BASE's tree as it is, not with the merge base (as BASE..HEAD).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file for both sides (default: each side's own .itsmctl.yaml).")
@click.option("-v", "--verbose", is_flag=True, help="Also list findings that were already there.")
@records_options
@today_option
@color_option
@cache_option
@click.pass_context
def command(ctx: click.Context, base: str | None, head: str | None, repo: Path,
            catalog: Path | None, fmt: str, output: Path | None, fail_on: tuple[str, ...],
            exact_base: bool, config_file: Path | None, verbose: bool, records: Path | None,
            assume_tz: str | None, max_bad_rows: int, today: date | None,
            color: str, no_cache: bool) -> None:
    """Compare the catalog at BASE and HEAD, entity by entity, and say what it means.

    HEAD is compared with the merge base of BASE and HEAD, as a pull request shows it
    (`git diff BASE...HEAD`); `BASE..HEAD` or --exact-base compares BASE's tree as it is.
    BASE defaults to the default branch (origin/HEAD, else settings.defaultBranch as
    committed on main or master, else that branch); HEAD defaults to the working tree.
    Nothing is checked out. With --records, every SLA whose measured promise changes is
    measured on those records as BASE and as HEAD declare it (docs/measure.md).
    Exits 0 when no --fail-on threshold is met, 1 when one is, 2 on a usage or environment
    problem (unknown ref, not a git repository, shallow clone without the base).
    """
    from itsmctl.diff import diff_refs
    from itsmctl.runcontext import resolve_context

    root = catalog if catalog is not None else repo
    # without --config, each side of the diff reads its own config file
    run = resolve_context(root, config_file=config_file, today=today, read_config=False,
                          read_policies=False, cache=open_cache(no_cache))
    result = diff_refs(repo, base, head, catalog_root=root,
                       config=run.given_config, today=run.today,
                       fail_on=fail_on or DEFAULT_FAIL_ON, exact_base=exact_base, memo=run.memo,
                       records=records_measure(records, assume_tz, max_bad_rows))
    fmt = resolve_format(fmt)
    options = ReportOptions(color=use_color(color, output) and fmt == "text", verbose=verbose)
    emit(report(result, fmt, options), output)
    ctx.exit(result.exit_code)
