"""The import mapping: the tables that turn foreign vocabularies into ours.

Defaults cover what Backstage and ServiceNow ship with; a mapping file (`--mapping FILE`)
overrides single entries, e.g. a team's own lifecycle word `beta: transition`:

    lifecycle: {beta: transition, sunset: retiring}   # Backstage spec.lifecycle -> our stage
    dependencyType: hard                               # type of imported dependencies
    tier: 3                                            # tier when the source has none
    criticality: {"1 - most critical": 1}              # ServiceNow busines_criticality -> tier
    operationalStatus: {"1": operational}              # ServiceNow operational_status -> stage
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema

from itsmctl.errors import ItsmctlError
from itsmctl.limits import Limits
from itsmctl.sources import read_source
from itsmctl.yamlload import parse_source

STAGES = ("proposed", "design", "transition", "operational", "retiring", "retired")

# Backstage documents production, experimental and deprecated; our own stage names map to
# themselves so that an exported catalog comes back unchanged.
BACKSTAGE_LIFECYCLE: Mapping[str, str] = {
    "experimental": "design",
    "production": "operational",
    "deprecated": "retiring",
    **{stage: stage for stage in STAGES},
}
# ServiceNow's choice list for busines_criticality (sic: the column's real name)
SERVICENOW_CRITICALITY: Mapping[str, int] = {
    "1 - most critical": 1, "2 - somewhat critical": 2, "3 - less critical": 3,
    "4 - not critical": 4, "1": 1, "2": 2, "3": 3, "4": 4,
}
# ServiceNow operational_status choices (cmdb_ci): value and label both accepted
SERVICENOW_STATUS: Mapping[str, str] = {
    "1": "operational", "operational": "operational",
    "2": "retiring", "non-operational": "retiring",
    "3": "operational", "repair in progress": "operational",
    "4": "operational", "dr standby": "operational",
    "5": "transition", "ready": "transition",
    "6": "retired", "retired": "retired",
    "7": "proposed", "pipeline": "proposed",
    "8": "proposed", "catalog": "proposed",
}

_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "lifecycle": {"type": "object", "additionalProperties": {"enum": list(STAGES)}},
        "operationalStatus": {"type": "object", "additionalProperties": {"enum": list(STAGES)}},
        "criticality": {"type": "object",
                        "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 4}},
        "dependencyType": {"enum": ["hard", "soft"]},
        "tier": {"type": "integer", "minimum": 1, "maximum": 4},
    },
}


@dataclass(frozen=True)
class ImportMapping:
    lifecycle: Mapping[str, str] = field(default_factory=lambda: dict(BACKSTAGE_LIFECYCLE))
    criticality: Mapping[str, int] = field(default_factory=lambda: dict(SERVICENOW_CRITICALITY))
    operational_status: Mapping[str, str] = field(default_factory=lambda: dict(SERVICENOW_STATUS))
    dependency_type: str = "hard"
    tier: int = 3


def _lower(table: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k).strip().lower(): v for k, v in table.items()}


def load_mapping(path: Path | None, limits: Limits) -> ImportMapping:
    """The default mapping, with the entries of the mapping file at `path` (read under the
    run's parse `limits`) laid over it."""
    base = ImportMapping()
    if path is None:
        return base
    source = read_source(path, path.name, str(path), path.resolve().parent, limits.max_file_size)
    parsed = parse_source(source, limits)
    if parsed.findings or len(parsed.documents) != 1:
        first = parsed.findings[0].message if parsed.findings else "expected one YAML document"
        raise ItsmctlError(f"cannot read the mapping file: {first}", location=str(path))
    data = parsed.documents[0].data or {}
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(_SCHEMA).iter_errors(data))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ItsmctlError(f"the mapping file is invalid at {where}: {error.message}",
                           "see docs/interop.md#mapping-file for its fields",
                           location=str(path))
    return replace(
        base,
        lifecycle={**_lower(base.lifecycle), **_lower(data.get("lifecycle", {}))},
        criticality={**_lower(base.criticality), **_lower(data.get("criticality", {}))},
        operational_status={**_lower(base.operational_status),
                            **_lower(data.get("operationalStatus", {}))},
        dependency_type=data.get("dependencyType", base.dependency_type),
        tier=data.get("tier", base.tier),
    )
