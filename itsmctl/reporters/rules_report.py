"""`itsmctl rules` output: the registry as text, JSON, or the README's Markdown table."""

from __future__ import annotations

import json

from itsmctl.rules.registry import Rule


def render_text(rules: list[Rule]) -> str:
    out = []
    for rule in rules:
        kinds = f" ({', '.join(rule.kinds)})" if rule.kinds and len(rule.kinds) < 7 else ""
        out.append(f"{rule.id}  [{rule.severity.label}, {rule.category}]{kinds}")
        out.append(f"    {rule.summary}")
        for line in rule.doc.splitlines():
            out.append(f"    {line}".rstrip())
        out.append("")
    return "\n".join(out)


def render_json(rules: list[Rule]) -> str:
    data = [{"id": r.id, "severity": r.severity.label, "category": r.category,
             "kinds": list(r.kinds), "summary": r.summary, "doc": r.doc} for r in rules]
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def render_markdown(rules: list[Rule]) -> str:
    out = ["| rule | default | category | what it checks |", "|---|---|---|---|"]
    for rule in rules:
        summary = rule.summary.replace("|", "\\|")
        out.append(f"| `{rule.id}` | {rule.severity.label} | {rule.category} | {summary} |")
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
