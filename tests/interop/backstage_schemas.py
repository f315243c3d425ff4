"""Validate descriptors against Backstage's own JSON Schemas (vendored in schemas/backstage)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent / "schemas" / "backstage"
# the rules Backstage's validators add to the schemas (KubernetesValidatorFunctions)
NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
KEY = re.compile(r"^(([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                 r"[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$")
LABEL_VALUE = re.compile(r"^([a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)?$")


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    registry: Registry = Registry()  # type: ignore[type-arg]
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        registry = registry.with_resource(schema["$id"],
                                          Resource.from_contents(schema, DRAFT7))
    return registry


@cache
def _validator(kind: str) -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMAS / f"{kind}.v1alpha1.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, registry=_registry())


def problems(descriptor: dict[str, Any]) -> list[str]:
    """Every reason Backstage would reject `descriptor`; empty when it accepts it."""
    out = [e.message for e in _validator(descriptor["kind"]).iter_errors(descriptor)]
    meta = descriptor.get("metadata", {})
    if not (isinstance(meta.get("name"), str) and len(meta["name"]) <= 63
            and NAME.match(meta["name"])):
        out.append(f"invalid name {meta.get('name')!r}")
    for key, value in (meta.get("labels") or {}).items():
        if not KEY.match(key) or not LABEL_VALUE.match(value):
            out.append(f"invalid label {key!r}: {value!r}")
    for key in meta.get("annotations") or {}:
        if not KEY.match(key):
            out.append(f"invalid annotation key {key!r}")
    return out
