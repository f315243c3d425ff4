"""Who must approve a change, derived from the catalog itself; every approval says why.

- review and above: the Accountable party of each affected service, from the RACI scoped to
  that service (activities whose name contains "change" if there are any, else every A; in
  HEAD and in BASE, so a change of Accountable needs both); the service owner team when no
  RACI is scoped to it.
- approval-required and above: the CAB team of each change model the service allows (and
  of a change model that itself changes).
- breaking: the owner teams of the services that depend on (or still reference) it.
HEAD is read first; BASE stands in for entities the change removes.

Config, policy and scorecard changes (review and above) change how every change is governed,
so they go to the owner of the change management process: the Accountable parties of the RACI
scoped to process `change` (HEAD and BASE); without one, the CAB of every change model;
without any, `catalog maintainers`.
"""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.catalog import Catalog
from itsmctl.diff.governance import accountable
from itsmctl.diff.result import Approval, EntityChange, Impact
from itsmctl.model import Entity, Ref
from itsmctl.references import PARTY, parse_ref

_SERVICE_FIELD = {"Service": (), "SLA": ("service",), "RACI": ("scope", "service")}


def party(text: str) -> str:
    """RACI and approver parties the way they read best: `team:payments`, `role:cab-chair`."""
    ref = parse_ref(text, PARTY)
    return text if ref is None else f"{ref.kind.lower()}:{ref.name}"


class _Collector:
    def __init__(self) -> None:
        self.reasons: dict[str, dict[str, None]] = {}
        self.entities: dict[str, set[str]] = {}

    def add(self, who: str, reason: str, entity: str) -> None:
        self.reasons.setdefault(who, {})[reason] = None
        self.entities.setdefault(who, set()).add(entity)

    def result(self) -> tuple[Approval, ...]:
        return tuple(Approval(who, tuple(self.reasons[who]), tuple(sorted(self.entities[who])))
                     for who in sorted(self.reasons))


def _lookup(ref: Ref | None, head: Catalog, base: Catalog) -> Entity | None:
    return head.get(ref) or base.get(ref)


def affected_service(entity: Entity, head: Catalog, base: Catalog) -> Entity | None:
    """The service a Service, SLA or RACI entity governs (None for shared entities)."""
    if entity.kind not in _SERVICE_FIELD:
        return None
    path = _SERVICE_FIELD[entity.kind]
    if not path:
        return entity
    text = entity.get("spec", *path)
    return _lookup(parse_ref(text, "Service"), head, base) if isinstance(text, str) else None


def racis_of(service: Ref, head: Catalog, base: Catalog) -> list[Entity]:
    """RACI matrices scoped to a service, HEAD's then BASE's versions: when accountability
    moves, the party handing it over approves as well as the one taking it."""
    return [r.source for catalog in (head, base)
            for r in sorted(catalog.referrers.get(service, []), key=lambda r: r.source.name)
            if r.source.kind == "RACI" and r.label == "scope"]


def accountable_parties(raci: Entity) -> list[tuple[str, str]]:
    """(activity, party) with A, preferring activities about change."""
    names: list[str] = [a["name"] for a in raci.get("spec", "activities", default=[]) or []
                        if isinstance(a, dict) and isinstance(a.get("name"), str)]
    chosen = [n for n in names if "change" in n] or names
    return [(n, p) for n in chosen for p in accountable(raci, n)]


def _accountable(out: _Collector, service: Entity, change: EntityChange, head: Catalog,
                 base: Catalog) -> None:
    racis = racis_of(service.ref, head, base)
    for raci in racis:
        for activity, who in accountable_parties(raci):
            out.add(party(who), f"Accountable for {activity} of service {service.name}"
                    f" (RACI {raci.name}): {change.ref} is {change.status}", change.ref)
    owner = service.get("spec", "owner")
    if not racis and isinstance(owner, str):
        out.add(party(owner), f"owner of service {service.name} (no RACI is scoped to it):"
                f" {change.ref} is {change.status}", change.ref)


