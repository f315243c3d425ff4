"""Who must approve a change, derived from the catalog itself; every approval says why.

Nobody approves their own change: every fact that decides approvers is read from BASE, the
approved state, and where the change adds or moves responsibility HEAD's facts are *added*,
never substituted. So each rule below is applied to BASE's catalog and to HEAD's, and the
parties of both are required: the old and the new owner approve an owner change; a CAB that
BASE requires stays when the change drops the change model or its CAB; a RACI the change
adds does not replace the owner's approval (BASE had no RACI, so BASE's owner approves).

- review and above: for each affected service (a Service itself, an SLA's `service`, a
  RACI's `scope.service`, on either side), the Accountable parties of the RACI scoped to it
  (activities whose name contains "change" if there are any, else every A); without a RACI
  on that side, that side's service owner.
- approval-required and above: the CAB of each change model the service allows (on either
  side), and of a change model that itself changes.
- a Process (review and above): its process owner, BASE's and HEAD's.
- breaking: the owner teams of the services that depend on (or reference) it, on either side.
- promises the change breaks: a new finding (warning or error) on an entity the change did
  not edit (an SLA that its dependencies can no longer support, a cycle it closes) needs the
  Accountable parties of that entity's service.

Config, policy and scorecard changes (review and above) change how every change is governed,
so they go to the owner of the change management process (`change_process_owners`): the
Accountable parties of the RACI scoped to process `change` (all its activities; not
`role:service-owner`, which names nobody for a change that concerns no service); without
one, the CAB of every change model; without any, `role:catalog-maintainers` (mapped in the
config's `roles`). Like
every other fact, it is read from BASE and HEAD's is added: a pull request that adds a
change-process RACI, or drops every CAB, adds approvers and removes none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from itsmctl.catalog import Catalog
from itsmctl.diff.governance import accountable
from itsmctl.diff.process_changes import process_owners
from itsmctl.diff.result import Approval, EntityChange, Impact
from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity, Ref
from itsmctl.parties import CATALOG_MAINTAINERS, SERVICE_OWNER, role_name
from itsmctl.references import PARTY, parse_ref, references_of
from itsmctl.rules.dependencies import cycle_names

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


class _Sides:
    """BASE and HEAD, in that order: BASE's facts first, HEAD's added."""

    def __init__(self, base: Catalog, head: Catalog) -> None:
        self.base, self.head = base, head
        self._scopes: dict[int, dict[Ref, list[Entity]]] = {}

    def racis(self, service: Ref, catalog: Catalog) -> list[Entity]:
        """`racis_of`, from an index of the RACIs' scopes built once per side. BASE's
        referrers are not there for free when its result came from the memo (its rules did
        not run), and building them means reading every reference of every entity; the
        index walks the RACIs' scope fields only, not their parties."""
        if "referrers" in vars(catalog):  # computed already (HEAD's rules)
            return racis_of(service, catalog)
        scopes = self._scopes.get(id(catalog))
        if scopes is None:
            scopes = self._scopes[id(catalog)] = {}
            for raci in catalog.of_kind("RACI"):
                for reference in references_of(raci, "scope"):
                    target = reference.target
                    if reference.label == "scope" and target is not None:
                        scopes.setdefault(target, []).append(raci)
        return _by_name(scopes.get(service, []))

    def __iter__(self) -> Iterator[Catalog]:
        return iter((self.base, self.head))

    def versions(self, ref: Ref) -> list[Entity]:
        return [e for c in self if (e := c.get(ref)) is not None]


def served_by(entity: Entity) -> Ref | None:
    """The service a Service, SLA or RACI entity governs (None for shared entities)."""
    if entity.kind not in _SERVICE_FIELD:
        return None
    path = _SERVICE_FIELD[entity.kind]
    if not path:
        return entity.ref
    text = entity.get("spec", *path)
    return parse_ref(text, "Service") if isinstance(text, str) else None


def affected_services(versions: Iterable[Entity]) -> list[Ref]:
    """The services the BASE and HEAD versions of an entity govern (an SLA moved to another
    service affects both)."""
    return list(dict.fromkeys(r for v in versions if (r := served_by(v)) is not None))


