"""Only trusted runs write the parse cache that pull requests read (SECURITY.md)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "itsmctl" / "templates" / "init" / "dot-github" / "workflows"


def _steps(path: Path) -> list[dict[str, object]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "runs" in data:
        return list(data["runs"]["steps"])
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def _uses(step: dict[str, object]) -> str:
    return str(step.get("uses", ""))


def test_pull_request_workflow_restores_and_never_saves_the_cache() -> None:
    steps = _steps(WORKFLOWS / "itsm-pr.yml")
    assert any(_uses(s).startswith("actions/cache/restore@") for s in steps)
    assert not any(_uses(s).startswith(("actions/cache/save@", "actions/cache@")) for s in steps)
    check = next(s for s in steps if s.get("id") == "check")
    assert "ITSMCTL_CACHE_DIR" in check["env"]  # type: ignore[operator]


def test_default_branch_workflow_saves_the_cache_it_fills() -> None:
    steps = _steps(WORKFLOWS / "itsm-site.yml")
    names = [_uses(s).split("@")[0] for s in steps]
    assert names.index("actions/cache/restore") < names.index("actions/cache/save")
    render = next(s for s in steps if s.get("name") == "Render the site")
    assert "ITSMCTL_CACHE_DIR" in render["env"]  # type: ignore[operator]


def test_action_saves_only_on_a_push_to_the_default_branch() -> None:
    steps = _steps(ROOT / "action.yml")
    save = next(s for s in steps if _uses(s).startswith("actions/cache/save@"))
    condition = str(save["if"])
    assert "github.event_name == 'push'" in condition
    assert "default_branch" in condition
    pins = [_uses(s).split("@")[1] for s in steps if _uses(s).startswith("actions/cache")]
    assert pins and all(len(pin) == 40 for pin in pins)  # pinned to a commit
