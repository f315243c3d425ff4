"""Is a Backstage descriptor valid for its kind? The required fields of the published schemas.

The rules are those of Backstage's JSON Schemas (packages/catalog-model/src/schema/kinds,
vendored under tests/interop/schemas/backstage and checked against them in the tests) plus
the name rule its validators enforce. An invalid descriptor is a finding at its file:line and
is skipped; every other descriptor still imports.
"""

from __future__ import annotations

import re
from typing import Any

from itsmctl.findings import Finding, JsonPath
from itsmctl.interop.descriptors import Descriptor

# kind -> required spec fields and their JSON type
REQUIRED: dict[str, dict[str, type]] = {
    "Component": {"type": str, "lifecycle": str, "owner": str},
    "Resource": {"type": str, "owner": str},
    "System": {"owner": str},
    "Domain": {"owner": str},
    "Group": {"type": str, "children": list},
    "User": {"memberOf": list},
    "Location": {},
}
STRING_LISTS = ("dependsOn", "dependencyOf", "members", "memberOf", "children", "providesApis",
                "consumesApis", "targets")
STRINGS = ("system", "subcomponentOf", "parent", "domain", "owner", "type", "lifecycle", "target")
# Backstage's KubernetesValidatorFunctions.isValidObjectName (1-63 characters)
NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
RULE = "import-invalid-descriptor"


def _problem(descriptor: Descriptor, message: str, path: JsonPath) -> Finding:
    return descriptor.finding(RULE, f"{descriptor.kind or 'entity'} is not valid: {message}",
                              path, "fix the descriptor; the other entities were imported")


def _metadata_problems(descriptor: Descriptor, meta: Any) -> list[Finding]:
    if not isinstance(meta, dict):
        return [_problem(descriptor, "metadata must be a mapping", ("metadata",))]
    name = meta.get("name")
    if not isinstance(name, str) or len(name) > 63 or not NAME.match(name):
        return [_problem(descriptor, "metadata.name must be 1-63 letters, digits and -_.,"
                         " starting and ending with a letter or digit", ("metadata", "name"))]
    out = []
    for key in ("labels", "annotations"):
        value = meta.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            out.append(_problem(descriptor, f"metadata.{key} must map strings to strings",
                                ("metadata", key)))
    tags = meta.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        out.append(_problem(descriptor, "metadata.tags must be a list of strings",
                            ("metadata", "tags")))
    links = meta.get("links", [])
    if not isinstance(links, list) or not all(
            isinstance(link, dict) and isinstance(link.get("url"), str) and link["url"]
            for link in links):
        out.append(_problem(descriptor, "metadata.links must be a list of {url, title}",
                            ("metadata", "links")))
    return out


def _spec_problems(descriptor: Descriptor, spec: Any) -> list[Finding]:
    required = REQUIRED.get(descriptor.kind, {})
    if not isinstance(spec, dict):
        return [_problem(descriptor, "spec must be a mapping", ("spec",))] if required or (
            spec is not None) else []
    out = []
    for field, kind in required.items():
        value = spec.get(field)
        if not isinstance(value, kind) or (isinstance(value, str) and not value):
            want = "a list" if kind is list else "a non-empty string"
            out.append(_problem(descriptor, f"spec.{field} must be {want}",
                                ("spec", field) if field in spec else ("spec",)))
    for field in STRINGS:
        if field in spec and field not in required and not (
                isinstance(spec[field], str) and spec[field]):
            out.append(_problem(descriptor, f"spec.{field} must be a non-empty string",
                                ("spec", field)))
    for field in STRING_LISTS:
        value = spec.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            out.append(_problem(descriptor, f"spec.{field} must be a list of entity references",
                                ("spec", field)))
    return out


def check_descriptor(descriptor: Descriptor) -> list[Finding]:
    """Findings that make `descriptor` unusable; empty when it is valid for its kind."""
    if not isinstance(descriptor.data.get("kind"), str) or not descriptor.kind:
        return [_problem(descriptor, "kind must be a non-empty string", ("kind",))]
    problems = _metadata_problems(descriptor, descriptor.data.get("metadata"))
    if descriptor.kind in REQUIRED:
        problems += _spec_problems(descriptor, descriptor.data.get("spec"))
    return problems
