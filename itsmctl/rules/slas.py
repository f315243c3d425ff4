"""Service level agreements that make sense: ordered targets, reachable availability, credits."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from itsmctl.durations import format_duration, parse_date, parse_duration
from itsmctl.findings import Finding, Severity
from itsmctl.model import PRIORITIES, Entity, list_of_dicts
from itsmctl.references import parse_ref
from itsmctl.rules.common import dependencies, number, percent, plain_number
from itsmctl.rules.registry import RuleContext, entity_rule


@dataclass(frozen=True, slots=True)
class Target:
    """One priority's targets in minutes (None where the schema flags the text)."""

    index: int
    priority: str
    response: int | None
    resolution: int | None


def priority_targets(sla: Entity) -> list[Target]:
    """The first entry of each priority, in priority order (duplicates are schema findings)."""
    found: dict[str, Target] = {}
    for index, item in list_of_dicts(sla.get("spec", "targets")):
        priority = item.get("priority")
        if isinstance(priority, str) and priority in PRIORITIES and priority not in found:
            found[priority] = Target(index, priority, parse_duration(item.get("response")),
                                     parse_duration(item.get("resolution")))
    return [found[p] for p in PRIORITIES if p in found]


def _ordering(sla: Entity, field: str, targets: list[Target],
              context: RuleContext) -> Iterator[Finding]:
    """Flag each priority promised faster than a more urgent one (a running maximum)."""
    slowest: tuple[str, int] | None = None
    for target in targets:
        index, priority, minutes = target.index, target.priority, getattr(target, field)
        if minutes is None:
            continue
        if slowest is not None and minutes < slowest[1]:
            yield context.emit(
                sla, f"{priority} {field} {format_duration(minutes)} is"
                f" shorter than {slowest[0]} {field} {format_duration(slowest[1])}",
                ("spec", "targets", index, field),
                f"a less urgent priority cannot be promised faster: make {priority} {field}"
                f" at least {format_duration(slowest[1])}")
        if slowest is None or minutes >= slowest[1]:
            slowest = (priority, minutes)


