"""The records a diff produces: entity changes, governance impacts, approvals, findings."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from itsmctl.findings import Finding
from itsmctl.visible import clip, visible

if TYPE_CHECKING:
    from itsmctl.catalog import Catalog
    from itsmctl.limits import Limits

FAIL_ON = ("new-errors", "new-warnings", "breaking", "approval-required", "none")
DEFAULT_FAIL_ON = ("new-errors",)  # diff and check, when no --fail-on is given


class Impact(enum.IntEnum):
    """How much governance a change needs; ordered so `impact >= threshold` reads naturally."""

    INFO = 1
    REVIEW = 2
    APPROVAL_REQUIRED = 3
    BREAKING = 4

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")

    @classmethod
    def parse(cls, text: str) -> Impact:
        return cls[text.upper().replace("-", "_")]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One value that differs; `path` names list items by identity:
    `spec.targets[P1].resolution`."""

    path: str
    op: str  # added | removed | changed | reordered
    before: Any = None
    after: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "op": self.op, "before": self.before, "after": self.after}

    def line(self) -> str:
        """The change on one line, as every output shows it (text, Markdown, the site)."""
        before, after = shown_value(self.before), shown_value(self.after)
        if self.op == "changed":
            return f"{self.path}: {before} -> {after}"
        if self.op == "added":
            return f"{self.path}: added {after}"
        if self.op == "removed":
            return f"{self.path}: removed (was {before})"
        return f"{self.path}: reordered {before} -> {after}"


FIELD_LIMIT = 200  # characters of a value shown in a field line; the rest is counted


def shown_value(data: Any) -> str:
    """A value on one line: scalars as written, structures as compact JSON; clipped, with
    hidden characters shown (a 100 kB value changed must not print 100 kB per line)."""
    if isinstance(data, (dict, list)):
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = "(none)" if data is None else str(data)[:FIELD_LIMIT + 1]
    return visible(clip(text, FIELD_LIMIT))


@dataclass(frozen=True, slots=True)
class EvidenceNote:
    """Evidence a lifecycle gate relies on, as HEAD has it: `date` empty when missing."""

    name: str
    date: str = ""
    age: int = 0  # days on the run's day (negative: dated in the future)
    approver: str = ""
    ref: str = ""

    def describe(self) -> str:
        if not self.date:
            return f"{self.name} missing"
        age = ("dated in the future" if self.age < 0 else "today" if self.age == 0
               else "1 day old" if self.age == 1 else f"{self.age} days old")
        return f"{self.name} of {self.date} ({age}, approved by {self.approver})"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "date": self.date or None,
                "ageDays": self.age if self.date else None,
                "approver": self.approver or None, "ref": self.ref or None}


@dataclass(frozen=True, slots=True)
class Classified:
    """A governance reading of one change: its class (see classes.py), impact and wording."""

    change_class: str
    impact: Impact
    message: str
    entity: str
    paths: tuple[str, ...] = ()
    line: int = 0  # HEAD line of the first path's field (diff/lines.py); 0: the entity's line
    evidence: tuple[EvidenceNote, ...] = ()  # what a lifecycle gate relies on (diff/gates.py)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "class": self.change_class, "impact": self.impact.label, "message": self.message,
            "entity": self.entity, "paths": list(self.paths), "line": self.line or None}
        if self.evidence:
            out["evidence"] = [e.to_dict() for e in self.evidence]
        return out


@dataclass(frozen=True, slots=True)
class EntityChange:
    """An entity added, removed, modified or renamed between BASE and HEAD."""

    kind: str
    name: str
    status: str  # added | removed | modified | renamed
    file: str
    line: int = 0
    base_file: str = ""
    renamed_from: str = ""
    fields: tuple[FieldChange, ...] = ()
    impacts: tuple[Classified, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def impact(self) -> Impact:
        return max((i.impact for i in self.impacts), default=Impact.INFO)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "name": self.name, "ref": self.ref, "status": self.status,
            "file": self.file, "line": self.line, "baseFile": self.base_file,
            "renamedFrom": self.renamed_from,
            "impact": self.impact.label, "fields": [f.to_dict() for f in self.fields],
            "impacts": [i.to_dict() for i in self.impacts],
        }


