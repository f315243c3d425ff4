"""`import backstage`: Backstage catalog descriptors to Teams and Services.

Group -> Team, Component and Resource -> technical Service, System -> business Service whose
dependencies are its parts, Domain -> the `domain` label, User -> Team members. Fields we
have no place for are kept as `itsmctl.io/backstage-...` annotations; our own fields that an
`export backstage` carried as `itsmctl.io/...` annotations are restored. docs/interop.md has
the table, field by field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from itsmctl.findings import Severity
from itsmctl.interop.backstage_check import check_descriptor
from itsmctl.interop.carry import (
    ANNOTATIONS,
    DEPENDENCY_DETAILS,
    LABELS,
    MEMBER_ROLES,
    NO_OWNER,
    PREFIX,
    SERVICE_FIELDS,
    TEAM_FIELDS,
    Carried,
    decode,
    encode,
    put,
)
from itsmctl.interop.descriptors import Descriptor, read_descriptors
from itsmctl.interop.importing import finish_import
from itsmctl.interop.mapping import ImportMapping
from itsmctl.interop.names import EntityRef, parse_ref, to_name
from itsmctl.interop.result import ImportResult, Mapped, Note
from itsmctl.limits import Limits
from itsmctl.model import API_VERSION

SERVICE_KINDS = ("component", "resource", "system")
SKIPPED_KINDS_HINT = "Backstage kinds imported: Component, Resource, System, Domain, Group, User"
KEPT = PREFIX + "backstage-"
LINK_KEYS = {"runbook": "runbook", "repository": "repository", "source": "repository",
             "repo": "repository", "dashboard": "dashboard", "knowledgebase": "knowledgeBase",
             "knowledge-base": "knowledgeBase", "docs": "knowledgeBase", "wiki": "knowledgeBase"}
URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+\Z")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
TEAM_SLUG = "github.com/team-slug"    # Backstage's GitHub org annotations = our github fields
USER_LOGIN = "github.com/user-login"
GITHUB_TEAM = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?/[a-z0-9]"
                         r"([a-z0-9_-]{0,98}[a-z0-9])?\Z")
GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?\Z")
MAX_LABEL = 63
# spec fields a mapper consumes, per kind; the rest is kept as annotations
CONSUMED = {
    "component": {"type", "lifecycle", "owner", "system", "dependsOn", "dependencyOf"},
    "resource": {"type", "owner", "system", "dependsOn", "dependencyOf"},
    "system": {"owner", "domain", "dependsOn", "dependencyOf"},
    "group": {"type", "profile", "parent", "children", "members"},
}
META_CONSUMED = {"name", "namespace", "title", "description", "labels", "annotations", "tags",
                 "links", "uid", "etag", "generation"}


@dataclass(frozen=True, slots=True)
class _Dependency:
    target: str
    descriptor: Descriptor | None  # where it was declared, for findings


class BackstageImporter:
    """Maps one set of descriptors; `run` returns the entities and the report material."""

    def __init__(self, descriptors: list[Descriptor], mapping: ImportMapping) -> None:
        self.mapping = mapping
        self.out = Mapped()
        self.index: dict[EntityRef, Descriptor] = {}
        self.names: dict[EntityRef, str] = {}
        for descriptor in descriptors:
            self._admit(descriptor)
        self._name_entities()

    # -- indexing -----------------------------------------------------------------------
    def _admit(self, descriptor: Descriptor) -> None:
        problems = check_descriptor(descriptor)
        if problems:
            self.out.findings.extend(problems)
            return
        ref = EntityRef(descriptor.kind.lower(), descriptor.namespace, descriptor.name.lower())
        earlier = self.index.get(ref)
        if earlier is not None:
            self.out.findings.append(descriptor.finding(
                "import-duplicate-entity", f"{ref} is already defined in {earlier.source.label}",
                ("metadata", "name"), "Backstage names are unique per kind and namespace"))
            return
        self.index[ref] = descriptor

    def _name_entities(self) -> None:
        """Our names: folded Backstage names; a clash gets the kind, then a number, appended."""
        taken: dict[str, set[str]] = {"Team": set(), "Service": set()}
        order = sorted(self.index, key=lambda r: (r.namespace != "default", r.namespace,
                                                  SERVICE_KINDS.index(r.kind)
                                                  if r.kind in SERVICE_KINDS else 0, r.name))
        for ref in order:
            ours = "Team" if ref.kind == "group" else "Service" if ref.kind in SERVICE_KINDS \
                else None
            if ours is None:
                continue
            base = to_name(ref.name) or "unnamed"
            candidates = [base, to_name(f"{base}-{ref.namespace}"), to_name(f"{base}-{ref.kind}")]
            name = next((c for c in candidates if c and c not in taken[ours]), "")
            number = 2
            while not name:
                name = to_name(f"{base[:58]}-{number}") if f"{base[:58]}-{number}" not in \
                    taken[ours] else ""
                number += 1
            taken[ours].add(name)
            self.names[ref] = name

    def resolve(self, text: str, owner: Descriptor, default_kind: str,
                kinds: tuple[str, ...]) -> EntityRef | None:
        ref = parse_ref(text, default_kind, owner.namespace)
        if ref is None:
            return None
        if ref in self.index and ref.kind in kinds:
            return ref
        if ":" not in text:  # a bare name: Backstage leaves the kind to context
            for kind in kinds:
                other = EntityRef(kind, ref.namespace, ref.name)
                if other in self.index:
                    return other
        return None

    # -- mapping ------------------------------------------------------------------------
    def run(self) -> Mapped:
        members = self._memberships()
        dependencies = self._dependencies()
        for ref in sorted(self.index):
            descriptor = self.index[ref]
            if ref.kind == "group":
                self._team(ref, descriptor, members.get(ref, []))
            elif ref.kind in SERVICE_KINDS:
                self._service(ref, descriptor, dependencies.get(ref, []))
            elif ref.kind in ("user", "domain", "location"):
                continue  # folded into teams, labels, and the files read
            else:
                self.out.findings.append(descriptor.finding(
                    "import-kind-skipped",
                    f"kind {descriptor.kind} has no itsmctl counterpart; skipped", ("kind",),
                    SKIPPED_KINDS_HINT, Severity.INFO))
        self.out.documents.sort(key=lambda d: (d["kind"], d["metadata"]["name"]))
        return self.out

    def _memberships(self) -> dict[EntityRef, list[EntityRef]]:
        """Group -> its users: spec.members first (in order), then User.memberOf (sorted)."""
        out: dict[EntityRef, list[EntityRef]] = {}
        for ref, descriptor in sorted(self.index.items()):
            if ref.kind != "group":
                continue
            for i, text in enumerate(descriptor.get("spec", "members") or []):
                user = parse_ref(text, "user", descriptor.namespace)
                if user is None or user.kind != "user":
                    self.out.findings.append(descriptor.finding(
                        "import-unknown-reference", f"member {text!r} is not a user reference",
                        ("spec", "members", i)))
                    continue
                out.setdefault(ref, [])
                if user not in out[ref]:
                    out[ref].append(user)
        for ref, descriptor in sorted(self.index.items()):
            if ref.kind != "user":
                continue
            for i, text in enumerate(descriptor.get("spec", "memberOf") or []):
                group = self.resolve(text, descriptor, "group", ("group",))
                if group is None:
                    self.out.findings.append(descriptor.finding(
                        "import-unknown-reference", f"memberOf names unknown group {text!r}",
                        ("spec", "memberOf", i), "import the Group too, or fix the reference",
                        Severity.WARNING))
                    continue
                listed = out.setdefault(group, [])
                if ref not in listed:
                    listed.append(ref)
        return out

    def _dependencies(self) -> dict[EntityRef, list[_Dependency]]:
        out: dict[EntityRef, list[_Dependency]] = {}

        def add(source: EntityRef, target: EntityRef, where: Descriptor) -> None:
            if source == target:
                return
            deps = out.setdefault(source, [])
            name = self.names[target]
            if all(d.target != name for d in deps):
                deps.append(_Dependency(name, where))

        for field in ("dependsOn", "dependencyOf"):  # a service's own list comes first
            for ref, descriptor in sorted(self.index.items()):
                if ref.kind not in SERVICE_KINDS:
                    continue
                for i, text in enumerate(descriptor.get("spec", field) or []):
                    other = self.resolve(text, descriptor, "component", SERVICE_KINDS)
                    if other is None:
                        self.out.findings.append(descriptor.finding(
                            "import-unknown-reference",
                            f"{field} names {text!r}, which is not an imported Component,"
                            " Resource or System; the dependency was left out",
                            ("spec", field, i), "import that entity too, or fix the reference",
                            Severity.WARNING))
                    elif field == "dependsOn":
                        add(ref, other, descriptor)
                    else:
                        add(other, ref, descriptor)
        for ref, descriptor in sorted(self.index.items()):
            system = descriptor.get("spec", "system") if ref.kind != "system" else None
            if isinstance(system, str):
                target = self.resolve(system, descriptor, "system", ("system",))
                if target is None:
                    self.out.findings.append(descriptor.finding(
                        "import-unknown-reference", f"system {system!r} is not imported",
                        ("spec", "system"), "import the System too, or fix the reference",
                        Severity.WARNING))
                else:
                    add(target, ref, descriptor)
        return out

    # -- shared pieces ------------------------------------------------------------------
    def _metadata(self, ref: EntityRef, descriptor: Descriptor) -> tuple[dict[str, Any],
                                                                          dict[str, str]]:
        meta = descriptor.data["metadata"]
        name = self.names[ref]
        out: dict[str, Any] = {"name": name}
        title = meta.get("title")
        if isinstance(title, str) and title:
            out["title"] = title
        if isinstance(meta.get("description"), str) and meta["description"]:
            out["description"] = meta["description"]
        kept: dict[str, str] = {}
        for key in ("title", "description"):  # a `$text` placeholder is no text: keep it
            if meta.get(key) is not None and not isinstance(meta[key], str):
                kept[f"{KEPT}metadata.{key}"] = encode(meta[key])
        labels = {}
        for key, value in sorted((meta.get("labels") or {}).items()):
            if len(value) <= MAX_LABEL:
                labels[key] = value
            else:
                kept[f"{KEPT}label.{key}"] = value
        if labels:
            out["labels"] = labels
        if name != ref.name or ref.namespace != "default":
            kept[f"{KEPT}ref"] = str(ref)
        if meta.get("tags"):
            kept[f"{KEPT}tags"] = encode(meta["tags"])
        for key in sorted(set(meta) - META_CONSUMED):
            kept[f"{KEPT}metadata.{key}"] = encode(meta[key])
        return out, kept

    def _annotations(self, descriptor: Descriptor, subject: str, carried: tuple[Carried, ...],
                     entity: dict[str, Any]) -> dict[str, str]:
        """Foreign annotations kept verbatim; ours restored into `entity` and removed."""
        own = {c.key: c for c in carried}
        out: dict[str, str] = {}
        for key, value in sorted((descriptor.get("metadata", "annotations") or {}).items()):
            if key in (LABELS, ANNOTATIONS):
                restored, problem = decode(value)
                if not problem and isinstance(restored, dict):
                    target = out if key == ANNOTATIONS else \
                        entity["metadata"].setdefault("labels", {})
                    target.update({str(k): str(v) for k, v in restored.items()
                                   if key == ANNOTATIONS or len(str(v)) <= MAX_LABEL})
                    continue
            item = own.get(key)
            if item is None:
                out[key] = value
                continue
            decoded, problem = decode(value, item.text)
            if problem:
                self.out.findings.append(descriptor.finding(
                    "import-bad-annotation", f"annotation {key} {problem}; kept as it is",
                    ("metadata", "annotations", key), severity=Severity.WARNING))
                out[key] = value
            else:
                put(entity, item.path, decoded)
        return out

    def _keep(self, subject: str, kept: dict[str, str], annotations: dict[str, str]) -> None:
        for key, value in kept.items():
            annotations[key] = value
            self.out.kept.append(Note(subject, f"kept as annotation {key}"))

    def _leftover_spec(self, ref: EntityRef, descriptor: Descriptor) -> dict[str, str]:
        spec = descriptor.get("spec") or {}
        consumed = CONSUMED.get(ref.kind, set())
        return {f"{KEPT}spec.{key}": encode(spec[key]) for key in sorted(set(spec) - consumed)}

    def _finish(self, kind: str, entity: dict[str, Any], annotations: dict[str, str]) -> None:
        if annotations:
            entity["metadata"]["annotations"] = dict(sorted(annotations.items()))
        entity["metadata"] = _ordered(entity["metadata"], ("name", "title", "description",
                                                           "labels", "annotations", "waivers"))
        self.out.documents.append({"apiVersion": API_VERSION, "kind": kind, **entity})

    # -- teams --------------------------------------------------------------------------
    def _team(self, ref: EntityRef, descriptor: Descriptor, users: list[EntityRef]) -> None:
        metadata, kept = self._metadata(ref, descriptor)
        subject = f"team:{metadata['name']}"
        entity: dict[str, Any] = {"metadata": metadata, "spec": {}}
        annotations = self._annotations(descriptor, subject, TEAM_FIELDS, entity)
        roles_raw = annotations.pop(MEMBER_ROLES, None)
        roles = decode(roles_raw)[0] if roles_raw is not None else {}
        roles = roles if isinstance(roles, dict) else {}
        spec = descriptor.data["spec"]
        profile = spec.get("profile") if isinstance(spec.get("profile"), dict) else {}
        if "title" not in metadata and isinstance(profile.get("displayName"), str):
            metadata["title"] = profile["displayName"]
        email = profile.get("email")
        ours: dict[str, Any] = {}
        if isinstance(email, str) and EMAIL.match(email):
            ours["email"] = email
        else:
            ours["email"] = f"{metadata['name']}@example.invalid"
            self.out.attention.append(Note(subject, "has no usable spec.profile.email in "
                                           "Backstage: a placeholder mailbox was written"))
        ours.update(entity["spec"])
        slug = annotations.get(TEAM_SLUG)
        if isinstance(slug, str) and GITHUB_TEAM.match(slug):
            ours["github"] = annotations.pop(TEAM_SLUG)
        parent = spec.get("parent")
        if isinstance(parent, str):
            target = self.resolve(parent, descriptor, "group", ("group",))
            if target is None:
                self.out.findings.append(descriptor.finding(
                    "import-unknown-reference", f"parent names unknown group {parent!r}; left out",
                    ("spec", "parent"), "import the parent Group too, or fix the reference"))
            else:
                ours["parent"] = self.names[target]
        members = self._members(subject, users, roles)
        if members:
            ours["members"] = members
        entity["spec"] = _ordered(ours, ("email", "chat", "github", "parent", "members",
                                         "onCall"))
        if spec.get("type") != "team":
            kept[f"{KEPT}group-type"] = str(spec.get("type"))
        for key in sorted(set(profile) - {"displayName", "email"}):
            kept[f"{KEPT}profile.{key}"] = encode(profile[key], text=True)
        kept.update(self._leftover_spec(ref, descriptor))
        self._keep(subject, kept, annotations)
        self.out.count("Group", "Team")
        self._finish("Team", entity, annotations)

    def _members(self, subject: str, users: list[EntityRef], roles: dict[str, Any]
                 ) -> list[dict[str, str]]:
        members: list[dict[str, str]] = []
        for user in users:
            descriptor = self.index.get(user)
            profile = descriptor.get("spec", "profile") if descriptor else None
            profile = profile if isinstance(profile, dict) else {}
            email = profile.get("email")
            if descriptor is None or not (isinstance(email, str) and EMAIL.match(email)):
                why = "has no User entity" if descriptor is None else "has no email"
                self.out.attention.append(Note(subject, f"member {user.name} {why}: not listed"
                                               " (itsmctl members need an email)"))
                continue
            name = profile.get("displayName") or descriptor.get("metadata", "title") or \
                descriptor.name
            member = {"name": str(name), "email": email}
            login = descriptor.get("metadata", "annotations", USER_LOGIN)
            if isinstance(login, str) and GITHUB_LOGIN.match(login):
                member["github"] = login
            if isinstance(roles.get(email), str):
                member["role"] = roles[email]
            if all(m["email"] != email for m in members):
                members.append(member)
        return members

    # -- services -----------------------------------------------------------------------
    def _service(self, ref: EntityRef, descriptor: Descriptor,
                 dependencies: list[_Dependency]) -> None:
        metadata, kept = self._metadata(ref, descriptor)
        subject = f"service:{metadata['name']}"
        entity: dict[str, Any] = {"metadata": metadata, "spec": {}}
        annotations = self._annotations(descriptor, subject, SERVICE_FIELDS, entity)
        spec = descriptor.data["spec"]
        carried = entity["spec"]
        ours: dict[str, Any] = {"type": "business" if ref.kind == "system" else "technical"}
        owner = "" if annotations.pop(NO_OWNER, None) == "true" else \
            self._owner(descriptor, subject, kept)
        if owner:
            ours["owner"] = owner
        ours["lifecycle"] = self._lifecycle(ref, descriptor, subject, annotations, kept)
        if "tier" not in carried:
            ours["tier"] = self.mapping.tier
            self.out.attention.append(Note(subject, f"has no tier in Backstage: tier "
                                           f"{self.mapping.tier} was assumed"))
        details_raw = annotations.pop(DEPENDENCY_DETAILS, None)
        details = decode(details_raw)[0] if details_raw is not None else {}
        details = details if isinstance(details, dict) else {}
        deps = []
        for dep in dependencies:
            item: dict[str, Any] = {"service": dep.target}
            found = details.get(dep.target)
            extra: dict[str, Any] = found if isinstance(found, dict) else {}
            item["type"] = extra.get("type") if extra.get("type") in ("hard", "soft") \
                else self.mapping.dependency_type
            if isinstance(extra.get("description"), str):
                item["description"] = extra["description"]
            deps.append(item)
        if deps:
            ours["dependencies"] = deps
        ours.update(carried)
        links = self._links(descriptor, annotations, kept, carried.get("links"))
        if links:
            ours["links"] = links
        if "sla" not in ours:
            self.out.attention.append(Note(subject, "has no SLA: agree one with its customers"))
        self._domain(ref, descriptor, metadata)
        if ref.kind == "resource":
            kept[f"{KEPT}kind"] = "Resource"
        if ref.kind != "system" and (ref.kind == "resource" or spec.get("type") != "service"):
            kept[f"{KEPT}type"] = str(spec.get("type"))
        kept.update(self._leftover_spec(ref, descriptor))
        entity["spec"] = _ordered(ours, ("type", "owner", "lifecycle", "tier", "dependencies",
                                         "sla", "supportCalendar", "changeModels", "links",
                                         "cost", "dataClassification", "review",
                                         "evidence"))
        self._keep(subject, kept, annotations)
        self.out.count(descriptor.kind, "Service")
        self._finish("Service", entity, annotations)

    def _owner(self, descriptor: Descriptor, subject: str, kept: dict[str, str]) -> str:
        text = descriptor.data["spec"].get("owner")
        if not isinstance(text, str):
            return ""
        ref = parse_ref(text, "group", descriptor.namespace)
        if ref is not None and ref.kind == "user":
            kept[f"{KEPT}owner"] = text
            self.out.attention.append(Note(subject, f"is owned by user {ref.name}, not a team:"
                                           " name the owning team in spec.owner"))
            return ""
        target = self.resolve(text, descriptor, "group", ("group",))
        if target is None:
            self.out.findings.append(descriptor.finding(
                "import-unknown-reference", f"owner names unknown group {text!r}; left out",
                ("spec", "owner"), "import the owning Group too, or fix spec.owner"))
            kept[f"{KEPT}owner"] = text
            return ""
        return self.names[target]

    def _lifecycle(self, ref: EntityRef, descriptor: Descriptor, subject: str,
                   annotations: dict[str, str], kept: dict[str, str]) -> str:
        carried = annotations.pop(PREFIX + "lifecycle", None)
        text = descriptor.data["spec"].get("lifecycle") if ref.kind == "component" else carried
        if not isinstance(text, str):
            return "operational"  # Resources and Systems have no lifecycle in Backstage
        stage = self.mapping.lifecycle.get(text.strip().lower())
        if stage is None:
            kept[f"{KEPT}lifecycle"] = text
            self.out.findings.append(descriptor.finding(
                "import-unknown-lifecycle",
                f"lifecycle {text!r} is not in the mapping table; imported as design",
                ("spec", "lifecycle"),
                "add it to the mapping file, e.g. `lifecycle: {beta: transition}`",
                Severity.WARNING))
            return "design"
        return stage

    def _links(self, descriptor: Descriptor, annotations: dict[str, str],
               kept: dict[str, str], carried: Any) -> dict[str, str]:
        links: dict[str, str] = dict(carried) if isinstance(carried, dict) else {}
        rest = []
        for link in descriptor.get("metadata", "links") or []:
            words = [str(link.get(k, "")).strip().lower().replace(" ", "") for k in
                     ("type", "title", "icon")]
            key = next((LINK_KEYS[w] for w in words if w in LINK_KEYS), None)
            if key and key not in links and URI.match(link["url"]):
                links[key] = link["url"]
            else:
                rest.append(link)
        source = annotations.get("backstage.io/source-location", "")
        url = source.removeprefix("url:")
        if "repository" not in links and URI.match(url):
            links["repository"] = url.rstrip("/")
        if rest:
            kept[f"{KEPT}links"] = encode(rest)
        return dict(sorted(links.items()))

    def _domain(self, ref: EntityRef, descriptor: Descriptor, metadata: dict[str, Any]) -> None:
        domain = descriptor.get("spec", "domain") if ref.kind == "system" else None
        if isinstance(domain, str) and "domain" not in metadata.get("labels", {}):
            parsed = parse_ref(domain, "domain", descriptor.namespace)
            if parsed is not None and len(parsed.name) <= MAX_LABEL:
                metadata.setdefault("labels", {})["domain"] = to_name(parsed.name) or parsed.name


def _ordered(data: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    rank = {k: i for i, k in enumerate(order)}
    return dict(sorted(data.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def import_backstage(paths: list[Path], target: Path, *, limits: Limits,
                     mapping: ImportMapping | None = None, force: bool = False,
                     today: date | None = None) -> ImportResult:
    """Read the descriptors under `paths`, map them, validate, and write a catalog to `target`.

    `limits`: the run's parse limits, for the descriptors and where findings are located."""
    read = read_descriptors(paths, limits)
    importer = BackstageImporter(read.descriptors, mapping or ImportMapping())
    mapped = importer.run()
    mapped.findings = read.findings + mapped.findings
    return finish_import("backstage", mapped, read.sources, target, force=force, today=today,
                         limits=limits)

