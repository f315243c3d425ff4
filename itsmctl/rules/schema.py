"""The per-kind JSON Schema, run as a rule so it is graded and reported like every other."""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.model import KINDS, Entity
from itsmctl.rules.registry import RuleContext, entity_rule
from itsmctl.schemas import schema_findings


@entity_rule("schema", Severity.ERROR, *KINDS, category="schema")
def check_schema(entity: Entity, context: RuleContext) -> Iterable[Finding]:
    """The entity does not match the JSON Schema of its kind.

    Each error points at the line of the offending value (not only a JSON path), says what
    was expected, and quotes the field's documentation from the schema as the hint. The
    schemas are in `schemas/` and `itsmctl schema` writes them out for editors.
    """
    return schema_findings(entity, context.config.limits)
