"""The prebuilt search index, written once, as a script the home page loads.

Browsers refuse `fetch()` of local files, so the page loads the index with a plain
`<script src>`. There is no second JSON copy (at 2,000 services it was 1.2 MB more): the
script is one line of JSON after a fixed prefix, `INDEX_PREFIX`, for tools to strip.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from itsmctl.model import Entity, list_of_dicts
from itsmctl.site.context import SiteInput
from itsmctl.site.overview import owner_name
from itsmctl.site.pagemodel import as_dict, string_items, text
from itsmctl.site.paths import ref_path
from itsmctl.visible import visible

DESCRIPTION_CHARS = 200
TERMS_CHARS = 1000  # what else search finds an entry by (labels, e-mails, targets...)
INDEX_FILE = "assets/search-index.js"
INDEX_PREFIX = "window.ITSMCTL_SEARCH_INDEX = "


def index_entries(site: SiteInput) -> list[dict[str, Any]]:
    entries = []
    for entity in site.catalog:
        href = ref_path(entity.ref)
        if href is None:
            continue
        entry = {"kind": entity.kind, "name": entity.name, "title": entity.title, "url": href,
                 "description": text(entity.metadata.get("description"))[:DESCRIPTION_CHARS]}
        terms = _terms(search_terms(entity))
        if terms:
            entry["terms"] = terms
        if entity.kind == "Service":
            entry |= {"tier": text(entity.get("spec", "tier")),
                      "lifecycle": text(entity.get("spec", "lifecycle")),
                      "owner": owner_name(site, entity)}
        entries.append({key: visible(value) if isinstance(value, str) else value
                        for key, value in entry.items()})
    entries += person_entries(site)
    return sorted(entries, key=lambda e: (e["kind"], e["name"]))


def _terms(values: Iterable[str]) -> str:
    """Distinct non-empty terms on one line, clipped (a catalog value can be huge)."""
    out = " ".join(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    return visible(out[:TERMS_CHARS])


def search_terms(entity: Entity) -> list[str]:
    """Labels, e-mails, cost centres, members and targets of an entity, as search words."""
    terms = [f"{k}={v} {k} {v}" for k, v in string_items(entity.metadata.get("labels"))]
    spec = entity.spec
    if entity.kind == "Service":  # its team and SLA have entries of their own
        terms.append(text(as_dict(spec.get("cost")).get("costCenter")))
    elif entity.kind == "Team":
        terms += [text(spec.get("email")), text(spec.get("chat")), text(spec.get("github"))]
        for _, member in list_of_dicts(spec.get("members")):
            terms += [text(member.get(k)) for k in ("name", "email", "github")]
    elif entity.kind == "SLA":
        terms += _targets(entity)
    return terms


def _targets(sla: Entity) -> list[str]:
    """`99.9%`, `P1 15m 4h` (priority, response, resolution): an SLA's promises as words,
    kept short (an index of 10,000 SLAs carries them all)."""
    availability = text(sla.get("spec", "availability"))
    out = [f"{availability}%"] if availability else []
    for _, target in list_of_dicts(sla.get("spec", "targets")):
        out.append(f"{text(target.get('priority'))} {text(target.get('response'))}"
                   f" {text(target.get('resolution'))}")
    return out


def person_entries(site: SiteInput) -> list[dict[str, Any]]:
    """People (site/people.py) as search results: found by name, e-mail, login, team, role."""
    from itsmctl.site.people import person_terms

    out = []
    for person in site.directory.sorted_people():
        teams = ", ".join(link.text for _, link, _ in person.teams)
        out.append({"kind": "Person", "name": person.key, "title": visible(person.name),
                    "url": person.link.href,
                    "description": visible(f"{person.email} · {teams}" if teams else person.email),
                    "terms": _terms(person_terms(person))})
    return out


def index_files(site: SiteInput) -> dict[str, bytes]:
    entries = index_entries(site)
    # ASCII with "<" escaped: "</script>" in catalog text can never close a script or open a
    # tag, even if the file is served with the wrong content type
    script = json.dumps(entries, sort_keys=True, ensure_ascii=True).replace("<", "\\u003c")
    return {INDEX_FILE: f"{INDEX_PREFIX}{script};\n".encode()}
