"""`itsmctl rules` output: the registry as text, JSON, or the README's Markdown table."""

from __future__ import annotations

from itsmctl.reporters import ReportOptions
from itsmctl.reporters.envelope import dump_json
from itsmctl.rules.registry import RuleListing


def render_text(listing: RuleListing, options: ReportOptions) -> str:
    out = []
    for rule in listing.rules:
        kinds = f" ({', '.join(rule.kinds)})" if rule.kinds and len(rule.kinds) < 7 else ""
        out.append(f"{rule.id}  [{rule.severity.label}, {rule.category}]{kinds}")
        out.append(f"    {rule.summary}")
        for line in rule.doc.splitlines():
            out.append(f"    {line}".rstrip())
        out.append("")
    return "\n".join(out)


def render_json(listing: RuleListing, options: ReportOptions) -> str:
    """A list of rules (a listing, not a result document: no envelope, as documented)."""
    return dump_json([{"id": r.id, "severity": r.severity.label, "category": r.category,
                       "kinds": list(r.kinds), "summary": r.summary, "doc": r.doc}
                      for r in listing.rules])


def render_markdown(listing: RuleListing, options: ReportOptions) -> str:
    out = ["| rule | default | category | what it checks |", "|---|---|---|---|"]
    for rule in listing.rules:
        summary = rule.summary.replace("|", "\\|")
        out.append(f"| `{rule.id}` | {rule.severity.label} | {rule.category} | {summary} |")
    return "\n".join(out) + "\n"