def _cab_of(model: Entity | None) -> str | None:
    cab = model.get("spec", "approvals", "cab") if model is not None else None
    return cab if isinstance(cab, str) and cab else None


def _cab(out: _Collector, service: Entity, change: EntityChange, head: Catalog,
         base: Catalog) -> None:
    for text in service.get("spec", "changeModels", default=[]) or []:
        model = _lookup(parse_ref(text, "ChangeModel"), head, base) if isinstance(text, str) else None
        cab = _cab_of(model)
        if model is not None and cab:
            out.add(party(cab), f"CAB of change model {model.name}, which service {service.name}"
                    f" uses: {change.ref} is {change.impact.label}", change.ref)


def _dependents(out: _Collector, ref: Ref, change: EntityChange, head: Catalog,
                base: Catalog) -> None:
    """Owners of the services that depend on (or otherwise still reference) `ref`."""
    users = {r.source.ref: r.source for r in head.referrers.get(ref, []) if r.source.ref != ref}
    for user in sorted(users):
        service = affected_service(users[user], head, base)
        owner = service.get("spec", "owner") if service is not None else None
        if service is not None and isinstance(owner, str) and service.ref != ref:
            out.add(party(owner), f"owner of service {service.name}, which depends on {ref}:"
                    f" {change.ref} is breaking", change.ref)


def _change_process(out: _Collector, change: EntityChange, head: Catalog,
                    base: Catalog) -> None:
    """Approvers of a config or policy change (see the module docstring).

    Taken from BASE only: the approved state decides who approves, so a pull request cannot
    add a RACI (or a CAB) naming its own team and then weaken the rules under it.
    """
    why = f"{change.ref} is {change.impact.label}"
    racis = [r for r in base.of_kind("RACI") if r.get("spec", "scope", "process") == "change"]
    for raci in racis:
        for activity, who in accountable_parties(raci):
            out.add(party(who), f"Accountable for {activity} of the change process"
                    f" (RACI {raci.name}): {why}", change.ref)
    if racis:
        return
    models = {m.ref: m for m in base.of_kind("ChangeModel")}
    cabs = {cab: m.name for m in models.values() if (cab := _cab_of(m))}
    for cab in sorted(cabs):
        out.add(party(cab), f"CAB of change model {cabs[cab]} (no RACI is scoped to the change"
                f" process): {why}", change.ref)
    if not cabs:
        out.add("catalog maintainers", "no RACI is scoped to the change process and no change"
                f" model names a CAB: {why}", change.ref)


def required_approvals(changes: Iterable[tuple[EntityChange, Entity]], head: Catalog,
                       base: Catalog, settings: Iterable[EntityChange] = ()) -> tuple[Approval, ...]:
    """Approvals for (change, entity) pairs; the entity is HEAD's, or BASE's when removed.
    `settings`: config, policy and scorecard changes (pseudo-entities without an Entity)."""
    out = _Collector()
    for change in settings:
        if change.impact >= Impact.REVIEW:
            _change_process(out, change, head, base)
    for change, entity in changes:
        impact = change.impact
        if impact < Impact.REVIEW:
            continue
        service = affected_service(entity, head, base)
        if service is not None:
            _accountable(out, service, change, head, base)
            if impact >= Impact.APPROVAL_REQUIRED:
                _cab(out, service, change, head, base)
        if entity.kind == "ChangeModel" and impact >= Impact.APPROVAL_REQUIRED:
            for model in (base.get(entity.ref), head.get(entity.ref)):
                cab = _cab_of(model)
                if cab:
                    out.add(party(cab), f"CAB of change model {entity.name}, which the change"
                            f" alters: {change.ref} is {impact.label}", change.ref)
        if impact >= Impact.BREAKING:
            gone = Ref(entity.kind, change.renamed_from) if change.renamed_from else entity.ref
            _dependents(out, gone, change, head, base)
            if gone != entity.ref:
                _dependents(out, entity.ref, change, head, base)
    return out.result()
