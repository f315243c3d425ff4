"""The changes page (`render --since REF`): the diff engine's result, read as audit evidence.

Nothing here compares catalogs: the field changes, governance readings, approvals and
findings are the `DiffResult` that `itsmctl diff SINCE..REF` reports (see diff/engine.py);
this module only arranges it per entity, with links to the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsmctl.diff.result import Approval, DiffResult, EntityChange
from itsmctl.model import KINDS, Ref
from itsmctl.reporters.diff_text import field_line
from itsmctl.site.context import Link, SiteInput
from itsmctl.site.pagemodel import Page


@dataclass(frozen=True)
class ChangeRow:
    """One changed entity (or config, policy, scorecard) as the changes page shows it."""

    ref: str
    link: Link
    status: str
    renamed_from: str
    impact: str
    fields: tuple[str, ...]
    readings: tuple[tuple[str, str, str], ...]  # impact label, message, change class
    approvers: tuple[str, ...]
    anchor: str


def anchor_of(ref: str) -> str:
    """A fragment id for an entity's section: `change-Service-payments` (names are safe)."""
    return "change-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in ref)


def _link(site: SiteInput, change: EntityChange) -> Link:
    if change.kind not in KINDS:
        return Link(f"{change.kind} {change.name}", None)
    if change.status == "removed":
        return Link(change.ref, None, "removed")
    return site.link_ref(Ref(change.kind, change.name), change.ref)


def change_row(site: SiteInput, change: EntityChange,
               approvals: tuple[Approval, ...]) -> ChangeRow:
    readings = tuple((i.impact.label, i.message, i.change_class)
                     for i in sorted(change.impacts, key=lambda i: -i.impact))
    return ChangeRow(
        ref=change.ref, link=_link(site, change), status=change.status,
        renamed_from=change.renamed_from, impact=change.impact.label,
        fields=tuple(field_line(f) for f in change.fields), readings=readings,
        approvers=tuple(a.party for a in approvals if change.ref in a.entities),
        anchor=anchor_of(change.ref))


def changes_context(site: SiteInput, diff: DiffResult) -> dict[str, Any]:
    """What the changes page shows of one diff."""
    rows = [change_row(site, c, diff.approvals) for c in diff.changes]
    return {
        "diff": diff,
        "rows": rows,
        "approvals": [(a.party, a.reasons, [anchor_of(e) for e in a.entities], a.entities)
                      for a in diff.approvals],
        "new_findings": list(diff.new_findings),
        "fixed_findings": list(diff.fixed_findings),
    }


def changes_page(site: SiteInput) -> Page | None:
    if site.changes is None:
        return None
    changes = site.changes
    context: dict[str, Any] = {
        "changes": changes,
        "added": [site.link_ref(r, str(r)) for r in changes.added],
        "removed": [str(r) for r in changes.removed],
        "modified": [site.link_ref(r, str(r)) for r in changes.modified],
        "diff": None, "rows": [], "approvals": [], "new_findings": [], "fixed_findings": [],
    }
    if changes.diff is not None:
        context |= changes_context(site, changes.diff)
    return Page("changes.html", "changes.html", f"Changes since {changes.since}", "Changes",
                context)