def racis_of(service: Ref, catalog: Catalog) -> list[Entity]:
    """RACI matrices scoped to a service in one catalog, by name."""
    return _by_name([r.source for r in catalog.referrers.get(service, [])
                     if r.source.kind == "RACI" and r.label == "scope"])


def _by_name(entities: list[Entity]) -> list[Entity]:
    return sorted({e.name: e for e in entities}.values(), key=lambda e: e.name)


def accountable_parties(raci: Entity) -> list[tuple[str, str]]:
    """(activity, party) with A, preferring activities about change."""
    names: list[str] = [a["name"] for a in raci.get("spec", "activities", default=[]) or []
                        if isinstance(a, dict) and isinstance(a.get("name"), str)]
    chosen = [n for n in names if "change" in n] or names
    return [(n, p) for n in chosen for p in accountable(raci, n)]


def _accountable(out: _Collector, service: Ref, why: str, entity: str, sides: _Sides) -> None:
    """The Accountable parties of `service` on each side; a side without a RACI: its owner."""
    for catalog in sides:
        racis = sides.racis(service, catalog)
        for raci in racis:
            for activity, who in accountable_parties(raci):
                out.add(party(who), f"Accountable for {activity} of service {service.name}"
                        f" (RACI {raci.name}): {why}", entity)
        version = catalog.get(service)
        owner = version.get("spec", "owner") if version is not None else None
        if not racis and isinstance(owner, str) and owner:
            out.add(party(owner), f"owner of service {service.name} (no RACI is scoped to"
                    f" it): {why}", entity)


def _cab_of(model: Entity | None) -> str | None:
    cab = model.get("spec", "approvals", "cab") if model is not None else None
    return cab if isinstance(cab, str) and cab else None


def _cab(out: _Collector, service: Ref, change: EntityChange, sides: _Sides) -> None:
    """The CAB of each change model the service allows on either side, each model as that
    side has it (a model or CAB the change removes still counts from BASE)."""
    for catalog in sides:
        version = catalog.get(service)
        models = version.get("spec", "changeModels", default=[]) if version is not None else []
        for text in models if isinstance(models, list) else []:
            ref = parse_ref(text, "ChangeModel") if isinstance(text, str) else None
            model = catalog.get(ref)
            cab = _cab_of(model)
            if model is not None and cab:
                out.add(party(cab), f"CAB of change model {model.name}, which service"
                        f" {service.name} uses: {change.ref} is {change.impact.label}",
                        change.ref)


def _dependents(out: _Collector, ref: Ref, change: EntityChange, sides: _Sides) -> None:
    """Owners of the services that depend on (or otherwise reference) `ref`, on either side."""
    for catalog in sides:
        users = {r.source.ref: r.source for r in catalog.referrers.get(ref, [])
                 if r.source.ref != ref}
        for user in sorted(users):
            service = served_by(users[user])
            version = catalog.get(service)
            owner = version.get("spec", "owner") if version is not None else None
            if service is not None and service != ref and isinstance(owner, str) and owner:
                out.add(party(owner), f"owner of service {service.name}, which depends on"
                        f" {ref}: {change.ref} is breaking", change.ref)


def change_process_owners(catalog: Catalog) -> list[tuple[str, str]]:
    """(party, why) for the owner of the change process in one catalog (see the module
    docstring); the same parties own the config and policy files in CODEOWNERS.

    Every activity of a RACI scoped to the change process is about change, so the
    Accountable parties of all of them count, except `role:service-owner`: a config or policy
    change concerns no one service, so that role names nobody here. When it is all the RACI
    names, the next step of the chain (the CABs, then `role:catalog-maintainers`) approves.
    """
    racis = [r for r in catalog.of_kind("RACI") if r.get("spec", "scope", "process") == "change"]
    out = [(party(who), f"Accountable for {activity} of the change process (RACI {raci.name})")
           for raci in racis for activity, who in _all_accountable(raci)
           if role_name(party(who)) != SERVICE_OWNER]
    if out:
        return out
    cabs: dict[str, str] = {}
    for model in catalog.of_kind("ChangeModel"):
        cab = _cab_of(model)
        if cab:
            cabs.setdefault(party(cab), model.name)
    missing = ("no RACI is scoped to the change process" if not racis else
               "the change-process RACI names only role:service-owner as Accountable, and a"
               " config or policy change concerns no service")
    if cabs:
        return [(cab, f"CAB of change model {cabs[cab]} ({missing})") for cab in sorted(cabs)]
    why = (f"{missing} and no change model names a CAB, so the config's"
           f" roles.{CATALOG_MAINTAINERS} approve")
    return [(f"role:{CATALOG_MAINTAINERS}", why)]


