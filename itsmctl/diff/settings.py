"""Governance held outside the entities: each side's config and policies, and their changes.

A pull request can weaken governance without touching an entity: switch a rule off, grade it
down for part of the tree, drop or edit a policy or a scorecard. So each side of a diff reads
its own config file and policy files (from its git tree, or the working tree), and what
differs is reported as changes of pseudo-entities: `Config` (named by the config file),
`Policy` and `Scorecard` (by id), which every diff reporter shows like any entity change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from itsmctl import gitsources
from itsmctl.config import OFF, Config
from itsmctl.diff.classes import impact_of
from itsmctl.diff.governance import leaves
from itsmctl.diff.result import Classified, EntityChange, FieldChange
from itsmctl.diff.semantic import canonical, diff_values
from itsmctl.errors import ConfigError
from itsmctl.policy import PolicySet, git_reader, load_policies
from itsmctl.sources import SourceFile

if TYPE_CHECKING:
    from itsmctl.git import Repo

_RANK = {OFF: 0, "info": 1, "warning": 2, "error": 3}
_GRADING = ("rules", "overrides")  # read rule by rule (rule-disabled...), not as settings
_OWN_ENTITIES = ("policies", "scorecards")  # reported as Policy / Scorecard changes


@dataclass(frozen=True)
class Settings:
    """One side's config and policy set; `label` is the config file ("" when there is none)."""

    config: Config
    policies: PolicySet
    label: str = ""


def read_settings(repo: Repo, sha: str | None, prefix: str, side: str,
                  explicit: Config | None = None) -> Settings:
    """The config and policies of one side (`sha` None: the working tree). An `explicit`
    config (the user's --config) applies as given; the policy files still come from the side.
    A problem is a ConfigError that names the side."""
    try:
        reader = git_reader(repo, sha, prefix)
        if explicit is not None:
            return Settings(explicit, load_policies(explicit, reader), "")
        config = gitsources.config_at(repo, sha, prefix)
        if config is None:
            return Settings(Config(), PolicySet())
        return Settings(config, load_policies(config, reader), config.file)
    except ConfigError as error:
        raise in_side(error, side) from None


def worktree_settings(repo: Repo, prefix: str, side: str, config: Config,
                      policies: PolicySet, explicit: bool) -> Settings:
    """The working tree's settings from the config and policies the run already read from
    disk (`explicit`: `config` is the user's --config), so they are not parsed again; read
    as `read_settings` does when what is on disk might read differently through git.

    Reused only where the result is the same: the config file has the very bytes parsed
    (it takes git's label, which names it in the diff), and the policy files read through
    git are the files, problems and contents the run's set was built from (the set then
    takes git's labels: `PolicySet.relabelled`, so a run that names files otherwise, as
    `render` does from the catalog folder as spelled, does not read them again)."""
    if not explicit:
        source = gitsources.config_source(repo, None, prefix)
        held = config.source
        if (source is None or source.error or held is None or held.data is None
                or config.raw.get("policies") or config.raw.get("scorecards")
                or source.bytes() != held.data):
            return read_settings(repo, None, prefix, side)  # inline items carry the label
        config = replace(config, file=source.label,
                         source=SourceFile(source.rel, source.label, data=held.data))
    labels = _git_labels(repo, prefix, config, policies)
    policies = (policies.relabelled(labels) if labels is not None
                else load_policies(config, git_reader(repo, None, prefix)))
    return Settings(config, policies, "" if explicit else config.file)


def _git_labels(repo: Repo, prefix: str, config: Config,
                policies: PolicySet) -> dict[str, str] | None:
    """The run's label of each policy file -> git's, when the policy files git shows are the
    ones `policies` was built from (same order, path, problem and content); None if not."""
    from itsmctl.loader import blob_id

    patterns = tuple(config.raw.get("policyFiles", ()))
    if not patterns:
        return {} if not policies.inputs else None
    read = gitsources.matching_sources(repo, None, prefix, patterns)
    if len(read) != len(policies.inputs):
        return None
    labels = {}
    for source, (label, rel, error, content) in zip(read, policies.inputs, strict=True):
        if (source.rel, source.error) != (rel, error) or (
                not error and (source.blob or blob_id(source.bytes())) != content):
            return None
        labels[label] = source.label
    return labels


