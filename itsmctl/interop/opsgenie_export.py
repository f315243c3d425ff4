"""`export opsgenie`: teams, on-call escalations and services as Opsgenie Terraform JSON.

Per Team: an `opsgenie_team` (members looked up by username, which is their email, as
`data.opsgenie_user`; a member whose role names a lead or manager is an `admin`, the rest
`user`) and, when it has an escalation chain, an `opsgenie_escalation` owned by the team.
Opsgenie's rule `delay` counts from the alert's creation, like our cumulative `after`, so it
is the step's `after` unchanged (PagerDuty, by contrast, needs the difference). Per Service
with an owner team: an `opsgenie_service` of that team.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from itsmctl.catalog import Catalog
from itsmctl.interop.exporting import load_catalog, refused, spec_of, write_one
from itsmctl.interop.oncall import is_person, steps
from itsmctl.interop.result import ExportResult, Note
from itsmctl.interop.terraform import ContactKeys, Document, literal, ref, tf_name
from itsmctl.model import Entity

if TYPE_CHECKING:
    from itsmctl.runcontext import RunContext

ADMIN_WORDS = ("lead", "manager", "head", "owner")


class OpsgenieExporter:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.doc = Document("opsgenie", "opsgenie/opsgenie")
        self.notes: list[Note] = []
        self.keys = ContactKeys()
        self.teams: set[str] = set()

    def user(self, email: str) -> str:
        key = self.keys.key(email)
        self.doc.add_data("opsgenie_user", key, {"username": literal(email)})
        return ref("opsgenie_user", key, data=True)

    def recipient(self, contact: str) -> dict[str, str]:
        if is_person(contact):
            return {"type": "user", "id": self.user(contact)}
        key = self.keys.key(contact)
        self.doc.add_data("opsgenie_schedule", key, {"name": literal(contact)})
        return {"type": "schedule", "id": ref("opsgenie_schedule", key, data=True)}

    def team(self, team: Entity) -> None:
        name = tf_name(team.name)
        spec = spec_of(team)
        body: dict[str, object] = {"name": literal(team.name)}
        if isinstance(team.metadata.get("description"), str):
            body["description"] = literal(team.metadata["description"])
        members = [{"id": self.user(m["email"]),
                    "role": "admin" if any(w in str(m.get("role", "")).lower()
                                           for w in ADMIN_WORDS) else "user"}
                   for m in spec.get("members", [])]
        if members:
            body["member"] = members
        self.doc.add_resource("opsgenie_team", name, body)
        self.teams.add(team.name)
        chain, notes = steps(team)
        self.notes += [Note(f"team:{team.name}", n) for n in notes if "PagerDuty" not in n]
        if chain:
            self.doc.add_resource("opsgenie_escalation", name, {
                "name": literal(f"{team.name}-escalation"),
                "description": literal(f"On-call chain of team {team.name} (itsmctl)"),
                "owner_team_id": ref("opsgenie_team", name),
                "rules": [{"condition": "if-not-acked", "notify_type": "default",
                           "delay": step.after,
                           "recipient": [self.recipient(c) for c in step.contacts]}
                          for step in chain],
            })

    def service(self, service: Entity) -> None:
        owner = str(spec_of(service).get("owner", "")).rpartition(":")[2]
        if owner not in self.teams:
            self.notes.append(Note(f"service:{service.name}", "has no owner team; no Opsgenie "
                                   "service written"))
            return
        body = {"name": literal(service.title), "team_id": ref("opsgenie_team", tf_name(owner))}
        if isinstance(service.metadata.get("description"), str):
            body["description"] = literal(service.metadata["description"])
        self.doc.add_resource("opsgenie_service", tf_name(service.name), body)

    def build(self) -> Document:
        for team in self.catalog.of_kind("Team"):
            self.team(team)
        for service in self.catalog.of_kind("Service"):
            self.service(service)
        return self.doc


def export_opsgenie(context: RunContext, output: Path) -> ExportResult:
    loaded = load_catalog(context)
    if loaded.blocking:
        return refused("opsgenie", output, loaded)
    exporter = OpsgenieExporter(loaded.catalog)
    doc = exporter.build()
    return write_one("opsgenie", output, doc.text(), doc.count(), exporter.notes)
