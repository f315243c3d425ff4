"""Parse limits: the bounds that keep hostile input from exhausting CPU or memory.

Their own module because every reader of catalog bytes obeys them (sources, git, the
loader, the config, policy files) and the parse cache keys on them; yamlload only enforces
them. `settings.*` in `.itsmctl.yaml` may change them (`limits_from_settings`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep hostile input from exhausting CPU or memory."""

    max_file_size: int = 1_048_576
    max_alias_expansion: int = 10_000  # nodes aliases may expand to, per file
    max_expanded_size: int = 4_194_304  # bytes of text aliases may repeat, per file
    max_depth: int = 64


DEFAULT_LIMITS = Limits()

# Findings of one rule listed per document of a file; the rest are one finding that counts
# them (validate.py `_capped`). Not a setting: a document of 4,000 long labels gave 4,000
# findings, and every report, annotation and page pays for each of them.
MAX_FINDINGS_PER_RULE = 100

# `settings.<key>` in the config file -> the Limits field it sets
SETTING_KEYS = {
    "maxFileSize": "max_file_size",
    "maxAliasExpansion": "max_alias_expansion",
    "maxExpandedSize": "max_expanded_size",
    "maxDepth": "max_depth",
}


def bounded(base: Limits, head: Limits) -> Limits:
    """The limits a pull request is read under: per limit, the lower of BASE's and HEAD's.
    A change may tighten its own bounds (at once) but never loosen them: a raised limit
    applies from the commit after the one that approved it."""
    return Limits(**{f.name: min(getattr(base, f.name), getattr(head, f.name))
                     for f in fields(Limits)})


def raised(base: Limits, head: Limits) -> list[tuple[str, int, int]]:
    """(`settings.<key>`, BASE's value, HEAD's) for each limit HEAD raises."""
    return [(f"settings.{key}", getattr(base, name), getattr(head, name))
            for key, name in SETTING_KEYS.items() if getattr(head, name) > getattr(base, name)]


def limits_from_settings(settings: Mapping[str, Any]) -> Limits:
    """The limits a config's `settings:` asks for (schema-checked), defaults elsewhere."""
    chosen = {field: settings[key] for key, field in SETTING_KEYS.items() if key in settings}
    return Limits(**chosen)
