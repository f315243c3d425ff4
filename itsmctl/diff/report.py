"""Pick a diff reporter by `--format`; each lives in itsmctl/reporters/diff_<format>.py."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from itsmctl.diff.result import DiffResult, EntityChange
from itsmctl.reporters import ReportOptions

DIFF_FORMATS = ("text", "markdown", "json", "github")
DiffReporter = Callable[[DiffResult, ReportOptions], str]


def get_diff_reporter(name: str) -> DiffReporter:
    if name not in DIFF_FORMATS:
        raise ValueError(f"unknown diff format {name!r}")
    module = importlib.import_module(f"itsmctl.reporters.diff_{name}")
    return module.render  # type: ignore[no-any-return]


def short(sha: str) -> str:
    return sha[:12] if sha else "working tree"


def headline(change: EntityChange) -> str:
    """The most important reading of a change, for summary tables."""
    top = max(change.impacts, key=lambda i: i.impact, default=None)
    if top is None:
        return f"{len(change.fields)} field(s) changed"
    more = len(change.impacts) - 1
    return top.message + (f" (+{more} more)" if more > 0 else "")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
