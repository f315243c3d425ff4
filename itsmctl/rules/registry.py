"""Rules as small registered units: an id, a default severity, and a docstring that documents it.

`itsmctl rules`, the README's rule table and the site's rule pages are generated from here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from itsmctl.catalog import Catalog
from itsmctl.config import Config
from itsmctl.findings import Finding, JsonPath, Severity
from itsmctl.model import Entity

CATEGORIES = ("yaml", "schema", "reference", "governance", "waiver", "policy")


@dataclass(frozen=True)
class RuleContext:
    """What a rule may look at: the whole catalog, the reproducible notion of today, the
    rules of this run (built-in plus the catalog's own policies) by id, and the config (for
    the settings rules read, such as the roles mapping)."""

    catalog: Catalog
    today: date
    rules: Mapping[str, Rule] = field(default_factory=dict)
    config: Config = field(default_factory=Config)
    rule: Rule | None = None
    """The rule being run: `Rule.run` binds it, so `emit` knows the id and severity."""

    def emit(self, entity: Entity, message: str, path: JsonPath = (), hint: str = "") -> Finding:
        """A finding of the running rule about `entity`: a check never restates its id."""
        if self.rule is None:
            raise RuntimeError("emit() outside Rule.run: no rule is bound")
        return entity.finding(self.rule.id, message, path, hint, self.rule.severity)

    def emit_file(self, file: str, message: str, hint: str = "", line: int = 1) -> Finding:
        """A finding of the running rule about a whole file (one that defines no entity)."""
        if self.rule is None:
            raise RuntimeError("emit_file() outside Rule.run: no rule is bound")
        return Finding(self.rule.id, self.rule.severity, message, file, line, 1, hint=hint)


EntityCheck = Callable[[Entity, RuleContext], Iterable[Finding]]
CatalogCheck = Callable[[RuleContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    category: str
    summary: str
    doc: str
    kinds: tuple[str, ...] = ()
    entity_check: EntityCheck | None = field(default=None, compare=False)
    catalog_check: CatalogCheck | None = field(default=None, compare=False)

    def run(self, context: RuleContext, part: int = 0, parts: int = 1) -> Iterator[Finding]:
        """Run the check with this rule bound to `context`, stamping id and severity.

        As yamllint's linter stamps `rule.ID` on each problem: whatever a check yields
        carries this rule's id and default severity (the config grades it afterwards).
        `part` of `parts` (itsmctl/parallelrules.py): the catalog check in part 0 and the
        part-th of `parts` contiguous ranges of the entities checked, so the parts' findings
        in part order are the whole run's.
        """
        bound = replace(context, rule=self)
        for finding in self._raw(bound, part, parts):
            if finding.rule != self.id or finding.severity != self.severity:
                finding = replace(finding, rule=self.id, severity=self.severity)
            yield finding

    def _raw(self, context: RuleContext, part: int, parts: int) -> Iterator[Finding]:
        if self.catalog_check is not None and part == 0:
            yield from self.catalog_check(context)
        if self.entity_check is not None:
            entities = [e for kind in self.kinds for e in context.catalog.of_kind(kind)]
            for entity in entities[len(entities) * part // parts:
                                   len(entities) * (part + 1) // parts]:
                yield from self.entity_check(entity, context)


@dataclass(frozen=True)
class RuleListing:
    """What `itsmctl rules` reports: built-in rules, then the catalog's policies."""

    rules: tuple[Rule, ...]


REGISTRY: dict[str, Rule] = {}


def _split_doc(obj: object) -> tuple[str, str]:
    text = inspect.cleandoc(getattr(obj, "__doc__", None) or "")
    summary, _, rest = text.partition("\n")
    return summary.strip(), rest.strip()


def add(rule: Rule) -> Rule:
    if rule.id in REGISTRY:
        raise ValueError(f"rule {rule.id!r} is registered twice")
    REGISTRY[rule.id] = rule
    return rule


def entity_rule(rule_id: str, severity: Severity, *kinds: str,
                category: str = "governance") -> Callable[[EntityCheck], EntityCheck]:
    """Register a check that runs once per entity of the given kinds."""

    def register(check: EntityCheck) -> EntityCheck:
        summary, doc = _split_doc(check)
        add(Rule(rule_id, severity, category, summary, doc, kinds, entity_check=check))
        return check

    return register


def catalog_rule(rule_id: str, severity: Severity,
                 category: str = "governance") -> Callable[[CatalogCheck], CatalogCheck]:
    """Register a check that looks at the catalog as a whole (cycles, uniqueness...)."""

    def register(check: CatalogCheck) -> CatalogCheck:
        summary, doc = _split_doc(check)
        add(Rule(rule_id, severity, category, summary, doc, catalog_check=check))
        return check

    return register


def builtin_rule(rule_id: str, severity: Severity, category: str, text: str) -> Rule:
    """Document a finding emitted by the loader or schema layer rather than by a check."""
    summary, doc = _split_doc(type("_", (), {"__doc__": text}))
    return add(Rule(rule_id, severity, category, summary, doc))


def sorted_rules(rules: Iterable[Rule]) -> list[Rule]:
    """Rules in the order every listing shows them: by category, then id."""
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(rules, key=lambda r: (order.get(r.category, 99), r.id))
