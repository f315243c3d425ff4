"""Deterministic synthetic catalogs of N services for the benchmarks.

`python3 benchmarks/generate.py OUT --services 10000 --seed 7` writes a catalog that looks like
a large organisation's: teams with on-call chains, business calendars in several time zones,
one SLA/OLA per service, RACI matrices for every tier-1 and tier-2 service and for the ITSM
processes, the three change models, published catalogs, and a layered dependency graph that has
no cycles (a service only depends on services of lower layers).

It is built to be clean under our own rules as of the date `--today` (default below, the date
the benchmark runner passes to `itsmctl validate --today`): tiers never hard-depend on a less
critical tier, availability targets are achievable given the hard dependencies' targets (also
over the whole chain), SLA targets are monotonic, reviews are not overdue, templates not expired.
One entity per file, the way catalog repositories are usually laid out (and the layout that lets
check-jsonschema validate each kind's folder against that kind's schema).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

API_VERSION = "itsmctl.io/v1"
TODAY = date(2026, 11, 23)
DOMAINS = ("commerce", "payments", "identity", "logistics", "finance", "people", "data",
           "platform", "marketing", "support", "security", "analytics")
NOUNS = ("api", "gateway", "portal", "ledger", "search", "catalog", "billing", "orders",
         "inventory", "reporting", "notifications", "auth", "scheduler", "exporter", "sync",
         "pricing", "checkout", "returns", "shipping", "payroll", "crm", "forecast", "tickets")
FIRST = ("Lena", "Marco", "Sofia", "Henrik", "Aisha", "Tomasz", "Yuki", "Carlos", "Ines",
         "Oskar", "Priya", "Jonas", "Mei", "Daniel", "Amara", "Felix", "Nora", "Rafael")
LAST = ("Hoffmann", "Bianchi", "Lindqvist", "Jansen", "Okafor", "Nowak", "Tanaka", "Silva",
        "Duarte", "Berg", "Raman", "Weber", "Chen", "Moreau", "Mensah", "Novak", "Costa")
ZONES = (("berlin", "Europe/Berlin"), ("london", "Europe/London"),
         ("new-york", "America/New_York"), ("tokyo", "Asia/Tokyo"), ("sydney", "Australia/Sydney"))
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# layer -> (share of services, tiers, availability target): hard dependencies only point one
# layer down, so tiers never get less critical along a hard dependency and every target is
# below the product of its hard dependencies' targets, directly and over the whole chain.
LAYERS = ((0.05, (1,), 99.99), (0.20, (1, 2), 99.95), (0.35, (2, 3), 99.9), (0.40, (3, 4), 99.0))
TARGETS = {  # tier -> P1..P4 (response, resolution), monotonic
    1: (("15m", "4h"), ("30m", "8h"), ("4h", "3d"), ("1d", "10d")),
    2: (("30m", "8h"), ("1h", "1d"), ("8h", "5d"), ("2d", "15d")),
    3: (("1h", "1d"), ("4h", "3d"), ("1d", "10d"), ("3d", "20d")),
    4: (("4h", "3d"), ("8h", "5d"), ("2d", "15d"), ("5d", "30d")),
}
OFFERINGS_PER_CATALOG = 400


@dataclass
class Service:
    name: str
    domain: str
    layer: int
    tier: int
    owner: str
    calendar: str
    lifecycle: str = "operational"
    hard: list[str] = field(default_factory=list)
    soft: list[str] = field(default_factory=list)

    @property
    def business(self) -> bool:
        return self.layer >= 2


def entity(kind: str, name: str, title: str, description: str, spec: dict[str, Any],
           labels: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "title": title, "description": description}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first} {last}", f"{first}.{last}@example.com".lower()


def teams(rng: random.Random, count: int) -> list[dict[str, Any]]:
    names = [f"{DOMAINS[i % len(DOMAINS)]}-team-{i:04d}" for i in range(count)]
    out = [_team(rng, name, name.split("-")[0], None) for name in names]
    out.append(_team(rng, "service-desk", "support", None))
    out.append(_team(rng, "change-advisory-board", "it-operations", None))
    return out


def _team(rng: random.Random, name: str, department: str, parent: str | None) -> dict[str, Any]:
    members = []
    for index in range(rng.randint(3, 7)):
        full, email = person(rng)
        members.append({"name": full, "email": email, "role": "lead" if index == 0 else "engineer"})
    spec: dict[str, Any] = {"email": f"{name}@example.com", "chat": f"#{name}", "members": members}
    spec["onCall"] = {
        "schedule": f"https://oncall.example.com/schedules/{name}",
        "escalation": [
            {"level": 1, "contact": f"{name}-oncall@example.com", "after": "0m"},
            {"level": 2, "contact": members[0]["email"], "after": "10m"},
            {"level": 3, "contact": "cto-office@example.com", "after": "45m"},
        ],
    }
    title = name.replace("-", " ").title()
    return entity("Team", name, title, f"The {title} team.", spec, {"department": department})


def calendars() -> list[dict[str, Any]]:
    always = {day: [{"start": "00:00", "end": "24:00"}] for day in DAYS}
    out = [entity("BusinessCalendar", "always-on", "24x7", "Around the clock, every day.",
                  {"timezone": "UTC", "weeklyHours": always})]
    for slug, zone in ZONES:
        hours = {day: [{"start": "08:00", "end": "18:00"}] for day in DAYS[:5]}
        holidays = [{"date": f"{year}-{md}", "name": label} for year in (2026, 2027)
                    for md, label in (("01-01", "New Year's Day"), ("05-01", "Labour Day"),
                                      ("12-25", "Christmas Day"))]
        out.append(entity("BusinessCalendar", f"{slug}-business-hours",
                          f"{slug.title()} business hours", f"Weekdays 08:00-18:00 in {zone}.",
                          {"timezone": zone, "weeklyHours": hours, "holidays": holidays}))
    return out


def change_models() -> list[dict[str, Any]]:
    review = (TODAY + timedelta(days=400)).isoformat()
    freeze = {"name": "year-end-freeze", "from": f"{TODAY.year}-12-15",
              "until": f"{TODAY.year + 1}-01-05", "reason": "Peak trading and year-end closing"}
    templates = [{"name": n, "title": t, "risk": "low", "reviewBy": review} for n, t in (
        ("rotate-tls-certificate", "Rotate a TLS certificate before expiry"),
        ("scale-deployment", "Scale a deployment within its approved quota"),
        ("feature-flag-toggle", "Toggle a feature flag for a released feature"))]
    return [
        entity("ChangeModel", "standard-change", "Standard change", "Pre-approved, low risk.", {
            "type": "standard", "states": ["draft", "schedule", "implement", "closed"],
            "approvals": {"approvers": ["role:change-manager"], "retrospective": False},
            "leadTime": "0m", "requiredArtifacts": ["implementation-plan"],
            "postImplementationReview": {"required": False}, "blackoutWindows": [freeze],
            "templates": templates}),
        entity("ChangeModel", "normal-change", "Normal change", "Assessed and CAB-authorized.", {
            "type": "normal",
            "states": ["draft", "assess", "authorize", "schedule", "implement", "review", "closed"],
            "approvals": {"cab": "change-advisory-board",
                          "approvers": ["role:change-manager", "role:service-owner"],
                          "retrospective": False},
            "leadTime": "5d",
            "requiredArtifacts": ["risk-assessment", "implementation-plan", "rollback-plan",
                                  "test-evidence"],
            "postImplementationReview": {"required": True, "within": "5d"},
            "blackoutWindows": [freeze]}),
        entity("ChangeModel", "emergency-change", "Emergency change", "Restore service now.", {
            "type": "emergency", "states": ["draft", "authorize", "implement", "review", "closed"],
            "approvals": {"cab": "change-advisory-board",
                          "approvers": ["role:change-manager", "role:major-incident-manager"],
                          "retrospective": True},
            "leadTime": "0m", "requiredArtifacts": ["implementation-plan", "rollback-plan"],
            "postImplementationReview": {"required": True, "within": "2d"}}),
    ]


def plan_services(rng: random.Random, count: int, team_names: list[str]) -> list[Service]:
    """Lay services out in layers and wire hard and soft dependencies downwards only."""
    services: list[Service] = []
    layers: list[list[Service]] = []
    calendar_names = ["always-on"] + [f"{slug}-business-hours" for slug, _ in ZONES]
    for layer, (share, tiers, _) in enumerate(LAYERS):
        size = max(1, round(count * share)) if layer < len(LAYERS) - 1 else count - len(services)
        members = []
        for _ in range(size):
            index = len(services)
            domain = DOMAINS[index % len(DOMAINS)]
            name = f"{domain}-{NOUNS[rng.randrange(len(NOUNS))]}-{index:06d}"
            owner = team_names[rng.randrange(len(team_names))]
            # only the top layer, which nothing hard-depends on, keeps office hours: support
            # hours must cover those of every service that hard-depends on it
            calendar = "always-on" if layer < len(LAYERS) - 1 else rng.choice(calendar_names)
            service = Service(name, domain, layer, rng.choice(tiers), owner, calendar)
            if layer == len(LAYERS) - 1 and rng.random() < 0.05:
                service.lifecycle = rng.choice(("transition", "retiring"))
            services.append(service)
            members.append(service)
        layers.append(members)
    for layer in range(1, len(layers)):
        below = layers[layer - 1]
        lower = [s for group in layers[:layer] for s in group]
        for service in layers[layer]:
            service.hard = sorted({s.name for s in rng.sample(below, min(len(below),
                                                                         rng.randint(1, 2)))})
            soft = rng.sample(lower, min(len(lower), rng.randint(0, 3)))
            service.soft = sorted({s.name for s in soft} - set(service.hard))
    return services


def service_doc(rng: random.Random, service: Service) -> dict[str, Any]:
    deps = [{"service": d, "type": "hard", "description": "Needed to serve requests"}
            for d in service.hard]
    deps += [{"service": d, "type": "soft", "description": "Degrades gracefully without it"}
             for d in service.soft]
    reviewed = TODAY - timedelta(days=rng.randint(7, 150))
    spec: dict[str, Any] = {
        "type": "business" if service.business else "technical",
        "owner": service.owner, "lifecycle": service.lifecycle, "tier": service.tier,
    }
    if deps:
        spec["dependencies"] = deps
    base = f"https://wiki.example.com/{service.domain}/{service.name}"
    spec.update({
        "sla": f"{service.name}-sla", "supportCalendar": service.calendar,
        "changeModels": ["standard-change", "normal-change", "emergency-change"],
        "links": {"runbook": f"{base}/runbook", "repository": f"https://git.example.com/"
                  f"{service.domain}/{service.name}", "dashboard": f"https://grafana.example.com/d/"
                  f"{service.name}", "knowledgeBase": f"{base}/kb"},
        "cost": {"model": rng.choice(("fixed", "usage-based", "chargeback", "showback")),
                 "costCenter": f"CC-{4000 + DOMAINS.index(service.domain) * 100}",
                 "monthlyBudget": rng.randrange(500, 50_000, 100), "currency": "EUR"},
        "dataClassification": rng.choice(("internal", "confidential", "restricted")),
        "review": {"lastReviewed": reviewed.isoformat(), "interval": "26w"},
        "evidence": [{"name": "security-signoff", "date": reviewed.isoformat(),
                      "ref": f"https://security.example.com/reviews/{service.name}",
                      "approver": "security-officer@example.com"}],
    })
    title = service.name.replace("-", " ").title()
    return entity("Service", service.name, title, f"{title}, run by {service.owner}.", spec,
                  {"domain": service.domain})


def sla_doc(service: Service) -> dict[str, Any]:
    availability = LAYERS[service.layer][2]
    hours = service.calendar != "always-on"  # days are ambiguous on office hours: write hours
    targets = [{"priority": f"P{i + 1}", "response": _hours(r) if hours else r,
                "resolution": _hours(s) if hours else s}
               for i, (r, s) in enumerate(TARGETS[service.tier])]
    spec: dict[str, Any] = {
        "type": "SLA" if service.business else "OLA", "service": service.name,
        "customer": f"{service.domain.title()} business unit", "calendar": service.calendar,
        "measurement": {"period": "monthly", "timezone": "Europe/Berlin"},
        "availability": availability, "targets": targets,
    }
    if service.business:
        spec["serviceCredits"] = [{"below": availability, "credit": 5},
                                  {"below": round(availability - 1, 2), "credit": 15}]
    spec["effective"] = {"from": f"{TODAY.year}-01-01", "until": f"{TODAY.year + 1}-12-31"}
    return entity("SLA", f"{service.name}-sla", f"{service.name} {spec['type']}",
                  f"Service levels of {service.name}.", spec)


def _hours(duration: str) -> str:
    """`3d` -> `72h`: the same clock time, written so nobody reads it as business days."""
    return f"{int(duration[:-1]) * 24}h" if duration.endswith("d") else duration


def raci_doc(service: Service) -> dict[str, Any]:
    owner = service.owner
    activities = [
        ("operate-and-monitor", "Operate the service and respond to alerts",
         {owner: "R", "role:service-owner": "A", "service-desk": "I"}),
        ("restore-service", "Restore service during an incident",
         {owner: "R", "role:incident-manager": "A", "service-desk": "I"}),
        ("change-service", "Plan, test and deploy changes",
         {owner: "R", "role:service-owner": "A", "change-advisory-board": "C"}),
        ("review-service", "Review the service, its SLA and its risks",
         {"role:service-owner": "RA", "role:service-level-manager": "C", owner: "I"}),
    ]
    spec = {"scope": {"service": service.name}, "activities": [
        {"name": n, "title": t, "assignments": a} for n, t, a in activities]}
    return entity("RACI", f"{service.name}-raci", f"{service.name} RACI",
                  f"Responsibilities for {service.name}.", spec)


def process_racis() -> list[dict[str, Any]]:
    out = []
    for process in ("incident", "problem", "change", "request", "major-incident"):
        activities = [
            {"name": "log-and-categorise", "title": "Log and categorise",
             "assignments": {"service-desk": "R", f"role:{process}-manager": "A"}},
            {"name": "resolve", "title": "Work the record to resolution",
             "assignments": {"role:resolver-group": "R", f"role:{process}-manager": "A",
                             "service-desk": "I"}},
            {"name": "close", "title": "Confirm and close",
             "assignments": {"service-desk": "R", f"role:{process}-manager": "A"}},
        ]
        out.append(entity("RACI", f"{process}-process", f"{process.title()} management",
                          f"Who does what in {process} management.",
                          {"scope": {"process": process}, "activities": activities}))
    return out


def catalogs(rng: random.Random, services: list[Service]) -> list[dict[str, Any]]:
    """Every fifth operational business service is published, per domain, 400 per catalog."""
    out = []
    for domain in DOMAINS:
        published = [s for s in services if s.domain == domain and s.business
                     and s.lifecycle == "operational"][::5]
        for part in range(0, len(published), OFFERINGS_PER_CATALOG):
            chunk = published[part:part + OFFERINGS_PER_CATALOG]
            categories: dict[str, list[dict[str, Any]]] = {}
            for service in chunk:
                offering = {"name": service.name, "title": service.name.replace("-", " ").title(),
                            "service": service.name, "selfService": rng.random() < 0.6,
                            "requestTypes": [
                                {"name": "access", "title": "Request access", "fulfilment": "1d"},
                                {"name": "change", "title": "Request a change",
                                 "fulfilment": "5d"}]}
                categories.setdefault(service.name.split("-")[1], []).append(offering)
            name = f"{domain}-catalog-{part // OFFERINGS_PER_CATALOG + 1}"
            spec = {"audience": "employees", "categories": [
                {"name": c, "title": c.title(), "offerings": o}
                for c, o in sorted(categories.items())]}
            out.append(entity("ServiceCatalog", name, f"{domain.title()} services",
                              f"What employees can request from {domain}.", spec))
    return out


ROLES = "".join(f"  {role}: [team:{team}]\n" for role, team in (
    ("change-manager", "change-advisory-board"), ("incident-manager", "service-desk"),
    ("problem-manager", "service-desk"), ("request-manager", "service-desk"),
    ("major-incident-manager", "service-desk"), ("service-level-manager", "service-desk"),
    ("resolver-group", "service-desk")))
FOLDERS = {"Team": "teams", "Service": "services", "BusinessCalendar": "calendars", "SLA": "slas",
           "RACI": "raci", "ChangeModel": "change-models", "ServiceCatalog": "catalog"}


def generate(root: Path, count: int, seed: int) -> int:
    """Write the catalog under `root` (replacing it); return the number of entities."""
    rng = random.Random(seed)
    team_docs = teams(rng, max(6, count // 20))
    owner_names = [t["metadata"]["name"] for t in team_docs[:-2]]
    services = plan_services(rng, count, owner_names)
    docs = team_docs + calendars() + change_models() + process_racis()
    for service in services:
        docs.append(service_doc(rng, service))
        docs.append(sla_doc(service))
        if service.tier <= 2:
            docs.append(raci_doc(service))
    docs += catalogs(rng, services)
    if root.exists():
        shutil.rmtree(root)
    for folder in FOLDERS.values():
        (root / folder).mkdir(parents=True)
    (root / ".itsmctl.yaml").write_text(
        f"apiVersion: {API_VERSION}\nkind: Config\nsettings:\n  defaultBranch: main\n"
        f"roles:\n{ROLES}", encoding="utf-8")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for doc in docs:
        path = root / FOLDERS[doc["kind"]] / f"{doc['metadata']['name']}.yaml"
        path.write_text(yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True,
                                  default_flow_style=None, width=100), encoding="utf-8")
    return len(docs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write (replaced if it exists)")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    total = generate(args.out, args.services, args.seed)
    print(f"{args.out}: {args.services} services, {total} entities", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