def _all_accountable(raci: Entity) -> list[tuple[str, str]]:
    """(activity, party) with A, over every activity of the RACI."""
    names = [a["name"] for a in raci.get("spec", "activities", default=[]) or []
             if isinstance(a, dict) and isinstance(a.get("name"), str)]
    return [(n, p) for n in names for p in accountable(raci, n)]


def _change_process(out: _Collector, change: EntityChange, sides: _Sides) -> None:
    """Approvers of a config or policy change: the change process owner of BASE, and of
    HEAD where the change moves it (added, never substituted)."""
    why = f"{change.ref} is {change.impact.label}"
    for catalog in sides:
        for who, reason in change_process_owners(catalog):
            out.add(who, f"{reason}: {why}", change.ref)


def _entity_change(out: _Collector, change: EntityChange, sides: _Sides) -> None:
    impact = change.impact
    if impact < Impact.REVIEW:
        return
    before = Ref(change.kind, change.renamed_from or change.name)
    versions = [v for v in (sides.base.get(before), sides.head.get(Ref(change.kind, change.name)))
                if v is not None]
    why = f"{change.ref} is {change.status}"
    for service in affected_services(versions):
        _accountable(out, service, why, change.ref, sides)
        if impact >= Impact.APPROVAL_REQUIRED:
            _cab(out, service, change, sides)
    for owner, name in process_owners(versions):
        out.add(party(owner), f"owner of process {name}: {why}", change.ref)
    if change.kind == "ChangeModel" and impact >= Impact.APPROVAL_REQUIRED:
        for model in versions:
            cab = _cab_of(model)
            if cab:
                out.add(party(cab), f"CAB of change model {model.name}, which the change"
                        f" alters: {change.ref} is {impact.label}", change.ref)
    if impact >= Impact.BREAKING:
        for gone in dict.fromkeys((before, Ref(change.kind, change.name))):
            _dependents(out, gone, change, sides)


def _broken_promises(out: _Collector, findings: Iterable[Finding], edited: set[str],
                     sides: _Sides) -> None:
    """New findings on entities the change did not edit: their services' Accountable approve.
    A new dependency cycle concerns every service of its loop, whichever entry it sits on."""
    for finding in findings:
        if finding.severity < Severity.WARNING or not finding.entity:
            continue
        concerned = [f"Service:{n}" for n in cycle_names(finding)] or [finding.entity]
        for entity in concerned:
            if entity in edited:
                continue
            kind, _, name = entity.partition(":")
            why = f"{entity} gets a new {finding.severity.label} ({finding.rule})"
            for service in affected_services(sides.versions(Ref(kind, name))):
                _accountable(out, service, why, entity, sides)


def required_approvals(changes: Iterable[EntityChange], head: Catalog, base: Catalog,
                       settings: Iterable[EntityChange] = (),
                       new_findings: Iterable[Finding] = ()) -> tuple[Approval, ...]:
    """Approvals for entity changes, `settings` changes (config, policies, scorecards:
    pseudo-entities) and the new findings of the change."""
    out = _Collector()
    sides = _Sides(base, head)
    for change in settings:
        if change.impact >= Impact.REVIEW:
            _change_process(out, change, sides)
    changes = list(changes)
    for change in changes:
        _entity_change(out, change, sides)
    edited = {c.ref for c in changes} | {f"{c.kind}:{c.renamed_from}" for c in changes
                                         if c.renamed_from}
    _broken_promises(out, new_findings, edited, sides)
    return out.result()
