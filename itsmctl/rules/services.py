"""What a service in production must have: an owner, an SLA, a runbook, support hours."""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.model import IN_PRODUCTION, Entity
from itsmctl.rules.common import lifecycle
from itsmctl.rules.registry import RuleContext, entity_rule

LIFECYCLE = ("spec", "lifecycle")


def _missing(service: Entity, context: RuleContext, what: str, *path: str,
             hint: str) -> Iterable[Finding]:
    """One finding when a production service lacks the field at `path` (under spec)."""
    stage = lifecycle(service)
    if stage not in IN_PRODUCTION or service.get("spec", *path) is not None:
        return
    parent = ("spec",) + path[:-1]
    where = parent if len(parent) > 1 and service.get(*parent) is not None else LIFECYCLE
    yield context.emit(service, f"{stage} service {service.name!r} has no {what}", where, hint)


@entity_rule("service-owner-required", Severity.ERROR, "Service")
def owner_required(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service in production has no owner team.

    ITIL's service owner is accountable for the service end to end: its performance, its
    changes and its continual improvement. A production service without one has nobody to
    page for incidents, nobody to approve changes and nobody to renew its SLA.

    Applies to services whose `lifecycle` is `operational` or `retiring`; earlier stages may
    leave `owner` empty while the service is designed. Fix it by setting `spec.owner` to the
    Team that runs the service.
    """
    return _missing(service, context, "owner (spec.owner)", "owner",
                    hint="set spec.owner to the Team accountable for the service")


@entity_rule("service-sla-required", Severity.ERROR, "Service")
def sla_required(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service in production has no SLA.

    Without an agreed service level there is no shared definition of "working": incident
    priorities, response times and availability are then whatever the loudest caller says.
    Internal (technical) services need one too, usually an OLA, because the SLAs of the
    services built on them depend on it.

    Applies to `operational` and `retiring` services. Fix it by writing an SLA entity (type
    SLA, OLA or UC) for the service and naming it in `spec.sla`.
    """
    return _missing(service, context, "SLA (spec.sla)", "sla",
                    hint="add an SLA (or OLA) entity for the service and name it in spec.sla")


@entity_rule("service-runbook-required", Severity.ERROR, "Service")
def runbook_required(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service in production does not link its runbook.

    The runbook is what the on-call engineer opens at 3 a.m.: how to check health, restart,
    fail over and escalate. Knowing where it is must not depend on knowing who wrote it.

    Applies to `operational` and `retiring` services. Fix it by setting `spec.links.runbook`
    to the URL of the runbook.
    """
    return _missing(service, context, "runbook (spec.links.runbook)",
                    "links", "runbook", hint="set spec.links.runbook to the runbook's URL")


@entity_rule("service-support-calendar-required", Severity.ERROR, "Service")
def support_calendar_required(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service in production names no support hours (a BusinessCalendar).

    Support hours decide when incidents are worked and when SLA clocks run; a service
    without them leaves the service desk guessing whether a call at 22:00 is urgent.

    Applies to `operational` and `retiring` services. Fix it by setting
    `spec.supportCalendar` to a BusinessCalendar, e.g. a 24x7 calendar for critical services
    or business hours for back-office ones.
    """
    return _missing(service, context,
                    "support calendar (spec.supportCalendar)", "supportCalendar",
                    hint="set spec.supportCalendar to a BusinessCalendar (e.g. always-on)")
