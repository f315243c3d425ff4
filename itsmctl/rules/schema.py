"""The per-kind JSON Schema, run as a rule so it is graded and reported like every other."""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.config import Config
from itsmctl.findings import Finding, Severity
from itsmctl.limits import Limits
from itsmctl.model import KINDS, Entity
from itsmctl.rules.registry import Local, RuleContext, entity_rule
from itsmctl.schemas import schema_findings


def _limits(config: Config) -> Limits:
    """What the schema check reads of the config: the parse limits (its locator's)."""
    return config.limits


@entity_rule("schema", Severity.ERROR, *KINDS, category="schema",
             local=Local(config=_limits, today=False))
def check_schema(entity: Entity, context: RuleContext) -> Iterable[Finding]:
    """The entity does not match the JSON Schema of its kind.

    Each error points at the line of the offending value (not only a JSON path), says what
    was expected, and quotes the field's documentation from the schema as the hint. The
    schemas are in `schemas/` and `itsmctl schema` writes them out for editors.
    """
    return schema_findings(entity, _limits(context.config))
