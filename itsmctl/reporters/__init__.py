"""Reporters turn a ValidationResult into text; the CLI picks one by `--format`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from itsmctl.validate import ValidationResult

FORMATS = ("text", "json", "sarif", "github", "junit")


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    verbose: bool = False


Reporter = Callable[["ValidationResult", ReportOptions], str]


def get_reporter(name: str) -> Reporter:
    """Import only the reporter asked for (start-up time matters in CI)."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    module = importlib.import_module(f"itsmctl.reporters.{name}_report")
    return module.render  # type: ignore[no-any-return]
