"""Property: results are identical with and without the cache, for validate, diff, render.

Random sequences of edits of the example catalog (the diff property's edits) are applied one
after another; after each, validate with a cache that has seen every earlier state must report
exactly what validate without a cache reports: the same findings, lines, columns and order,
once after parsing what changed and once more from the result memo. The last state is also
diffed both ways, BASE's result taken from the memo the first state's run wrote (as the
default branch's run writes it for its pull requests), and rendered both ways.
"""

from __future__ import annotations

import contextlib
import filecmp
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsmctl.diff import diff_refs
from itsmctl.loader import ParseMemo
from itsmctl.parsecache import ParseCache
from itsmctl.runcontext import resolve_context
from itsmctl.validate import ValidationResult, validate
from tests.conftest import Invoke
from tests.properties.test_properties_diff import EDITS, EXAMPLES, TODAY, Edit


def _run(root: Path, memo: ParseMemo) -> ValidationResult:
    context = resolve_context(root, today=TODAY, label="")
    return validate(context, memo=memo)


def _seen(result: ValidationResult) -> list[tuple[object, ...]]:
    return [(f.rule, f.severity, f.file, f.line, f.column, f.path, f.message, f.hint, f.entity)
            for f in (*result.findings, *result.waived)]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.mark.slow
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=1, max_size=5))
def test_validate_and_diff_are_the_same_with_a_warm_cache(edits: list[Edit],
                                                          isolated_git: None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root, cache = Path(tmp) / "repo", ParseCache(Path(tmp) / "cache")
        shutil.copytree(EXAMPLES, root)
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "base")
        with contextlib.chdir(root):  # the default branch's run, `itsmctl validate .`:
            validate(resolve_context(Path("."), today=TODAY, label="."),  # BASE memoised
                     memo=ParseMemo(cache))
        for edit in edits:
            edit(root)
            cold = _seen(_run(root, ParseMemo()))
            assert _seen(_run(root, ParseMemo(cache))) == cold
            assert _seen(_run(root, ParseMemo(cache))) == cold  # from the result memo
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "--allow-empty", "-m", "edits")
        warm = diff_refs(root, "HEAD~1", "HEAD", today=TODAY, memo=ParseMemo(cache))
        cold = diff_refs(root, "HEAD~1", "HEAD", today=TODAY, memo=ParseMemo())
        for field in ("new_findings", "fixed_findings", "existing_findings", "changes",
                      "approvals"):
            assert getattr(warm, field) == getattr(cold, field), field


@pytest.mark.slow
def test_render_writes_the_same_site_with_and_without_the_cache(tmp_path: Path,
                                                                invoke: Invoke) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLES, catalog)
    sites = []
    for name, extra in (("cold", []), ("warm", []), ("none", ["--no-cache"])):
        site = tmp_path / name
        run = invoke("render", str(catalog), "-o", str(site), "--no-history",
                     "--today", TODAY.isoformat(), *extra)
        assert run.exit_code == 0, run.output
        sites.append(site)
    for other in sites[1:]:
        compared = filecmp.dircmp(sites[0], other)
        assert not compared.diff_files and not compared.left_only and not compared.right_only
        _assert_same_tree(sites[0], other)


def _assert_same_tree(left: Path, right: Path) -> None:
    files = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    for rel in files:
        assert (left / rel).read_bytes() == (right / rel).read_bytes(), rel
