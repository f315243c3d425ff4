"""`itsmctl export backstage|openslo|pagerduty|opsgenie|servicenow`: the catalog for other tools."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from itsmctl.commands.common import emit, format_option, today_option
from itsmctl.reporters.registry import formats, report


@click.group("export")
def command() -> None:
    """Write the catalog in the formats of Backstage, OpenSLO, PagerDuty, Opsgenie, ServiceNow."""


def _options(output_help: str, folder: bool) -> Callable[[Callable[..., Any]], Any]:
    def wrap(func: Callable[..., Any]) -> Any:
        for option in reversed((
            click.argument("path", type=click.Path(exists=True, file_okay=False,
                                                   path_type=Path), default="."),
            click.option("-o", "--output", required=True, help=output_help,
                         type=click.Path(file_okay=not folder, dir_okay=folder,
                                         path_type=Path)),
            click.option("--config", "config_file",
                         type=click.Path(dir_okay=False, path_type=Path),
                         help="Config file (default: .itsmctl.yaml at the catalog root)."),
            format_option(formats("ExportResult")),
            click.option("--report", "report_file",
                         type=click.Path(dir_okay=False, path_type=Path),
                         help="Write the export report to a file instead of stdout."),
            today_option,
            click.pass_context,
        )):
            func = option(func)
        return func
    return wrap


def _finish(ctx: click.Context, result: Any, fmt: str, report_file: Path | None) -> None:
    emit(report(result, fmt), report_file)
    ctx.exit(result.exit_code)


@command.command("backstage")
@_options("Folder for the descriptors (a catalog-info.yaml Location and one file per entity).",
          folder=True)
def backstage(ctx: click.Context, path: Path, output: Path, config_file: Path | None,
              fmt: str, report_file: Path | None, today: date | None) -> None:
    """Write Backstage descriptors for the catalog in PATH: Groups and Users from Teams,
    Components (or Resources) from technical Services, Systems from business Services,
    Domains from the `domain` label. Our other fields travel as itsmctl.io/ annotations, so
    `itsmctl import backstage` gives them back. Exits 1 (writing nothing) when the catalog
    does not validate structurally.
    """
    from itsmctl.interop.backstage_export import export_backstage

    _finish(ctx, export_backstage(path, output, config_file=config_file, today=today), fmt,
            report_file)
