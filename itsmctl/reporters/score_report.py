"""`itsmctl score` output: each scorecard as a text table, JSON, or Markdown.

Titles are catalog and policy text: shown with their hidden characters escaped in text,
made inert in Markdown as the pull-request comment makes them (no HTML, mention, link,
table pipe or line break), since a job summary or a comment is where it goes."""

from __future__ import annotations

from typing import Any

from itsmctl.policy.scorecard import ScorecardResult, ScoreResult, ServiceScore
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.diff_markdown import cell
from itsmctl.reporters.envelope import envelope, json_document
from itsmctl.visible import visible


def lacking(score: ServiceScore) -> str:
    """`gold: p1-response-30m (waived)`, or `-` at the top level."""
    if score.next_level is None:
        return "-"
    rules = [f"{r} (waived)" if r in score.waived else r for r in score.missing]
    return f"{score.next_level}: {', '.join(rules)}"


def _counts(result: ScorecardResult) -> str:
    return ", ".join(f"{level} {count}" for level, count in result.counts().items())


def render_text(score: ScoreResult, options: ReportOptions) -> str:
    out: list[str] = []
    for result in score.scorecards:
        card = result.scorecard
        levels = " < ".join(lv.name for lv in card.levels)
        out.append(f"{visible(card.title)} ({card.name}): {levels}")
        width = max([len(s.name) for s in result.services] + [7])
        level_width = max([len(lv.name) for lv in card.levels] + [5])
        out.append(f"  {'SERVICE':<{width}}  {'LEVEL':<{level_width}}  MISSING FOR NEXT LEVEL")
        for s in result.services:
            out.append(f"  {s.name:<{width}}  {s.level or 'none':<{level_width}}  {lacking(s)}")
        out.append(f"  {_counts(result)}")
        out.append("")
    return "\n".join(out)


def as_dict(score: ScoreResult) -> dict[str, Any]:
    return envelope({
        "scorecards": [{
            "name": r.scorecard.name,
            "title": r.scorecard.title,
            "levels": [{"name": lv.name, "rules": list(lv.rules)} for lv in r.scorecard.levels],
            "summary": r.counts(),
            "services": [s.to_dict() for s in r.services],
        } for r in score.scorecards],
    })


def render_json(score: ScoreResult, options: ReportOptions) -> str:
    return json_document(as_dict(score))


def render_markdown(score: ScoreResult, options: ReportOptions) -> str:
    out: list[str] = []
    for result in score.scorecards:
        card = result.scorecard
        out += [f"## {cell(card.title)}", "",
                "Levels: " + ", ".join(f"**{cell(lv.name)}** ("
                                       + ", ".join(f"`{r}`" for r in lv.rules) + ")"
                                       for lv in card.levels), "",
                "| Service | Level | Missing for next level |", "|---|---|---|"]
        for s in result.services:
            out.append(f"| {cell(s.title)} | {cell(s.level or 'none')} | {cell(lacking(s))} |")
        out += ["", f"Summary: {_counts(result)}", ""]
    return "\n".join(out)
