"""`export pagerduty`: teams' on-call chains as PagerDuty escalation policies, in Terraform JSON.

Per Team with an escalation chain: a `pagerduty_team` and a `pagerduty_escalation_policy`
whose rules are the chain's steps. PagerDuty's `escalation_delay_in_minutes` is per rule
("minutes before an unacknowledged incident escalates away from this rule") while our `after`
is cumulative, so rule i's delay is after(i+1) - after(i) (see `oncall`). Per Service whose
owner has a policy: a `pagerduty_service`; one that carries `pagerduty.com/service-id` (the
Backstage plugin's annotation) gets an `import` block, so Terraform adopts the existing
service instead of creating a second one. Contacts become `data.pagerduty_user` (by email)
or `data.pagerduty_schedule` (by name) look-ups: users and schedules are PagerDuty's own.
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

SERVICE_ID = "pagerduty.com/service-id"


class PagerDutyExporter:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.doc = Document("pagerduty", "PagerDuty/pagerduty")
        self.notes: list[Note] = []
        self.policies: dict[str, str] = {}  # team name -> policy resource name
        self.keys = ContactKeys()

    def target(self, contact: str) -> dict[str, str]:
        key = self.keys.key(contact)
        if is_person(contact):
            self.doc.add_data("pagerduty_user", key, {"email": literal(contact)})
            return {"type": "user_reference", "id": ref("pagerduty_user", key, data=True)}
        self.doc.add_data("pagerduty_schedule", key, {"name": literal(contact)})
        return {"type": "schedule_reference", "id": ref("pagerduty_schedule", key, data=True)}

    def team(self, team: Entity) -> None:
        chain, notes = steps(team)
        self.notes += [Note(f"team:{team.name}", n) for n in notes]
        if not chain:
            return
        name = tf_name(team.name)
        body = {"name": literal(team.title)}
        if isinstance(team.metadata.get("description"), str):
            body["description"] = literal(team.metadata["description"])
        self.doc.add_resource("pagerduty_team", name, body)
        self.doc.add_resource("pagerduty_escalation_policy", name, {
            "name": literal(f"{team.title} escalation"),
            "description": literal(f"On-call chain of team {team.name} (itsmctl)"),
            "num_loops": 0,
            "teams": [ref("pagerduty_team", name)],
            "rule": [{"escalation_delay_in_minutes": max(step.delay_to_next, 1),
                      "target": [self.target(c) for c in step.contacts]} for step in chain],
        })
        self.policies[team.name] = name

    def service(self, service: Entity) -> None:
        owner = str(spec_of(service).get("owner", "")).rpartition(":")[2]
        policy = self.policies.get(owner)
        if policy is None:
            self.notes.append(Note(f"service:{service.name}", "its owner has no on-call "
                                   "escalation; no PagerDuty service written"))
            return
        name = tf_name(service.name)
        body = {"name": literal(service.title),
                "escalation_policy": ref("pagerduty_escalation_policy", policy),
                "alert_creation": "create_alerts_and_incidents"}
        if isinstance(service.metadata.get("description"), str):
            body["description"] = literal(service.metadata["description"])
        self.doc.add_resource("pagerduty_service", name, body)
        existing = (service.metadata.get("annotations") or {}).get(SERVICE_ID)
        if isinstance(existing, str) and existing:
            # an import block's id is an expression too: catalog text, never a template
            self.doc.imports.append({"to": f"pagerduty_service.{name}", "id": literal(existing)})

    def build(self) -> Document:
        for team in self.catalog.of_kind("Team"):
            self.team(team)
        for service in self.catalog.of_kind("Service"):
            self.service(service)
        return self.doc


def export_pagerduty(context: RunContext, output: Path) -> ExportResult:
    loaded = load_catalog(context)
    if loaded.blocking:
        return refused("pagerduty", output, loaded)
    exporter = PagerDutyExporter(loaded.catalog)
    doc = exporter.build()
    return write_one("pagerduty", output, doc.text(), doc.count(), exporter.notes)
