"""What every page builder shares: the checked catalog, links between pages, findings by entity."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from itsmctl.catalog import Catalog
from itsmctl.config import Config
from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity, Ref
from itsmctl.policy.scorecard import Scorecard, ServiceScore
from itsmctl.references import PARTY, parse_ref
from itsmctl.rules.registry import Rule, RuleContext
from itsmctl.site.figures import dependents_graph
from itsmctl.site.measured import MeasuredIndex, index_measured
from itsmctl.site.paths import Link, ref_path
from itsmctl.sources import SourceFile
from itsmctl.textlines import split_lines
from itsmctl.validate import ValidationResult

if TYPE_CHECKING:
    from itsmctl.diff.result import DiffResult
    from itsmctl.measure.result import MeasureResult
    from itsmctl.site.people import Directory
    from itsmctl.site.pullrequests import ApprovalEvidence

T = TypeVar("T")
DOCUMENT_MARKER = re.compile(r"(?:---|\.\.\.)(?:\s|\Z)")


@dataclass(frozen=True)
class Commit:
    """One commit in an entity's audit trail."""

    sha: str
    author: str
    date: str
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:10]


@dataclass(frozen=True)
class HistoryEntry:
    """One commit in an entity's semantic history: what it changed in the entity, or in
    what the entity references (its SLA, its RACI), one line each (`itsmctl diff` wording)."""

    commit: Commit
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Changes:
    """What changed in the catalog since a tag or ref (the audit page).

    `diff` is the result of the diff engine (`itsmctl diff SINCE..REF`): the field changes,
    their governance readings, the approvals they need and the findings they add or fix.
    `added`, `removed` and `modified` (renamed included) are read from it."""

    since: str
    commits: tuple[Commit, ...]
    added: tuple[Ref, ...]
    removed: tuple[Ref, ...]
    modified: tuple[Ref, ...]
    diff: DiffResult | None = None
    evidence: ApprovalEvidence | None = None  # with --pull-requests
    # BASE (SINCE) as the approval check reads it: who holds an approving party
    base_catalog: Catalog | None = None
    base_roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Provenance:
    """The commit a site shows, so a page or a printout can be tied to it.

    `sha` None: the catalog was read from files that are not (or not known to be) a commit:
    outside git, or a working-tree render without history (a committed site cannot name
    the commit that contains it)."""

    sha: str | None = None
    ref: str | None = None

    @property
    def short(self) -> str:
        return self.sha[:12] if self.sha else ""


