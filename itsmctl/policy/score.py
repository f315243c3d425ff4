"""`itsmctl score`: validate a catalog, then place every service on the config's scorecards."""

from __future__ import annotations

from itsmctl.errors import ConfigError
from itsmctl.policy.scorecard import LevelChange, ScoreResult, level_changes, score_catalog
from itsmctl.runcontext import RunContext
from itsmctl.validate import ValidationResult, validate


def score_validation(result: ValidationResult) -> ScoreResult:
    """Score an existing validation run (diff and the site reuse the run they already have)."""
    findings = [*result.findings, *result.waived]
    return score_catalog(result.catalog, findings, result.policies.scorecards)


def score(context: RunContext) -> ScoreResult:
    """Validate the resolved run once, then place its services on the scorecards."""
    result = validate(context)
    if not result.policies.scorecards:
        raise ConfigError("the config defines no scorecards",
                          "add `scorecards:` to .itsmctl.yaml, or Scorecard documents to a"
                          " policy file (see the README's policy section)")
    return score_validation(result)


def lowered_levels(base: ValidationResult, head: ValidationResult) -> list[LevelChange]:
    """Entities a change moves to a lower scorecard level (diff's `scorecard-level-lowered`).

    Both runs are scored with the head's scorecards, so a changed scorecard is not mistaken
    for a changed service.
    """
    cards = head.policies.scorecards
    before = score_catalog(base.catalog, [*base.findings, *base.waived], cards)
    return [c for c in level_changes(before, score_validation(head)) if c.lowered]
