"""The prebuilt search index, written once, as a script the home page loads.

Browsers refuse `fetch()` of local files, so the page loads the index with a plain
`<script src>`. There is no second JSON copy (at 2,000 services it was 1.2 MB more): the
script is one line of JSON after a fixed prefix, `INDEX_PREFIX`, for tools to strip.
"""

from __future__ import annotations

import json
from typing import Any

from itsmctl.site.context import SiteInput
from itsmctl.site.overview import owner_name
from itsmctl.site.pagemodel import text
from itsmctl.site.paths import ref_path
from itsmctl.visible import visible

DESCRIPTION_CHARS = 200
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
        if entity.kind == "Service":
            entry |= {"tier": text(entity.get("spec", "tier")),
                      "lifecycle": text(entity.get("spec", "lifecycle")),
                      "owner": owner_name(site, entity)}
        entries.append({key: visible(value) if isinstance(value, str) else value
                        for key, value in entry.items()})
    return sorted(entries, key=lambda e: (e["kind"], e["name"]))


def index_files(site: SiteInput) -> dict[str, bytes]:
    entries = index_entries(site)
    # ASCII with "<" escaped: "</script>" in catalog text can never close a script or open a
    # tag, even if the file is served with the wrong content type
    script = json.dumps(entries, sort_keys=True, ensure_ascii=True).replace("<", "\\u003c")
    return {INDEX_FILE: f"{INDEX_PREFIX}{script};\n".encode()}
