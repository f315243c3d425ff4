"""The changes page (`render --since REF`): the diff engine's result, read as audit evidence.

Nothing here compares catalogs: the field changes, governance readings, approvals and
findings are the `DiffResult` that `itsmctl diff SINCE..REF` reports (see diff/engine.py);
this module only arranges it per entity, with links to the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsmctl.diff.result import Approval, DiffResult, EntityChange
from itsmctl.findings import total
from itsmctl.model import KINDS, Ref
from itsmctl.site.context import SiteInput
from itsmctl.site.pagemodel import Page
from itsmctl.site.paths import Link
from itsmctl.site.people import Holders, owner_of
from itsmctl.site.pullrequests import ApprovalEvidence, PullRequestEvidence


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
    pulls: tuple[tuple[int, str], ...] = ()  # pull request number, its anchor on this page


def anchor_of(ref: str) -> str:
    """A fragment id for an entity's section: `change-Service-payments` (names are safe)."""
    return "change-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in ref)


def _link(site: SiteInput, change: EntityChange) -> Link:
    if change.kind not in KINDS:
        return Link(f"{change.kind} {change.name}", None)
    if change.status == "removed":
        return Link(change.ref, None, "removed")
    return site.link_ref(Ref(change.kind, change.name), change.ref)


def change_row(site: SiteInput, change: EntityChange, approvals: tuple[Approval, ...],
               evidence: ApprovalEvidence | None = None) -> ChangeRow:
    readings = tuple((i.impact.label, i.message, i.change_class)
                     for i in sorted(change.impacts, key=lambda i: -i.impact))
    return ChangeRow(
        ref=change.ref, link=_link(site, change), status=change.status,
        renamed_from=change.renamed_from, impact=change.impact.label,
        fields=tuple(f.line() for f in change.fields), readings=readings,
        approvers=tuple(a.party for a in approvals if change.ref in a.entities),
        anchor=anchor_of(change.ref),
        pulls=tuple((p.record.number, f"pr-{p.record.number}")
                    for p in (evidence.pulls_of(change.ref) if evidence else ())))


def holders_of(site: SiteInput, approval: Approval) -> list[Holders]:
    """Who holds an approving party, resolved at BASE (SINCE) as the approval check resolves
    it: BASE's roles mapping, Teams, members and service owners (HEAD's owner only for an
    entity the change adds), so the page does not name holders the change itself appointed
    or made match."""
    changes = site.changes
    if changes is not None and changes.base_catalog is not None:
        from itsmctl.github.approvals import owners_of
        from itsmctl.members import MemberIndex

        base = changes.base_catalog
        teams = {t.name for t in base.of_kind("Team")}
        members = MemberIndex.of(base)
        return list(dict.fromkeys(
            site.directory.holders_at(approval.party, changes.base_roles, teams, owner,
                                      members)
            for owner in owners_of(approval, base, site.catalog)))
    return head_holders(site, approval)


def head_holders(site: SiteInput, approval: Approval) -> list[Holders]:
    """Who holds an approving party at the rendered commit (no BASE known)."""
    from itsmctl.diff.approvals import served_by

    owners: list[str | None] = []
    for text in approval.entities:
        kind, _, name = text.partition(":")
        entity = site.catalog.get(Ref(kind, name))
        service = site.catalog.get(served_by(entity)) if entity is not None else None
        owners.append(owner_of(service))
    found = [site.directory.holders(approval.party, owner) for owner in dict.fromkeys(owners)]
    return list(dict.fromkeys(found)) or [site.directory.holders(approval.party)]


def changes_context(site: SiteInput, diff: DiffResult,
                    evidence: ApprovalEvidence | None = None) -> dict[str, Any]:
    """What the changes page shows of one diff (and of the pull requests, when given)."""
    rows = [change_row(site, c, diff.approvals, evidence) for c in diff.changes]
    return {
        "diff": diff,
        "rows": rows,
        "approvals": [(a.party, a.reasons, [anchor_of(e) for e in a.entities], a.entities,
                       holders_of(site, a))
                      for a in diff.approvals],
        "new_findings": list(diff.new_findings),
        "fixed_findings": list(diff.fixed_findings),
        # a counting finding ("30 more ...") counts as the findings it stands for
        "new_count": total(diff.new_findings), "fixed_count": total(diff.fixed_findings),
        "evidence": evidence,
        "pulls": [pull_row(p) for p in evidence.pulls] if evidence else [],
        "branch_commits": list(evidence.branch) if evidence else [],
    }


def pull_row(pull: PullRequestEvidence) -> dict[str, Any]:
    """One merged pull request: who wrote, reviewed, approved and merged it; what it lacked."""
    record = pull.record
    return {
        "number": record.number, "anchor": f"pr-{record.number}", "title": record.title,
        "url": record.url, "author": record.author, "merged_by": record.merged_by,
        "merged_at": record.merged_at, "commit": pull.commit,
        "reviews": [(r.login or "(deleted account)", r.state.lower().replace("_", " "),
                     r.submitted_at, record.by_author(r)) for r in record.reviews],
        "self_approved": record.self_approved,
        "approvers": record.approvers,
        "parties": [(p.party, p.satisfied, p.approved_by, p.could_approve,
                     p.notes + ((p.objection,) if p.blocked_by else ())) for p in pull.parties],
        "missing": [p.party for p in pull.outstanding],
        "changes": [(ref, anchor_of(ref)) for ref in pull.changes],
        "judged": pull.judged, "note": pull.note,
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
        "new_count": 0, "fixed_count": 0, "evidence": None, "pulls": [], "branch_commits": [],
    }
    if changes.diff is not None:
        context |= changes_context(site, changes.diff, changes.evidence)
    return Page("changes.html", "changes.html", f"Changes since {changes.since}", "Changes",
                context)
