"""Reporters turn a result object into text: the leaf layer under every command.

One table (`registry.py`) picks the reporter by (result type, format); every command asks it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    verbose: bool = False