@dataclass(frozen=True, slots=True)
class Approval:
    """A party whose approval the change needs, every reason why, and (once the pull
    request's reviews were read, see `with_reviews`) who approved for it."""

    party: str
    reasons: tuple[str, ...]
    entities: tuple[str, ...]
    approved_by: tuple[str, ...] = ()  # e.g. GitHub logins whose approval counts for the party

    @property
    def approved(self) -> bool:
        return bool(self.approved_by)

    def to_dict(self) -> dict[str, Any]:
        return {"party": self.party, "reasons": list(self.reasons), "entities": list(self.entities),
                "approved": self.approved, "approvedBy": list(self.approved_by)}


@dataclass(frozen=True, slots=True)
class RecordsCheck:
    """`diff --records`: which records the changed SLAs and KPIs were re-measured on
    (diff/records.py)."""

    label: str
    tickets: int | None  # None: nothing to re-measure, the records were not read
    slas: tuple[str, ...]  # the SLAs measured under BASE and HEAD
    as_of: str | None  # the records' newest instant, ISO 8601 UTC
    processes: tuple[str, ...] = ()  # the processes whose KPIs were measured

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.label, "tickets": self.tickets, "slas": list(self.slas),
                "processes": list(self.processes), "asOf": self.as_of}

    def describe(self) -> str:
        """`examples/records: 700 tickets as of 2026-11-30T...Z; measured under BASE and HEAD:
        SLA checkout-sla`: one line for every report format."""
        if self.tickets is None:
            return f"{self.label}: no SLA or KPI change to measure, the records were not read"
        names = ", ".join([f"SLA {n}" for n in self.slas]
                          + [f"Process {n}" for n in self.processes])
        return (f"{self.label}: {self.tickets} tickets as of {self.as_of or '-'};"
                f" measured under BASE and HEAD: {names}")


@dataclass(frozen=True)
class DiffResult:
    """Everything `itsmctl diff` (and `itsmctl check`) reports about BASE..HEAD."""

    base: str
    head: str
    base_sha: str
    head_sha: str  # "" for the working tree
    changes: tuple[EntityChange, ...]
    approvals: tuple[Approval, ...]
    new_findings: tuple[Finding, ...]
    existing_findings: tuple[Finding, ...]
    fixed_findings: tuple[Finding, ...]
    fail_on: tuple[str, ...]
    files_changed: tuple[str, ...] = ()
    files_parsed: int = 0  # files parsed in this run (a file identical on both sides: once)
    reasons: tuple[str, ...] = field(default=())  # which --fail-on thresholds were met
    approvals_checked: bool = False  # the pull request's reviews were read (`with_reviews`)
    records: RecordsCheck | None = None  # `--records`: the changed SLAs re-measured
    # BASE as the diff loaded it and who holds each role there: the approval check reads
    # them (check --require-approvals), without listing and loading BASE again
    base_catalog: Catalog | None = field(default=None, compare=False, repr=False)
    base_roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False,
                                                      repr=False)
    # the parse limits HEAD was read under: per limit the lower of BASE's and HEAD's
    head_limits: Limits | None = field(default=None, compare=False, repr=False)

    @property
    def impacts(self) -> tuple[Classified, ...]:
        return tuple(i for c in self.changes for i in c.impacts)

    @property
    def impact(self) -> Impact | None:
        return max((c.impact for c in self.changes), default=None)

    def count(self, impact: Impact) -> int:
        return sum(1 for i in self.impacts if i.impact == impact)

    @property
    def failed(self) -> bool:
        return bool(self.reasons)

    @property
    def outstanding(self) -> tuple[Approval, ...]:
        """Required approvals nobody has given (all of them while reviews were not read)."""
        return tuple(a for a in self.approvals if not a.approved)

    @property
    def approval_status(self) -> str:
        """`none-required`, `outstanding` (some party has not approved, or the reviews were
        not read), or `approved` (every required party approved, as the reviews say)."""
        if not self.approvals:
            return "none-required"
        return "outstanding" if self.outstanding else "approved"

    @property
    def exit_code(self) -> int:
        return 1 if self.reasons else 0


def with_reviews(result: DiffResult, approved: Mapping[str, Iterable[str]]) -> DiffResult:
    """The result with the reviews of its pull request: `approved` maps a required party to
    who approved for it (a party missing from it has not approved)."""
    approvals = tuple(replace(a, approved_by=tuple(sorted(set(approved.get(a.party, ())))))
                      for a in result.approvals)
    return replace(result, approvals=approvals, approvals_checked=True)
