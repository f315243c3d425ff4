"""The one finding type shared by validate, diff, render and every reporter."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

JsonPath = tuple[str | int, ...]


class Severity(enum.IntEnum):
    """Ordered so that `severity >= threshold` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}; use error, warning or info") from None


def format_path(path: JsonPath) -> str:
    """Render a JSON path the way users write it: spec.targets[0].response."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True, slots=True)
class Waiver:
    """An entity's declared, time-boxed exception to one rule."""

    rule: str
    reason: str
    expires: str
    approver: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """Something wrong (or worth knowing) about the catalog, with where it is.

    `line`/`column` are 1-based and filled in late (see `locate.py`) so that the
    happy path never pays for position bookkeeping.
    """

    rule: str
    severity: Severity
    message: str
    file: str
    line: int | None = None
    column: int | None = None
    path: JsonPath = ()
    hint: str = ""
    entity: str = ""
    doc: int = 0
    waived_by: Waiver | None = field(default=None, compare=False)
    identity: str = ""
    """What makes two findings of the rule the same problem, when that is not where it is
    reported (a dependency cycle: the loop, whichever entry of it the finding sits on)."""
    stands_for: tuple[Finding, ...] = field(default=(), compare=False, repr=False)
    """The findings a counting finding ("150 more ... in this document") stands for, not
    listed (capping.py); empty for every other finding."""

    @property
    def json_path(self) -> str:
        return format_path(self.path)

    @property
    def fingerprint(self) -> str:
        """Stable identity across commits: moves lines, survives edits elsewhere.

        Entity findings are keyed by entity and JSON path, so they survive a file move or
        reformatting. File-level findings (a YAML error) are keyed by file, document and
        path, never by the message: a parser's wording (which names a line or a token) is
        not what makes two findings the same problem. A finding with an `identity` is keyed
        by it alone, so it can be shown on another entry without becoming another finding.
        """
        if self.identity:
            key = "\x1f".join((self.rule, self.identity))
        elif self.entity:
            key = "\x1f".join((self.rule, self.entity, self.json_path))
        else:
            key = "\x1f".join((self.rule, self.file, str(self.doc), self.json_path))
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def at(self, line: int | None, column: int | None) -> Finding:
        return replace(self, line=line, column=column)

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line or 0, self.column or 0, self.rule, self.message)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity.label,
            "message": self.message,
            "hint": self.hint,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.json_path,
            "entity": self.entity,
            "fingerprint": self.fingerprint,
        }
        if self.waived_by is not None:
            w = self.waived_by
            data["waiver"] = {"reason": w.reason, "expires": w.expires, "approver": w.approver}
        return data


def total(findings: Iterable[Finding]) -> int:
    """How many findings a list holds, a counting finding as the findings it stands for."""
    return sum(len(f.stands_for) or 1 for f in findings)


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per severity, a counting finding as the findings it stands for (each at its
    own severity): "250 errors" where 250 were found, though 101 are listed."""
    counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for f in findings:
        for one in f.stands_for or (f,):
            counts[one.severity.label] += 1
    return counts
