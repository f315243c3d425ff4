"""Dates and lifecycle: agreements in force for live services, and only for them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from itsmctl.durations import parse_date
from itsmctl.findings import Finding, Severity
from itsmctl.model import IN_PRODUCTION, Entity
from itsmctl.references import parse_ref
from itsmctl.rules.common import count, dependencies, lifecycle
from itsmctl.rules.registry import RuleContext, entity_rule

NOT_YET_LIVE = ("proposed", "design")


def in_force_problem(sla: Entity, today: date) -> str | None:
    """`expired on 2026-06-30 (146 days ago)`, `begins on ...`, or None when in force today."""
    start = parse_date(sla.get("spec", "effective", "from"))
    end = parse_date(sla.get("spec", "effective", "until"))
    if end is not None and end < today:
        return f"expired on {end} ({count((today - end).days, 'day')} ago)"
    if start is not None and start > today:
        return f"only begins on {start}"
    return None


@entity_rule("sla-expired", Severity.ERROR, "Service")
def sla_expired(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service in production is governed by an SLA that has expired or not yet begun.

    An agreement past its `effective.until` binds nobody: the service runs on goodwill,
    credits cannot be claimed and the service level is whatever happens. Renewal belongs to
    service level management's regular cycle, before the end date.

    Applies to `operational` and `retiring` services whose `spec.sla` names an SLA with an
    `effective` period; fires when today (`--today`) is after `until` or before `from`.
    Fix it by renewing the agreement (a new period, or a new SLA named in `spec.sla`).
    """
    if lifecycle(service) not in IN_PRODUCTION:
        return
    sla = context.catalog.resolve_field(service, "sla", "SLA")
    problem = in_force_problem(sla, context.today) if sla is not None else None
    if sla is not None and problem is not None:
        yield context.emit(
            service, f"{lifecycle(service)} service {service.name!r} is governed by SLA"
            f" {sla.name!r}, which {problem}", ("spec", "sla"),
            f"renew {sla.name!r} (effective.until) or name the agreement now in force")


@entity_rule("sla-retired-service", Severity.WARNING, "SLA")
def sla_retired_service(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """An agreement is still in force for a retired service.

    When a service is retired its agreements end with it: an SLA left in force keeps paying
    for a supplier contract (a UC), keeps an OLA team on the hook, or promises customers a
    service that no longer exists.

    Fires for an SLA, OLA or UC whose `spec.service` is `retired` and whose
    `effective.until` is absent or today or later. Fix it by setting `effective.until` to
    the retirement date, or by removing the agreement.
    """
    service = context.catalog.resolve_field(sla, "service", "Service")
    if service is None or lifecycle(service) != "retired":
        return
    end = parse_date(sla.get("spec", "effective", "until"))
    if end is None or end >= context.today:
        until = f"until {end}" if end is not None else "with no end date"
        yield context.emit(
            sla, f"{sla.get('spec', 'type') or 'agreement'} {sla.name!r} is in force {until}"
            f" for retired service {service.name!r}",
            ("spec", "effective", "until") if end is not None else ("spec", "service"),
            "end the agreement at the retirement date (effective.until), or remove it")


@entity_rule("dependency-not-live", Severity.ERROR, "Service")
def dependency_not_live(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service in production hard-depends on a service not yet live, or without an SLA.

    A production service inherits the state of what it cannot run without. A hard
    dependency still `proposed` or in `design` is not built, supported or monitored: the
    production service depends on something that is not there. A hard dependency without an
    SLA promises nothing the production service's own SLA could rest on.

    Applies to hard dependencies of `operational` and `retiring` services. A dependency in
    `transition` (being deployed) is allowed; a soft dependency is exempt. Retired
    dependencies are `dependency-on-retired`'s. Fix it by making the dependency soft until
    the other service goes live, or by agreeing an SLA (or OLA) for it.
    """
    stage = lifecycle(service)
    if stage not in IN_PRODUCTION:
        return
    for dep in dependencies(service, context.catalog):
        if dep.type != "hard":
            continue
        other = lifecycle(dep.target)
        if other in NOT_YET_LIVE:
            yield context.emit(
                service, f"{stage} service {service.name!r} hard-depends on"
                f" {dep.target.name!r}, which is only in {other}", dep.path,
                f"make the dependency soft until {dep.target.name!r} is live, or remove it")
        elif other != "retired" and not isinstance(dep.target.get("spec", "sla"), str):
            yield context.emit(
                service, f"{stage} service {service.name!r} hard-depends on"
                f" {dep.target.name!r}, which has no SLA", dep.path,
                f"agree an SLA or OLA for {dep.target.name!r} and name it in its spec.sla")


@entity_rule("service-sla-foreign", Severity.ERROR, "Service")
def service_sla_foreign(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service names, as its SLA, an agreement that covers another service.

    `spec.sla` says which agreement governs the service; the agreement's `spec.service`
    says which service it covers. If payments names the checkout SLA, payments is reported
    against checkout's targets and has in fact no agreement of its own (usually a copy-paste
    of another service's file).

    Fires when the SLA named by `spec.sla` exists and its `spec.service` names a different
    existing service (a dangling one is `ref-unresolved`'s). (The reverse, an SLA whose
    service names another SLA, is `sla-service-mismatch`.) Fix it by naming this service's
    own agreement.
    """
    sla = context.catalog.resolve_field(service, "sla", "SLA")
    text = sla.get("spec", "service") if sla is not None else None
    if sla is None or not isinstance(text, str):
        return
    covered = context.catalog.get(parse_ref(text, "Service"))
    if covered is not None and covered.kind == "Service" and covered is not service:
        yield context.emit(
            service, f"service {service.name!r} names SLA {sla.name!r}, which covers service"
            f" {covered.name!r}", ("spec", "sla"),
            f"name the agreement of {service.name!r} itself, or write one")
