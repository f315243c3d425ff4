"""Hostile git situations for diff, render --ref/--since and check: usage errors, not crashes.

Real repositories in tmp_path. Each case must exit 2 with one `itsmctl: error:` line and a
hint (a problem with the environment), or 0/1 with findings (a problem with the content).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import run_cli

HERE = Path(__file__).resolve().parent
BASE = HERE / "corpus" / "base"
TODAY = "2026-11-23"


@pytest.fixture(autouse=True)
def git_env(isolated_git: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # an option smuggled into git would write here


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The base catalog on main (two commits, so HEAD~1 exists)."""
    path = tmp_path / "repo"
    shutil.copytree(BASE, path)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "catalog")
    (path / "teams" / "platform.yaml").write_text(
        (path / "teams" / "platform.yaml").read_text().replace("#platform", "#platform-team"))
    git(path, "commit", "-q", "-am", "rename the chat channel")
    return path


def itsmctl(*args: str) -> Result:
    result = run_cli(*args)
    assert "Traceback" not in result.output
    assert result.exit_code != 3, result.output
    return result


def assert_usage_error(result: Result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("itsmctl: error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def diff(repo: Path, *args: str) -> Result:
    return itsmctl("diff", "-C", str(repo), "--today", TODAY, *args)


def render_ref(repo: Path, *args: str) -> Result:
    return itsmctl("render", str(repo), "-o", str(repo.parent / "site"), "--today", TODAY,
                   "--no-history", *args)


def test_unknown_ref(repo: Path) -> None:
    assert_usage_error(diff(repo, "no-such-branch", "HEAD"), "unknown git ref 'no-such-branch'")
    assert_usage_error(render_ref(repo, "--ref", "no-such-branch"), "no-such-branch")


@pytest.mark.parametrize("ref", ["--output=PWNED", "--upload-pack=touch PWNED", "-p",
                                 "HEAD\n--output=PWNED", "main\x00"])
def test_option_like_refs_never_reach_git(repo: Path, tmp_path: Path, ref: str) -> None:
    for result in (diff(repo, "--", ref, "HEAD"), diff(repo, "main", "--", ref),
                   render_ref(repo, "--ref", ref), render_ref(repo, "--since", ref)):
        assert_usage_error(result)
        assert not (tmp_path / "PWNED").exists() and not (repo / "PWNED").exists()
    assert not (tmp_path / "site").exists()


def test_detached_head_diffs_and_renders(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach", "HEAD~1")
    result = diff(repo, "main", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
    assert render_ref(repo, "--ref", "HEAD").exit_code == 0


def test_shallow_clone_without_the_base(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)], check=True,
                   capture_output=True)
    assert_usage_error(diff(clone, "HEAD~1", "HEAD"), "shallow clone", "fetch-depth: 0")


def test_repository_with_no_commits(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    shutil.copytree(BASE, empty)
    git(empty, "init", "-q", "-b", "main")
    assert_usage_error(diff(empty, "main", "HEAD"))
    assert_usage_error(diff(empty))
    assert_usage_error(render_ref(empty, "--ref", "HEAD"))


def test_a_folder_that_is_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(BASE, plain)
    assert_usage_error(diff(plain, "main", "HEAD"), "not inside a git repository")
    assert_usage_error(render_ref(plain, "--ref", "HEAD"), "not inside a git repository")


def test_hostile_content_committed_to_git_is_findings(repo: Path, tmp_path: Path) -> None:
    """The whole YAML corpus and a symlink to a secret, committed: diff reports, never reads it."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: TOP-SECRET-9f3c\n")
    git(repo, "checkout", "-q", "-b", "feature")
    for name in ("billion-laughs.yaml", "unsafe-tags.yaml", "nesting-65.yaml", "tabs.yaml",
                 "binary.yaml", "control-character.yaml", "duplicate-key.yaml"):
        shutil.copy(HERE / "corpus" / "yaml" / name, repo / name)
    (repo / "deep.yaml").write_bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n")
    (repo / "leak.yaml").symlink_to(secret)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hostile")
    result = diff(repo, "main", "feature", "--format", "json")
    assert result.exit_code == 1, result.output
    assert "TOP-SECRET" not in result.output
    report = result.stdout
    for rule in ("yaml-alias-limit", "yaml-tag", "yaml-too-deep", "yaml-syntax",
                 "file-encoding", "yaml-duplicate-key", "file-unreadable"):
        assert f'"{rule}"' in report, rule
    render = render_ref(repo, "--ref", "feature")
    assert render.exit_code == 0, render.output
    assert "TOP-SECRET" not in "".join(
        p.read_text(errors="replace") for p in (tmp_path / "site").rglob("*") if p.is_file())


def test_catalog_folder_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.copytree(BASE, outside)
    assert_usage_error(itsmctl("diff", "-C", str(repo), "--catalog", str(outside), "main"))


def test_working_tree_link_out_and_oversized_file_are_findings(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: TOP-SECRET-9f3c\n")
    (repo / "leak.yaml").symlink_to(secret)
    (repo / "big.yaml").write_bytes(b"#" * 2_000_000)
    result = diff(repo, "main", "--format", "json")  # HEAD: the working tree
    assert "TOP-SECRET" not in result.output
    assert '"file-unreadable"' in result.stdout and '"file-too-large"' in result.stdout


def test_a_hostile_file_name_in_the_copies_message_stays_text(repo: Path) -> None:
    """A name defined a second time names each copy's file in the diff (e1d0a90): a file
    name of markup, a line break and a CI command stays text in every diff format."""
    service = next((repo / "services").glob("*.yaml"))
    hostile = repo / "services" / "<img src=x onerror=alert(1)>|`x`*\n::error ::pwn.yaml"
    hostile.write_text(service.read_text(encoding="utf-8"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a copy under a hostile name")
    out = {fmt: diff(repo, "HEAD~1", "HEAD", "-f", fmt) for fmt in ("markdown", "github", "text")}
    assert all(r.exit_code == 1 for r in out.values())
    assert "defined more than once" in out["markdown"].stdout
    assert "<img" not in out["markdown"].stdout and "&lt;img" in out["markdown"].stdout
    for line in out["github"].stdout.splitlines():
        assert not line.startswith("::error ::pwn"), line
    assert "\\x0a::error" in out["text"].stdout
