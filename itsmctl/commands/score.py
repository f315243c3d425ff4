"""`itsmctl score`: every service's scorecard level, and what it lacks for the next one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from itsmctl.commands.common import (
    cache_option,
    emit,
    format_option,
    open_cache,
    report_output_option,
    today_option,
)
from itsmctl.reporters.registry import formats, report


@click.command("score")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@format_option(formats("ScoreResult"))
@report_output_option
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: .itsmctl.yaml at the catalog root).")
@today_option
@cache_option
def command(path: Path, fmt: str, output: Path | None, config_file: Path | None,
            today: date | None, no_cache: bool) -> None:
    """Place every service of the catalog in PATH on the config's scorecards.

    A service reaches a level when it passes that level's rules and all lower levels' rules;
    a waived finding does not count as passed. Exits 0, or 2 when no scorecard is configured.
    """
    from itsmctl.policy.score import score
    from itsmctl.runcontext import resolve_context

    result = score(resolve_context(path, config_file=config_file, today=today,
                                   label=click.format_filename(path),
                                   cache=open_cache(no_cache)))
    emit(report(result, fmt), output)
