"""`import servicenow`: a CMDB list export (CSV) to Services, Teams and dependencies.

cmdb_ci_service.csv gives services (`name, owned_by, support_group, busines_criticality,
operational_status, used_for, sys_id`; criticality -> tier, operational status -> lifecycle
through the mapping tables), cmdb_rel_ci.csv their relations (`parent, child, type`;
`Depends on::Used by` and `Runs on::Runs` are dependencies of the parent on the child),
sys_user_group.csv the groups (`name, email`, optional `parent, description, sys_id`) and
sys_user_grmember.csv the memberships (`group, user`, optional `user.email`). Without a
groups file, the support groups named by the services become Teams.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from itsmctl.findings import Severity
from itsmctl.interop.csvtable import Row, Table, read_table
from itsmctl.interop.importing import finish_import
from itsmctl.interop.mapping import ImportMapping
from itsmctl.interop.names import to_name
from itsmctl.interop.result import ImportResult, Mapped, Note
from itsmctl.limits import Limits
from itsmctl.model import API_VERSION
from itsmctl.sources import SourceFile

SERVICE_COLUMNS = ("name", "owned_by", "support_group", "busines_criticality",
                   "operational_status", "used_for", "sys_id")
ALIASES = {"business_criticality": "busines_criticality", "owned_by": "owned_by",
           "short_description": "description", "class": "sys_class_name"}
RELATION_COLUMNS = ("parent", "child", "type")
GROUP_COLUMNS = ("name", "email")
MEMBER_COLUMNS = ("group", "user")
DEPENDENCY_TYPES = ("depends on::used by", "runs on::runs")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
KEPT = "itsmctl.io/servicenow-"
CONSUMED = {"name", "support_group", "busines_criticality", "operational_status",
            "description", "service_classification", "sys_class_name", "sys_id"}


@dataclass(frozen=True)
class ServiceNowFiles:
    services: Path
    relations: Path | None = None
    groups: Path | None = None
    members: Path | None = None


class ServiceNowImporter:
    def __init__(self, mapping: ImportMapping) -> None:
        self.mapping = mapping
        self.out = Mapped()
        self.sources: dict[str, SourceFile] = {}
        self.teams: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, str] = {}  # display name or sys_id (lower) -> our service name

    def table(self, path: Path, required: tuple[str, ...]) -> Table:
        table = read_table(path, required, ALIASES)
        self.sources[table.source.label] = table.source
        self.out.findings.extend(table.findings)
        return table

    def problem(self, table: Table, row: Row, rule: str, message: str,
                severity: Severity = Severity.WARNING) -> None:
        self.out.findings.append(table.finding(rule, message, row.line, severity=severity))

    # -- teams --------------------------------------------------------------------------
    def team(self, title: str, email: str = "", description: str = "") -> dict[str, Any]:
        name = to_name(title) or "unnamed-group"
        team = self.teams.get(name)
        if team is None:
            meta: dict[str, Any] = {"name": name}
            if title != name:
                meta["title"] = title
            if description:
                meta["description"] = description
            if not EMAIL.match(email):
                self.out.attention.append(Note(f"team:{name}", "has no email in ServiceNow: a "
                                               "placeholder mailbox was written"))
                email = f"{name}@example.invalid"
            team = self.teams[name] = {"metadata": meta, "spec": {"email": email}}
        return team

    def groups(self, path: Path) -> None:
        table = self.table(path, GROUP_COLUMNS)
        if "name" not in table.columns:
            return
        parents: list[tuple[Row, str, str]] = []
        for row in table.rows:
            title = row.get("name")
            if not title:
                self.problem(table, row, "import-csv-bad-row", "a group without a name; skipped")
                continue
            team = self.team(title, row.get("email"), row.get("description"))
            if row.get("sys_id"):
                team["metadata"]["annotations"] = {f"{KEPT}sys-id": row.get("sys_id")}
            if row.get("parent"):
                parents.append((row, team["metadata"]["name"], row.get("parent")))
        for row, name, parent in parents:
            target = to_name(parent)
            if target in self.teams and target != name:
                self.teams[name]["spec"]["parent"] = target
            else:
                self.problem(table, row, "import-unknown-reference",
                             f"parent names unknown group {parent!r}; left out")

    def members(self, path: Path, known: bool) -> None:
        table = self.table(path, MEMBER_COLUMNS)
        if not {"group", "user"} <= set(table.columns):
            return
        for row in table.rows:
            group = to_name(row.get("group"))
            if group not in self.teams:
                if known:
                    self.problem(table, row, "import-unknown-reference",
                                 f"group {row.get('group')!r} is not in the groups file; "
                                 "membership skipped", Severity.ERROR)
                    continue
                self.team(row.get("group"))
            email = row.get("user.email") or row.get("email")
            team = self.teams[group]
            if not EMAIL.match(email):
                self.out.attention.append(Note(f"team:{group}", f"member {row.get('user')} has "
                                               "no email (export user.email too): not listed"))
                continue
            members = team["spec"].setdefault("members", [])
            if all(m["email"] != email for m in members):
                members.append({"name": row.get("user") or email, "email": email})

    # -- services -----------------------------------------------------------------------
    def service_rows(self, path: Path, groups_known: bool) -> None:
        table = self.table(path, SERVICE_COLUMNS)
        if "name" not in table.columns:
            return
        for row in table.rows:
            self.service(table, row, groups_known)

    def service(self, table: Table, row: Row, groups_known: bool) -> None:
        title = row.get("name")
        name = to_name(title)
        if not name:
            self.problem(table, row, "import-csv-bad-row", "a service without a name; skipped",
                         Severity.ERROR)
            return
        if name in self.services:
            self.problem(table, row, "import-duplicate-entity",
                         f"service {title!r} appears twice; the first row was kept",
                         Severity.ERROR)
            return
        subject = f"service:{name}"
        meta: dict[str, Any] = {"name": name}
        if title != name:
            meta["title"] = title
        if row.get("description"):
            meta["description"] = row.get("description")
        kind = "technical" if "technical" in (row.get("service_classification") + " " +
                                              row.get("sys_class_name")).lower() else "business"
        spec: dict[str, Any] = {"type": kind, "lifecycle": self.lifecycle(table, row),
                                "tier": self.tier(table, row, subject)}
        group = row.get("support_group")
        if group:
            if to_name(group) in self.teams or not groups_known:
                spec["owner"] = self.team(group)["metadata"]["name"]
            else:
                self.problem(table, row, "import-unknown-reference",
                             f"support_group {group!r} is not in the groups file; owner left "
                             "out", Severity.ERROR)
        annotations = {f"{KEPT}{k.replace('_', '-').replace('.', '-')}": v.strip()
                       for k, v in sorted(row.values.items())
                       if k not in CONSUMED and isinstance(v, str) and v.strip()}
        if row.get("sys_id"):
            annotations[f"{KEPT}sys-id"] = row.get("sys_id")
        if row.get("owned_by"):
            self.out.attention.append(Note(subject, f"is owned by user {row.get('owned_by')} in "
                                           "ServiceNow; itsmctl owners are teams"))
        for key in annotations:
            self.out.kept.append(Note(subject, f"kept as annotation {key}"))
        if annotations:
            meta["annotations"] = annotations
        self.out.attention.append(Note(subject, "has no SLA: agree one with its customers"))
        self.services[name] = {"metadata": meta, "spec": spec}
        self.by_key[title.lower()] = name
        if row.get("sys_id"):
            self.by_key[row.get("sys_id").lower()] = name
        self.out.count("cmdb_ci_service", "Service")

    def lifecycle(self, table: Table, row: Row) -> str:
        status = row.get("operational_status")
        stage = self.mapping.operational_status.get(status.lower())
        if stage is None:
            self.problem(table, row, "import-unknown-lifecycle",
                         f"operational_status {status!r} is not in the mapping table; imported "
                         "as design")
            return "design"
        return stage

    def tier(self, table: Table, row: Row, subject: str) -> int:
        text = row.get("busines_criticality")
        tier = self.mapping.criticality.get(text.lower())
        if tier is None:
            if text:
                self.problem(table, row, "import-unknown-criticality",
                             f"busines_criticality {text!r} is not in the mapping table; tier "
                             f"{self.mapping.tier} was used")
            else:
                self.out.attention.append(Note(subject, f"has no criticality: tier "
                                               f"{self.mapping.tier} was assumed"))
            return self.mapping.tier
        return tier

    def relations(self, path: Path) -> None:
        table = self.table(path, RELATION_COLUMNS)
        if not set(RELATION_COLUMNS) <= set(table.columns):
            return
        for row in table.rows:
            kind = row.get("type").lower()
            if kind not in DEPENDENCY_TYPES:
                self.problem(table, row, "import-relation-skipped",
                             f"relation type {row.get('type')!r} is not a dependency; skipped",
                             Severity.INFO)
                continue
            parent = self.by_key.get(row.get("parent").lower())
            child = self.by_key.get(row.get("child").lower())
            if parent is None or child is None:
                missing = row.get("parent") if parent is None else row.get("child")
                self.problem(table, row, "import-unknown-reference",
                             f"{missing!r} is not an imported service; relation skipped")
                continue
            deps = self.services[parent]["spec"].setdefault("dependencies", [])
            if child != parent and all(d["service"] != child for d in deps):
                deps.append({"service": child, "type": self.mapping.dependency_type})

    def run(self, files: ServiceNowFiles) -> Mapped:
        if files.groups is not None:
            self.groups(files.groups)
        if files.members is not None:
            self.members(files.members, known=files.groups is not None)
        self.service_rows(files.services, groups_known=files.groups is not None)
        if files.relations is not None:
            self.relations(files.relations)
        for name in sorted(self.teams):
            self.out.count("sys_user_group", "Team")
            self.out.documents.append({"apiVersion": API_VERSION, "kind": "Team",
                                       **self.teams[name]})
        for name in sorted(self.services):
            self.out.documents.append({"apiVersion": API_VERSION, "kind": "Service",
                                       **self.services[name]})
        return self.out


def import_servicenow(files: ServiceNowFiles, target: Path, *, limits: Limits,
                      mapping: ImportMapping | None = None, force: bool = False,
                      today: date | None = None) -> ImportResult:
    """Map the CMDB export `files`, validate, and write a catalog to `target`; `limits`:
    the run's parse limits (where findings are located)."""
    importer = ServiceNowImporter(mapping or ImportMapping())
    mapped = importer.run(files)
    return finish_import("servicenow", mapped, importer.sources, target, force=force,
                         today=today, limits=limits)
