"""`diff_refs`: compare the catalog at two git refs (see the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itsmctl import git, gitsources, runcontext
from itsmctl.catalog import Catalog
from itsmctl.config import Config
from itsmctl.diff.approvals import required_approvals
from itsmctl.diff.base import parse_range, resolve_base
from itsmctl.diff.classes import impact_of
from itsmctl.diff.cycles import on_added_edges
from itsmctl.diff.finding_delta import compare, listed
from itsmctl.diff.gates import merge_approvals, review_moves, with_gate_impacts
from itsmctl.diff.governance import Context, classify_entity
from itsmctl.diff.lines import on_changed_lines
from itsmctl.diff.result import (
    DEFAULT_FAIL_ON,
    FAIL_ON,
    Classified,
    DiffResult,
    EntityChange,
    Impact,
)
from itsmctl.diff.semantic import diff_entities, diff_values, entity_body, pair_renames
from itsmctl.diff.settings import (
    Settings,
    in_side,
    read_settings,
    settings_changes,
    worktree_settings,
)
from itsmctl.errors import ConfigError, ItsmctlError
from itsmctl.findings import Finding, Severity
from itsmctl.heap import young_collections_only
from itsmctl.limits import bounded
from itsmctl.loader import LoadResult, ParseMemo, load_sources
from itsmctl.model import Entity, Ref
from itsmctl.resultmemo import ResultMemo

if TYPE_CHECKING:
    from itsmctl.git import Repo
    from itsmctl.measure.run import MeasureOptions
    from itsmctl.policy import PolicySet
    from itsmctl.validate import ValidationResult



@young_collections_only()  # both sides' catalogs live to the end (itsmctl/heap.py)
def diff_refs(repo_path: Path, base: str | None = None, head: str | None = None, *,
              catalog_root: Path | None = None, config: Config | None = None,
              today: date | None = None, fail_on: Iterable[str] = DEFAULT_FAIL_ON,
              exact_base: bool = False, memo: ParseMemo | None = None,
              head_result: ValidationResult | None = None,
              records: MeasureOptions | None = None,
              repo: Repo | None = None, refs_checked: bool = False,
              head_read: tuple[Config, PolicySet] | None = None) -> DiffResult:
    """Compare the catalog at BASE and HEAD (see itsmctl/diff/__init__.py).

    `repo`: the run's repository handle, so that each ref is resolved once per run (a
    command that already opened it passes it; None opens `repo_path`). BASE and HEAD are
    checked (`git.check_ref`) here, once, before the repository is opened, unless the
    caller checked them where they entered (`refs_checked`: the site's `prepare`).
    `head_read`: the working tree's config and policies as the run already read them from
    disk, so that HEAD (when it is the working tree) is not parsed again."""
    thresholds = _thresholds(fail_on)
    spelled = parse_range(base, head, exact_base)
    base, head = spelled.base, spelled.head
    for ref in (base, head):
        if ref is not None and not refs_checked:
            git.check_ref(ref)  # where diff's and check's refs enter: before git is opened
    root = catalog_root if catalog_root is not None else repo_path
    repo = repo if repo is not None else git.open_repo(repo_path)
    head_sha = git.resolve_commit(repo, head) if head else None
    prefix = git.catalog_prefix(repo, root)
    head_label = head or "the working tree"
    head_settings = (worktree_settings(repo, prefix, head_label, *head_read, config is not None)
                     if head_read is not None and head_sha is None else
                     read_settings(repo, head_sha, prefix, head_label, config))
    base_sha, base_label = resolve_base(repo, base, head_sha, prefix, spelled.exact)
    base_settings = read_settings(repo, base_sha, prefix, base_label, config)
    governance = settings_changes(base_settings, head_settings)
    limits = bounded(base_settings.config.limits, head_settings.config.limits)
    if limits != head_settings.config.limits:  # the change may not loosen its own bounds
        head_settings = replace(head_settings, config=replace(head_settings.config,
                                                              limits=limits))
        head_result = None  # read under HEAD's own limits: read again under these
    if records is not None:  # the records folder (its mapping.yaml) is no catalog file
        from itsmctl.measure.run import without_records

        base_settings, head_settings = (
            replace(s, config=without_records(s.config, records.records, root))
            for s in (base_settings, head_settings))
    memo = memo if memo is not None else ParseMemo()
    base_loaded = load_side(repo, base_sha, prefix, base_settings.config, memo)
    if not base_loaded.sources and (head_result is None or head_sha is not None
                                    or not head_result.file_labels):
        gitsources.refuse_empty_scope(repo, ((base_sha, base_label, base_settings.config),
                                      (head_sha, head_label, head_settings.config)), prefix)
    results = ResultMemo.beside(memo.cache)
    base_result = _check(base_loaded, base_settings, base_label, today, prefix, results,
                         lenient=True)
    if head_result is None or head_sha is not None:
        head_loaded = load_side(repo, head_sha, prefix, head_settings.config, memo)
        head_result = _check(head_loaded, head_settings, head_label, today, prefix, results)
    unreadable = frozenset(f.file for f in (*head_result.findings, *head_result.waived)
                           if not f.entity)  # files that do not parse at HEAD
    pairs = entity_changes(changed_refs(base_result.catalog, head_result.catalog),
                           base_result.catalog, head_result.catalog, unreadable)
    checked = None
    if records is not None:
        from itsmctl.diff.records import reevaluate_sides

        calendars = {c.name for c, _ in pairs if c.kind == "BusinessCalendar"
                     and c.status != "added"}
        pairs, checked, edited = reevaluate_sides(repo, base_sha, pairs, base_result.catalog,
                                                  head_result.catalog, records, calendars)
        governance = (*governance, *edited)  # the change process owner reviews the records
    from itsmctl.diff.roles import role_holder_changes

    governance = (*governance, *role_holder_changes(  # who a role names, through the members
        base_result.catalog, head_result.catalog, base_settings.config.roles,
        head_settings.config.roles, head_settings.label or base_settings.label))
    comparison = compare(base_result.findings, head_result.findings)
    head_limits = head_settings.config.limits
    comparison = replace(comparison, new=on_added_edges(comparison.new, base_result.catalog,
                                                        head_result.catalog, head_limits))
    gates = review_moves((c for c, _ in pairs), base_result.catalog, head_result.catalog,
                         base_result.policies, head_result.policies,
                         today or runcontext.clock_today(), head_settings.config,
                         (*head_result.findings, *head_result.waived), base_settings.config)
    entity_list = with_gate_impacts(tuple(c for c, _ in pairs), gates)
    new_findings = tuple(sorted((*comparison.new, *gates.findings), key=Finding.sort_key))
    base_limits = base_settings.config.limits
    approvals = merge_approvals(required_approvals(entity_list, head_result.catalog,
                                                   base_result.catalog, governance, new_findings),
                                gates.approvals)
    changes = on_changed_lines(with_level_changes(entity_list + governance,
                                                  base_result, head_result), head_result.catalog,
                               head_limits)
    catalog_files = set(base_result.file_labels) | set(head_result.file_labels)
    changed = [label for r in git.changed_paths(repo, base_sha, head_sha, prefix)
               if (label := git.repo_path(prefix, r)) in catalog_files]
    return DiffResult(
        base=base_label, head=head or "working tree", base_sha=base_sha, head_sha=head_sha or "",
        changes=changes, approvals=approvals,
        new_findings=listed(new_findings, head_result.catalog, head_limits),
        existing_findings=listed(comparison.existing, head_result.catalog, head_limits),
        fixed_findings=listed(comparison.fixed, base_result.catalog, base_limits),
        fail_on=thresholds, files_changed=tuple(changed),
        files_parsed=memo.parsed, reasons=_reasons(thresholds, changes, new_findings),
        records=checked, base_catalog=base_result.catalog,
        base_roles=base_settings.config.roles, head_limits=head_limits,
    )


def load_side(repo: Repo, sha: str | None, prefix: str, config: Config,
              memo: ParseMemo) -> LoadResult:
    """Every catalog file of one side (`sha` None: the working tree), through the memo."""
    if sha is None:
        return load_sources(gitsources.worktree_sources(repo, prefix, config), config.limits, memo)
    batch = _BlobBatch(repo)
    sources = gitsources.commit_sources(repo, sha, prefix, config, reader=batch.read)
    # the blobs this run has not parsed yet, read in one batch rather than one by one, and
    # only once some byte of them is wanted: a side whose parses are all in the persistent
    # cache (BASE after the default branch's run) and whose result is memoised reads none
    batch.want(s.blob for s in sources if s.blob and not s.error
               and not memo.knows(s, config.limits))
    return load_sources(sources, config.limits, memo)


class _BlobBatch:
    """The bytes of one side's unread blobs (`want`), all read through one `git cat-file
    --batch` the first time any of them is asked for (a parse that misses the cache, the
    locator placing a finding, an unparsed file's scan): never more round trips than
    reading them at once, and none when nothing reads them. A blob this run had parsed
    already is read alone, as `git.read_blob` reads it."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.wanted: frozenset[str] = frozenset()
        self._blobs: dict[str, bytes] | None = None

    def want(self, shas: Iterable[str]) -> None:
        self.wanted = frozenset(shas)

    def read(self, sha: str) -> bytes:
        if sha not in self.wanted:
            return git.read_blob(self.repo, sha)
        if self._blobs is None:
            self._blobs = git.read_blobs(self.repo, self.wanted)
        return self._blobs[sha]


def changed_refs(base: Catalog, head: Catalog) -> set[Ref]:
    """Entities that may differ: every ref whose entity is not the very same object on both
    sides (the memo shares the entities of unchanged files; the others are compared)."""
    refs = {e.ref for e in base} | {e.ref for e in head}
    return {r for r in refs if base.get(r) is not head.get(r)}


def _check(loaded: LoadResult, settings: Settings, side: str, today: date | None,
           prefix: str, results: ResultMemo | None, lenient: bool = False) -> ValidationResult:
    """Validate one side with its own config and policies (`results`: the result memo; the
    merge base is typically what the default branch's own run validated).

    `lenient` (BASE): rule ids the config names but this itsmctl does not know are ignored,
    so that a base with a typo, or one written for another itsmctl version, does not block
    the pull request that fixes it. HEAD's config is held to the full check.
    """
    from itsmctl.validate import check_loaded

    config = _known_rules_only(settings) if lenient else settings.config
    try:
        return check_loaded(loaded, config, today=today, root=prefix or ".",
                            policies=settings.policies, results=results)
    except ConfigError as error:
        raise in_side(error, side) from None


def _known_rules_only(settings: Settings) -> Config:
    from itsmctl.config import Override
    from itsmctl.rules import all_rules

    known = {rule.id for rule in all_rules(settings.policies.rules)}
    config = settings.config
    return replace(config, rules={k: v for k, v in config.rules.items() if k in known},
                   overrides=tuple(Override(o.paths, {k: v for k, v in o.rules.items()
                                                      if k in known})
                                   for o in config.overrides))


def with_level_changes(changes: tuple[EntityChange, ...], base: ValidationResult,
                       head: ValidationResult) -> tuple[EntityChange, ...]:
    """Add `scorecard-level-lowered` to the services a change moves down a scorecard.

    A service can drop a level without being edited itself (its SLA or a policy changed), so
    it then appears as a modified entity with this one impact.
    """
    from itsmctl.policy.score import lowered_levels

    by_ref = {c.ref: c for c in changes}
    for level in lowered_levels(base, head):
        impact = Classified("scorecard-level-lowered", impact_of("scorecard-level-lowered"),
                            level.describe(), level.entity)
        change = by_ref.get(level.entity)
        if change is None:
            entity = next((e for e in head.catalog if str(e.ref) == level.entity), None)
            if entity is None:
                continue
            change = EntityChange(entity.kind, entity.name, "modified", entity.file, entity.line)
        by_ref[level.entity] = replace(change, impacts=(*change.impacts, impact))
    return tuple(sorted(by_ref.values(), key=lambda c: (c.kind, c.name)))


def _thresholds(fail_on: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(fail_on))
    for item in chosen:
        if item not in FAIL_ON:
            raise ItsmctlError(f"unknown --fail-on value {item!r}",
                               hint=f"use {', '.join(FAIL_ON)}")
    return chosen


def entity_changes(touched: Iterable[Ref], base: Catalog, head: Catalog,
                   unreadable: frozenset[str] = frozenset()) -> list[tuple[EntityChange, Entity]]:
    """Added, removed, renamed and modified entities with their governance impacts."""
    added, removed, out = [], [], []
    for ref in sorted(touched):
        before, after = base.get(ref), head.get(ref)
        if before is not None and after is not None:
            fields = diff_entities(before, after)
            if fields:
                out.append(_change("modified", before, after, fields, base, head, unreadable))
        elif before is not None:
            removed.append(before)
        elif after is not None:
            added.append(after)
    renames = pair_renames(removed, added)
    for old, new in renames:
        out.append(_change("renamed", old, new, diff_entities(old, new), base, head, unreadable))
    paired = {id(e) for pair in renames for e in pair}
    for entity in removed:
        if id(entity) not in paired:
            out.append(_change("removed", entity, None, (), base, head, unreadable))
    for entity in added:
        if id(entity) not in paired:
            fields = tuple(diff_values({}, entity_body(entity)))
            out.append(_change("added", None, entity, fields, base, head, unreadable))
    return sorted(out, key=lambda pair: (pair[0].kind, pair[0].name))


def _change(status: str, before: Entity | None, after: Entity | None,
            fields: tuple[Any, ...], base: Catalog, head: Catalog,
            unreadable: frozenset[str]) -> tuple[EntityChange, Entity]:
    entity = after or before
    assert entity is not None
    renamed_from = before.ref if status == "renamed" and before is not None else None
    context = Context(base, head, before, after, unreadable)
    impacts = classify_entity(status, fields, context, renamed_from)
    shown = fields if status in ("modified", "renamed") else ()
    change = EntityChange(
        entity.kind, entity.name, status, entity.file, entity.line,
        base_file=before.file if before is not None else "",
        renamed_from=renamed_from.name if renamed_from else "", fields=shown,
        impacts=tuple(impacts))
    return change, entity


def _reasons(thresholds: tuple[str, ...], changes: tuple[EntityChange, ...],
             new: tuple[Finding, ...]) -> tuple[str, ...]:
    impacts = [i.impact for c in changes for i in c.impacts]
    counts = {
        "new-errors": sum(1 for f in new if f.severity >= Severity.ERROR),
        "new-warnings": sum(1 for f in new if f.severity >= Severity.WARNING),
        "breaking": sum(1 for i in impacts if i >= Impact.BREAKING),
        "approval-required": sum(1 for i in impacts if i >= Impact.APPROVAL_REQUIRED),
    }
    return tuple(f"{t}: {counts[t]}" for t in thresholds if counts.get(t))
