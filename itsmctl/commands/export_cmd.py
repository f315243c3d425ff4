"""`itsmctl export backstage|openslo|pagerduty|opsgenie|servicenow`: the catalog for other tools."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from itsmctl.commands.common import emit, format_option, today_option
from itsmctl.reporters.registry import formats, report

if TYPE_CHECKING:
    from itsmctl.interop.result import ExportResult
    from itsmctl.runcontext import RunContext


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


def _run(ctx: click.Context, export: Callable[[RunContext, Path], ExportResult], path: Path,
         output: Path, config_file: Path | None, today: date | None, fmt: str,
         report_file: Path | None) -> None:
    """Resolve the run once (config, policies, today) and export its catalog."""
    from itsmctl.runcontext import resolve_context

    result = export(resolve_context(path, config_file=config_file, today=today), output)
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

    _run(ctx, export_backstage, path, output, config_file, today, fmt, report_file)


def _one(name: str, module: str, function: str, output_help: str, folder: bool,
         doc: str) -> None:
    @command.command(name, help=doc)
    @_options(output_help, folder=folder)
    def run(ctx: click.Context, path: Path, output: Path, config_file: Path | None,
            fmt: str, report_file: Path | None, today: date | None) -> None:
        import importlib

        export = getattr(importlib.import_module(f"itsmctl.interop.{module}"), function)
        _run(ctx, export, path, output, config_file, today, fmt, report_file)


_one("openslo", "openslo_export", "export_openslo",
     "Folder for the OpenSLO documents (services/ and slos/).", True,
     """Write an OpenSLO v1 SLO per SLA of the catalog in PATH (and a Service per service
     with an SLA): the availability objective as a Timeslices SLO over a calendar-aligned
     window of the measurement period in its time zone; the business calendar, ticket
     targets and credits as itsmctl.io/ annotations.""")
_one("pagerduty", "pagerduty_export", "export_pagerduty",
     "Terraform JSON file to write, e.g. pagerduty.tf.json.", False,
     """Write Terraform JSON for PagerDuty: a team and an escalation policy per Team with an
     on-call chain (our cumulative `after` becomes PagerDuty's per-rule delay), a service
     per Service whose owner has one; services with pagerduty.com/service-id are imported,
     not created.""")
_one("opsgenie", "opsgenie_export", "export_opsgenie",
     "Terraform JSON file to write, e.g. opsgenie.tf.json.", False,
     """Write Terraform JSON for Opsgenie: a team per Team (with members), an escalation per
     on-call chain (delays count from the alert's creation, as ours do) and a service per
     owned Service.""")
_one("servicenow", "servicenow_export", "export_servicenow",
     "JSON file to write, e.g. cmdb-payload.json.", False,
     """Write a payload for ServiceNow's Identification and Reconciliation Engine: a CSDM
     business or technical service CI per Service (criticality from the tier, operational
     status from the lifecycle, support group from the owner) and a `Depends on::Used by`
     relation per dependency.""")
