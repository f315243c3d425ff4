"""`itsmctl rules`: every rule with its documentation."""

from __future__ import annotations

from pathlib import Path

import click

from itsmctl.commands.common import emit, format_option
from itsmctl.reporters.registry import formats, report


@click.command("rules")
@click.argument("rule_ids", nargs=-1)
@format_option(formats("RuleListing"), help="text, JSON, or the README's Markdown table.")
@click.option("-C", "--catalog", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Catalog folder whose config's policies are listed too.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: .itsmctl.yaml in the catalog folder).")
def command(rule_ids: tuple[str, ...], fmt: str, catalog: Path, config_file: Path | None) -> None:
    """List the rules (or only RULE_IDS) with their id, default severity and documentation.

    The catalog's own policies (category "policy") are listed after the built-in rules.
    """
    from itsmctl.errors import ItsmctlError
    from itsmctl.rules import all_rules
    from itsmctl.rules.registry import RuleListing
    from itsmctl.runcontext import resolve_context

    # built-in rules, then the catalog's own policies (read once, with its config)
    rules = all_rules(resolve_context(catalog, config_file=config_file).policies.rules)
    if rule_ids:
        known = {r.id for r in rules}
        unknown = [r for r in rule_ids if r not in known]
        if unknown:
            raise ItsmctlError(f"unknown rule {unknown[0]!r}", "run `itsmctl rules` for the ids")
        rules = [r for r in rules if r.id in rule_ids]
    emit(report(RuleListing(tuple(rules)), fmt), None)
