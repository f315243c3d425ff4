"""Policy as code: a catalog's own governance rules, their waivers, and scorecards.

Policies and scorecards live in the catalog's config (or in policy files it lists); they are
loaded per catalog and handed to the validation run, never registered globally.
"""

from itsmctl.policy.custom_rule import Policy
from itsmctl.policy.load import PolicySet, disk_reader, git_reader, load_policies
from itsmctl.policy.scorecard import (
    LevelChange,
    Scorecard,
    ScoreResult,
    ServiceScore,
    level_changes,
    score_catalog,
)

__all__ = ["LevelChange", "Policy", "PolicySet", "ScoreResult", "Scorecard", "ServiceScore",
           "disk_reader", "git_reader", "level_changes", "load_policies", "score_catalog"]
