"""The published service catalog only offers services that are live and have agreed levels."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from itsmctl.findings import Finding, JsonPath, Severity
from itsmctl.model import Entity, list_of_dicts
from itsmctl.references import parse_ref
from itsmctl.rules.common import lifecycle
from itsmctl.rules.lifecycle import in_force_problem
from itsmctl.rules.registry import RuleContext, entity_rule


def _offerings(catalog: Entity) -> Iterator[tuple[JsonPath, str, str]]:
    """(path of the service field, offering name, service text) of every offering."""
    for c, category in list_of_dicts(catalog.get("spec", "categories")):
        for o, offering in list_of_dicts(category.get("offerings")):
            service = offering.get("service")
            if isinstance(service, str):
                yield ("spec", "categories", c, "offerings", o, "service"), \
                    str(offering.get("name", "")), service


def _problems(service: Entity) -> list[str]:
    stage = lifecycle(service)
    problems = [] if stage == "operational" else [f"is in lifecycle stage {stage!r}"]
    if not isinstance(service.get("spec", "sla"), str):
        problems.append("has no SLA")
    return problems


@entity_rule("catalog-offering-operational", Severity.ERROR, "ServiceCatalog")
def offering_operational(catalog: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service-catalog offering publishes a service that is not operational or has no SLA.

    The service catalog is what customers and staff see and order from. Offering a service
    that is still being designed, or is being retired, takes orders nobody will fulfil; an
    offering without an SLA promises nothing about when it will be delivered or fixed.

    Passes when the service of each offering has `lifecycle: operational` and names an SLA
    in `spec.sla`. Fix it by withdrawing the offering until the service goes live (or when
    it starts retiring), or by agreeing an SLA for it. Offerings naming an unknown service
    are reported by `ref-unresolved`.
    """
    for path, name, text in _offerings(catalog):
        service = context.catalog.get(parse_ref(text, "Service"))
        if service is None or service.kind != "Service":
            continue
        problems = _problems(service)
        if problems:
            yield context.emit(
                catalog, f"offering {name!r} publishes service"
                f" {service.name!r}, which {' and '.join(problems)}", path,
                "only offer operational services with an SLA: withdraw the offering or fix"
                " the service")


@entity_rule("catalog-request-fulfilment", Severity.ERROR, "ServiceCatalog")
def request_fulfilment(catalog: Entity, context: RuleContext) -> Iterable[Finding]:
    """A request type in the published catalog has no fulfilment target.

    Request fulfilment is measured against a target per request type (a new laptop in 5
    days, an access request in 1 day). A request type without one is an order nobody has
    promised to deliver: the service desk cannot prioritise it, and the requester cannot
    know when to chase.

    Passes when every `requestTypes[]` entry of every offering sets `fulfilment` (a
    duration, counted like SLA targets). Fix it by agreeing a fulfilment target with the
    fulfilling team and writing it down.
    """
    for c, category in list_of_dicts(catalog.get("spec", "categories")):
        for o, offering in list_of_dicts(category.get("offerings")):
            for r, request in list_of_dicts(offering.get("requestTypes")):
                if request.get("fulfilment") is None:
                    yield context.emit(
                        catalog, f"request type {request.get('name')!r} of offering"
                        f" {offering.get('name')!r} has no fulfilment target",
                        ("spec", "categories", c, "offerings", o, "requestTypes", r),
                        "set fulfilment: the agreed time to deliver it, e.g. 5d")


@entity_rule("catalog-offering-sla-in-force", Severity.ERROR, "ServiceCatalog")
def offering_sla_in_force(catalog: Entity, context: RuleContext) -> Iterable[Finding]:
    """An offering's service has an SLA that is not in force today.

    The catalog shows what can be ordered now, at the service level agreed now. An SLA
    that expired last month, or only begins next quarter, leaves the offering without an
    agreed level today, whatever `spec.sla` says.

    Passes when the SLA named by the offering's service is in force on the day of the run
    (`--today`): `effective.from` is today or earlier and `effective.until` is absent or
    today or later; an SLA without `effective` is in force. A service without an SLA is
    `catalog-offering-operational`'s finding. Fix it by renewing the SLA, or by withdrawing
    the offering until the new agreement starts.
    """
    for path, name, text in _offerings(catalog):
        service = context.catalog.get(parse_ref(text, "Service"))
        sla = context.catalog.resolve_field(service, "sla", "SLA") \
            if service is not None and service.kind == "Service" else None
        problem = in_force_problem(sla, context.today) if sla is not None else None
        if service is not None and sla is not None and problem is not None:
            yield context.emit(
                catalog, f"offering {name!r}: SLA {sla.name!r} of service {service.name!r}"
                f" {problem}", path, f"renew SLA {sla.name!r}, or withdraw the offering")
