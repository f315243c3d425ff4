"""`itsmctl metrics` output: the metrics table as text, JSON (for measure and other tools), or
the Markdown table of docs/processes.md."""

from __future__ import annotations

from itsmctl.processes.metrics import Metric, MetricListing
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.envelope import dump_json


def _scale(metric: Metric) -> str:
    if metric.scale is None:
        return ""
    low, high = (f"{v:g}" for v in metric.scale)
    return f"{low}..{high}"


def render_text(listing: MetricListing, options: ReportOptions) -> str:
    out = []
    for metric in listing.metrics:
        scale = f", scale {_scale(metric)}" if metric.scale else ""
        out.append(f"{metric.id}  [{metric.unit}{scale}, {metric.better} is better]")
        out.append(f"    {metric.title}")
        out.append(f"    formula: {metric.formula}")
        out.append(f"    records: {', '.join(metric.records)}; fields: {', '.join(metric.fields)}")
        out.append(f"    statistics: {', '.join(metric.statistics)}; period by: {metric.stop}")
        out.append("")
    return "\n".join(out)


def render_json(listing: MetricListing, options: ReportOptions) -> str:
    """A list of metrics (a listing, like `rules -f json`: no envelope)."""
    return dump_json([{
        "id": m.id, "title": m.title, "unit": m.unit, "formula": m.formula,
        "records": list(m.records), "fields": list(m.fields), "statistics": list(m.statistics),
        "better": m.better, "periodBy": m.stop,
        "scale": list(m.scale) if m.scale is not None else None,
    } for m in listing.metrics])


def render_markdown(listing: MetricListing, options: ReportOptions) -> str:
    out = ["| metric | unit | formula | record types | fields | statistics | better |",
           "|---|---|---|---|---|---|---|"]
    for m in listing.metrics:
        unit = f"{m.unit} ({_scale(m)})" if m.scale else m.unit
        formula = m.formula.replace("|", "\\|")
        out.append(f"| `{m.id}` {m.title} | {unit} | {formula} | {', '.join(m.records)} |"
                   f" {', '.join(f'`{f}`' for f in m.fields)} | {', '.join(m.statistics)} |"
                   f" {m.better} |")
    return "\n".join(out) + "\n"
