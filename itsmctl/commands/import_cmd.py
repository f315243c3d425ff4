"""`itsmctl import backstage|servicenow`: adopt a catalog from where the data already is."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from itsmctl.commands.common import emit, format_option, today_option
from itsmctl.limits import DEFAULT_LIMITS
from itsmctl.reporters.registry import formats, report

if TYPE_CHECKING:
    from itsmctl.interop.result import ImportResult

# an import reads no catalog config (the catalog it writes has none yet, and is validated
# under the defaults): its run's parse limits are the defaults, passed to each core step
IMPORT_LIMITS = DEFAULT_LIMITS

_TARGET = click.option("-o", "--output-dir", "target", required=True,
                       type=click.Path(file_okay=False, path_type=Path),
                       help="Folder to write the new catalog to (created if missing).")
_FORCE = click.option("--force", is_flag=True, help="Overwrite files that already exist.")
_MAPPING = click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        help="YAML file overriding the default mapping tables "
                             "(see docs/interop.md).")


@click.group("import")
def command() -> None:
    """Create a catalog from Backstage descriptors or a ServiceNow CMDB export."""


def _report(result: ImportResult, fmt: str, report_file: Path | None,
            ctx: click.Context) -> None:
    emit(report(result, fmt), report_file)
    ctx.exit(result.exit_code)


@command.command("backstage")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@_TARGET
@_FORCE
@_MAPPING
@format_option(formats("ImportResult"))
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the import report to a file instead of stdout.")
@today_option
@click.pass_context
def backstage(ctx: click.Context, paths: tuple[Path, ...], target: Path, force: bool,
              mapping: Path | None, fmt: str, report_file: Path | None,
              today: date | None) -> None:
    """Import Backstage catalog-info descriptors (files or folders) into a new catalog.

    Groups become Teams (members from Users), Components and Resources technical Services,
    Systems business Services, Domains the `domain` label. Locations are followed to local
    files inside PATHS. Nothing is overwritten without --force; the result is validated
    before it is written. Exits 1 when some input could not be imported.
    """
    from itsmctl.interop.backstage_import import import_backstage
    from itsmctl.interop.mapping import load_mapping

    result = import_backstage(list(paths), target, limits=IMPORT_LIMITS,
                              mapping=load_mapping(mapping, IMPORT_LIMITS), force=force,
                              today=today)
    _report(result, fmt, report_file, ctx)


_CSV = click.Path(exists=True, dir_okay=False, path_type=Path)


@command.command("servicenow")
@click.option("--services", required=True, type=_CSV,
              help="cmdb_ci_service list export (CSV): name, owned_by, support_group, "
                   "busines_criticality, operational_status, used_for, sys_id.")
@click.option("--relations", type=_CSV, help="cmdb_rel_ci list export: parent, child, type.")
@click.option("--groups", type=_CSV, help="sys_user_group list export: name, email.")
@click.option("--members", type=_CSV,
              help="sys_user_grmember list export: group, user (and user.email).")
@_TARGET
@_FORCE
@_MAPPING
@format_option(formats("ImportResult"))
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the import report to a file instead of stdout.")
@today_option
@click.pass_context
def servicenow(ctx: click.Context, services: Path, relations: Path | None,
               groups: Path | None, members: Path | None, target: Path, force: bool,
               mapping: Path | None, fmt: str, report_file: Path | None,
               today: date | None) -> None:
    """Import a ServiceNow CMDB list export (CSV files) into a new catalog.

    Services from cmdb_ci_service (criticality -> tier, operational status -> lifecycle,
    support group -> owner), dependencies from cmdb_rel_ci `Depends on::Used by`, Teams from
    sys_user_group and their members from sys_user_grmember. A missing column or a row that
    names an unknown group is a finding with file:line; the rest still imports.
    """
    from itsmctl.interop.mapping import load_mapping
    from itsmctl.interop.servicenow_import import ServiceNowFiles, import_servicenow

    files = ServiceNowFiles(services, relations, groups, members)
    result = import_servicenow(files, target, limits=IMPORT_LIMITS,
                               mapping=load_mapping(mapping, IMPORT_LIMITS), force=force,
                               today=today)
    _report(result, fmt, report_file, ctx)
