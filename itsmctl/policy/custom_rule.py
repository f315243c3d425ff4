"""One custom rule: a selector, an optional reference to follow, and a JSON Schema requirement.

A policy becomes a `Rule` of category "policy", so it runs, is graded, waived, located and
reported exactly like a built-in rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from itsmctl.findings import Finding, JsonPath, Severity
from itsmctl.model import Entity
from itsmctl.policy.selector import Selector
from itsmctl.references import EACH, KEYS, REFERENCE_FIELDS, RefField, references_of
from itsmctl.rules.registry import Rule, RuleContext

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

_LONG = 160


def via_name(ref_field: RefField) -> str:
    """`spec.dependencies.service` for the path (spec, dependencies, *, service)."""
    return ".".join(p for p in ref_field.path if p not in (EACH, KEYS))


def via_fields(kind: str) -> dict[str, RefField]:
    return {via_name(f): f for f in REFERENCE_FIELDS.get(kind, ())}


@dataclass(frozen=True)
class Policy:
    id: str
    severity: Severity
    description: str
    selector: Selector
    require: dict[str, Any]
    validator: Validator = field(compare=False, repr=False)
    via: str = ""
    message: str = ""
    hint: str = ""
    origin: str = ""  # file:line as errors and diff show it (the path as the user spelled it)
    defined_in: str = ""  # file:line from the catalog root, for docs (same in every spelling)
    definition: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """As written, without the id: what `itsmctl diff` compares."""

    @property
    def summary(self) -> str:
        return self.description.strip().partition("\n")[0].strip()

    @property
    def rule(self) -> Rule:
        return Rule(self.id, self.severity, "policy", self.summary, self._doc(),
                    self.selector.kinds, entity_check=self.check)

    def _doc(self) -> str:
        body = self.description.strip().partition("\n")[2].strip()
        target = f"the entities named by {self.via} of " if self.via else ""
        lines = [body, ""] if body else []
        lines += [f"Applies to {target}{self.selector.describe()}.",
                  f"Requires (JSON Schema): {json.dumps(self.require, sort_keys=True)}",
                  f"Defined in {self.defined_in or self.origin}."]
        return "\n".join(lines)

    def check(self, entity: Entity, context: RuleContext) -> Iterator[Finding]:
        if not self.selector.matches(entity):
            return
        if self.via:
            yield from self._check_via(entity, context)
            return
        by_path: dict[JsonPath, list[ValidationError]] = {}
        for error in self.validator.iter_errors(entity.data):
            by_path.setdefault(tuple(error.absolute_path), []).append(error)
        for path, errors in by_path.items():
            details = [describe(e) for e in errors]
            yield self._finding(context, entity, "; ".join(d for d, _ in details), path,
                                details[0][1])

    def _check_via(self, entity: Entity, context: RuleContext) -> Iterator[Finding]:
        ref_field = via_fields(entity.kind).get(self.via)
        if ref_field is None:
            return
        parts = via_name(ref_field).split(".")
        keyed = KEYS in ref_field.path
        refs = [r for r in references_of(entity)
                if _strings(r.path)[:-1 if keyed else None] == tuple(parts)]
        if not refs and EACH not in ref_field.path:
            yield self._finding(context, entity, f"{self.via} is not set, so its"
                                f" {ref_field.kind} cannot be checked", tuple(parts),
                                f"set {self.via}")
        for reference in refs:
            if reference.target is None:
                continue  # a role, not an entity
            target = context.catalog.get(reference.target)
            if target is None:
                yield self._finding(context, entity, f"{ref_field.label} {reference.text!r}"
                                    " does not exist, so it cannot be checked", reference.path,
                                    "fix the reference (see ref-unresolved)")
                continue
            errors = list(self.validator.iter_errors(target.data))
            if errors:
                from jsonschema.exceptions import best_match

                detail, hint = describe(best_match(errors) or errors[0])
                yield self._finding(
                    context, entity, f"{target.kind} {target.name!r}: {detail}", reference.path,
                    hint or f"fix {target.kind} {target.name!r} in {target.file}")

    def _finding(self, context: RuleContext, entity: Entity, detail: str, path: JsonPath,
                 hint: str) -> Finding:
        message = f"{(self.message or self.summary).rstrip('.')}: {detail}"
        return context.emit(entity, message, path, self.hint or hint)


def _strings(path: JsonPath) -> tuple[str, ...]:
    return tuple(p for p in path if isinstance(p, str))


def describe(error: ValidationError) -> tuple[str, str]:
    """The schema layer's wording, shortened where jsonschema would print a whole value."""
    from itsmctl.findings import format_path
    from itsmctl.schemas import describe_error

    message, hint = describe_error(error)
    where = format_path(tuple(error.absolute_path)) or "document"
    if error.validator == "contains":
        message = f"{where}: no item matches the requirement"
    elif error.validator == "pattern-timeout":  # what is slow matters more than the value
        message = f"{where}: {error.message.partition(' on ')[0]}: taken as not matching"
        hint = "the pattern backtracks catastrophically; rewrite nested quantifiers like (a+)+"
    elif len(message) > _LONG:
        message = f"{where}: does not satisfy `{error.validator}` of the requirement"
    return message, hint
