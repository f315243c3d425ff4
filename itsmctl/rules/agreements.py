"""The agreement chain: a customer SLA rests on OLAs and underpinning contracts (UC).

Which agreement supports which is decided here once, for the target and calendar rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from itsmctl.catalog import Catalog
from itsmctl.durations import format_duration
from itsmctl.findings import Finding, Severity
from itsmctl.hours import Hours, calendar_hours, describe_moment, first_gap, late_incident
from itsmctl.model import Entity
from itsmctl.rules.common import dependencies
from itsmctl.rules.registry import RuleContext, entity_rule
from itsmctl.rules.slas import Target, priority_targets

RANK = {"SLA": 3, "OLA": 2, "UC": 1}  # who rests on whom: an SLA on OLAs, an OLA on UCs


def agreement_type(sla: Entity) -> str | None:
    value = sla.get("spec", "type")
    return value if isinstance(value, str) and value in RANK else None


def agreements_for(service: Entity, catalog: Catalog) -> list[Entity]:
    """The SLA entities whose `spec.service` names `service`, by name."""
    found = {ref.source.name: ref.source for ref in catalog.referrers.get(service.ref, ())
             if ref.source.kind == "SLA" and ref.path == ("spec", "service")}
    return [found[name] for name in sorted(found)]


@dataclass(frozen=True, slots=True)
class Support:
    """`agreement` underpins `supported`; `why` says how, for messages."""

    agreement: Entity
    supported: Entity
    why: str


def supporting(sla: Entity, catalog: Catalog) -> Iterator[Support]:
    """The agreements `sla` rests on (worked out once per SLA and catalog: both chain rules
    ask for every SLA's).

    - a lower-ranked agreement of the same service (the UC behind an OLA, the OLA behind an
      SLA);
    - for an SLA or OLA, the OLA or UC named by `spec.sla` of each hard dependency of its
      service (a soft dependency has a fallback, so the promise does not rest on it).
    """
    return iter(catalog.derived("supporting", sla, lambda e: tuple(_supporting(e, catalog))))


def _supporting(sla: Entity, catalog: Catalog) -> Iterator[Support]:
    kind, service = agreement_type(sla), catalog.resolve_field(sla, "service", "Service")
    if kind is None or service is None:
        return
    for other in agreements_for(service, catalog):
        other_kind = agreement_type(other)
        if other is not sla and other_kind is not None and RANK[other_kind] < RANK[kind]:
            yield Support(other, sla, f"{other_kind} of the same service {service.name!r}")
    if kind == "UC":
        return  # a supplier's contract does not rest on our dependencies
    seen = {service.ref}
    for dep in dependencies(service, catalog):
        if dep.type != "hard" or dep.target.ref in seen:
            continue
        seen.add(dep.target.ref)
        agreement = catalog.resolve_field(dep.target, "sla", "SLA")
        if agreement is not None and agreement_type(agreement) in ("OLA", "UC"):
            yield Support(agreement, sla, f"{agreement_type(agreement)} of hard dependency"
                                          f" {dep.target.name!r}")


@entity_rule("agreement-chain-targets", Severity.ERROR, "SLA")
def chain_targets(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """A supporting OLA or UC can be due later than the agreement it supports.

    ITIL's service level management keeps the chain of agreements consistent: a customer
    SLA can only be kept if the OLAs of the internal teams and the underpinning contracts
    (UC) of the suppliers behind it are at least as tight. If checkout promises a P1
    resolution in 4 hours but the payments team's OLA allows 8, the SLA is broken by design.

    Which agreements support which: the UC of a service supports that service's OLA or SLA,
    its OLA supports its SLA, and the OLA or UC named by `spec.sla` of each *hard*
    dependency supports the dependent's SLA or OLA. Soft dependencies are exempt (the
    service works without them), and so are supporting agreements of type SLA.

    "At least as tight" is judged per priority, for response and resolution, on each
    agreement's own calendar: for an incident raised at any moment of the coming 53 weeks,
    the supporting deadline must not fall after the supported one. On the same calendar
    that is simply "not longer" (equal targets pass). Across calendars it is exact, not
    nominal: a 24x7 UC with 8h under a business-hours OLA with 4h fails (raised at 09:00,
    the OLA is due 13:00, the UC 17:00), while a 24x7 OLA with 3d under a 10-hour-day OLA
    with 50h (five business days) passes. The message names the worst incident. Only
    priorities both agreements list are compared (a supplier contract often covers P1 and
    P2 only); without calendars, targets are compared as written. Reported on the supporting
    agreement. Fix it by tightening the supporting target, renegotiating the supported one, or
    making the dependency soft with a fallback.
    """
    wanted = _targets(sla, context)
    for support in supporting(sla, context.catalog):
        offered = {t.priority: t for t in _targets(support.agreement, context)}
        clocks = (_clock(sla, context), _clock(support.agreement, context))
        yield from _compare(context, support, wanted, offered, clocks)


def _targets(sla: Entity, context: RuleContext) -> list[Target]:
    """`priority_targets`, read once per agreement (an OLA supports many SLAs)."""
    return list(context.catalog.derived("targets", sla, lambda e: tuple(priority_targets(e))))


def _clock(sla: Entity, context: RuleContext) -> Hours | None:
    calendar = context.catalog.resolve_field(sla, "calendar", "BusinessCalendar")
    return calendar_hours(calendar, context.today) if calendar is not None else None


def _compare(context: RuleContext, support: Support, wanted: list[Target],
             offered: dict[str, Target], clocks: tuple[Hours | None, Hours | None]
             ) -> Iterator[Finding]:
    agreement, supported = support.agreement, support.supported
    for target in wanted:
        mine = offered.get(target.priority)
        if mine is None:
            continue  # no promise for this priority: nothing to compare
        for field in ("response", "resolution"):
            need, have = getattr(target, field), getattr(mine, field)
            if need is None or have is None:
                continue
            late = _late(need, have, clocks, context)
            if late is None:
                continue
            yield context.emit(
                agreement, f"{target.priority} {field} {format_duration(have)} can be due after"
                f" {supported.name!r}'s {format_duration(need)}, which it supports"
                f" ({support.why}){late}", ("spec", "targets", mine.index, field),
                f"tighten it (at most {format_duration(need)} on the same clock), or"
                f" renegotiate {supported.name!r}")


def _late(need: int, have: int, clocks: tuple[Hours | None, Hours | None],
          context: RuleContext) -> str | None:
    """None when the supporting target is never due later; else the worst case, as text."""
    wanted, own = clocks
    if wanted is None or own is None:
        return None if have <= need else ""
    if have <= need and first_gap(wanted, own, context.today) is None:
        return None  # its clock runs whenever the supported one does, and needs no longer
    worst = late_incident(wanted, need, own, have, context.today)
    if worst is None:
        return None
    raised, due, own_due = (describe_moment(m, wanted.zone) for m in worst)
    return f": raised {raised}, it is due {own_due}, the supported agreement {due}"


@entity_rule("agreement-chain-calendar", Severity.ERROR, "SLA")
def chain_calendar(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """A supporting OLA or UC's clock stops while the agreement it supports is running.

    A response or resolution target is measured on a calendar: a 24x7 SLA counts every
    minute, an office-hours OLA only its business hours. If a customer SLA runs 24x7 but
    the database team's OLA under it runs Monday to Friday 08:00-18:00, an incident on
    Saturday stops the OLA's clock while the SLA's keeps running: nobody is bound to work
    on it, and the SLA is breached with every supporting promise kept.

    The supporting agreement's `spec.calendar` must run whenever the supported agreement's
    does (the same chain as `agreement-chain-targets`). A 24x7 UC under a business-hours
    OLA passes: it covers more than needed. Coverage is computed over the coming 53 weeks in
    UTC, so different time zones, daylight saving and each calendar's holidays count; the
    first uncovered moment is named, in the supported calendar's zone. Agreements without a
    calendar are skipped. Fix it by extending the supporting calendar (e.g. an on-call
    arrangement), or by narrowing the supported agreement's calendar.
    """
    catalog = context.catalog
    needed_cal = catalog.resolve_field(sla, "calendar", "BusinessCalendar")
    needed = calendar_hours(needed_cal, context.today) if needed_cal is not None else None
    if needed_cal is None or needed is None:
        return
    for support in supporting(sla, catalog):
        cal = catalog.resolve_field(support.agreement, "calendar", "BusinessCalendar")
        hours = calendar_hours(cal, context.today) if cal is not None else None
        if cal is None or hours is None or cal is needed_cal:
            continue
        gap = first_gap(needed, hours, context.today)
        if gap is not None:
            yield context.emit(
                support.agreement, f"calendar {cal.name!r} does not cover {needed_cal.name!r}"
                f" of {sla.name!r}, which it supports ({support.why}): first gap"
                f" {describe_moment(gap, needed.zone)}", ("spec", "calendar"),
                f"use a calendar that runs whenever {needed_cal.name!r} does, or narrow"
                f" {sla.name!r}'s calendar")
