"""The one reporter table: (result type, format) -> the function that renders it.

Every command picks its reporter here, and its `--format` choices come from here too. A new
command registers its formats with one line each in `REPORTERS`, naming the result class and
`module:function`; the function takes `(result, ReportOptions)` and returns the text. Modules
are imported only when their format is asked for (start-up time matters in CI).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from itsmctl.reporters import ReportOptions

Reporter = Callable[[Any, ReportOptions], str]

_R = "itsmctl.reporters."
REPORTERS: dict[tuple[str, str], str] = {
    ("ValidationResult", "text"): _R + "text_report:render",
    ("ValidationResult", "json"): _R + "json_report:render",
    ("ValidationResult", "sarif"): _R + "sarif_report:render",
    ("ValidationResult", "github"): _R + "github_report:render",
    ("ValidationResult", "junit"): _R + "junit_report:render",
    ("DiffResult", "text"): _R + "diff_text:render",
    ("DiffResult", "markdown"): _R + "diff_markdown:render",
    ("DiffResult", "json"): _R + "diff_json:render",
    ("DiffResult", "github"): _R + "diff_github:render",
    ("CheckResult", "text"): _R + "check_report:render_text",
    ("CheckResult", "json"): _R + "check_report:render_json",
    ("CheckResult", "github"): _R + "check_report:render_github",
    ("ScoreResult", "text"): _R + "score_report:render_text",
    ("ScoreResult", "json"): _R + "score_report:render_json",
    ("ScoreResult", "markdown"): _R + "score_report:render_markdown",
    ("RuleListing", "text"): _R + "rules_report:render_text",
    ("RuleListing", "json"): _R + "rules_report:render_json",
    ("RuleListing", "markdown"): _R + "rules_report:render_markdown",
    ("MetricListing", "text"): _R + "metrics_report:render_text",
    ("MetricListing", "json"): _R + "metrics_report:render_json",
    ("MetricListing", "markdown"): _R + "metrics_report:render_markdown",
    ("RenderResult", "text"): _R + "render_report:render_text",
    ("RenderResult", "json"): _R + "render_report:render_json",
    ("SiteCheckResult", "text"): _R + "render_report:check_text",
    ("SiteCheckResult", "json"): _R + "render_report:check_json",
    ("CacheInfo", "text"): _R + "cache_report:render_text",
    ("CacheInfo", "json"): _R + "cache_report:render_json",
    ("MeasureResult", "text"): _R + "measure_review:render_text",
    ("MeasureResult", "json"): _R + "measure_json:render",
    ("MeasureResult", "markdown"): _R + "measure_review:render_markdown",
    ("MeasureResult", "csv"): _R + "measure_csv:render",
    ("ImportResult", "text"): _R + "interop_report:import_text",
    ("ImportResult", "json"): _R + "interop_report:import_json",
    ("ExportResult", "text"): _R + "interop_report:export_text",
    ("ExportResult", "json"): _R + "interop_report:export_json",
}


def formats(result_type: str) -> tuple[str, ...]:
    """The formats registered for a result type, in table order (a command's --format)."""
    return tuple(fmt for kind, fmt in REPORTERS if kind == result_type)


def get_reporter(result_type: str, fmt: str) -> Reporter:
    """The reporter for `fmt` of `result_type`, importing only its module."""
    target = REPORTERS.get((result_type, fmt))
    if target is None:
        raise ValueError(f"no {fmt!r} reporter for {result_type}")
    module, _, name = target.partition(":")
    function: Reporter = getattr(importlib.import_module(module), name)
    return function


def report(result: object, fmt: str, options: ReportOptions | None = None) -> str:
    """Render `result` in `fmt`: the reporter is chosen by the result's own type."""
    return get_reporter(type(result).__name__, fmt)(result, options or ReportOptions())
