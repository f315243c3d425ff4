"""Pages of teams, SLAs, calendars, RACI matrices, change models and service catalogs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from itsmctl.durations import parse_date
from itsmctl.model import Entity, list_of_dicts
from itsmctl.references import PARTY
from itsmctl.site.context import SiteInput
from itsmctl.site.figures import WEEKDAYS, day_minutes, weekly_hours
from itsmctl.site.graph import chain_svg
from itsmctl.site.pagemodel import Page, as_dict, as_list, entity_base, safe_url, text
from itsmctl.site.paths import Link, entity_path
from itsmctl.site.processes import process_fields
from itsmctl.site.registers import window_status
from itsmctl.site.services import raci_matrix, sla_summary


def _links(site: SiteInput, entities: list[Entity]) -> list[Any]:
    return [site.link_entity(e) for e in entities]


def _member_link(site: SiteInput, member: dict[str, Any]) -> Link:
    """A member's name, linked to their entry on the people page."""
    person = site.directory.member(member)
    name = text(member.get("name")) or (person.name if person is not None else "")
    return Link(name, person.link.href if person is not None else None)


def team_fields(site: SiteInput, team: Entity) -> dict[str, Any]:
    involvement = []
    for reference in site.catalog.referrers.get(team.ref, []):
        if reference.source.kind == "RACI" and reference.label == "party":
            activity = as_dict(reference.source.get(*reference.path[:3]))
            letters = text(as_dict(activity.get("assignments")).get(str(reference.path[-1])))
            involvement.append((reference.source.name, site.link_entity(reference.source),
                                text(activity.get("title")) or text(activity.get("name")),
                                letters))
    on_call = as_dict(team.get("spec", "onCall"))
    return {
        "email": text(team.get("spec", "email")),
        "email_href": safe_url(f"mailto:{text(team.get('spec', 'email'))}"),
        "chat": text(team.get("spec", "chat")),
        "parent": site.link_text(team.get("spec", "parent"), "Team"),
        "children": _links(site, site.referrers_of(team, "Team", "parent team")),
        "members": [(_member_link(site, m), text(m.get("email")), text(m.get("role")))
                    for _, m in list_of_dicts(team.get("spec", "members"))],
        "schedule": text(on_call.get("schedule")),
        "schedule_href": safe_url(on_call.get("schedule")),
        "escalation": [(text(e.get("level")), text(e.get("contact")), text(e.get("after")))
                       for _, e in list_of_dicts(on_call.get("escalation"))],
        "owns": _links(site, site.referrers_of(team, "Service", "owner")),
        "raci": [item[1:] for item in sorted(involvement, key=lambda i: (i[0], i[2]))],
        "cab_of": _links(site, site.referrers_of(team, "ChangeModel", "CAB")),
        "approver_of": _links(site, site.referrers_of(team, "ChangeModel", "approver")),
    }


def sla_fields(site: SiteInput, sla: Entity) -> dict[str, Any]:
    return {
        "summary": sla_summary(site, sla),
        "service": site.link_text(sla.get("spec", "service"), "Service"),
        "period": text(sla.get("spec", "measurement", "period")),
        "used_by": _links(site, site.referrers_of(sla, "Service", "SLA")),
    }


def calendar_fields(site: SiteInput, calendar: Entity) -> dict[str, Any]:
    hours = as_dict(calendar.get("spec", "weeklyHours"))
    week = []
    for day in WEEKDAYS:
        spans = [f"{text(s.get('start'))}\u2013{text(s.get('end'))}"
                 for _, s in list_of_dicts(hours.get(day))]
        week.append((day.capitalize(), ", ".join(spans) or "closed",
                     f"{day_minutes(hours.get(day)) / 60:g}"))
    holidays = sorted((text(h.get("date")), text(h.get("name")))
                      for _, h in list_of_dicts(calendar.get("spec", "holidays")))
    return {
        "timezone": text(calendar.get("spec", "timezone")),
        "week": week,
        "weekly_hours": f"{weekly_hours(calendar):g}",
        "holidays": holidays,
        "services": _links(site, site.referrers_of(calendar, "Service", "support calendar")),
        "slas": _links(site, site.referrers_of(calendar, "SLA", "calendar")),
    }


