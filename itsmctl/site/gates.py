"""The lifecycle gate section of a service page: where the service stands against each gate
of the catalog (its stage's entry criteria, what its next move asks) and its evidence with
dates and ages, so an owner sees before the pull request what a move will be held to."""

from __future__ import annotations

from typing import Any

from itsmctl.evidence import evidence_of
from itsmctl.model import Entity
from itsmctl.policy.gate import Assessment, gate_status
from itsmctl.references import PARTY
from itsmctl.rules.common import count
from itsmctl.site.context import SiteInput
from itsmctl.site.pagemodel import safe_url


def _criteria(items: tuple[Assessment, ...]) -> list[dict[str, Any]]:
    return [{"criterion": a.criterion, "met": a.met, "problem": a.problem} for a in items]


def _age(days: int) -> str:
    return "dated in the future" if days < 0 else "today" if days == 0 else \
        f"{count(days, 'day')} old"


def gate_section(site: SiteInput, service: Entity) -> dict[str, Any]:
    """`gates`: one entry per gate selecting the service; `evidence`: every entry, newest
    first, with its age on the site's day."""
    gates = site.validation.policies.gates
    out = []
    for gate in gates:
        status = gate_status(gate, service, site.rule_context)
        if status is None:
            continue
        waiver = next((w for w in service.waivers if w.rule == gate.name), None)
        out.append({
            "name": gate.name, "stage": status.stage, "met": status.met,
            "entry": _criteria(status.entry), "exit": _criteria(status.exit),
            "next_stage": status.next_stage or "", "ready": status.ready,
            "next_entry": _criteria(status.next_entry),
            "approvers": [site.link_text(p, PARTY) for p in status.next_approvers],
            "waiver": ({"reason": waiver.reason, "expires": waiver.expires}
                       if waiver is not None else None)})
    evidence = sorted(evidence_of(service), key=lambda e: (e.date, e.index), reverse=True)
    return {"gates": out, "evidence": [
        {"name": e.name, "date": e.date.isoformat(), "age": _age(e.age(site.today)),
         "approver": e.approver, "ref": e.ref, "href": safe_url(e.ref)} for e in evidence]}
