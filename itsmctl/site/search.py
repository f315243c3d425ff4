"""The prebuilt search index: JSON for tools, and the same data as a script for file:// use.

Browsers refuse `fetch()` of local files, so the page loads the index with a plain
`<script src>`; the JSON copy is for anyone who wants to reuse the index.
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
    # tag, even if the JSON file is served with the wrong content type
    data = json.dumps(entries, indent=1, sort_keys=True, ensure_ascii=True).replace("<", "\\u003c")
    script = json.dumps(entries, sort_keys=True, ensure_ascii=True).replace("<", "\\u003c")
    return {
        "search-index.json": (data + "\n").encode(),
        "assets/search-index.js": f"window.ITSMCTL_SEARCH_INDEX = {script};\n".encode(),
    }