@entity_rule("sla-targets-monotonic", Severity.ERROR, "SLA")
def targets_monotonic(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """An SLA's targets are faster for a less urgent priority, or a response exceeds its resolution.

    Priorities rank urgency: a P1 (major outage) must be answered and fixed at least as fast
    as a P2, a P2 as fast as a P3, and so on. An SLA that promises P3 faster than P1 is
    almost always a typo (`4h` for `4d`), and it would make the service desk work the wrong
    tickets first. A response target longer than the resolution target cannot be met.

    Durations are compared in minutes (`1d` = 24h, `1w` = 7d). Passes when, for the
    priorities listed, responses and resolutions never decrease from P1 to P4 and each
    priority's response is at most its resolution. Fix the value named in the message.
    """
    targets = priority_targets(sla)
    for target in targets:
        response, resolution = target.response, target.resolution
        if response is not None and resolution is not None and response > resolution:
            yield context.emit(
                sla, f"{target.priority} response {format_duration(response)}"
                f" is longer than its resolution {format_duration(resolution)}",
                ("spec", "targets", target.index, "response"),
                "an incident is responded to before it is resolved: swap or fix the values")
    yield from _ordering(sla, "response", targets, context)
    yield from _ordering(sla, "resolution", targets, context)


def _dependency_availability(service: Entity, context: RuleContext) -> list[tuple[str, float]]:
    """(name, availability) of the SLA of each distinct hard dependency that has one."""
    catalog, out, seen = context.catalog, [], {service.ref}
    for dep in dependencies(service, catalog):
        target = dep.target
        if dep.type != "hard" or target.ref in seen:
            continue
        seen.add(target.ref)
        dep_sla = catalog.resolve_field(target, "sla", "SLA")
        value = number(dep_sla.get("spec", "availability")) if dep_sla is not None else None
        if value is not None and 0 <= value <= 100:
            out.append((target.name, value))
    return out


@entity_rule("sla-availability-achievable", Severity.WARNING, "SLA")
def availability_achievable(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """An SLA promises more availability than its hard dependencies allow together.

    Services in series multiply: if a service cannot run without A (99.99%) and B (99.9%),
    it is up at most 99.99% x 99.9% = 99.89% of the time, even if its own code never fails.
    Promising 99.95% on top of that is a commitment the service cannot keep, and the breach
    will be paid in service credits.

    The bound is the product of the availability targets of the SLAs (`spec.sla`) of the
    service's hard dependencies; soft dependencies do not count, and dependencies without an
    SLA are skipped (the bound is then optimistic).
    Fix it by promising at most the bound, by raising the dependencies' targets (e.g. a
    replicated setup), or by making a dependency soft with a real fallback.
    """
    promised = number(sla.get("spec", "availability"))
    service = context.catalog.resolve_field(sla, "service", "Service")
    if promised is None or service is None:
        return
    parts = _dependency_availability(service, context)
    allowed = math.prod(value / 100 for _, value in parts) * 100
    if not parts or promised <= allowed + 1e-9:
        return
    bound = math.floor(allowed * 1000 + 1e-6) / 1000
    factors = " x ".join(f"{name} {percent(value)}" for name, value in parts)
    yield context.emit(
        sla, f"{percent(promised)} promised, hard dependencies allow"
        f" at most {percent(bound)} ({factors}),"
        f" {plain_number(promised - allowed)} points too high",
        ("spec", "availability"),
        f"promise at most {percent(bound)}, raise the dependencies' targets, or make a"
        " dependency soft with a fallback")


@entity_rule("sla-service-mismatch", Severity.WARNING, "SLA")
def service_mismatch(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """An SLA's service names a different SLA in its `spec.sla`.

    The link goes both ways: the SLA says which service it covers, and the service says
    which agreement governs it. When they disagree, reports, the service desk and the
    rendered catalog show different service levels for the same service, and one of the two
    agreements is probably stale.

    Fires when the SLA's `spec.service` names a service whose `spec.sla` names a different
    SLA (a service without `spec.sla` is `service-sla-required`'s business). Underpinning
    contracts (`type: UC`) are exempt: a supplier contract backs the service's own SLA or
    OLA rather than replacing it, so the service rightly links the other one. Fix it by
    pointing the service's `sla` at this agreement, by pointing this agreement at the
    service it really covers, or by removing the stale one.
    """
    if sla.get("spec", "type") == "UC":
        return
    service = context.catalog.resolve_field(sla, "service", "Service")
    named = service.get("spec", "sla") if service is not None else None
    if service is None or not isinstance(named, str):
        return
    ref = parse_ref(named, "SLA")
    if ref is None or ref.kind != "SLA" or ref == sla.ref:
        return
    yield context.emit(
        sla, f"SLA {sla.name!r} covers service {service.name!r}, but that"
        f" service's spec.sla names SLA {ref.name!r}", ("spec", "service"),
        f"set spec.sla of {service.name!r} to {sla.name!r}, or point this SLA at the service"
        " it covers")


def _percent_at(item: dict[str, object], key: str) -> float | None:
    value = number(item.get(key))
    return value if value is not None and 0 <= value <= 100 else None


@entity_rule("sla-credit-tiers", Severity.ERROR, "SLA")
def credit_tiers(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """Service-credit tiers start above the availability target or do not escalate.

    Service credits are the penalty the provider pays when availability falls short. A tier
    whose `below` is above the target pays credits in months where the SLA was met; tiers
    that do not go down in `below` while going up in `credit` (e.g. a deeper outage earning
    a smaller credit) are contradictory and will be disputed.

    Passes when every `below` is at most `availability`, the `below` values strictly decrease
    in the order written, and the `credit` values strictly increase. Percentages outside
    0..100 are left to the schema. Fix it by ordering the tiers from the mildest shortfall
    (smallest credit) to the worst (largest credit).
    """
    target = number(sla.get("spec", "availability"))
    previous_below: float | None = None
    previous_credit: float | None = None
    for index, item in list_of_dicts(sla.get("spec", "serviceCredits")):
        below, credit = _percent_at(item, "below"), _percent_at(item, "credit")
        at = ("spec", "serviceCredits", index)
        if below is not None and target is not None and below > target:
            yield context.emit(
                sla, f"credit tier below {percent(below)} is above the"
                f" availability target {percent(target)}", at + ("below",),
                "credits are for missing the target: start the first tier at or below it")
        if below is not None and previous_below is not None and below >= previous_below:
            yield context.emit(
                sla, f"credit tier below {percent(below)} does not come below"
                f" the previous tier ({percent(previous_below)})", at + ("below",),
                "order the tiers by strictly decreasing `below`")
        if credit is not None and previous_credit is not None and credit <= previous_credit:
            yield context.emit(
                sla, f"credit {percent(credit)} is not more than the previous"
                f" tier's {percent(previous_credit)}", at + ("credit",),
                "a deeper shortfall must earn a larger credit: increase credits tier by tier")
        previous_below = below if below is not None else previous_below
        previous_credit = credit if credit is not None else previous_credit


@entity_rule("sla-effective-dates", Severity.ERROR, "SLA")
def effective_dates(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """An SLA's effective period ends before it starts.

    An agreement that ends before it begins is never in force: reports would show the
    service without any agreed level. It is nearly always a typo in the year.

    Passes when `effective.until` is absent (open-ended) or not before `effective.from`.
    """
    start = parse_date(sla.get("spec", "effective", "from"))
    end = parse_date(sla.get("spec", "effective", "until"))
    if start is not None and end is not None and end < start:
        yield context.emit(
            sla, f"effective until {end} is before effective from {start}",
            ("spec", "effective", "until"), "check the years: until must not precede from")
