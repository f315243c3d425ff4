"""The published service catalog only offers services that are live and have agreed levels."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from itsmctl.findings import Finding, JsonPath, Severity
from itsmctl.model import Entity, list_of_dicts
from itsmctl.references import parse_ref
from itsmctl.rules.common import lifecycle
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
