"""`itsmctl metrics`: the KPI metrics a Process may declare, with unit, formula and fields."""

from __future__ import annotations

import click

from itsmctl.commands.common import emit, format_option
from itsmctl.reporters.registry import formats, report


@click.command("metrics")
@click.argument("metric_ids", nargs=-1)
@format_option(formats("MetricListing"), help="text, JSON, or the Markdown table of the docs.")
def command(metric_ids: tuple[str, ...], fmt: str) -> None:
    """List the KPI metrics (or only METRIC_IDS): unit, formula, record fields, statistics.

    `itsmctl measure` computes each from the ticket records named here.
    """
    from itsmctl.errors import ItsmctlError
    from itsmctl.processes.metrics import METRIC_BY_ID, METRICS, MetricListing

    unknown = [m for m in metric_ids if m not in METRIC_BY_ID]
    if unknown:
        raise ItsmctlError(f"unknown metric {unknown[0]!r:.80}",
                           "run `itsmctl metrics` for the ids")
    chosen = tuple(m for m in METRICS if not metric_ids or m.id in metric_ids)
    emit(report(MetricListing(chosen), fmt), None)
