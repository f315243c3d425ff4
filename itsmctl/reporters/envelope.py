"""The envelope every JSON document carries: `schemaVersion` and `tool` (name, version).

`schemaVersion` changes only when a field is removed or changes meaning; new fields may
appear in any release. Every JSON reporter goes through `json_document`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from itsmctl import __version__
from itsmctl.visible import json_visible

SCHEMA_VERSION = 1
TOOL = {"name": "itsmctl", "version": __version__}


def envelope(body: Mapping[str, Any]) -> dict[str, Any]:
    """`body` with `schemaVersion` and `tool` first."""
    return {"schemaVersion": SCHEMA_VERSION, "tool": dict(TOOL), **body}


def dump_json(data: Any) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, UTF-8 as is except hidden
    characters (escaped, `itsmctl/visible.py`), one final newline."""
    return json_visible(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False,
                                   default=str)) + "\n"


def json_document(body: Mapping[str, Any]) -> str:
    return dump_json(envelope(body))
