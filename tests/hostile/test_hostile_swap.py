"""An interrupted site swap is repaired, leftovers of killed renders are cleaned (only ours),
atomic writes leave the umask alone, and git grep output is split on NUL."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_hostile_corpus import BASE

from itsmctl import git
from itsmctl.atomic import write_text_atomic
from itsmctl.site.build import recover_swap
from tests.conftest import Invoke, run_cli


def rendered(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    site = tmp_path / "site"
    result = run_cli("render", str(root), "-o", str(site), "--no-history")
    assert result.exit_code == 0, result.output
    return root, site


def test_a_render_killed_mid_swap_gets_its_site_back(tmp_path: Path, invoke: Invoke) -> None:
    """Killed after the old site went aside and before the new one came in: no site at all.
    The next render (or --check) puts the old one back before anything else."""
    root, site = rendered(tmp_path)
    aside = tmp_path / ".site.old-abc123"
    aside.mkdir()
    os.rename(site, aside / "site")
    staging = tmp_path / ".site.new-def456"
    shutil.copytree(aside / "site", staging)  # a half-written staging folder, marker first
    result = invoke("render", str(root), "--check", str(site), "--no-history")
    assert result.exit_code == 0, result.output  # the repaired site is up to date
    assert (site / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog", "site"]


def test_leftovers_without_our_marker_are_never_removed(tmp_path: Path, invoke: Invoke) -> None:
    root, site = rendered(tmp_path)
    foreign = tmp_path / ".site.old-someone-elses"
    (foreign / "site").mkdir(parents=True)
    (foreign / "site" / "thesis.tex").write_text("keep me")
    ours = tmp_path / ".site.new-killed"
    ours.mkdir()
    (ours / ".itsmctl-site").write_text("being written by itsmctl render\n")
    assert recover_swap(site) == [ours]
    assert (foreign / "site" / "thesis.tex").read_text() == "keep me"
    assert invoke("render", str(root), "-o", str(site)).exit_code == 0
    assert (foreign / "site" / "thesis.tex").is_file() and not ours.exists()


def test_atomic_writes_do_not_touch_the_umask(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(mask: int) -> int:
        raise AssertionError("os.umask changes the mask of every thread")

    previous = os.umask(0o027)
    try:
        monkeypatch.setattr(os, "umask", forbidden)
        write_text_atomic(tmp_path / "new.txt", "x")
        (tmp_path / "kept.txt").write_text("old")
        os.chmod(tmp_path / "kept.txt", 0o604)
        write_text_atomic(tmp_path / "kept.txt", "new")
    finally:
        monkeypatch.undo()
        os.umask(previous)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o640  # 0666 less the umask
    assert (tmp_path / "kept.txt").stat().st_mode & 0o777 == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt", "new.txt"]


def test_git_grep_finds_a_file_whose_name_holds_a_newline(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com"}
    (tmp_path / "odd\nname.yaml").write_text("owner: platform\n")
    (tmp_path / "plain.yaml").write_text("owner: platform\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, env=env)
    repo = git.open_repo(tmp_path)
    found = git.grep_words(repo, git.head_commit(repo), "", ["platform"])
    assert found == {"odd\nname.yaml": {"platform"}, "plain.yaml": {"platform"}}
