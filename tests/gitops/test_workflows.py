"""The workflow files, the composite action and the pre-commit hooks: valid and safe.

Schemas are GitHub's published ones as vendored by check-jsonschema (no network).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from itsmctl.cli import COMMANDS
from tests.github.fake import FakeGitHub, commit, user

if TYPE_CHECKING:
    from conftest import Git, Invoke

ROOT = Path(__file__).resolve().parents[2]
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def project_workflows() -> list[Path]:
    return sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def all_workflows(scaffold: Path) -> list[Path]:
    found = project_workflows() + sorted((scaffold / ".github" / "workflows").glob("*.y*ml"))
    assert len(found) >= 3, found
    return found


def check_schema(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
         *map(str, files)], capture_output=True, text=True, timeout=120, check=False)


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict[str, Any]) -> Any:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def steps_of(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for job in (document.get("jobs") or {}).values():
        yield from job.get("steps", [])
    yield from (document.get("runs") or {}).get("steps", [])


def test_workflows_validate_against_githubs_schema(scaffold: Path) -> None:
    done = check_schema("vendor.github-workflows", all_workflows(scaffold))
    assert done.returncode == 0, done.stdout + done.stderr


def test_dependabot_config_of_the_scaffold_validates(scaffold: Path) -> None:
    done = check_schema("vendor.dependabot", [scaffold / ".github/dependabot.yml"])
    assert done.returncode == 0, done.stdout + done.stderr
    ecosystems = {u["package-ecosystem"] for u in load(scaffold / ".github/dependabot.yml")[
        "updates"]}
    assert ecosystems == {"github-actions"}, "it keeps the pinned SHAs current"


def test_action_validates_against_the_actions_schema() -> None:
    done = check_schema("vendor.github-actions", [ROOT / "action.yml"])
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_does_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                      "    step:\n      - run: echo\n", encoding="utf-8")
    assert check_schema("vendor.github-workflows", [broken]).returncode == 1


def test_no_workflow_runs_untrusted_code_with_secrets(scaffold: Path) -> None:
    for path in all_workflows(scaffold):
        workflow = load(path)  # comments may warn about it; the YAML itself never uses it
        assert "pull_request_target" not in yaml.safe_dump(workflow), path
        assert "pull_request_target" not in str(triggers(workflow)), path


def test_every_action_is_pinned_to_a_commit_sha(scaffold: Path) -> None:
    for path in [*all_workflows(scaffold), ROOT / "action.yml"]:
        uses = [step["uses"] for step in steps_of(load(path)) if "uses" in step]
        assert uses, path
        for ref in uses:
            assert PINNED.match(ref), f"{path.name}: {ref} is not pinned to a full commit SHA"
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if re.search(r"\buses: \S+@[0-9a-f]{40}", line):
                assert re.search(r"# v\d", line), f"{path.name}: say which version: {line}"


def test_every_workflow_declares_permissions(scaffold: Path) -> None:
    for path in all_workflows(scaffold):
        workflow = load(path)
        jobs = workflow["jobs"]
        if "permissions" not in workflow:
            assert all("permissions" in job for job in jobs.values()), path
        assert workflow.get("permissions") in (None, {}, {"contents": "read"}), \
            f"{path.name}: grant write permissions per job, not for the whole workflow"


def test_pull_request_workflow_of_the_scaffold(scaffold: Path) -> None:
    workflow = load(scaffold / ".github/workflows/itsm-pr.yml")
    # a review changes the verdict of --require-approvals: the check runs again on it
    assert set(triggers(workflow)) == {"pull_request", "pull_request_review"}
    assert triggers(workflow)["pull_request_review"]["types"] == ["submitted", "dismissed"]
    # changing the base branch is an `edited` event: the check runs again against the new
    # base, and never passes by being skipped (a skipped required check reads as success)
    assert triggers(workflow)["pull_request"]["types"] == ["opened", "synchronize", "reopened",
                                                           "edited"]
    assert all("if" not in job for job in workflow["jobs"].values())
    steps = list(steps_of(workflow))
    runs = " ".join(step.get("run", "") for step in steps)
    assert "itsmctl check" in runs and "--comment" in runs and "--sarif" in runs
    assert "--require-approvals" in runs
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    # a private repository without code scanning refuses the upload: never a failed job
    assert uses["github/codeql-action/upload-sarif"]["continue-on-error"] is True
    comment = uses["actions/github-script"]
    # forks get a read-only token: the comment step is skipped for them
    assert "head.repo.full_name == github.repository" in comment["if"]
    assert "updateComment" in comment["with"]["script"], "one sticky comment, updated"
    checkout = uses["actions/checkout"]
    assert checkout["with"]["fetch-depth"] == 0, "the diff needs the base branch"


def test_site_workflow_of_the_scaffold(scaffold: Path) -> None:
    workflow = load(scaffold / ".github/workflows/itsm-site.yml")
    assert triggers(workflow)["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]
    writers = [name for name, job in jobs.items()
               if "write" in (job.get("permissions") or {}).values()]
    assert writers == ["deploy"], "pages: write and id-token: write only where it deploys"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    used = {s.get("uses", "").split("@")[0] for s in steps_of(workflow)}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= used


def test_project_ci_runs_lint_types_tests_wheel_and_examples() -> None:
    workflow = load(ROOT / ".github/workflows/ci.yml")
    jobs = workflow["jobs"]
    runs = {name: " ".join(s.get("run", "") for s in job["steps"]) for name, job in jobs.items()}
    everything = " ".join(runs.values())
    for needed in ("ruff check", "mypy", "pytest", "python -m build",
                   "itsmctl validate examples/"):
        assert needed in everything, needed
    assert jobs["test"]["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    assert ".whl" in runs["wheel"] and "cd " in runs["wheel"], \
        "the wheel job installs the wheel and runs the tests outside the source tree"
    assert ".ci/mindeps.py" in runs["mindeps"] and "-c " in runs["mindeps"], \
        "the mindeps job installs the lowest versions pyproject.toml allows"
    assert 'pytest -m "not slow"' in runs["mindeps"]


def test_action_installs_itself_and_runs_check() -> None:
    action = load(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"path", "base-ref", "fail-on", "sarif", "render-site", "require-approvals",
            "github-token"} <= set(action["inputs"])
    steps = list(steps_of(action))
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/"))
    assert upload["continue-on-error"] is True
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert any("itsmctl" in s.get("run", "") and "check" in s.get("run", "") for s in steps)
    for step in steps:  # inputs reach the shell through env, never pasted into the script
        assert "${{ inputs." not in step.get("run", ""), step


def hooks() -> list[dict[str, Any]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list) and data
    return data


def test_pre_commit_hooks_point_at_a_real_entry_point(invoke: Invoke) -> None:
    scripts = {ep.name for ep in entry_points(group="console_scripts")}
    for hook in hooks():
        program, subcommand, *_ = hook["entry"].split()
        assert program in scripts, f"{hook['id']}: {program} is not an installed console script"
        assert subcommand in COMMANDS, f"{hook['id']}: no `{program} {subcommand}` command"
        assert hook["pass_filenames"] is False, "the whole catalog is checked, not single files"
        assert re.search(hook["files"], "services/intranet.yaml")
        assert invoke(subcommand, "--help").exit_code == 0


@pytest.mark.parametrize("hook_id", ["itsmctl-validate"])
def test_the_scaffold_uses_hooks_that_exist(scaffold: Path, hook_id: str) -> None:
    config = load(scaffold / ".pre-commit-config.yaml")
    used = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert hook_id in used
    assert used <= {h["id"] for h in hooks()}


def run_hook(hook_id: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a hook's entry the way pre-commit does: a process in the repository root."""
    hook = next(h for h in hooks() if h["id"] == hook_id)
    _, *args = hook["entry"].split()
    env = {**os.environ, "ITSMCTL_TODAY": "2026-11-23"}  # the day the scaffold was made
    return subprocess.run([sys.executable, "-m", "itsmctl", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_the_validate_hook_runs_as_pre_commit_would(scaffold: Path) -> None:
    done = run_hook("itsmctl-validate", scaffold)
    assert done.returncode == 0, done.stdout + done.stderr
    (scaffold / "services/intranet.yaml").write_text("kind: Servce\n", encoding="utf-8")
    assert run_hook("itsmctl-validate", scaffold).returncode == 1


@pytest.mark.slow
def test_the_render_check_hook_catches_a_stale_site(scaffold: Path, invoke: Invoke) -> None:
    rendered = invoke("render", str(scaffold), "--no-history", "-o", str(scaffold / "site"))
    assert rendered.exit_code == 0, rendered.output
    done = run_hook("itsmctl-render-check", scaffold)
    assert done.returncode == 0, done.stdout + done.stderr
    sla = scaffold / "slas/intranet-sla.yaml"
    sla.write_text(sla.read_text(encoding="utf-8").replace("availability: 99.5 ",
                                                           "availability: 99.9 "))
    done = run_hook("itsmctl-render-check", scaffold)
    assert done.returncode == 1
    assert "stale" in done.stdout


def workflow_commands(path: Path) -> list[list[str]]:
    """The `itsmctl ...` steps of a workflow, as argument lists (step variables expanded)."""
    out = []
    for step in steps_of(load(path)):
        text = " ".join(step.get("run", "").split())
        if text.startswith("itsmctl "):
            for name, value in (step.get("env") or {}).items():
                text = text.replace(f"${name}", str(value))
            out.append(shlex.split(text)[1:])
    return out


def test_the_site_workflow_commands_work(scaffold: Path, monkeypatch: pytest.MonkeyPatch,
                                         invoke: Invoke) -> None:
    commands = workflow_commands(scaffold / ".github/workflows/itsm-site.yml")
    assert [c[0] for c in commands] == ["render"]
    monkeypatch.chdir(scaffold)
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 0, result.output
    assert (scaffold / "site" / "index.html").is_file()


def test_the_action_fails_on_what_the_scaffold_fails_on(scaffold: Path) -> None:
    [command] = workflow_commands(scaffold / ".github/workflows/itsm-pr.yml")
    scaffold_fails_on = [command[i + 1] for i, arg in enumerate(command) if arg == "--fail-on"]
    action = load(ROOT / "action.yml")
    assert action["inputs"]["fail-on"]["default"].split() == scaffold_fails_on


def test_the_pull_request_workflow_command_works(catalog_repo: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, invoke: Invoke,
                                                 run_git: Git, github: FakeGitHub) -> None:
    """As on GitHub: a clone with `origin/main` that checked out what actions/checkout does
    by default (refs/pull/N/merge: the pull request's head merged into main's tip, main having
    moved on since the payload's base.sha), the event payload and the API (a local server:
    nobody has reviewed yet). --require-approvals accepts that checkout."""
    opened_on = run_git(catalog_repo, "rev-parse", "HEAD").strip()
    run_git(catalog_repo, "switch", "-q", "-c", "slower")
    sla = catalog_repo / "slas/intranet-sla.yaml"
    sla.write_text(sla.read_text(encoding="utf-8").replace("- {priority: P1, response: 30m",
                                                           "- {priority: P1, response: 2h"))
    run_git(catalog_repo, "commit", "-q", "-am", "Slower P1 response")
    head = run_git(catalog_repo, "rev-parse", "HEAD").strip()
    run_git(catalog_repo, "switch", "-q", "main")
    (catalog_repo / "NOTES.md").write_text("main moved on\n", encoding="utf-8")
    run_git(catalog_repo, "add", "NOTES.md")
    run_git(catalog_repo, "commit", "-q", "-m", "Notes")
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", str(catalog_repo), str(clone))
    run_git(clone, "fetch", "-q", "origin", head)
    run_git(clone, "checkout", "-q", "--detach", "origin/main")
    run_git(clone, "merge", "-q", "--no-ff", "--no-edit", head)
    [command] = workflow_commands(clone / ".github/workflows/itsm-pr.yml")
    assert command[0] == "check"
    command = [arg.replace("${{ github.base_ref }}", "main") for arg in command]
    monkeypatch.chdir(clone)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {
        "number": 3, "user": user("pat"), "head": {"sha": head}, "base": {"sha": opened_on}}}))
    github.routes["/repos/example-org/catalog/pulls/3/reviews"] = []
    github.routes["/repos/example-org/catalog/pulls/3/commits"] = [commit(head)]
    for team in ("workplace", "change-advisory-board"):
        github.routes[f"/orgs/example-org/teams/{team}/members"] = [user("alex")]
    result = invoke(*command, env={"GITHUB_ACTIONS": "true", "GITHUB_TOKEN": "t",
                                   "GITHUB_API_URL": github.url, "GITHUB_EVENT_PATH": str(event),
                                   "GITHUB_REPOSITORY": "example-org/catalog"})
    assert result.exit_code == 1, result.output  # slower P1 response: breaking or worse
    assert "approvals: needs approval from" in result.output
    assert "::error file=slas/intranet-sla.yaml" in result.output
    assert (clone / "itsmctl.sarif").is_file() and (clone / "itsmctl-comment.md").is_file()