def raci_fields(site: SiteInput, raci: Entity) -> dict[str, Any]:
    return {
        "matrix": raci_matrix(site, raci),
        "scope_service": site.link_text(raci.get("spec", "scope", "service"), "Service"),
        "scope_process": text(raci.get("spec", "scope", "process")),
    }


def change_model_fields(site: SiteInput, model: Entity) -> dict[str, Any]:
    approvals = as_dict(model.get("spec", "approvals"))
    states = [text(s) for s in as_list(model.get("spec", "states"))]
    pir = as_dict(model.get("spec", "postImplementationReview"))
    templates = []
    for _, t in list_of_dicts(model.get("spec", "templates")):
        review_by = parse_date(t.get("reviewBy"))
        templates.append((text(t.get("name")), text(t.get("title")), text(t.get("risk")),
                          text(t.get("reviewBy")), bool(review_by and review_by < site.today)))
    return {
        "type": text(model.get("spec", "type")),
        "states": states,
        "states_svg": chain_svg(states, f"Workflow states of {model.title}"),
        "cab": site.link_text(approvals.get("cab"), "Team"),
        "approvers": [site.link_text(a, PARTY) for a in as_list(approvals.get("approvers"))],
        "retrospective": text(approvals.get("retrospective")),
        "lead_time": text(model.get("spec", "leadTime")),
        "artifacts": [text(a) for a in as_list(model.get("spec", "requiredArtifacts"))],
        "pir_required": text(pir.get("required")),
        "pir_within": text(pir.get("within")),
        "blackouts": [(text(w.get("name")), text(w.get("from")), text(w.get("until")),
                       text(w.get("reason")), window_status(w, site.today))
                      for _, w in list_of_dicts(model.get("spec", "blackoutWindows"))],
        "templates": templates,
        "services": _links(site, site.referrers_of(model, "Service", "change model")),
    }


def catalog_fields(site: SiteInput, catalog: Entity) -> dict[str, Any]:
    categories = []
    for _, category in list_of_dicts(catalog.get("spec", "categories")):
        offerings = []
        for _, offering in list_of_dicts(category.get("offerings")):
            offerings.append({
                "name": text(offering.get("name")),
                "title": text(offering.get("title")) or text(offering.get("name")),
                "service": site.link_text(offering.get("service"), "Service"),
                "self_service": text(offering.get("selfService")),
                "requests": [(text(r.get("name")), text(r.get("title")), text(r.get("fulfilment")))
                             for _, r in list_of_dicts(offering.get("requestTypes"))],
            })
        categories.append({"name": text(category.get("name")),
                           "title": text(category.get("title")) or text(category.get("name")),
                           "offerings": offerings})
    return {"audience": text(catalog.get("spec", "audience")), "categories": categories}


FieldBuilder = Callable[[SiteInput, Entity], dict[str, Any]]
BUILDERS: dict[str, tuple[str, FieldBuilder]] = {
    "Team": ("team.html", team_fields),
    "SLA": ("sla.html", sla_fields),
    "BusinessCalendar": ("calendar.html", calendar_fields),
    "RACI": ("raci.html", raci_fields),
    "ChangeModel": ("change-model.html", change_model_fields),
    "ServiceCatalog": ("catalog.html", catalog_fields),
    "Process": ("process.html", process_fields),
}


def kind_page(site: SiteInput, entity: Entity) -> Page:
    template, fields = BUILDERS[entity.kind]
    context = entity_base(site, entity) | fields(site, entity)
    return Page(entity_path(entity) or "", template, entity.title, entity.kind, context)
