"""`diff_refs`: compare the catalog at two git refs (see the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itsmctl import git
from itsmctl.catalog import Catalog
from itsmctl.config import Config
from itsmctl.diff.approvals import required_approvals
from itsmctl.diff.classes import impact_of
from itsmctl.diff.findings import compare, focus
from itsmctl.diff.governance import Context, classify_entity
from itsmctl.diff.result import FAIL_ON, Classified, DiffResult, EntityChange, Impact
from itsmctl.diff.scope import Side, expand
from itsmctl.diff.semantic import diff_entities, diff_values, entity_body, pair_renames
from itsmctl.diff.settings import Settings, in_side, read_settings, settings_changes
from itsmctl.errors import ConfigError, ItsmctlError
from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity, Ref

if TYPE_CHECKING:
    from itsmctl.git import Repo
    from itsmctl.loader import LoadResult
    from itsmctl.validate import ValidationResult



def diff_refs(repo_path: Path, base: str | None = None, head: str | None = None, *,
              catalog_root: Path | None = None, config: Config | None = None,
              today: date | None = None, fail_on: Iterable[str] = ("new-errors",),
              full: bool = False) -> DiffResult:
    """Compare the catalog at BASE and HEAD (see itsmctl/diff/__init__.py)."""
    thresholds = _thresholds(fail_on)
    for ref in (base, head):
        if ref is not None:
            git.check_ref(ref)  # before any git process runs
    root = catalog_root if catalog_root is not None else repo_path
    repo = git.open_repo(repo_path)
    head_sha = git.resolve_commit(repo, head) if head else None
    prefix = git.catalog_prefix(repo, root)
    head_label = head or "the working tree"
    head_settings = read_settings(repo, head_sha, prefix, head_label, config)
    base_sha, base_label = _base(repo, base, head_sha, head_settings.config)
    base_settings = read_settings(repo, base_sha, prefix, base_label, config)
    settings = (base_settings, head_settings)
    governance = settings_changes(base_settings, head_settings)
    full = full or bool(governance)  # a config or policy change applies to the whole catalog
    # each side has its own Repo (own `cat-file` process), so both can be read at once
    sides = (Side(git.open_repo(repo_path), base_sha, prefix, base_settings.config),
             Side(repo, head_sha, prefix, head_settings.config))
    changed = git.changed_paths(repo, base_sha, head_sha, prefix)
    touched = {e.ref for side in sides for e in side.parse(changed)}
    changed = [r for r in changed if any(r in side.sources for side in sides)]
    with ThreadPoolExecutor(max_workers=2) as pool:  # the git greps of both sides overlap
        list(pool.map(lambda side: side.parse_all() if full else expand(side, touched), sides))
    base_loaded, head_loaded = (side.load() for side in sides)
    unreadable = frozenset(f.file for f in head_loaded.findings if not f.entity)
    pairs = entity_changes(touched, base_loaded.catalog, head_loaded.catalog, unreadable)
    approvals = required_approvals(pairs, head_loaded.catalog, base_loaded.catalog, governance)
    labels = [s.sources[r].label for s in sides for r in changed if r in s.sources]
    results = [_check(loaded, side, name, today, prefix, lenient=is_base) for loaded, side, name,
               is_base in zip((base_loaded, head_loaded), settings, (base_label, head_label),
                              (True, False))]
    scopes = [None if full else focus(r.catalog, touched, labels) for r in results]
    kept = [tuple(f for f in r.findings if scope is None or scope.covers(f))
            for r, scope in zip(results, scopes)]
    comparison = compare(kept[0], kept[1])
    changes = with_level_changes(tuple(c for c, _ in pairs) + governance, results[0], results[1])
    return DiffResult(
        base=base_label, head=head or "working tree", base_sha=base_sha, head_sha=head_sha or "",
        changes=changes, approvals=approvals, new_findings=comparison.new,
        existing_findings=comparison.existing, fixed_findings=comparison.fixed,
        fail_on=thresholds, findings_scope="full" if full else "touched",
        files_changed=tuple(sorted(set(labels))),
        files_parsed=len(sides[0].parsed) + len(sides[1].parsed),
        reasons=_reasons(thresholds, changes, comparison.new),
    )


def _check(loaded: LoadResult, settings: Settings, side: str, today: date | None,
           prefix: str, lenient: bool = False) -> ValidationResult:
    """Validate one side with its own config and policies.

    `lenient` (BASE): rule ids the config names but this itsmctl does not know are ignored,
    so that a base with a typo, or one written for another itsmctl version, does not block
    the pull request that fixes it. HEAD's config is held to the full check.
    """
    from itsmctl.validate import check_loaded

    config = _known_rules_only(settings) if lenient else settings.config
    try:
        return check_loaded(loaded, config, today=today, root=prefix or ".",
                            policies=settings.policies)
    except ConfigError as error:
        raise in_side(error, side) from None


def _known_rules_only(settings: Settings) -> Config:
    from itsmctl.config import Override
    from itsmctl.rules.registry import all_rules

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
            raise ItsmctlError(f"unknown --fail-on value {item!r}", hint=f"use {', '.join(FAIL_ON)}")
    return chosen


def _base(repo: Repo, base: str | None, head_sha: str | None,
          config: Config) -> tuple[str, str]:
    """BASE's sha and label: the ref given, else the merge base with the default branch."""
    if base:
        return git.resolve_commit(repo, base), base
    branch = git.default_branch(repo, config)
    tip = head_sha or git.head_commit(repo)
    sha = git.merge_base(repo, git.resolve_commit(repo, branch), tip)
    return sha, f"merge base with {branch}"


def entity_changes(touched: set[Ref], base: Catalog, head: Catalog,
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
    impacts = classify_entity(status, fields, Context(base, head, before, after, unreadable), renamed_from)
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
