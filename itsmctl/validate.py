"""`validate`: load a catalog, run every rule, grade, waive, locate. Returns a result, never
prints."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from itsmctl import runcontext
from itsmctl.capping import cap
from itsmctl.catalog import Catalog
from itsmctl.config import Config, config_location
from itsmctl.errors import ConfigError
from itsmctl.findings import Finding, Severity, count_by_severity
from itsmctl.heap import young_collections_only
from itsmctl.loader import LoadResult, ParseMemo, directory_files, load_directory, load_sources
from itsmctl.locate import Locator
from itsmctl.parallelrules import run_rules as run_in_parallel
from itsmctl.policy import PolicySet, load_policies
from itsmctl.resultmemo import Findings, Memoised, ResultMemo, result_key
from itsmctl.rules import all_rules
from itsmctl.rules.registry import Rule, RuleContext
from itsmctl.runcontext import RunContext, resolve_context
from itsmctl.sources import SourceFile
from itsmctl.waivers import apply_waivers


@dataclass(frozen=True)
class ValidationResult:
    """Everything a reporter needs: findings (active and waived) and what was checked.

    `loaded` gives the catalog the findings are about: loaded already, or loaded on first
    use when the findings came from the result memo (which the reports never need: they
    print the findings and the counts)."""

    root: str
    findings: tuple[Finding, ...]
    waived: tuple[Finding, ...]
    file_labels: tuple[str, ...]
    documents: int
    entities: int
    loaded: Callable[[], Catalog] = field(compare=False, repr=False)
    fail_at: Severity = Severity.ERROR
    policies: PolicySet = field(default_factory=PolicySet, compare=False, repr=False)

    @property
    def catalog(self) -> Catalog:
        return self.loaded()

    @property
    def files(self) -> int:
        return len(self.file_labels)

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    @property
    def failed(self) -> bool:
        return any(f.severity >= self.fail_at for f in self.findings)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@dataclass(frozen=True)
class Validated:
    """A run's load of its working tree (`load_worktree`) and the validation of it as of the
    run's day, under the run's config and policies: what a later step of the same run (the
    site check of `check`) shows instead of loading and validating the catalog again."""

    loaded: LoadResult
    result: ValidationResult


def validate_path(root: Path, *, config_file: Path | None = None, today: date | None = None,
                  strict: bool = False, display_root: str | None = None) -> ValidationResult:
    """Validate the catalog folder `root` (the main job of the tool)."""
    context = resolve_context(root, config_file=config_file, today=today, label=display_root)
    return validate(context, strict=strict)


def load_worktree(context: RunContext, memo: ParseMemo | None = None) -> LoadResult:
    """The catalog folder of a resolved run, its files labelled as the run names them."""
    memo = memo if memo is not None else context.memo
    return load_directory(context.root, context.config, context.label, memo)


def validate(context: RunContext, *, strict: bool = False,
             memo: ParseMemo | None = None, loaded: LoadResult | None = None) -> ValidationResult:
    """Validate the catalog of a resolved run: its config and policies are not read again.

    `memo`: the run's parse memo, so that later steps (diff, the site check) reuse each
    file's parse instead of parsing it again; its persistent cache also holds the results.
    `loaded`: the run's `load_worktree`, when the caller keeps it for a later step (`check`
    hands it to the site check).
    """
    memo = memo if memo is not None else context.memo
    results = ResultMemo.beside(memo.cache)
    if loaded is not None or results is None:
        with young_collections_only():  # the loaded catalog lives to the end (itsmctl/heap.py)
            loaded = loaded if loaded is not None else load_worktree(context, memo)
            return check_loaded(loaded, context.config, today=context.today, strict=strict,
                                root=context.label, policies=context.policies, results=results)
    # The memo's key is made of the files' bytes, the config, the policies and the day, none
    # of it parsed: look it up before any parse is decoded, so a hit loads nothing.
    listed = directory_files(context.root, context.config, context.label)
    files = {source.label: source for source in listed}  # what a load's `sources` holds
    key = result_key(files, context.config, context.today, context.policies)
    found = results.get(key) if key is not None else None
    if found is not None:
        _rules(context.config, context.today, context.policies)  # raises as a miss would

        @cache
        def later() -> Catalog:
            with young_collections_only():
                return load_sources(listed, context.config.limits, memo).catalog
        return _result(found, tuple(sorted(files)), later, context.label, strict,
                       context.policies)
    with young_collections_only():
        loaded = load_sources(listed, context.config.limits, memo)
        day, rules = _rules(context.config, context.today, context.policies)
        same = _same_files(loaded.sources, files)  # else keyed again, by what was loaded
        return _checked(loaded, context.config, day, rules, strict, context.label,
                        context.policies, results, key if same else None)


def _same_files(loaded: dict[str, SourceFile], listed: dict[str, SourceFile]) -> bool:
    """Whether a load holds exactly the files listed (the memo can hand back an earlier
    file's parse, whose source is that file's: then the load is keyed by what it holds)."""
    return len(loaded) == len(listed) and all(
        loaded.get(label) is source for label, source in listed.items())


def check_loaded(loaded: LoadResult, config: Config, *, today: date | None = None,
                 strict: bool = False, root: str = "",
                 policies: PolicySet | None = None,
                 results: ResultMemo | None = None) -> ValidationResult:
    """Run rules over an already-loaded catalog (disk, or git blobs for diff and --ref).

    `policies` are the catalog's own rules; by default they are read from the config and the
    policy files next to it (pass them when the catalog comes from git). `results`: the
    memo of earlier runs' findings (itsmctl/resultmemo.py), consulted and filled.
    """
    if policies is None:
        policies = load_policies(config)
    day, rules = _rules(config, today, policies)
    return _checked(loaded, config, day, rules, strict, root, policies, results, None)


def _rules(config: Config, today: date | None,
           policies: PolicySet) -> tuple[date, dict[str, Rule]]:
    """The run's day and the rules on that day; a config naming an unknown rule raises."""
    day = today or runcontext.clock_today()
    rules = {rule.id: rule for rule in all_rules(policies.rules_on(day))}
    _check_config_rules(config, set(rules))
    return day, rules


