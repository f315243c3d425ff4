"""`itsmctl rules`: every rule with its documentation."""

from __future__ import annotations

import click

from itsmctl.commands.common import emit


@click.command("rules")
@click.argument("rule_ids", nargs=-1)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
def command(rule_ids: tuple[str, ...], fmt: str) -> None:
    """List the rules (or only RULE_IDS) with their id, default severity and documentation."""
    from itsmctl.errors import ItsmctlError
    from itsmctl.reporters.rules_report import RENDERERS
    from itsmctl.rules.registry import all_rules

    rules = all_rules()
    if rule_ids:
        known = {r.id for r in rules}
        unknown = [r for r in rule_ids if r not in known]
        if unknown:
            raise ItsmctlError(f"unknown rule {unknown[0]!r}", "run `itsmctl rules` for the ids")
        rules = [r for r in rules if r.id in rule_ids]
    emit(RENDERERS[fmt](rules), None)
