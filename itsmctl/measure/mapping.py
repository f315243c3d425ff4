"""mapping.yaml: how an export's columns and values map onto the generic record format.

    preset: servicenow-incident        # generic (default), servicenow-incident,
                                       # servicenow-requested-item, servicenow-change-request,
                                       # jira-service-management
    timezone: Europe/Berlin            # zone of timestamps written without offset (--assume-tz)
    timestampFormat: "%d/%m/%Y %H:%M"  # strptime format when the export is not ISO 8601
    files: {tickets: incident.csv, events: incident_state.csv, outages: outages.csv}
    columns: {service: [business_service, cmdb_ci]}   # generic field -> column(s), first non-empty
    events: {columns: {at: start}}
    constants: {type: incident}        # a field every row has
    values: {priority: {"5 - Planning": P4}, status: {"Awaiting Vendor": on-hold}}
    services: {"SAP ECC 6.0": legacy-erp}              # CI / business-service name -> service

A preset is a starting point: every key above overrides or extends it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from itsmctl.errors import ItsmctlError
from itsmctl.limits import DEFAULT_LIMITS
from itsmctl.measure.presets import PRESETS
from itsmctl.measure.recordfile import open_record, present
from itsmctl.sources import SourceFile
from itsmctl.yamlload import parse_source

TICKET_FIELDS = ("id", "type", "service", "priority", "opened_at", "responded_at",
                 "resolved_at", "closed_at", "channel", "first_contact", "reopened", "csat",
                 "lzs", "outcome", "cost", "change_type")
EVENT_FIELDS = ("id", "at", "status")
OUTAGE_FIELDS = ("service", "start", "end", "impact", "weight", "planned")
MAX_MAPPING_BYTES = 1 << 20
MAX_FORMAT_CHARS = 200  # a strptime format is a few dozen characters
_KEYS = {"preset", "timezone", "timestampFormat", "files", "columns", "events", "constants",
         "values", "services"}


@dataclass(frozen=True)
class RecordMapping:
    """Column names, value maps and service names of one export."""

    preset: str = "generic"
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    event_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)
    timezone: str | None = None
    timestamp_format: str | None = None
    files: dict[str, str] = field(default_factory=dict)

    def ticket_columns(self, name: str) -> tuple[str, ...]:
        return self.columns.get(name, (name,))

    def event_column(self, name: str) -> tuple[str, ...]:
        return self.event_columns.get(name, (name,))

    def value(self, name: str, text: str) -> str:
        return self.values.get(name, {}).get(text, text)


def load_mapping(records: Path) -> RecordMapping:
    """The mapping of the records folder: mapping.yaml over its preset, or the generic one."""
    path = records / "mapping.yaml"
    if not present(path):
        return compile_mapping({})
    with open_record(path, str(path)) as handle:
        try:
            data = handle.read(MAX_MAPPING_BYTES + 1)  # never more than the limit allows
        except OSError as exc:
            raise ItsmctlError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_MAPPING_BYTES:
        raise ItsmctlError(f"{path} is larger than 1 MiB", "a mapping is a few dozen lines")
    # the catalog's loader, under its default limits: no tags, aliases and depth bounded (a
    # 42 KB file of 2,000 aliases to a 2,000-entry table was 4 million value-map entries)
    parsed = parse_source(SourceFile("mapping.yaml", str(path), data=data, size=len(data)),
                          DEFAULT_LIMITS)
    if parsed.findings:
        first = parsed.findings[0]
        where = f"{path}:{first.line}" if first.line else str(path)
        raise ItsmctlError(f"{where}: not a usable mapping: {first.message}",
                           "a mapping is a few dozen lines of plain YAML"
                           " (docs/measure.md#mappingyaml)",
                           location="")
    if len(parsed.documents) > 1:
        raise ItsmctlError(f"{path}: expected one YAML document, found"
                           f" {len(parsed.documents)}", "see docs/measure.md#mappingyaml")
    raw = parsed.documents[0].data if parsed.documents else None
    return compile_mapping(raw or {}, str(path))


def compile_mapping(raw: Any, label: str = "mapping.yaml") -> RecordMapping:
    if not isinstance(raw, dict):
        raise _bad(label, "must be a mapping of keys such as preset, columns and values")
    unknown = sorted(str(k) for k in raw if k not in _KEYS)
    if unknown:
        raise _bad(label, f"unknown key {unknown[0]!r}", f"known keys: {', '.join(sorted(_KEYS))}")
    name = raw.get("preset", "generic")
    if name not in PRESETS:
        raise _bad(label, f"unknown preset {name!r}", f"presets: {', '.join(PRESETS)}")
    base = PRESETS[name]
    columns = _columns(base.get("columns", {}), label, "columns")
    columns.update(_columns(raw.get("columns", {}), label, "columns"))
    events = _columns(base.get("events", {}).get("columns", {}), label, "events.columns")
    raw_events = raw.get("events", {})
    if not isinstance(raw_events, dict):
        raise _bad(label, "events must be a mapping with columns")
    events.update(_columns(raw_events.get("columns", {}), label, "events.columns"))
    values = {k: dict(v) for k, v in base.get("values", {}).items()}
    for key, table in _strings(raw.get("values", {}), label, "values", nested=True).items():
        values.setdefault(key, {}).update(table)
    return RecordMapping(
        preset=str(name), columns=columns, event_columns=events,
        constants={**base.get("constants", {}),
                   **_strings(raw.get("constants", {}), label, "constants")},
        values=values, services=_strings(raw.get("services", {}), label, "services"),
        timezone=_optional(raw, "timezone", label),
        timestamp_format=_timestamp_format(raw, label) or base.get("timestampFormat"),
        files=_strings(raw.get("files", {}), label, "files"),
    )


def _columns(raw: Any, label: str, key: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, MappingABC):
        raise _bad(label, f"{key} must map field names to column names")
    out = {}
    for name, value in raw.items():
        names = value if isinstance(value, list) else [value]
        if not names or not all(isinstance(n, str) and n for n in names):
            raise _bad(label, f"{key}.{name} must be a column name or a list of them")
        out[str(name)] = tuple(names)
    return out


def _strings(raw: Any, label: str, key: str, nested: bool = False) -> dict[str, Any]:
    if not isinstance(raw, MappingABC):
        raise _bad(label, f"{key} must be a mapping")
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if nested:
            out[str(name)] = _strings(value, label, f"{key}.{name}")
        elif isinstance(value, str | int | float | bool):
            out[str(name)] = str(value)
        else:
            raise _bad(label, f"{key}.{name} must be a plain value")
    return out


def _optional(raw: dict[str, Any], key: str, label: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise _bad(label, f"{key} must be text")
    return value


def _timestamp_format(raw: dict[str, Any], label: str) -> str | None:
    """The mapping's strptime format, tried once here: a directive written twice (`%d %d`)
    made every row's strptime raise re.error, an internal error (exit 3)."""
    fmt = _optional(raw, "timestampFormat", label)
    if fmt is None:
        return None
    if len(fmt) > MAX_FORMAT_CHARS:
        raise _bad(label, f"timestampFormat is longer than {MAX_FORMAT_CHARS} characters")
    try:
        datetime.strptime("", fmt)
    except re.error as exc:
        raise _bad(label, f"timestampFormat {fmt!r} is not a strptime format ({exc.msg})",
                   "write each directive (%d, %H, ...) once") from None
    except ValueError as exc:
        if not str(exc).startswith("time data"):  # a stray %, an unknown directive
            raise _bad(label, f"timestampFormat {fmt!r} is not a strptime format ({exc})"
                       ) from None
    return fmt


def _bad(label: str, message: str, hint: str = "") -> ItsmctlError:
    return ItsmctlError(message, hint or "see docs/measure.md#mappingyaml", location=label)
