"""`itsmctl measure`: the catalog's promises against operational records (docs/measure.md)."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path
from typing import IO

import click

from itsmctl.commands.common import DateType, emit, format_option, report_output_option
from itsmctl.reporters.registry import formats, report


@click.command("measure")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--records", "records", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder with tickets.csv (or .jsonl), events.csv, outages.csv, mapping.yaml.")
@click.option("--from", "date_from", type=DateType(),
              help="First day measured (in each SLA's measurement time zone).")
@click.option("--to", "date_to", type=DateType(), help="Last day measured (inclusive).")
@format_option(formats("MeasureResult"))
@report_output_option
@click.option("--per-ticket", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write one CSV row per ticket and SLA (business minutes, breaches).")
@click.option("--assume-tz", metavar="ZONE",
              help="Zone of timestamps written without a UTC offset (refused otherwise).")
@click.option("--max-bad-rows", type=click.IntRange(min=0), default=0, show_default=True,
              help="Unreadable rows tolerated (reported as findings) before the run fails.")
@click.option("--jobs", "jobs", type=click.IntRange(min=1), metavar="N",
              help="Count in N processes, tickets split by id (1: this process only;"
                   " default: every core, at most 8, for a tickets file of 8 MB or more)."
                   " The result is the same for any N.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: .itsmctl.yaml at the catalog root).")
@click.pass_context
def command(ctx: click.Context, path: Path, records: Path, date_from: date | None,
            date_to: date | None, fmt: str, output: Path | None, per_ticket: Path | None,
            assume_tz: str | None, max_bad_rows: int, jobs: int | None,
            config_file: Path | None) -> None:
    """Measure the SLAs and KPIs of the catalog in PATH against the records in --records.

    Exits 0 when every promise was kept, 1 when an error-level finding was reported (an
    availability or declared attainment target missed, a duplicate ticket id), 2 when the
    records cannot be read (more unreadable rows than --max-bad-rows): nothing is written then.
    """
    from itsmctl.atomic import atomic_text_writer
    from itsmctl.measure.run import MeasureOptions, check_records, measure_path
    from itsmctl.runcontext import resolve_context

    if date_from and date_to and date_to < date_from:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    options = MeasureOptions(records, assume_tz, date_from, date_to, max_bad_rows,
                             click.format_filename(records), jobs)
    with contextlib.ExitStack() as stack:
        sink: IO[str] | None = None
        if per_ticket is not None:
            sink = stack.enter_context(atomic_text_writer(per_ticket))
        check_records(options)  # a missing records folder is said before the config is read
        run = resolve_context(path, config_file=config_file, label=click.format_filename(path),
                              read_policies=False)
        result = measure_path(run, options, sink)
        text = report(result, fmt)
    emit(text, output)
    ctx.exit(result.exit_code)
