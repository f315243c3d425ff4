"""diff says when a change lowers a service's scorecard level, even through its SLA."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.diff.conftest import GitRepo, change

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def examples_repo(path: Path) -> GitRepo:
    path.mkdir()
    repo = GitRepo(path)
    repo.git("init", "-q", "-b", "main")
    shutil.copytree(EXAMPLES, path, dirs_exist_ok=True)
    repo.commit("examples")
    repo.branch()
    return repo


def test_a_slower_p1_response_drops_a_tier1_service_from_gold(tmp_path: Path) -> None:
    repo = examples_repo(tmp_path / "repo")
    repo.edit("slas/storefront-sla.yaml", "{priority: P1, response: 15m,",
              "{priority: P1, response: 45m,")
    repo.commit("slower P1 response")
    result = repo.diff("main", "feature")
    service = change(result, "Service:storefront")
    [lowered] = [i for i in service.impacts if i.change_class == "scorecard-level-lowered"]
    assert lowered.impact.label == "approval-required"
    # tier 1: a 45-minute P1 response also breaks the tier-1 policy that silver requires
    assert "operational-readiness level lowered from gold to bronze" in lowered.message
    assert "tier1-sla-availability" in lowered.message
    assert result.exit_code == 1 and result.reasons[0].startswith("new-errors")  # the policy


def test_an_unrelated_change_lowers_no_level(tmp_path: Path) -> None:
    repo = examples_repo(tmp_path / "repo")
    repo.edit("slas/storefront-sla.yaml", "{priority: P1, response: 15m,",
              "{priority: P1, response: 10m,")
    repo.commit("faster P1 response")
    impacts = [i.change_class for c in repo.diff("main", "feature").changes for i in c.impacts]
    assert "scorecard-level-lowered" not in impacts and impacts
