"""A pull request cannot loosen its own parse limits: HEAD is read under the lower of BASE's
and HEAD's value of each limit, and raising a limit is a governance change to approve."""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.diff.conftest import TODAY, GitRepo
from tests.diff.test_settings import CONFIG, CONFIG_REF, on_main

BIG = 67_108_864  # the schema's maximum of settings.maxFileSize
HUGE_NOTE = "# " + "x" * 1_200_000 + "\n"  # a comment of 1.2 MB: over the default 1 MiB


def raise_file_limit(repo: GitRepo) -> None:
    """BASE keeps the default limits; the pull request raises maxFileSize to the schema
    maximum and grows a service file past BASE's bound."""
    on_main(repo, {CONFIG: "settings: {defaultBranch: main}\n"})
    repo.edit(CONFIG, "settings: {defaultBranch: main}\n",
              f"settings: {{defaultBranch: main, maxFileSize: {BIG}}}\n")
    path = repo.file("services/fraud-cache.yaml")
    repo.write("services/fraud-cache.yaml", HUGE_NOTE + path.read_text(encoding="utf-8"))
    repo.commit("a bigger file, and a limit to let it in")


def test_a_raised_file_limit_does_not_apply_to_the_pull_request_raising_it(
        repo: GitRepo) -> None:
    raise_file_limit(repo)
    result = repo.cli("main", "-f", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    new = [(f["rule"], f["file"]) for f in data["findings"]["new"]]
    assert ("file-too-large", "services/fraud-cache.yaml") in new
    [config] = [c for c in data["changes"] if c["kind"] == "Config"]
    impacts = {i["class"]: (i["impact"], i["message"]) for i in config["impacts"]}
    assert impacts["limits-raised"] == (
        "approval-required",
        f"settings.maxFileSize raised 1048576 -> {BIG}: this change is still read under"
        " 1048576, BASE's; the new bound applies once it is merged")
    assert data["approvals"], data


def test_check_validates_the_pull_request_under_bases_limits(repo: GitRepo) -> None:
    raise_file_limit(repo)
    result = run_cli("check", str(repo.path), "--base", "main", "--no-site", "--today",
                     TODAY.isoformat(), "-f", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    rules = {f["rule"] for f in data["validate"]["findings"]}
    assert "file-too-large" in rules, data["validate"]


def test_a_lowered_limit_applies_at_once_and_needs_review(repo: GitRepo) -> None:
    on_main(repo, {CONFIG: "settings: {defaultBranch: main}\n"})
    repo.edit(CONFIG, "settings: {defaultBranch: main}\n",
              "settings: {defaultBranch: main, maxDepth: 3}\n")
    repo.commit("stricter")
    result = repo.cli("main", "-f", "json")
    data = json.loads(result.output)
    [config] = [c for c in data["changes"] if c["ref"] == CONFIG_REF]
    assert [i["class"] for i in config["impacts"]] == ["config-changed"]
    assert any(f["rule"] == "yaml-too-deep" or "depth" in f["message"]
               for f in data["findings"]["new"]), data["findings"]["new"]