def in_side(error: ConfigError, side: str) -> ConfigError:
    """The same error, saying which side of the diff it comes from."""
    return ConfigError(f"{error.message} (in {side})", error.hint, error.location)


def settings_changes(base: Settings, head: Settings) -> tuple[EntityChange, ...]:
    """Config, policy, scorecard and gate changes from BASE to HEAD, as pseudo-entity changes."""
    policies = ({p.id: p for p in base.policies.policies},
                {p.id: p for p in head.policies.policies})
    cards = ({c.name: c for c in base.policies.scorecards},
             {c.name: c for c in head.policies.scorecards})
    gates = ({g.name: g for g in base.policies.gates}, {g.name: g for g in head.policies.gates})
    return (*_config_change(base, head), *_definition_changes("Policy", *policies),
            *_definition_changes("Scorecard", *cards), *_definition_changes("Gate", *gates))


def _config_change(base: Settings, head: Settings) -> list[EntityChange]:
    before, after = (_settings_only(s.config.raw) for s in (base, head))
    fields = tuple(diff_values(before, after))
    if not fields:
        return []
    name = head.label or base.label or "(config)"
    ref = f"Config:{name}"
    impacts = list(_rule_readings(base, head, ref))
    narrowed = _scope_narrowed(before, after, ref)
    impacts.extend(narrowed)
    loosened = _limits_raised(base, head, ref)
    impacts.extend(loosened)
    raised_paths = {path for i in loosened for path in i.paths}
    for fc in fields:
        top = fc.path.partition(".")[0].partition("[")[0]
        if narrowed and top in ("include", "exclude"):
            continue
        if {leaf.path for leaf in leaves(fc)} <= raised_paths:
            continue
        branch = next((leaf for leaf in leaves(fc) if leaf.path == "settings.defaultBranch"), None)
        if branch is not None:
            impacts.append(Classified("default-branch-changed", impact_of("default-branch-changed"),
                                      f"default branch {_arrow(branch)}: later pull requests"
                                      " are compared with it", ref, (branch.path,)))
        if branch is not None and branch.path == fc.path:
            continue
        if not impacts or top not in _GRADING:
            impacts.append(Classified("config-changed", impact_of("config-changed"),
                                      f"setting {fc.path}: {_arrow(fc)}", ref, (fc.path,)))
    status = ("added" if head.label and not base.label else
              "removed" if base.label and not head.label else "modified")
    return [EntityChange("Config", name, status, head.label or base.label,
                         base_file=base.label, fields=fields, impacts=tuple(impacts))]


def _limits_raised(base: Settings, head: Settings, ref: str) -> list[Classified]:
    """A raised parse limit loosens what every later change may feed the parser: it needs
    approval. (The change itself is read under BASE's bound: `limits.bounded`.)"""
    from itsmctl.limits import raised

    return [Classified("limits-raised", impact_of("limits-raised"),
                       f"{path} raised {before} -> {after}: this change is still read under"
                       f" {before}, BASE's; the new bound applies once it is merged", ref,
                       (path,))
            for path, before, after in raised(base.config.limits, head.config.limits)]


def _scope_narrowed(before: Mapping[str, Any], after: Mapping[str, Any],
                    ref: str) -> list[Classified]:
    """Files taken out of validation (an exclude added, an include dropped) weaken governance
    as surely as a rule switched off: they need the same approval."""
    from itsmctl.config import DEFAULT_INCLUDE

    def globs(raw: Mapping[str, Any], key: str, default: tuple[str, ...]) -> set[str]:
        value = raw.get(key, default)
        return {str(v) for v in value} if isinstance(value, list | tuple) else set()

    excluded = sorted(globs(after, "exclude", ()) - globs(before, "exclude", ()))
    dropped = sorted(globs(before, "include", DEFAULT_INCLUDE)
                     - globs(after, "include", DEFAULT_INCLUDE))
    parts = ([f"exclude adds {', '.join(excluded)}"] if excluded else []) + (
        [f"include drops {', '.join(dropped)}"] if dropped else [])
    if not parts:
        return []
    return [Classified("validation-scope-narrowed", impact_of("validation-scope-narrowed"),
                       f"fewer files are validated: {'; '.join(parts)}", ref,
                       tuple(k for k, v in (("exclude", excluded), ("include", dropped)) if v))]


