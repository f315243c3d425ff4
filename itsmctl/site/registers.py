"""Registers and the governance summary: SLAs, the change calendar, teams, what needs attention.

Every number comes from the functions the rules and the other pages use (`figures.downtime`,
which is `itsmctl.availability`'s formula; `review_due`; the security-review settings), so a
register never disagrees with a service page or with `validate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from itsmctl.durations import parse_date
from itsmctl.evidence import latest
from itsmctl.model import Entity, list_of_dicts
from itsmctl.references import parse_ref
from itsmctl.rules.common import lifecycle
from itsmctl.rules.reviews import review_due
from itsmctl.rules.security import HOLDS_DATA, review_settings
from itsmctl.site.context import SiteInput
from itsmctl.site.figures import Downtime, downtime, weekly_hours
from itsmctl.site.pagemodel import Page, as_list, text
from itsmctl.site.paths import Link, kind_index, ref_path

ATTENTION_DAYS = 30  # waivers and evidence that lapse within this many days are listed
ATTENTION_ROWS = 10  # entities with errors listed by name on the home page (all: findings.html)
REVIEWED_KINDS = ("Service", "SLA", "RACI", "ChangeModel")


def window_status(window: dict[str, Any], today: date) -> str:
    """`past`, `in force` or `upcoming` for a blackout window; "" when its dates are unreadable."""
    start, end = parse_date(window.get("from")), parse_date(window.get("until"))
    if start is None or end is None:
        return ""
    if end < today:
        return "past"
    return "in force" if start <= today else "upcoming"


@dataclass(frozen=True)
class Freeze:
    """One blackout window of one change model, and the services that use the model."""

    model: Link
    name: str
    start: str
    end: str
    reason: str
    status: str
    services: tuple[Link, ...]


def _model_windows(site: SiteInput, model: Entity, with_services: bool = True) -> list[Freeze]:
    """The model's windows; `with_services` False leaves out the services that use it (a
    service page needs only its own freezes, and listing 2,000 users on each page is costly)."""
    services = tuple(site.link_entity(s)
                     for s in site.referrers_of(model, "Service", "change model")
                     ) if with_services else ()
    return [Freeze(site.link_entity(model), text(w.get("name")), text(w.get("from")),
                   text(w.get("until")), text(w.get("reason")), window_status(w, site.today),
                   services)
            for _, w in list_of_dicts(model.get("spec", "blackoutWindows"))]


def change_calendar(site: SiteInput) -> list[Freeze]:
    """Every blackout window of every change model, by start date."""
    windows = [w for m in site.catalog.of_kind("ChangeModel") if ref_path(m.ref)
               for w in _model_windows(site, m)]
    return sorted(windows, key=lambda w: (w.start, w.end, w.model.text, w.name))


def freezes_of(site: SiteInput, service: Entity) -> list[Freeze]:
    """The blackout windows in force today on the change models a service allows."""
    out = []
    for value in as_list(service.get("spec", "changeModels")):
        ref = parse_ref(value, "ChangeModel") if isinstance(value, str) else None
        model = site.catalog.get(ref) if ref is not None else None
        if model is not None and model.kind == "ChangeModel" and ref_path(model.ref):
            out += _in_force(site, model)
    return sorted(out, key=lambda w: (w.end, w.model.text, w.name))


def _in_force(site: SiteInput, model: Entity) -> list[Freeze]:
    """A change model's windows in force today, without their services: found once per model
    and process (a handful of models serve thousands of service pages); read only."""
    def make() -> list[Freeze]:
        return [w for w in _model_windows(site, model, with_services=False)
                if w.status == "in force"]
    return site.per_entity("windows_in_force", model, make)


def sla_downtime(site: SiteInput, sla: Entity) -> Downtime | None:
    """`figures.downtime` of an SLA with its calendar, once per SLA and process: the SLA's
    page, the page of each service it covers and the register show the same figures."""
    def make() -> Downtime | None:
        calendar = site.catalog.resolve_field(sla, "calendar", "BusinessCalendar")
        weekly = None if calendar is None else site.per_entity(
            "weekly_hours", calendar, lambda: weekly_hours(calendar))
        return downtime(sla, weekly)
    return site.per_entity("sla_downtime", sla, make)


def _review(entity: Entity, today: date) -> tuple[str, bool]:
    due = review_due(entity)
    return (due.isoformat() if due else ""), bool(due and due < today)


def sla_rows(site: SiteInput) -> list[dict[str, Any]]:
    """One row per agreement: type, service, target, allowed downtime, calendar, dates."""
    rows = []
    for sla in site.catalog.of_kind("SLA"):
        if ref_path(sla.ref) is None:
            continue
        allowed = sla_downtime(site, sla)
        services = [site.link_entity(s) for s in site.referrers_of(sla, "Service", "SLA")]
        named = site.link_text(sla.get("spec", "service"), "Service")
        due, overdue = _review(sla, site.today)
        until = parse_date(sla.get("spec", "effective", "until"))
        rows.append({
            "link": site.link_entity(sla), "type": text(sla.get("spec", "type")),
            "services": services or ([named] if named else []),
            "availability": allowed.availability if allowed else None,
            "around_clock": allowed.per_month if allowed else "",
            "in_hours": allowed.per_month_in_hours if allowed else "",
            "hours_per_week": allowed.service_hours_per_week if allowed else None,
            "calendar": site.link_text(sla.get("spec", "calendar"), "BusinessCalendar"),
            "until": text(sla.get("spec", "effective", "until")),
            "ended": bool(until and until < site.today),
            "review_due": due, "overdue": overdue and not (until and until < site.today),
            "broken": sla.ref in site.broken,
        })
    return rows


def team_rows(site: SiteInput) -> list[dict[str, Any]]:
    rows = []
    for team in site.catalog.of_kind("Team"):
        if ref_path(team.ref) is None:
            continue
        owns = site.referrers_of(team, "Service", "owner")
        rows.append({
            "link": site.link_entity(team),
            "parent": site.link_text(team.get("spec", "parent"), "Team"),
            "members": sum(1 for _ in list_of_dicts(team.get("spec", "members"))),
            "services": len(owns),
            "tier1": sum(1 for s in owns if text(s.get("spec", "tier")) == "1"),
            "email": text(team.get("spec", "email")),
            "on_call": bool(team.get("spec", "onCall", "schedule")),
            "broken": team.ref in site.broken,
        })
    return rows


@dataclass(frozen=True)
class Lapse:
    """A waiver or a piece of evidence that lapses soon (or has lapsed): on the home page."""

    link: Link
    what: str
    ends: str
    days: int  # days left; negative when already lapsed


def expiring_waivers(site: SiteInput) -> list[Lapse]:
    horizon = site.today + timedelta(days=ATTENTION_DAYS)
    out = []
    for entity in site.catalog:
        for waiver in entity.waivers:
            ends = parse_date(waiver.expires)
            if ends is not None and ends <= horizon and ref_path(entity.ref):
                out.append(Lapse(site.link_entity(entity), f"waiver of {waiver.rule}",
                                 ends.isoformat(), (ends - site.today).days))
    return sorted(out, key=lambda x: (x.ends, x.link.text, x.what))


def expiring_evidence(site: SiteInput) -> list[Lapse]:
    """Security reviews (the evidence `security-review-current` judges) going stale soon."""
    classes, names, max_age = review_settings(site.config.raw.get("settings"))
    horizon = site.today + timedelta(days=ATTENTION_DAYS)
    out = []
    for service in site.catalog.of_kind("Service"):
        if (service.get("spec", "dataClassification") not in classes
                or lifecycle(service) not in HOLDS_DATA or ref_path(service.ref) is None):
            continue
        found = latest(service, names)
        if found is None:
            continue  # no review at all: an error finding, listed with the errors
        try:
            ends = found.date + timedelta(minutes=max_age)
        except OverflowError:
            continue
        if ends <= horizon:
            out.append(Lapse(site.link_entity(service), f"{found.name} of {found.date}",
                             ends.isoformat(), (ends - site.today).days))
    return sorted(out, key=lambda x: (x.ends, x.link.text))


def overdue_reviews(site: SiteInput) -> list[tuple[Link, str, str]]:
    """(entity, kind, due date) of every periodic review that is overdue, the oldest first."""
    out = []
    for kind in REVIEWED_KINDS:
        for entity in site.catalog.of_kind(kind):
            if ref_path(entity.ref) is None:
                continue
            if kind == "SLA":
                until = parse_date(entity.get("spec", "effective", "until"))
                if until is not None and until < site.today:
                    continue  # an ended agreement is renewed, not reviewed (as the rule says)
            due, overdue = _review(entity, site.today)
            if overdue:
                out.append((site.link_entity(entity), kind, due))
    return sorted(out, key=lambda x: (x[2], x[0].text))


def attention(site: SiteInput) -> dict[str, Any]:
    """What the home page opens with: errors, lapsing waivers and evidence, reviews, freezes."""
    broken = sorted((e for e in site.catalog if e.ref in site.broken and ref_path(e.ref)),
                    key=lambda e: (e.kind, e.name))
    errors = site.validation.counts["error"]  # a counting finding as those it counts
    return {
        "errors": errors,
        "broken": [site.link_entity(e) for e in broken[:ATTENTION_ROWS]],
        "broken_count": len(broken),
        "waivers": expiring_waivers(site),
        "evidence": expiring_evidence(site),
        "reviews": overdue_reviews(site),
        "freezes": [w for w in change_calendar(site) if w.status == "in force"],
        "days": ATTENTION_DAYS,
    }


def sla_register(site: SiteInput) -> Page:
    """`slas.html`: the list of agreements is the register."""
    return Page(kind_index("SLA"), "sla-register.html", "SLA register", "SLA",
                {"rows": sla_rows(site)})


def change_calendar_page(site: SiteInput) -> Page:
    return Page("change-calendar.html", "change-calendar.html", "Change calendar",
                "ChangeModel", {"windows": change_calendar(site)})


def teams_register(site: SiteInput) -> Page:
    """`teams.html`: the list of teams is the register."""
    return Page(kind_index("Team"), "team-register.html", "Teams register", "Team",
                {"rows": team_rows(site)})
