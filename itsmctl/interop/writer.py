"""Write imported entities as a new catalog in the layout of `itsmctl init`, validated first.

One file per entity under the kind's folder (`teams/payments.yaml`), each with the schema
modeline editors use, plus the JSON Schemas themselves. Before anything touches the disk the
planned files go through the one validate pipeline (`load_sources` + `check_loaded`): a
catalog that does not parse, breaks its schema or has a dangling reference between imported
entities is never written. References to kinds an import cannot bring (SLAs, calendars,
change models, which Backstage and a CMDB do not hold) are left for a person to resolve.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from itsmctl.atomic import write_bytes_atomic
from itsmctl.config import Config
from itsmctl.errors import ItsmctlError
from itsmctl.findings import Finding
from itsmctl.loader import load_sources
from itsmctl.scaffold import SCHEMA_FOLDER
from itsmctl.schemas import SCHEMA_FILES, schema_names, schema_text
from itsmctl.sources import SourceFile
from itsmctl.validate import ValidationResult, check_loaded

FOLDERS = {
    "Team": "teams", "Service": "services", "SLA": "slas", "BusinessCalendar": "calendars",
    "RACI": "raci", "ChangeModel": "change-models", "ServiceCatalog": "catalog",
}
BLOCKING_CATEGORIES = ("yaml", "schema", "reference")
# references an import leaves for a person: the kinds Backstage and a CMDB do not hold
EXTERNAL_REFERENCE_FIELDS = ("sla", "supportCalendar", "changeModels")
_BIDI = {"Cf", "Co", "Cs", "Zl", "Zp"}
# NEXT LINE (U+0085): a line break to YAML that PyYAML's own emitter writes raw inside a
# single-quoted scalar, where the reader folds it away ('\x85' reads back as '\x85' plus the
# indentation); libyaml escapes it. Text holding one is written double-quoted, as "\N".
_NEL = "\x85"


def _escaped(value: str) -> bool:
    """Text written double-quoted with every non-ASCII character escaped: it holds a bidi,
    invisible or line-separator character, or a NEL."""
    return any(c == _NEL or unicodedata.category(c) in _BIDI for c in value)


class _Dumper(yaml.SafeDumper):
    """Block style, wide lines; text with invisible or bidi characters is escaped, not hidden."""

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        wide = self.allow_unicode
        self.allow_unicode = False  # escape every non-ASCII character of this one scalar
        try:
            super().write_double_quoted(text, split)
        finally:
            self.allow_unicode = wide


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if _escaped(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)


try:
    _FAST: type = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - only where libyaml is missing
    _FAST = yaml.SafeDumper


def _hidden_text(data: Any) -> bool:
    if isinstance(data, str):
        return _escaped(data)
    if isinstance(data, dict):
        return any(_hidden_text(k) or _hidden_text(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_hidden_text(v) for v in data)
    return False


def dump_yaml(data: Any) -> str:
    """Deterministic block YAML: libyaml's emitter, or ours when text hides characters."""
    dumper = _Dumper if _hidden_text(data) else _FAST
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


@dataclass(frozen=True, slots=True)
class PlannedFile:
    rel: str
    data: bytes


def entity_file(document: dict[str, Any]) -> PlannedFile:
    kind = document["kind"]
    schema = SCHEMA_FILES[kind]
    head = f"# yaml-language-server: $schema=../{SCHEMA_FOLDER}/{schema}\n"
    text = head + dump_yaml(document)
    return PlannedFile(f"{FOLDERS[kind]}/{document['metadata']['name']}.yaml",
                       text.encode("utf-8"))


def plan_catalog(documents: list[dict[str, Any]]) -> list[PlannedFile]:
    """Every file of the new catalog, in path order: entities, then the JSON Schemas."""
    files = [entity_file(d) for d in documents]
    files += [PlannedFile(f"{SCHEMA_FOLDER}/{n}", schema_text(n).encode("utf-8"))
              for n in schema_names()]
    return sorted(files, key=lambda f: f.rel)


def validate_plan(files: list[PlannedFile], label: str, today: date | None) -> ValidationResult:
    """Run the one validate pipeline over the planned files, exactly as `validate` would."""
    prefix = label.rstrip("/") + "/" if label not in ("", ".") else ""
    sources = [SourceFile(f.rel, prefix + f.rel, data=f.data) for f in files
               if f.rel.endswith(".yaml")]
    config = Config()
    return check_loaded(load_sources(sources, config.limits), config, today=today, root=label)


def is_blocking(finding: Finding, categories: dict[str, str]) -> bool:
    """A finding that means the imported catalog itself is broken (not a gap to fill in);
    a counting finding ("50 more ... in this document") when one it stands for is."""
    if finding.stands_for:
        return any(is_blocking(f, categories) for f in finding.stands_for)
    if categories.get(finding.rule, "governance") not in BLOCKING_CATEGORIES:
        return False
    return not (finding.rule == "ref-unresolved" and len(finding.path) >= 2
                and finding.path[1] in EXTERNAL_REFERENCE_FIELDS)


def existing_files(target: Path, files: list[PlannedFile]) -> list[str]:
    if target.exists() and not target.is_dir():
        raise ItsmctlError(f"{target} exists and is not a folder",
                           "pass -o with a new or empty folder for the imported catalog")
    return [f.rel for f in files if (target / f.rel).exists()]


def refuse_overwrite(target: Path, existing: list[str]) -> None:
    shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more"
                                       if len(existing) > 5 else "")
    raise ItsmctlError(f"{len(existing)} file(s) already exist in {target}: {shown}",
                       "nothing was written; use --force to overwrite them, or choose a new "
                       "folder with -o")


def write_plan(target: Path, files: list[PlannedFile]) -> None:
    for item in files:
        write_bytes_atomic(target / item.rel, item.data)