def _settings_only(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in _OWN_ENTITIES}


def _grades(config: Config) -> dict[tuple[str, str], str]:
    """(scope, rule) -> severity as configured; scope "" is the top-level `rules`."""
    out = {("", rule): value for rule, value in config.rules.items()}
    for override in config.overrides:
        scope = ", ".join(override.paths)
        out.update({(scope, rule): value for rule, value in override.rules.items()})
    return out


def _rule_readings(base: Settings, head: Settings, ref: str) -> Iterator[Classified]:
    """Each rule whose severity changes somewhere: where an override has no say, the
    top-level setting applies, and without one the rule's (or policy's) own severity."""
    from itsmctl.rules import all_rules

    defaults = {r.id: r.severity.label for s in (base, head) for r in all_rules(s.policies.rules)}
    old, new = _grades(base.config), _grades(head.config)
    for scope, rule in sorted(set(old) | set(new)):
        default = defaults.get(rule, "error")
        before = old.get((scope, rule)) or base.config.rules.get(rule) or default
        after = new.get((scope, rule)) or head.config.rules.get(rule) or default
        if _RANK[before] == _RANK[after]:
            continue
        where = f" for {scope}" if scope else ""
        path = f"overrides[{scope}].rules.{rule}" if scope else f"rules.{rule}"
        if after == OFF:
            cls, message = "rule-disabled", f"rule {rule} switched off{where} (was {before})"
        elif before == OFF:
            cls, message = "rule-enabled", f"rule {rule} switched on{where}: off -> {after}"
        elif _RANK[after] < _RANK[before]:
            cls, message = "rule-downgraded", f"rule {rule} downgraded{where}: {before} -> {after}"
        else:
            cls, message = "rule-upgraded", f"rule {rule} raised{where}: {before} -> {after}"
        yield Classified(cls, impact_of(cls), message, ref, (path,))


def _definition_changes(kind: str, before: Mapping[str, Any],
                        after: Mapping[str, Any]) -> list[EntityChange]:
    """Policies (or scorecards) added, removed or changed, matched by id."""
    out = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        fields: tuple[FieldChange, ...] = ()
        if old is None:
            status, cls, message = "added", "policy-added", _added(kind, new)
        elif new is None:
            status, cls = "removed", "policy-removed"
            message = f"{kind.lower()} {name} removed: " + _REMOVED[kind]
        else:
            fields = tuple(diff_values(old.definition, new.definition))
            if not fields:
                continue
            status, cls = "modified", "policy-changed"
            shown = "; ".join(f"{f.path} {_arrow(f)}" for f in fields[:3])
            message = f"{kind.lower()} {name} changed: {shown}" + (
                f" (+{len(fields) - 3} more)" if len(fields) > 3 else "")
        item = new if new is not None else old
        assert item is not None
        file, line = _origin(item.origin)
        ref = f"{kind}:{name}"
        out.append(EntityChange(
            kind, name, status, file, line,
            base_file=_origin(old.origin)[0] if old is not None else "",
            fields=fields, impacts=(Classified(cls, impact_of(cls), message, ref,
                                               tuple(f.path for f in fields)),)))
    return out


_REMOVED = {"Policy": "its rule no longer runs",
            "Scorecard": "services are no longer placed on it",
            "Gate": "its criteria no longer hold lifecycle stages and moves"}


def _added(kind: str, item: Any) -> str:
    if kind == "Policy":
        return f"policy {item.id} added ({item.severity.label}): {item.summary}"
    if kind == "Gate":
        return f"gate {item.name} added: stages {', '.join(s.name for s in item.stages)}"
    return f"scorecard {item.name} added: levels {', '.join(lv.name for lv in item.levels)}"


def _origin(origin: str) -> tuple[str, int]:
    """`file:line` -> (file, line)."""
    file, _, line = origin.rpartition(":")
    return (file, int(line)) if line.isdigit() else (origin, 0)


def _arrow(fc: FieldChange) -> str:
    return f"{_short(fc.before)} -> {_short(fc.after)}"


def _short(value: Any, limit: int = 60) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else canonical(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
