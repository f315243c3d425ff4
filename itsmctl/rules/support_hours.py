"""Calendars coherent with promises: agreements, support hours and dependencies on one clock."""

from __future__ import annotations

import re
from collections.abc import Iterable

from itsmctl.durations import parse_duration
from itsmctl.findings import Finding, Severity
from itsmctl.hours import Hours, calendar_hours, daily_minutes, describe_moment, first_gap
from itsmctl.model import IN_PRODUCTION, Entity, list_of_dicts
from itsmctl.rules.common import count, dependencies, lifecycle, plain_number, tier
from itsmctl.rules.registry import RuleContext, entity_rule

_DAYS_OR_WEEKS = re.compile(r"\d+[dw]")


def _clock(entity: Entity, field: str, context: RuleContext) -> tuple[Entity, Hours] | None:
    calendar = context.catalog.resolve_field(entity, field, "BusinessCalendar")
    hours = calendar_hours(calendar, context.today) if calendar is not None else None
    return (calendar, hours) if calendar is not None and hours is not None else None


def _support(service: Entity, context: RuleContext) -> tuple[Entity, Hours] | None:
    return _clock(service, "supportCalendar", context)


@entity_rule("sla-calendar-support", Severity.WARNING, "SLA")
def calendar_support(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """An SLA's clock and its service's support hours disagree.

    Support hours (`spec.supportCalendar` of the service) are when people work on its
    incidents; the agreement's calendar (`spec.calendar`) is when its response and
    resolution clocks run. A 24x7 agreement on office-hours support runs its clock at night
    with nobody on shift: breaches are built in. The reverse, 24x7 support under an
    office-hours agreement, pays for night shifts the agreement never asks for, or hides
    that night incidents have no target at all.

    Passes when both calendars run at exactly the same times over the coming 53 weeks (the
    same calendar trivially does). Underpinning contracts (`type: UC`) are exempt: a
    supplier's hours are its own. Fix it by giving the agreement the service's support
    calendar, or by changing the support hours to what the agreement promises.
    """
    if sla.get("spec", "type") == "UC":
        return
    service = context.catalog.resolve_field(sla, "service", "Service")
    own, support = _clock(sla, "calendar", context), None
    if service is not None:
        support = _support(service, context)
    if service is None or own is None or support is None or own[0] is support[0]:
        return
    (cal, hours), (support_cal, support_hours) = own, support
    gap = first_gap(hours, support_hours, context.today)
    if gap is not None:
        yield context.emit(
            sla, f"calendar {cal.name!r} runs when {service.name!r} is not supported"
            f" ({support_cal.name!r}), first at {describe_moment(gap, hours.zone)}",
            ("spec", "calendar"),
            f"measure the agreement on {support_cal.name!r}, or extend the support hours")
        return
    gap = first_gap(support_hours, hours, context.today)
    if gap is not None:
        yield context.emit(
            sla, f"{service.name!r} is supported on {support_cal.name!r}, but the agreement's"
            f" calendar {cal.name!r} stops, first at"
            f" {describe_moment(gap, support_hours.zone)}: those incidents have no target",
            ("spec", "calendar"),
            f"measure the agreement on {support_cal.name!r}, or narrow the support hours")


@entity_rule("tier1-support-hours", Severity.WARNING, "Service")
def tier1_support_hours(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A tier-1 service in production is not supported around the clock.

    Tier 1 marks the services whose outage stops the business; an outage at 02:00 on a
    Sunday is as costly as one on Monday morning. Office-hours support for them means the
    outage lasts until the next shift starts.

    Applies to tier-1 services that are `operational` or `retiring` and name a support
    calendar; passes when its weekly hours are 24x7 (every weekday 00:00-24:00). Holidays
    listed on such a calendar are not judged here; where they stop a clock another rule
    depends on, that rule reports it. Fix it by
    moving the service to a 24x7 calendar with on-call, or by lowering its tier.
    """
    if tier(service) != 1 or lifecycle(service) not in IN_PRODUCTION:
        return
    support = _support(service, context)
    if support is not None and not support[1].weekly_24x7:
        yield context.emit(
            service, f"tier-1 service {service.name!r} is supported on {support[0].name!r},"
            " which is not 24x7", ("spec", "supportCalendar"),
            "support tier-1 services 24x7 (with on-call), or lower the tier")


@entity_rule("dependency-support-hours", Severity.WARNING, "Service")
def dependency_support_hours(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A hard dependency is not supported whenever the service that needs it is.

    If checkout is supported 24x7 and cannot work without a database supported only in
    office hours, a Saturday database incident waits until Monday while checkout's own
    support can do nothing: checkout's support hours are then a promise nobody can keep.

    Applies to *hard* dependencies of services that are not retired, when both name a
    support calendar; a soft dependency is exempt (the service degrades but works). The
    dependency's support hours must cover the service's over the coming 53 weeks. Fix it by
    extending the dependency's support hours, or by making the dependency soft.
    """
    if lifecycle(service) == "retired":
        return
    own = _support(service, context)
    if own is None:
        return
    for dep in dependencies(service, context.catalog):
        theirs = _support(dep.target, context) if dep.type == "hard" else None
        if theirs is None or theirs[0] is own[0]:
            continue
        gap = first_gap(own[1], theirs[1], context.today)
        if gap is not None:
            yield context.emit(
                service, f"hard dependency {dep.target.name!r} is supported on"
                f" {theirs[0].name!r}, which does not cover {service.name!r}'s"
                f" {own[0].name!r}: first gap {describe_moment(gap, own[1].zone)}", dep.path,
                f"extend {dep.target.name!r}'s support hours, or make the dependency soft")


def business_day(calendar: Entity) -> int | None:
    """Minutes of the calendar's most common open day (600 for 08:00-18:00), if any."""
    days = daily_minutes(calendar)
    return max(sorted(set(days)), key=days.count) if days else None


@entity_rule("calendar-day-ambiguous", Severity.WARNING, "SLA")
def day_ambiguous(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """A target counts days or weeks on a calendar that is not 24x7.

    What a day is: in every target, `1d` is 24 hours and `1w` 168 hours *of the agreement's
    calendar*, the way an SLA engine (ServiceNow's schedules, for one) counts time on a
    schedule. On Monday-Friday 09:00-17:00, `resolution: 1d` is 24 business hours, three
    business days: an incident raised Monday 10:00 is due Thursday 10:00, not Tuesday 10:00.
    Most people reading `1d` there expect "one business day", so the value is ambiguous.

    Warns for each response or resolution written with `d` or `w` on an SLA whose calendar's
    weekly hours are not 24x7 (around the clock a day is a day, holidays or not). Fix it by
    writing the business hours meant: `8h` for one business day of that calendar, `24h` to
    keep the 24-hour meaning.
    """
    calendar = context.catalog.resolve_field(sla, "calendar", "BusinessCalendar")
    hours = calendar_hours(calendar, context.today) if calendar is not None else None
    if calendar is None or hours is None or hours.weekly_24x7:
        return
    day = business_day(calendar)
    for index, target in list_of_dicts(sla.get("spec", "targets")):
        for field in ("response", "resolution"):
            text = target.get(field)
            minutes = parse_duration(text)
            if minutes is None or not _DAYS_OR_WEEKS.search(str(text)):
                continue
            counted = f"{plain_number(minutes / 60)} business hours"
            if day:
                counted += (f" ({plain_number(round(minutes / day, 2))} of its"
                            f" {plain_number(day / 60)}-hour days)")
            yield context.emit(
                sla, f"{target.get('priority')} {field} {text} on {calendar.name!r} is"
                f" {counted}, not {_as_business_days(str(text))}",
                ("spec", "targets", index, field),
                "write the hours you mean: e.g. 10h for one business day of 08:00-18:00,"
                " 24h to keep 24 business hours")



def _as_business_days(text: str) -> str:
    """What a reader takes `2d` for: `2 business days` (`1w`: `1 business week`)."""
    match = re.fullmatch(r"(\d+)([dw])", text)
    if match is None:
        return f"{text} of business days"
    unit = "business day" if match[2] == "d" else "business week"
    return count(int(match[1]), unit)
