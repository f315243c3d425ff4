"""`itsmctl check` loads each side once: one parse per catalog file and side, not four."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

import itsmctl.git
import itsmctl.parallelparse
from tests.gitops.conftest import Git, Invoke

EDITED = "slas/checkout-sla.yaml"


@pytest.fixture
def example_repo(tmp_path: Path, examples_dir: Path, run_git: Git, invoke: Invoke) -> Path:
    """The example catalog with its site committed on main, and one SLA edited on a branch."""
    repo = tmp_path / "repo"
    shutil.copytree(examples_dir, repo)
    assert invoke("render", str(repo), "--no-history", "-o", str(repo / "site")).exit_code == 0
    run_git(repo, "init", "-q", "-b", "main")
    run_git(repo, "add", "-A")
    run_git(repo, "add", "-f", "site")
    run_git(repo, "commit", "-q", "-m", "The catalog and its site")
    sla = repo / EDITED
    sla.write_text(sla.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    return repo


def test_check_parses_each_file_once_per_side(example_repo: Path, invoke: Invoke,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: Counter[str] = Counter()
    real = itsmctl.parallelparse.parse_source  # where every catalog file is parsed

    def counting(source, limits):  # type: ignore[no-untyped-def]
        parsed[source.label] += 1
        return real(source, limits)

    monkeypatch.setattr(itsmctl.parallelparse, "parse_source", counting)
    result = invoke("check", str(example_repo), "--base", "main", "--no-cache")
    assert result.exit_code == 0 and "is up to date" in result.output, result.output
    files = {p.relative_to(example_repo).as_posix() for p in example_repo.rglob("*.yaml")
             if p.relative_to(example_repo).parts[0] not in ("site", "policies", ".itsmctl.yaml")}
    # the edited file has different bytes on each side: one parse per side; others once
    assert parsed == Counter({f: 2 if f == EDITED else 1 for f in files})


def test_check_opens_the_repository_once(example_repo: Path, invoke: Invoke,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """One handle for the whole run, so each ref is resolved once (git.resolve_commit)."""
    opened: list[Path] = []
    real = itsmctl.git.open_repo

    def counting(path):  # type: ignore[no-untyped-def]
        opened.append(path)
        return real(path)

    monkeypatch.setattr(itsmctl.git, "open_repo", counting)
    result = invoke("check", str(example_repo), "--base", "main", "--no-cache")
    assert result.exit_code == 0 and "is up to date" in result.output, result.output
    assert opened == [example_repo]


def test_render_since_checks_each_ref_once(example_repo: Path, invoke: Invoke, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = itsmctl.git.check_ref

    def counting(ref: str) -> None:
        checked.append(ref)
        real(ref)

    monkeypatch.setattr(itsmctl.git, "check_ref", counting)
    result = invoke("render", str(example_repo), "--since", "main", "--no-history",
                    "-o", str(tmp_path / "site"), "--no-cache")
    assert result.exit_code == 0, result.output
    assert checked == ["main"]
    assert (tmp_path / "site" / "changes.html").is_file()
