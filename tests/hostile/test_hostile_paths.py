"""Globs in linear time, and nothing a pull request writes reaches outside the catalog."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hostile_corpus import BASE

from itsmctl.globs import glob_match
from tests.conftest import Invoke, run_cli


def backtracking_glob(rel: str, pattern: str) -> bool:
    """The translation itsmctl used before (exponential on `*a*a*a...`): the oracle."""
    import fnmatch

    pattern = pattern.strip().removeprefix("./").rstrip("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in rel.split("/"))
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] in "*?":
            out, i = out + ("[^/]*" if pattern[i] == "*" else "[^/]"), i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.match(out + r"(?:/.*)?\Z", rel) is not None


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, derandomize=True, database=None)
@given(st.text("ab/*?.[]", min_size=1, max_size=9), st.text("ab/.[]", max_size=10))
def test_the_linear_matcher_agrees_with_the_old_translation(pattern: str, rel: str) -> None:
    assert glob_match(rel, pattern) == backtracking_glob(rel, pattern)


def test_globs_that_backtracked_exponentially_answer_at_once() -> None:
    """`x/*a*a*...*c` on a long name took minutes, `**/**/...` on a deep path seconds."""
    assert not glob_match("x/" + "a" * 5000 + "b", "x/*a*a*a*a*a*a*a*a*a*a*a*a*c")
    assert not glob_match("/".join(["a"] * 2000) + "/b", "**/**/**/**/**/**/**/c")
    assert not glob_match("a" * 3000, "a**a**a**a**a**a**a**b")  # `**` inside a segment
    assert glob_match("services/a/b.yaml", "services/**/*.yaml")


def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    return root


def validate_json(root: Path) -> dict:  # type: ignore[type-arg]
    result = run_cli("validate", str(root), "--format", "json",
                     "--today", "2026-11-23")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_folder_named_x_yaml_is_not_parsed_nor_its_other_files(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    (root / "notes.yaml").mkdir()
    (root / "notes.yaml" / "readme.txt").write_text("{{ not yaml: [\n")
    report = validate_json(root)
    assert report["summary"]["files"] == 10 and report["findings"] == []


def test_a_rendered_site_is_never_read_back_wherever_it_is(tmp_path: Path, invoke: Invoke) -> None:
    root = catalog(tmp_path)
    (root / ".itsmctl.yaml").write_text("settings: {site: {output: public}}\n")
    assert invoke("render", str(root)).exit_code == 0
    (root / "public" / "planted.yaml").write_text("kind: [\n")  # even a YAML file in it
    report = validate_json(root)
    assert report["summary"]["files"] == 10
    assert not [f for f in report["findings"] if "/public/" in f["file"]]


def test_a_linked_folder_out_is_a_finding_also_with_policy_files(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("a: 1\n")
    (root / "policies").mkdir()
    (root / "policies" / "linked").symlink_to(outside)
    (root / "policies" / "rules.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Policy\nmetadata: {name: has-title}\nspec:\n"
        "  description: titles\n  select: {kind: Service}\n  require: {required: [metadata]}\n")
    (root / ".itsmctl.yaml").write_text("policyFiles: ['policies/**']\n")
    report = validate_json(root)
    assert [(f["rule"], f["file"].rsplit("/", 2)[-2:]) for f in report["findings"]
            if f["severity"] == "error"] == [("file-unreadable", ["policies", "linked"])]


def test_render_check_refuses_a_committed_site_that_links_out(tmp_path: Path,
                                                              invoke: Invoke) -> None:
    root = catalog(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private-file-name.txt").write_text("x")
    (root / "site").symlink_to(outside)
    result = invoke("render", str(root), "--check", str(root / "site"))
    assert result.exit_code == 2, result.output
    assert "is a link to" in result.output and "private-file-name" not in result.output


def test_check_site_refuses_it_too(tmp_path: Path, invoke: Invoke) -> None:
    root = catalog(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private-file-name.txt").write_text("x")
    (root / "site").symlink_to(outside)
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env)
    result = invoke("check", str(root), "--base", "main")
    assert "private-file-name" not in result.output
    assert result.exit_code == 2 and "inside the catalog folder" in result.output, result.output


def test_render_never_replaces_a_linked_output_folder(tmp_path: Path, invoke: Invoke) -> None:
    """`-o site` where `site` is a link (to an empty folder, a site, or nowhere): the swap
    would replace the link with a real folder, or fail half-way. Refused, nothing written."""
    root = catalog(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "to-empty").symlink_to(empty)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    for name in ("to-empty", "dangling"):
        result = invoke("render", str(root), "-o", str(tmp_path / name),
                        "--no-history")
        assert result.exit_code == 2, result.output
        assert "it is a link" in result.output and "Traceback" not in result.output
        assert (tmp_path / name).is_symlink()
    assert list(empty.iterdir()) == [] and not (tmp_path / "nowhere").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_render_never_writes_through_links_inside_an_old_site(tmp_path: Path,
                                                              invoke: Invoke) -> None:
    """An old site whose files and folders are links out: re-rendering replaces the folder
    as a whole and removes the old one without following a link."""
    root = catalog(tmp_path)
    site = tmp_path / "site"
    args = ["render", str(root), "-o", str(site), "--no-history"]
    assert invoke(*args).exit_code == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept.txt").write_text("keep me")
    secret = tmp_path / "secret.html"
    secret.write_text("mine")
    (site / "index.html").unlink()
    (site / "index.html").symlink_to(secret)
    assets = next(p for p in sorted(site.iterdir()) if p.is_dir())
    shutil.rmtree(assets)
    assets.symlink_to(outside)
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert secret.read_text() == "mine"
    assert [p.name for p in outside.iterdir()] == ["kept.txt"]
    assert not (site / "index.html").is_symlink() and not assets.is_symlink()
    assert (site / "index.html").is_file()


def test_a_linked_marker_does_not_make_a_folder_ours(tmp_path: Path, invoke: Invoke) -> None:
    root = catalog(tmp_path)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "thesis.tex").write_text("keep me")
    marker = tmp_path / "marker"
    marker.write_text("x")
    (theirs / ".itsmctl-site").symlink_to(marker)
    result = invoke("render", str(root), "-o", str(theirs), "--no-history")
    assert result.exit_code == 2 and "was not made by itsmctl render" in result.output
    assert (theirs / "thesis.tex").read_text() == "keep me"
