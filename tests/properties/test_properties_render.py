"""Properties of render and diff on mutated catalogs: no crash, no write outside the output."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties_validate import (
    EXAMPLES,
    HOSTILE_SCALARS,
    TEXT,
    byte_mutation,
    snapshot,
    structural_mutation,
)

from tests.conftest import run_cli

TODAY = "2026-11-23"
NAMES = st.one_of(HOSTILE_SCALARS.map(str), TEXT, st.sampled_from(
    ["index", "..", "../x", "a/b", "/abs", "x" * 300, "con", "aux.html", "assets", "%2e%2e"]))


def team(name: str, title: str) -> str:
    return yaml.safe_dump({"apiVersion": "itsmctl.io/v1", "kind": "Team",
                           "metadata": {"name": name, "title": title, "description": title},
                           "spec": {"email": "t@example.com", "members": []}}, allow_unicode=True)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog (the examples) and, next to it, where the site goes."""
    root = tmp_path_factory.mktemp("render-properties")
    shutil.copytree(EXAMPLES, root / "catalog")
    return root


def render(workspace: Path) -> None:
    result = run_cli("render", str(workspace / "catalog"), "-o",
                     str(workspace / "site"), "--no-history", "--today", TODAY)
    assert result.exit_code in (0, 1) or (result.exit_code == 2 and result.stderr.startswith(
        "itsmctl: error: ")), result.output
    assert "Traceback" not in result.output


def outside_the_site(workspace: Path) -> dict[str, str]:
    return {rel: digest for rel, digest in snapshot(workspace).items()
            if not rel.startswith("site/")}


@pytest.mark.slow
@settings(max_examples=12)
@given(names=st.lists(st.tuples(NAMES, NAMES), min_size=1, max_size=4))
def test_render_never_writes_outside_its_output_folder(workspace: Path,
                                                      names: list[tuple[str, str]]) -> None:
    hostile = workspace / "catalog" / "zz-hostile.yaml"
    hostile.write_text("---\n".join(team(n, t) for n, t in names), encoding="utf-8")
    try:
        before = outside_the_site(workspace)
        render(workspace)
        assert outside_the_site(workspace) == before
        site = (workspace / "site").resolve()
        for path in site.rglob("*"):
            assert path.resolve().is_relative_to(site)
        assert sorted(p.name for p in workspace.iterdir()) == ["catalog", "site"]
    finally:
        hostile.unlink()


@pytest.mark.slow
@settings(max_examples=10)
@given(mutation=st.one_of(structural_mutation(), byte_mutation()))
def test_render_never_crashes_on_a_mutated_catalog(workspace: Path,
                                                  mutation: tuple[str, bytes]) -> None:
    rel, data = mutation
    target = workspace / "catalog" / rel
    original = target.read_bytes()
    target.write_bytes(data)
    try:
        before = outside_the_site(workspace)
        render(workspace)
        assert outside_the_site(workspace) == before
    finally:
        target.write_bytes(original)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples committed on main; the working tree is then mutated per example."""
    root = tmp_path_factory.mktemp("diff-properties") / "repo"
    shutil.copytree(EXAMPLES, root)
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(root.parent),
           "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com",
           "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)
    return root


def tree_and_objects(repo: Path) -> dict[str, str]:
    """Everything but .git/index: git refreshes its stat cache there when files change."""
    return {rel: digest for rel, digest in snapshot(repo).items() if rel != ".git/index"}


@pytest.mark.slow
@settings(max_examples=10)
@given(mutation=st.one_of(structural_mutation(), byte_mutation()))
def test_diff_never_crashes_on_a_mutated_working_tree(repo: Path,
                                                     mutation: tuple[str, bytes]) -> None:
    rel, data = mutation
    target = repo / rel
    original = target.read_bytes()
    target.write_bytes(data)
    try:
        before = tree_and_objects(repo)
        result = run_cli("diff", "-C", str(repo), "main", "--today", TODAY,
                         "--format", "json")
        assert "Traceback" not in result.output
        assert result.exit_code in (0, 1) or (result.exit_code == 2 and result.stderr.startswith(
            "itsmctl: error: ")), result.output
        assert tree_and_objects(repo) == before  # no checkout, no commit, no ref moved
    finally:
        target.write_bytes(original)
