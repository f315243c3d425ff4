"""The one error base class: a usage or environment problem the user can fix (exit 2)."""

from __future__ import annotations


class ItsmctlError(Exception):
    """A problem that stops a command before it can report findings.

    Bad *catalog content* is never raised: it becomes a Finding. This is for a missing
    path, an unknown ref, a broken config file: things the user must fix before we can run.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str = "", location: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location else ""
        return f"{prefix}{self.message}"


class ConfigError(ItsmctlError):
    """The repository config or a policy file is invalid."""
