"""`export backstage`: the catalog as Backstage descriptors, so Backstage can ingest it from git.

Team -> Group (+ one User per member email), technical Service -> Component (Resource when it
came from one), business Service -> System, `domain` label -> Domain. Our fields Backstage
has no place for travel as `itsmctl.io/...` annotations (see `carry`), which `import
backstage` reads back: the round trip gives every Service and Team back unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itsmctl.catalog import Catalog
from itsmctl.interop.carry import (
    ANNOTATIONS,
    DEPENDENCY_DETAILS,
    LABELS,
    MEMBER_ROLES,
    NO_OWNER,
    PREFIX,
    SERVICE_FIELDS,
    TEAM_FIELDS,
    carry_out,
    decode,
    encode,
)
from itsmctl.interop.exporting import exported, load_catalog, refused, spec_of, write_files
from itsmctl.interop.names import to_name
from itsmctl.interop.result import ExportResult, Note
from itsmctl.interop.writer import dump_yaml
from itsmctl.model import Entity

if TYPE_CHECKING:
    from itsmctl.runcontext import RunContext

API = "backstage.io/v1alpha1"
KEPT = PREFIX + "backstage-"
LIFECYCLE_OUT = {"operational": "production", "design": "experimental", "retiring": "deprecated"}
LINK_TITLES = {"runbook": "Runbook", "repository": "Repository", "dashboard": "Dashboard",
               "knowledgeBase": "Knowledge base"}
# Backstage's KubernetesValidatorFunctions: [prefix/]name, name 1-63, prefix a DNS subdomain
_NAME_PART = r"[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?"
_PREFIX_PART = r"([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
KEY = re.compile(rf"^({_PREFIX_PART}/)?{_NAME_PART}\Z")
LABEL_VALUE = re.compile(rf"^({_NAME_PART})?\Z")
TEAM_SLUG = "github.com/team-slug"    # Backstage's GitHub org annotations
USER_LOGIN = "github.com/user-login"
FOLDERS = {"Group": "groups", "User": "users", "Component": "components",
           "Resource": "resources", "System": "systems", "Domain": "domains"}


def _ref(kind: str, name: str) -> str:
    return f"{kind.lower()}:default/{name}"


def _key_ok(key: str) -> bool:
    return len(key) <= 253 + 64 and bool(KEY.match(key))


class BackstageExporter:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.notes: list[Note] = []
        self.services = {e.name: e for e in catalog.of_kind("Service")}
        self.kinds = {name: self._kind(e) for name, e in self.services.items()}
        self.users = self._user_names()

    def _kind(self, service: Entity) -> str:
        if spec_of(service).get("type") == "business":
            return "System"
        annotations = service.metadata.get("annotations") or {}
        return "Resource" if annotations.get(f"{KEPT}kind") == "Resource" else "Component"

    def _user_names(self) -> dict[str, str]:
        """One Backstage User per member email: the local part, qualified when it clashes."""
        emails = sorted({m["email"] for team in self.catalog.of_kind("Team")
                         for m in spec_of(team).get("members", [])})
        local = Counter(to_name(e.partition("@")[0]) for e in emails)
        out = {}
        for email in emails:
            name = to_name(email.partition("@")[0])
            out[email] = name if local[name] == 1 and name else to_name(email)
        return out

    # -- metadata -----------------------------------------------------------------------
    def metadata(self, entity: Entity, carried: dict[str, str]) -> dict[str, Any]:
        meta = entity.metadata
        out: dict[str, Any] = {"name": entity.name}
        for key in ("title", "description"):
            if isinstance(meta.get(key), str):
                out[key] = meta[key]
        labels: dict[str, str] = {}
        odd_labels: dict[str, str] = {}
        for key, value in (meta.get("labels") or {}).items():
            good = _key_ok(key) and LABEL_VALUE.match(value) and len(value) <= 63
            (labels if good else odd_labels)[key] = value
        if labels:
            out["labels"] = dict(sorted(labels.items()))
        annotations: dict[str, str] = {}
        odd: dict[str, str] = {}
        rest: list[Any] = []
        tags: list[Any] = []
        for key, value in (meta.get("annotations") or {}).items():
            if key == f"{KEPT}links":
                rest = decode(value)[0] or []
            elif key == f"{KEPT}tags":
                tags = decode(value)[0] or []
            elif key.startswith(KEPT) and key != f"{KEPT}ref":
                continue  # restored into the descriptor's own fields by the caller
            elif _key_ok(key):
                annotations[key] = value
            else:
                odd[key] = value
        annotations.update(carried)
        if odd_labels:
            annotations[LABELS] = encode(odd_labels)
        if odd:
            annotations[ANNOTATIONS] = encode(odd)
        if annotations:
            out["annotations"] = dict(sorted(annotations.items()))
        if isinstance(tags, list) and tags:
            out["tags"] = [str(t) for t in tags]
        links = self.links(entity) + [link for link in rest if isinstance(link, dict)]
        if links:
            out["links"] = links
        return out

    def links(self, entity: Entity) -> list[dict[str, str]]:
        links = spec_of(entity).get("links") or {}
        return [{"url": links[key], "title": title, "type": key}
                for key, title in LINK_TITLES.items() if isinstance(links.get(key), str)]

    def kept(self, entity: Entity, key: str) -> str | None:
        value = (entity.metadata.get("annotations") or {}).get(KEPT + key)
        return value if isinstance(value, str) else None

    def kept_spec(self, entity: Entity) -> dict[str, Any]:
        """Backstage spec fields an earlier import kept (`itsmctl.io/backstage-spec.<field>`)."""
        out = {}
        for key, value in (entity.metadata.get("annotations") or {}).items():
            if key.startswith(f"{KEPT}spec."):
                decoded, problem = decode(value)
                if not problem:
                    out[key.removeprefix(f"{KEPT}spec.")] = decoded
        return out

    # -- services -----------------------------------------------------------------------
    def service(self, service: Entity, systems: dict[str, str]) -> dict[str, Any]:
        spec = spec_of(service)
        kind = self.kinds[service.name]
        carried = carry_out({"metadata": service.metadata, "spec": spec}, SERVICE_FIELDS)
        details = {d["service"]: {k: v for k, v in d.items() if k != "service"}
                   for d in spec.get("dependencies", []) if d.get("type", "hard") != "hard"
                   or "description" in d}
        if details:
            carried[DEPENDENCY_DETAILS] = encode(details)
        if kind != "Component":
            carried[PREFIX + "lifecycle"] = spec["lifecycle"]
        out: dict[str, Any] = dict(self.kept_spec(service))
        if kind != "System":
            out["type"] = self.kept(service, "type") or "service"
        if kind == "Component":
            out["lifecycle"] = LIFECYCLE_OUT.get(spec["lifecycle"], spec["lifecycle"])
        out["owner"] = self.owner(service)
        if not isinstance(spec.get("owner"), str) and not self.kept(service, "owner"):
            carried[NO_OWNER] = "true"
        if kind == "System" and isinstance(service.metadata.get("labels", {}).get("domain"),
                                           str):
            out["domain"] = _ref("domain", service.metadata["labels"]["domain"])
        if kind != "System" and service.name in systems:
            out["system"] = _ref("system", systems[service.name])
        depends = [_ref(self.kinds[d["service"]], d["service"])
                   for d in spec.get("dependencies", []) if d["service"] in self.kinds]
        if depends:
            out["dependsOn"] = depends
        return {"apiVersion": API, "kind": kind, "metadata": self.metadata(service, carried),
                "spec": out}

    def owner(self, service: Entity) -> str:
        owner = spec_of(service).get("owner")
        if isinstance(owner, str):
            return _ref("group", owner.rpartition(":")[2])
        kept = self.kept(service, "owner")
        if kept:
            return kept
        self.notes.append(Note(f"service:{service.name}", "has no owner; exported with owner "
                               f"{_ref('group', 'unowned')} (Backstage requires one)"))
        return _ref("group", "unowned")

    def systems(self) -> dict[str, str]:
        """Technical service -> the one business service that depends on it (its System)."""
        users: dict[str, list[str]] = {}
        for name, service in sorted(self.services.items()):
            if self.kinds[name] != "System":
                continue
            for dep in spec_of(service).get("dependencies", []):
                if self.kinds.get(dep["service"]) in ("Component", "Resource"):
                    users.setdefault(dep["service"], []).append(name)
        return {svc: names[0] for svc, names in users.items() if len(names) == 1}

    def domains(self) -> list[dict[str, Any]]:
        owners: dict[str, Counter[str]] = {}
        for name, service in sorted(self.services.items()):
            domain = (service.metadata.get("labels") or {}).get("domain")
            if self.kinds[name] == "System" and isinstance(domain, str):
                owner = spec_of(service).get("owner")
                counter = owners.setdefault(domain, Counter())
                if isinstance(owner, str):
                    counter[owner.rpartition(":")[2]] += 1
        out = []
        for domain, counter in sorted(owners.items()):
            ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
            owner = ranked[0][0] if ranked else "unowned"
            out.append({"apiVersion": API, "kind": "Domain", "metadata": {"name": domain},
                        "spec": {"owner": _ref("group", owner)}})
        return out

    # -- teams --------------------------------------------------------------------------
    def team(self, team: Entity) -> dict[str, Any]:
        spec = spec_of(team)
        carried = carry_out({"metadata": team.metadata, "spec": spec}, TEAM_FIELDS)
        roles = {m["email"]: m["role"] for m in spec.get("members", []) if "role" in m}
        if roles:
            carried[MEMBER_ROLES] = encode(roles)
        if isinstance(spec.get("github"), str):
            carried[TEAM_SLUG] = spec["github"]
        profile: dict[str, str] = {"email": spec["email"]}
        if isinstance(team.metadata.get("title"), str):
            profile["displayName"] = team.metadata["title"]
        out: dict[str, Any] = dict(self.kept_spec(team))
        out["type"] = self.kept(team, "group-type") or "team"
        out["profile"] = dict(sorted(profile.items()))
        if isinstance(spec.get("parent"), str):
            out["parent"] = _ref("group", spec["parent"].rpartition(":")[2])
        out["children"] = [_ref("group", t.name) for t in self.catalog.of_kind("Team")
                           if str(spec_of(t).get("parent", "")).rpartition(":")[2] == team.name]
        out["members"] = [_ref("user", self.users[m["email"]]) for m in spec.get("members", [])]
        return {"apiVersion": API, "kind": "Group", "metadata": self.metadata(team, carried),
                "spec": out}

    def user_entities(self) -> list[dict[str, Any]]:
        people: dict[str, tuple[str, list[str]]] = {}
        logins: dict[str, str] = {}
        for team in self.catalog.of_kind("Team"):
            for member in spec_of(team).get("members", []):
                if isinstance(member.get("github"), str):
                    logins.setdefault(member["email"], member["github"])
                name, groups = people.setdefault(member["email"], (member["name"], []))
                if member["name"] != name:
                    self.notes.append(Note(f"team:{team.name}", f"member {member['email']} is "
                                           f"named {name!r} in another team; Backstage keeps one"))
                if team.name not in groups:
                    groups.append(team.name)
        return [{"apiVersion": API, "kind": "User",
                 "metadata": {"name": self.users[email],
                              **({"annotations": {USER_LOGIN: logins[email]}}
                                 if email in logins else {})},
                 "spec": {"profile": {"displayName": name, "email": email},
                          "memberOf": [_ref("group", g) for g in sorted(groups)]}}
                for email, (name, groups) in sorted(people.items())]

    def descriptors(self) -> list[dict[str, Any]]:
        systems = self.systems()
        out = [self.team(t) for t in self.catalog.of_kind("Team")]
        out += self.user_entities()
        out += [self.service(s, systems) for s in self.catalog.of_kind("Service")]
        out += self.domains()
        return out


def descriptor_files(descriptors: list[dict[str, Any]]) -> dict[str, str]:
    """One file per entity, plus a root `catalog-info.yaml` Location that lists them all."""
    files = {f"{FOLDERS[d['kind']]}/{d['metadata']['name']}.yaml": dump_yaml(d)
             for d in descriptors}
    location = {"apiVersion": API, "kind": "Location",
                "metadata": {"name": "itsmctl-catalog",
                             "description": "Generated by itsmctl export backstage"},
                "spec": {"type": "file", "targets": [f"./{rel}" for rel in sorted(files)]}}
    files["catalog-info.yaml"] = "# Generated by `itsmctl export backstage`; do not edit.\n" + \
        dump_yaml(location)
    return files


def export_backstage(context: RunContext, output: Path) -> ExportResult:
    loaded = load_catalog(context)
    if loaded.blocking:
        return refused("backstage", output, loaded)
    exporter = BackstageExporter(loaded.catalog)
    descriptors = exporter.descriptors()
    written = write_files(output, descriptor_files(descriptors))
    counts = Counter(d["kind"] for d in descriptors)
    return exported("backstage", output, written, dict(counts), exporter.notes)
