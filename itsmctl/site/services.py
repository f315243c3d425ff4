"""Service pages: every field, SLA summary with allowed downtime, RACI, dependencies, blast
radius."""

from __future__ import annotations

from collections import Counter
from typing import Any

from itsmctl.capping import every_finding
from itsmctl.model import Entity, list_of_dicts
from itsmctl.references import PARTY
from itsmctl.rules.reviews import review_due
from itsmctl.site.context import SiteInput
from itsmctl.site.figures import blast_radius
from itsmctl.site.gates import gate_section
from itsmctl.site.graphs import neighbourhood_svg
from itsmctl.site.pagemodel import Page, as_dict, as_list, entity_base, safe_url, text
from itsmctl.site.paths import entity_path, kind_index
from itsmctl.site.registers import freezes_of, sla_downtime

BLAST_SHOWN = 50
"""Rows of a service page's blast-radius table: a chain of n services would otherwise list
n(n-1)/2 rows over the site (1,200 services: 74 MB). The count stays exact."""

LINK_LABELS = {"runbook": "Runbook", "repository": "Repository", "dashboard": "Dashboard",
               "knowledgeBase": "Knowledge base"}


def sla_summary(site: SiteInput, sla: Entity) -> dict[str, Any]:
    """Availability, allowed downtime and per-priority targets of one SLA; made once per SLA
    and process (the SLA's page and its services' pages show it; pages only read it)."""
    return site.per_entity("sla_summary", sla, lambda: _sla_summary(site, sla))


def _sla_summary(site: SiteInput, sla: Entity) -> dict[str, Any]:
    return {
        "link": site.link_entity(sla),
        "type": text(sla.get("spec", "type")),
        "customer": text(sla.get("spec", "customer")),
        "calendar": site.link_text(sla.get("spec", "calendar"), "BusinessCalendar"),
        "timezone": text(sla.get("spec", "measurement", "timezone")),
        "downtime": sla_downtime(site, sla),
        "targets": [(text(t.get("priority")), text(t.get("response")), text(t.get("resolution")))
                    for _, t in list_of_dicts(sla.get("spec", "targets"))],
        "credits": [(text(c.get("below")), text(c.get("credit")))
                    for _, c in list_of_dicts(sla.get("spec", "serviceCredits"))],
        "effective_from": text(sla.get("spec", "effective", "from")),
        "effective_until": text(sla.get("spec", "effective", "until")),
    }


def raci_matrix(site: SiteInput, raci: Entity) -> dict[str, Any]:
    """A RACI matrix as a table: one row per activity, one column per party; made once per
    RACI (its page, its process's and its services' pages show it; pages only read it)."""
    return site.per_entity("raci_matrix", raci, lambda: _raci_matrix(site, raci))


def _raci_matrix(site: SiteInput, raci: Entity) -> dict[str, Any]:
    activities = [a for _, a in list_of_dicts(raci.get("spec", "activities"))]
    parties = sorted({str(k) for a in activities for k in as_dict(a.get("assignments"))})
    rows = []
    for activity in activities:
        assignments = as_dict(activity.get("assignments"))
        rows.append({"name": text(activity.get("name")),
                     "title": text(activity.get("title")) or text(activity.get("name")),
                     "cells": [text(assignments.get(p)) for p in parties]})
    return {"link": site.link_entity(raci),
            "parties": [site.link_text(p, PARTY) for p in parties], "rows": rows}


def _review(service: Entity, site: SiteInput) -> dict[str, Any]:
    due = review_due(service)
    return {"last": text(service.get("spec", "review", "lastReviewed")),
            "interval": text(service.get("spec", "review", "interval")),
            "due": due.isoformat() if due else "", "overdue": bool(due and due < site.today)}


