"""`itsmctl validate`: the main job."""

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
    report_output_option,
    resolve_format,
    today_option,
    use_color,
)
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.registry import formats, report


@click.command("validate")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@format_option(formats("ValidationResult"), auto=True)
@report_output_option
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: .itsmctl.yaml at the catalog root).")
@click.option("-v", "--verbose", is_flag=True, help="Also list findings that waivers suppress.")
@today_option
@color_option
@cache_option
@click.pass_context
def command(ctx: click.Context, path: Path, fmt: str, output: Path | None, strict: bool,
            config_file: Path | None, verbose: bool, today: date | None, color: str,
            no_cache: bool) -> None:
    """Validate the catalog in PATH: YAML, schema, references, governance rules, waivers.

    Exits 0 when clean, 1 when there are errors (or warnings with --strict), 2 on a usage
    or environment problem.
    """
    from itsmctl.runcontext import resolve_context
    from itsmctl.validate import validate

    context = resolve_context(path, config_file=config_file, today=today,
                              label=click.format_filename(path), cache=open_cache(no_cache))
    result = validate(context, strict=strict)
    options = ReportOptions(color=use_color(color, output), verbose=verbose)
    emit(report(result, resolve_format(fmt), options), output)
    ctx.exit(result.exit_code)