@dataclass(frozen=True)
class SiteInput:
    """Everything the pages are made from; same input, same bytes."""

    validation: ValidationResult
    config: Config
    today: date
    history: Mapping[str, tuple[Commit, ...]] = field(default_factory=dict)
    changes: Changes | None = None
    ref: str | None = None
    timestamp: str | None = None
    provenance: Provenance = field(default_factory=Provenance)
    semantic: Mapping[str, tuple[HistoryEntry, ...]] = field(default_factory=dict)  # by ref
    history_depth: int = 0  # commits read per entity for `semantic` (0: none)
    measured: MeasureResult | None = None  # render --records (site/measured.py)

    @cached_property
    def measured_index(self) -> MeasuredIndex | None:
        """The measure run's reports by SLA, service and process, looked up by every page."""
        return index_measured(self.measured)

    @property
    def catalog(self) -> Catalog:
        return self.validation.catalog

    @cached_property
    def findings_by_entity(self) -> dict[str, list[Finding]]:
        return _by_entity(self.validation.findings)

    @cached_property
    def waived_by_entity(self) -> dict[str, list[Finding]]:
        return _by_entity(self.validation.waived)

    @cached_property
    def broken(self) -> set[Ref]:
        """Entities with at least one error finding: flagged on their page and in the graph."""
        return {e.ref for e in self.catalog
                if any(f.severity >= Severity.ERROR for f in self.findings_of(e))}

    @cached_property
    def dependents(self) -> dict[Ref, list[tuple[Entity, str]]]:
        return dependents_graph(self.catalog)

    @cached_property
    def rules(self) -> list[Rule]:
        """Built-in rules plus the catalog's own policies, as validate ran them."""
        from itsmctl.rules import all_rules

        return all_rules(self.validation.policies.rules)

    @cached_property
    def scores(self) -> dict[str, list[tuple[Scorecard, ServiceScore]]]:
        """Each entity's level on every scorecard of the config, by ref (one pass, not per page)."""
        from itsmctl.policy.score import score_validation

        out: dict[str, list[tuple[Scorecard, ServiceScore]]] = {}
        for result in score_validation(self.validation).scorecards:
            for score in result.services:
                out.setdefault(score.entity, []).append((result.scorecard, score))
        return out

    @cached_property
    def directory(self) -> Directory:
        """The people behind teams and roles (site/people.py), resolved once per site."""
        from itsmctl.site.people import build_directory

        return build_directory(self)

    @cached_property
    def rule_context(self) -> RuleContext:
        """The catalog as the rules see it, which a service page's gate criteria are judged
        with: made once a site (it is frozen and its parts never change while pages are
        built), not with a dict of every rule made again for each service."""
        return RuleContext(self.catalog, self.today, {r.id: r for r in self.rules}, self.config)

    @cached_property
    def rule_ids(self) -> frozenset[str]:
        return frozenset(rule.id for rule in self.rules)

    @cached_property
    def _file_lines(self) -> dict[str, list[str]]:
        return {}

    def _lines_of(self, source: SourceFile) -> list[str]:
        lines = self._file_lines.get(source.label)
        if lines is None:
            text = source.bytes().decode("utf-8-sig", errors="replace")
            lines = self._file_lines[source.label] = split_lines(text)  # as entity.line counts
        return lines

    def source_text(self, entity: Entity) -> str:
        """The entity's document exactly as written, from its first line to the next `---`."""
        out = []
        for line in self._lines_of(entity.document.source)[entity.line - 1:]:
            if DOCUMENT_MARKER.match(line):
                break
            out.append(line)
        while out and not out[-1].strip():
            out.pop()
        return "\n".join(out) + "\n" if out else ""

    def warm(self) -> None:
        """Compute the shared indexes and read every source file now, before workers fork.

        Workers then inherit them instead of each computing its own copy, and, above all,
        never read a file themselves: with --ref, bytes come through one `git cat-file`
        process, and forked workers sharing its pipe would read each other's answers.
        """
        _ = (self.findings_by_entity, self.waived_by_entity, self.broken, self.dependents,
             self.scores, self.rule_ids, self.catalog.referrers, self.directory,
             self.measured_index)
        for entity in self.catalog:
            self._lines_of(entity.document.source)

    @cached_property
    def _memos(self) -> dict[str, dict[Any, Any]]:
        return {}

    def per_entity(self, name: str, entity: Entity, make: Callable[[], T],
                   variant: Hashable = None) -> T:
        """`make()`, computed once per process for this entity (and `variant`), not once per
        page that shows it: the site's input never changes while its pages are built.

        Entities are not hashable (their fields are dicts), so the key is the object's id;
        the entry keeps the entity alive, so the id cannot be reused for another one."""
        known = self._memos.setdefault(name, {})
        key = (id(entity), variant)
        found = known.get(key)
        if found is not None and found[0] is entity:
            return found[1]  # type: ignore[no-any-return]
        value = make()
        known[key] = (entity, value)
        return value

    def findings_of(self, entity: Entity) -> list[Finding]:
        return self.findings_by_entity.get(str(entity.ref), [])

    @cached_property
    def _entity_links(self) -> dict[int, tuple[Entity, Link]]:
        return {}

    def link_entity(self, entity: Entity) -> Link:
        """The link to an entity's page, made once per entity (as `per_entity` would, without
        its general key: about fifty a service page, a plain dict look-up each)."""
        found = self._entity_links.get(id(entity))
        if found is not None and found[0] is entity:
            return found[1]
        link = Link(entity.title, ref_path(entity.ref), title=entity.name)
        self._entity_links[id(entity)] = (entity, link)  # keeps `entity`: its id is not reused
        return link

    def link_ref(self, ref: Ref | None, text: str) -> Link:
        """A link to a referenced entity, or plain text marked unresolved."""
        target = self.catalog.get(ref)
        if target is None or ref is None:
            return Link(text, None, "unresolved")
        if ref_path(target.ref) is None:
            return Link(text, None, "invalid name")
        return self.link_entity(target)

    @cached_property
    def _text_links(self) -> dict[tuple[str, str], Link | None]:
        return {}

    def link_text(self, value: Any, kind: str) -> Link | None:
        """A reference as written in YAML (`payments`, `team:payments`, `role:cab-chair`);
        made once per text and kind (a service's owner, SLA and calendar are written alike
        on hundreds of services): the link depends on nothing else, and pages only read it."""
        if type(value) is not str:
            return self._link_text(value, kind)
        key = (value, kind)
        try:
            return self._text_links[key]
        except KeyError:
            link = self._text_links[key] = self._link_text(value, kind)
            return link

    def _link_text(self, value: Any, kind: str) -> Link | None:
        if not isinstance(value, str):
            return None
        ref = parse_ref(value, kind)
        if ref is None:
            return Link(value.partition(":")[2], None, "role")
        expected = "Team" if kind == PARTY else kind
        if ref.kind != expected:
            return Link(value, None, "wrong kind")
        return self.link_ref(ref, value)

    def referrers_of(self, entity: Entity, kind: str, label: str) -> list[Entity]:
        """Entities of `kind` whose `label` reference names `entity` (e.g. services using an
        SLA), by ref; found once per entity, kind and label (a service's RACIs are asked for
        by its fields and its people, a team's services by its page and the register), and
        read only."""
        return self.per_entity("referrers", entity,
                               lambda: self._referrers(entity, kind, label), (kind, label))

    def _referrers(self, entity: Entity, kind: str, label: str) -> list[Entity]:
        found = {r.source.ref: r.source for r in self.catalog.referrers.get(entity.ref, [])
                 if r.source.kind == kind and r.label == label}
        return [found[ref] for ref in sorted(found)]


def _by_entity(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.entity:
            out.setdefault(finding.entity, []).append(finding)
    return out
