"""Evidence on a service (`spec.evidence`): what was done, when, where it is, who signed it.

Security sign-offs, load tests, DR tests and readiness reviews are the facts lifecycle gates
and the security-review rule judge; this is the one reader of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from itsmctl.durations import parse_date
from itsmctl.findings import JsonPath
from itsmctl.model import Entity, list_of_dicts

FIELD = ("spec", "evidence")


@dataclass(frozen=True, slots=True)
class Evidence:
    index: int
    name: str
    date: dt.date
    ref: str
    approver: str

    @property
    def path(self) -> JsonPath:
        return (*FIELD, self.index)

    def age(self, today: dt.date) -> int:
        """Days since the evidence was dated (negative when dated in the future)."""
        return (today - self.date).days


def evidence_of(service: Entity) -> list[Evidence]:
    """Readable entries in the order written; malformed ones are the schema's findings."""
    out = []
    for index, item in list_of_dicts(service.get(*FIELD)):
        name, when = item.get("name"), parse_date(item.get("date"))
        if isinstance(name, str) and when is not None:
            out.append(Evidence(index, name, when, str(item.get("ref", "")),
                                str(item.get("approver", ""))))
    return out


def latest(service: Entity, names: tuple[str, ...]) -> Evidence | None:
    """The most recent entry with one of `names` (the last written on a tie)."""
    found = [e for e in evidence_of(service) if e.name in names]
    return max(found, key=lambda e: (e.date, e.index)) if found else None