def service_fields(site: SiteInput, service: Entity) -> dict[str, Any]:
    spec = service.spec
    sla = site.catalog.resolve_field(service, "sla", "SLA")
    dependents = site.dependents.get(service.ref, [])
    # the nearest first, then by name
    impacted, impacted_total = blast_radius(service, site.dependents, BLAST_SHOWN)
    return {
        "type": text(spec.get("type")),
        "lifecycle": text(spec.get("lifecycle")),
        "tier": text(spec.get("tier")),
        "owner": site.link_text(spec.get("owner"), "Team"),
        "sla_link": site.link_text(spec.get("sla"), "SLA"),
        "sla": sla_summary(site, sla) if sla is not None else None,
        "calendar": site.link_text(spec.get("supportCalendar"), "BusinessCalendar"),
        "change_models": [site.link_text(m, "ChangeModel")
                          for m in as_list(spec.get("changeModels"))],
        "links": [(LINK_LABELS.get(str(k), str(k)), text(v), safe_url(v))
                  for k, v in sorted(as_dict(spec.get("links")).items())],
        "cost": as_dict(spec.get("cost")),
        "data_classification": text(spec.get("dataClassification")),
        "review": _review(service, site),
        "scorecards": site.scores.get(str(service.ref), []),
        "dependencies": [(site.link_text(d.get("service"), "Service"),
                          text(d.get("type") or "hard"), text(d.get("description")))
                         for _, d in list_of_dicts(spec.get("dependencies"))],
        "dependents": [(site.link_entity(s), kind) for s, kind in dependents],
        "blast_radius": [(site.link_entity(i.service), i.distance, i.hard)
                         for i in impacted],
        "blast_total": impacted_total,
        "raci": [raci_matrix(site, r) for r in site.referrers_of(service, "RACI", "scope")],
        "catalogs": [site.link_entity(c)
                     for c in site.referrers_of(service, "ServiceCatalog", "offering")],
        "gates": gate_section(site, service),
        "freezes": freezes_of(site, service),
        "neighbourhood": neighbourhood_svg(site, service, "../"),
    }


def service_page(site: SiteInput, service: Entity) -> Page:
    from itsmctl.site.people import service_people

    context = entity_base(site, service) | service_fields(site, service) \
        | service_people(site, service)
    return Page(entity_path(service) or "", "service.html", service.title, "Service", context)


def service_row(site: SiteInput, service: Entity) -> dict[str, Any]:
    sla = site.catalog.resolve_field(service, "sla", "SLA")
    return {"link": site.link_entity(service), "name": service.name,
            "tier": text(service.get("spec", "tier")),
            "lifecycle": text(service.get("spec", "lifecycle")),
            "type": text(service.get("spec", "type")),
            "owner": site.link_text(service.get("spec", "owner"), "Team"),
            "availability": text(sla.get("spec", "availability")) if sla else "",
            "broken": service.ref in site.broken} | _level(site, service) | _findings(site, service)


def _level(site: SiteInput, service: Entity) -> dict[str, Any]:
    """The service's level on the config's first scorecard (its rank sorts the column)."""
    scores = site.scores.get(str(service.ref), [])
    if not scores:
        return {"level": "", "level_rank": 0}
    card, score = scores[0]
    return {"level": score.level or "", "level_rank": card.rank(score.level)}


def _findings(site: SiteInput, service: Entity) -> dict[str, Any]:
    counts = Counter(f.severity for f in every_finding(site.findings_of(service)))
    words = [f"{counts[s]} {s.label}{'s' if counts[s] != 1 else ''}"
             for s in sorted(counts, reverse=True)]
    worst = max(counts).label if counts else "none"
    rank = sum(counts[s] * 1000 ** int(s) for s in counts)
    return {"findings_text": ", ".join(words) or "none", "findings_class": worst,
            "findings_rank": rank}


def services_index(site: SiteInput, services: list[Entity]) -> Page:
    """The services table; the browser sorts and filters it (the HTML is complete without)."""
    rows = [service_row(site, s) for s in services]
    def options(key: str) -> list[str]:
        return sorted({str(r[key]) for r in rows} - {""})
    owners = sorted({r["owner"].text for r in rows if r["owner"] is not None})
    levels = options("level")
    filters = [("tier", "Tier", "Any tier", options("tier")),
               ("lifecycle", "Lifecycle", "Any stage", options("lifecycle")),
               ("type", "Type", "Any type", options("type")),
               ("owner", "Owner", "Any team", owners),
               ("level", "Scorecard level", "Any level", levels),
               ("findings", "Worst finding", "Any", ["error", "warning", "info", "none"])]
    cards = {card.title for s in services for card, _ in site.scores.get(str(s.ref), [])[:1]}
    return Page(kind_index("Service"), "services.html", "Services", "Service",
                {"rows": rows, "filters": filters, "card": ", ".join(sorted(cards))})
