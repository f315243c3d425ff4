"""Site-wide pages: home (counts, governance health, coverage), findings, rules, graph, changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from itsmctl.capping import every_finding
from itsmctl.findings import Severity
from itsmctl.model import LIFECYCLE_STAGES, Entity
from itsmctl.site.context import SiteInput
from itsmctl.site.pagemodel import Page, as_dict, safe_url, text
from itsmctl.site.paths import FOLDERS, PLURALS, kind_index, ref_path
from itsmctl.site.processes import process_list
from itsmctl.site.registers import attention, change_calendar, sla_register, teams_register
from itsmctl.site.review import service_review

SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]


def _counted(counter: Counter[str], order: list[str]) -> list[tuple[str, int]]:
    """Counts in a fixed order first, then any unexpected values sorted (bad data still shows)."""
    rest = sorted(k for k in counter if k not in order)
    return [(k, counter[k]) for k in order + rest if counter[k]]


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "n/a"


def coverage(site: SiteInput, services: list[Entity]) -> list[tuple[str, int, int, str]]:
    """Share of services with an owner, an SLA, a runbook and a RACI (all resolved)."""
    catalog = site.catalog
    checks: dict[str, Callable[[Entity], bool]] = {
        "owner team": lambda s: catalog.resolve_field(s, "owner", "Team") is not None,
        "SLA": lambda s: catalog.resolve_field(s, "sla", "SLA") is not None,
        "runbook": lambda s: safe_url(as_dict(s.get("spec", "links")).get("runbook")) is not None,
        "RACI matrix": lambda s: bool(site.referrers_of(s, "RACI", "scope")),
    }
    out = []
    for label, check in checks.items():
        count = sum(1 for s in services if check(s))
        out.append((label, count, len(services), _share(count, len(services))))
    return out


def findings_by_rule(site: SiteInput) -> list[tuple[str, list[int], int]]:
    counts: dict[str, Counter[str]] = {}
    for finding in every_finding(site.validation.findings):  # "30 more ..." as 30
        counts.setdefault(finding.rule, Counter())[finding.severity.label] += 1
    return [(rule, [c[s] for s in SEVERITIES], sum(c.values()))
            for rule, c in sorted(counts.items())]


def home_page(site: SiteInput, services: list[Entity]) -> Page:
    def count(field: str) -> Counter[str]:
        return Counter(text(s.get("spec", field)) or "not set" for s in services)

    kinds = [(PLURALS[kind], len(site.catalog.of_kind(kind)), kind_index(kind)) for kind in FOLDERS]
    return Page("index.html", "index.html", site.config.site_title, "Home", {
        "kinds": kinds,
        "by_lifecycle": _counted(count("lifecycle"), list(LIFECYCLE_STAGES)),
        "by_tier": _counted(count("tier"), ["1", "2", "3", "4"]),
        "by_type": _counted(count("type"), ["business", "technical"]),
        "severities": SEVERITIES,
        "totals": site.validation.counts,
        "by_rule": findings_by_rule(site),
        "coverage": coverage(site, services),
        "tiers": sorted({text(s.get("spec", "tier")) for s in services} - {""}),
        "lifecycles": [x for x, _ in _counted(count("lifecycle"), list(LIFECYCLE_STAGES))],
        "owners": sorted({owner_name(site, s) for s in services} - {""}),
        "processes": process_list(site),
        "attention": attention(site),
        "review": service_review(site),
        "services_count": len(services),
        "sla_count": len(site.catalog.of_kind("SLA")),
        "team_count": len(site.catalog.of_kind("Team")),
        "window_count": len(change_calendar(site)),
    })


def owner_name(site: SiteInput, service: Entity) -> str:
    link = site.link_text(service.get("spec", "owner"), "Team")
    return link.text if link is not None else ""


def findings_page(site: SiteInput) -> Page:
    by_ref = {str(e.ref): e for e in site.catalog}

    def row(finding: Any) -> dict[str, Any]:
        entity = by_ref.get(finding.entity)
        link = site.link_entity(entity) if entity is not None and ref_path(entity.ref) else None
        return {"finding": finding, "link": link,
                "where": f"{finding.file}:{finding.line}" if finding.line else finding.file}

    invalid = [e for e in site.catalog if ref_path(e.ref) is None]
    return Page("findings.html", "findings.html", "Findings", "Findings", {
        "rows": [row(f) for f in site.validation.findings],
        "waived": [row(f) for f in site.validation.waived],
        "invalid": sorted(invalid, key=lambda e: (e.kind, e.rel, e.line)),
        "totals": site.validation.counts,
    })


def rules_page(site: SiteInput) -> Page:
    return Page("rules.html", "rules.html", "Rules", "Rules", {"rules": site.rules})


def kind_list_page(site: SiteInput, kind: str) -> Page:
    """The list of one kind; for SLAs and teams the list is the register."""
    if kind == "SLA":
        return sla_register(site)
    if kind == "Team":
        return teams_register(site)
    entities = site.catalog.of_kind(kind)
    rows = [{"link": site.link_entity(e), "name": e.name,
             "description": text(e.metadata.get("description")),
             "broken": e.ref in site.broken} for e in entities if ref_path(e.ref) is not None]
    return Page(kind_index(kind), "kind-index.html", PLURALS[kind], kind, {"rows": rows})
