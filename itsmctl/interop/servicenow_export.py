"""`export servicenow`: a payload for ServiceNow's Identification and Reconciliation Engine.

POST it to `/api/now/identifyreconcile?sysparm_data_source=...` (or `.../query` to dry-run).
`items` are CIs with `className` and `values` (plus `display_values` for reference fields
given by name, and `sys_object_source_info` naming us as the source); `relations` join item
indexes with a `cmdb_rel_type` name. Business and technical Services are the CSDM classes
`cmdb_ci_service_business` and `cmdb_ci_service_technical`; a dependency is `Depends on::Used
by` from the dependent (parent) to what it depends on (child). Teams are `sys_user_group`
records, which the IRE does not create: they are named by display value as support and
managed-by groups, and must exist in the instance.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itsmctl.catalog import Catalog
from itsmctl.interop.exporting import load_catalog, refused, spec_of, write_one
from itsmctl.interop.result import ExportResult, Note
from itsmctl.model import Entity, Ref
from itsmctl.visible import json_visible

if TYPE_CHECKING:
    from itsmctl.runcontext import RunContext

CLASSES = {"business": "cmdb_ci_service_business", "technical": "cmdb_ci_service_technical"}
CLASSIFICATION = {"business": "Business Service", "technical": "Technical Service"}
CRITICALITY = {1: "1 - most critical", 2: "2 - somewhat critical", 3: "3 - less critical",
               4: "4 - not critical"}
# our stage -> operational_status choice value (1 Operational, 2 Non-Operational, 5 Ready,
# 6 Retired, 7 Pipeline); the inverse of the import table where it is one to one
STATUS = {"proposed": "7", "design": "7", "transition": "5", "operational": "1",
          "retiring": "2", "retired": "6"}
DEPENDS_ON = "Depends on::Used by"
SOURCE = "itsmctl"


def _group(catalog: Catalog, reference: Any) -> str | None:
    if not isinstance(reference, str):
        return None
    team = catalog.get(Ref("Team", reference.rpartition(":")[2]))
    return team.title if team is not None else None


def item(catalog: Catalog, service: Entity) -> dict[str, Any]:
    spec = spec_of(service)
    kind = spec.get("type", "technical")
    values: dict[str, Any] = {"name": service.title,
                              "service_classification": CLASSIFICATION[kind],
                              "operational_status": STATUS[spec["lifecycle"]],
                              "busines_criticality": CRITICALITY[spec["tier"]]}
    if isinstance(service.metadata.get("description"), str):
        values["short_description"] = service.metadata["description"]
    if spec["lifecycle"] in ("operational", "retiring"):
        values["used_for"] = "Production"
    display: dict[str, str] = {}
    group = _group(catalog, spec.get("owner"))
    if group:
        display["support_group"] = display["managed_by_group"] = group
    out: dict[str, Any] = {"className": CLASSES[kind], "values": values,
                           "sys_object_source_info": {"source_name": SOURCE,
                                                      "source_native_key": f"service:"
                                                                           f"{service.name}"}}
    if display:
        out["display_values"] = display
    return out


def payload(catalog: Catalog) -> tuple[dict[str, Any], list[Note]]:
    services = catalog.of_kind("Service")
    index = {s.name: i for i, s in enumerate(services)}
    notes = []
    relations = []
    for service in services:
        for dep in spec_of(service).get("dependencies", []):
            target = str(dep.get("service", "")).rpartition(":")[2]
            if target in index:
                relations.append({"parent": index[service.name], "child": index[target],
                                  "type": DEPENDS_ON})
    titles = Counter(s.title for s in services)
    notes += [Note(f"service:{s.name}", f"shares its title {s.title!r} with another service; "
                   "the IRE identifies services by name, so they would merge")
              for s in services if titles[s.title] > 1]
    return {"items": [item(catalog, s) for s in services], "relations": relations}, notes


def export_servicenow(context: RunContext, output: Path) -> ExportResult:
    loaded = load_catalog(context)
    if loaded.blocking:
        return refused("servicenow", output, loaded)
    body, notes = payload(loaded.catalog)
    text = json_visible(json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
    counts = Counter(i["className"] for i in body["items"])
    counts["relations"] = len(body["relations"])
    return write_one("servicenow", output, text, dict(counts), notes)