def _checked(loaded: LoadResult, config: Config, day: date, rules: dict[str, Rule],
             strict: bool, root: str, policies: PolicySet, results: ResultMemo | None,
             key: str | None) -> ValidationResult:
    """`loaded` checked, or its memoised result; `key`: its memo key when known already."""
    if results is not None and key is None:
        key = result_key(loaded.sources, config, day, policies)
    found = results.get(key) if results is not None and key is not None else None
    if found is None:
        found = Memoised(_findings(loaded, config, day, rules), loaded.documents,
                         len(loaded.catalog))
        if results is not None and key is not None:
            results.put(key, found)
    catalog = loaded.catalog
    return _result(found, tuple(sorted(loaded.sources)), lambda: catalog, root, strict,
                   policies)


def _result(found: Memoised, labels: tuple[str, ...], catalog: Callable[[], Catalog],
            root: str, strict: bool, policies: PolicySet) -> ValidationResult:
    return ValidationResult(
        root=root,
        findings=found.findings[0],
        waived=found.findings[1],
        file_labels=labels,
        documents=found.documents,
        entities=found.entities,
        loaded=catalog,
        fail_at=Severity.WARNING if strict else Severity.ERROR,
        policies=policies,
    )


def _findings(loaded: LoadResult, config: Config, day: date,
              rules: dict[str, Rule]) -> Findings:
    """Every rule's findings, graded, waived and located: (active, waived), each sorted."""
    context = RuleContext(loaded.catalog, day, rules, config)
    raw = list(loaded.findings)
    raw.extend(run_in_parallel(context, list(rules.values())))  # every core where it pays
    graded = _grade(raw, config, loaded)
    outcome = apply_waivers(graded, loaded.catalog, context.today, set(rules))
    active, more = cap(_grade(outcome.active, config, loaded))
    waived, more_waived = cap(outcome.waived)
    locator = Locator(config.limits)
    return (_located(locator, active, more, loaded), _located(locator, waived, more_waived, loaded))


def _located(locator: Locator, listed: list[Finding], more: list[Finding],
             loaded: LoadResult) -> tuple[Finding, ...]:
    """The listed findings located, and each counting finding at its first hidden one."""
    firsts = locator.locate((m.stands_for[0] for m in more), loaded.sources)
    counted = [m.at(first.line, first.column) for m, first in zip(more, firsts, strict=True)]
    return tuple(sorted(locator.locate(listed, loaded.sources) + counted, key=Finding.sort_key))


def _grade(findings: list[Finding], config: Config, loaded: LoadResult) -> list[Finding]:
    """Apply the config's severities (per path); drop findings of rules switched off."""
    if not config.rules and not config.overrides:
        return findings
    out = []
    for finding in findings:
        source = loaded.sources.get(finding.file)
        rel = source.rel if source else finding.file
        severity = config.severity_for(finding.rule, finding.severity, rel)
        if severity is not None:
            out.append(finding if severity == finding.severity else finding.with_severity(severity))
    return out


def _check_config_rules(config: Config, known: set[str]) -> None:
    for rule_id in sorted(config.configured_rule_ids() - known):
        close = difflib.get_close_matches(rule_id, sorted(known), n=1)
        raise ConfigError(
            f"the config names unknown rule {rule_id!r}",
            f"did you mean {close[0]!r}?" if close else "run `itsmctl rules` for the rule ids",
            _rule_location(config, rule_id),
        )


def _rule_location(config: Config, rule_id: str) -> str:
    if config.source is None:
        return config.file
    path: tuple[str | int, ...] = ("rules", rule_id)
    if rule_id not in config.rules:
        index = next(i for i, o in enumerate(config.overrides) if rule_id in o.rules)
        path = ("overrides", index, "rules", rule_id)
    return config_location(config.source, path)
