"""`itsmctl init`: a new catalog repository that validates clean, and never clobbers files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from itsmctl.model import KINDS

if TYPE_CHECKING:
    from conftest import Git, Invoke

STARTER = (".itsmctl.yaml", ".gitignore", ".pre-commit-config.yaml", "README.md",
           ".github/workflows/itsm-pr.yml", ".github/workflows/itsm-site.yml",
           "schemas/service.schema.json")


def test_init_writes_a_repository_that_validates_clean(scaffold: Path, invoke: Invoke) -> None:
    for rel in STARTER:
        assert (scaffold / rel).is_file(), rel
    result = invoke("validate", str(scaffold))
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings, 0 info" in result.output


def test_the_scaffold_has_a_commented_example_of_every_kind(scaffold: Path) -> None:
    kinds = {}
    for path in scaffold.rglob("*.yaml"):
        if path.name.startswith(".") or path.parent.name == "policies":
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        kinds[document["kind"]] = path.read_text(encoding="utf-8")
    assert set(kinds) == set(KINDS)
    for kind, text in kinds.items():
        comments = [line for line in text.splitlines() if "#" in line and "$schema" not in line]
        assert len(comments) >= 3, f"the {kind} example explains too little"


def test_the_scaffold_ships_a_production_readiness_gate_its_service_passes(
        scaffold: Path, invoke: Invoke) -> None:
    gates = (scaffold / "policies/production-readiness.yaml").read_text(encoding="utf-8")
    assert "kind: Gate" in gates and "skippable: false" in gates
    for evidence in ("security-signoff", "load-test", "dr-test"):
        assert f"name: {evidence}" in gates
    assert "service-runbook-required" in gates and "owner-on-call" in gates
    service = scaffold / "services/intranet.yaml"
    service.write_text(service.read_text(encoding="utf-8").replace(
        "name: load-test", "name: load-tests"), encoding="utf-8")
    result = invoke("validate", str(scaffold))
    assert result.exit_code == 1
    assert "evidence 'load-test' is missing" in result.output
    assert "production-readiness" in result.output


def test_placeholders_are_filled(scaffold: Path) -> None:
    for path in scaffold.rglob("*"):
        if path.is_file():
            assert "__ITSMCTL_" not in path.read_text(encoding="utf-8"), path
    service = (scaffold / "services/intranet.yaml").read_text(encoding="utf-8")
    assert "lastReviewed: 2026-11-23" in service
    assert "rev: v" in (scaffold / ".pre-commit-config.yaml").read_text(encoding="utf-8")


def test_init_reports_what_it_created(tmp_path: Path, invoke: Invoke) -> None:
    result = invoke("init", str(tmp_path / "new"))
    assert result.exit_code == 0
    assert "created .github/workflows/itsm-pr.yml" in result.output
    assert "created services/intranet.yaml" in result.output
    assert "Next steps" in result.output


def test_the_next_steps_fit_where_the_catalog_was_made(tmp_path: Path, invoke: Invoke,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A new folder: change into it and make it a repository. The folder the user is in, and
    a folder inside a git work tree: no `cd`, no second `git init`."""
    fresh = invoke("init", str(tmp_path / "new"))
    assert f"ready in {tmp_path / 'new'}." in fresh.output
    assert f"cd {tmp_path / 'new'}" in fresh.output
    assert "git init -b main && git add -A" in fresh.output

    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    current = invoke("init")
    assert "ready in the current folder." in current.output
    assert "  cd " not in current.output
    assert "git init -b main && git add -A" in current.output

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    inside = invoke("init", str(repo / "catalog"))
    assert f"cd {repo / 'catalog'}" in inside.output
    assert "git init" not in inside.output

    spaced = invoke("init", str(tmp_path / "my catalog"))
    assert f"  cd '{tmp_path / 'my catalog'}'\n" in spaced.output  # a line to paste as it is
    assert '  git add -A && git commit -m "Start the service catalog"' in inside.output


def test_init_into_an_existing_repository_adds_only_what_is_missing(scaffold: Path,
                                                                    invoke: Invoke) -> None:
    mine = scaffold / "services/intranet.yaml"
    mine.write_text("# my own service\n", encoding="utf-8")
    workflow = scaffold / ".github/workflows/itsm-pr.yml"
    workflow.write_text("name: ours\n", encoding="utf-8")
    (scaffold / "teams/workplace.yaml").unlink()
    link = scaffold / "README.md"
    link.unlink()
    link.symlink_to("nowhere")  # a dangling link is something the user put there too
    result = invoke("init", str(scaffold))
    assert result.exit_code == 0, result.output
    assert "created teams/workplace.yaml" in result.output
    assert "skipped services/intranet.yaml (exists; --force overwrites it)" in result.output
    assert "skipped .github/workflows/itsm-pr.yml" in result.output
    assert "skipped README.md" in result.output
    assert "overwrote" not in result.output
    assert mine.read_text(encoding="utf-8") == "# my own service\n"
    assert workflow.read_text(encoding="utf-8") == "name: ours\n"
    assert link.is_symlink()
    assert "kind: Team" in (scaffold / "teams/workplace.yaml").read_text(encoding="utf-8")


def test_init_into_a_folder_with_other_files_is_fine(tmp_path: Path, invoke: Invoke) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_force_overwrites(scaffold: Path, invoke: Invoke) -> None:
    mine = scaffold / "services/intranet.yaml"
    mine.write_text("# my own service\n", encoding="utf-8")
    result = invoke("init", str(scaffold), "--force")
    assert result.exit_code == 0, result.output
    assert "overwrote services/intranet.yaml" in result.output
    assert "kind: Service" in mine.read_text(encoding="utf-8")
    assert invoke("validate", str(scaffold)).exit_code == 0


def test_init_onto_a_file_is_a_usage_error(tmp_path: Path, invoke: Invoke) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    result = invoke("init", str(target))
    assert result.exit_code == 2
    assert "is a file" in result.output


def test_a_scaffold_on_a_master_branch_finds_its_default_branch(
        scaffold: Path, invoke: Invoke, run_git: Git, edit) -> None:
    """`git init` still creates `master` on many machines: check must not need a config edit."""
    run_git(scaffold, "init", "-q", "-b", "master")
    run_git(scaffold, "add", "-A")
    run_git(scaffold, "commit", "-q", "-m", "Start the service catalog")
    run_git(scaffold, "checkout", "-q", "-b", "change")
    edit(scaffold, "services/intranet.yaml", "tier: 3", "tier: 2")
    result = invoke("check", str(scaffold))
    assert result.exit_code == 0, result.output
    assert "master" in result.output


def test_init_never_writes_through_a_linked_folder(tmp_path: Path, invoke: Invoke) -> None:
    """A cloned repository holding `schemas -> /elsewhere`: init would write the schemas
    there. It is refused before anything is written, naming the link."""
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "schemas").symlink_to(outside)
    (repo / ".github").mkdir()
    (repo / ".github" / "workflows").symlink_to(outside, target_is_directory=True)
    result = invoke("init", str(repo))
    assert result.exit_code == 2, result.output
    assert "refusing to write through links" in result.output
    assert f"schemas -> {outside}" in result.output
    assert f".github/workflows -> {outside}" in result.output
    assert "Traceback" not in result.output
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in repo.iterdir()) == [".github", "schemas"]  # nothing written


def test_init_with_force_never_replaces_a_linked_file(tmp_path: Path, invoke: Invoke) -> None:
    outside = tmp_path / "bashrc"
    outside.write_text("mine\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").symlink_to(outside)
    assert invoke("init", str(repo)).exit_code == 0  # skipped: nothing written through it
    result = invoke("init", str(repo), "--force")
    assert result.exit_code == 2, result.output
    assert f"README.md -> {outside}" in result.output
    assert (repo / "README.md").is_symlink()
    assert outside.read_text(encoding="utf-8") == "mine\n"


def test_init_into_a_linked_folder_is_refused(tmp_path: Path, invoke: Invoke) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    for name in ("link", "dangling"):
        result = invoke("init", str(tmp_path / name))
        assert result.exit_code == 2, result.output
        assert "refusing to write through links" in result.output
    assert list(real.iterdir()) == [] and not (tmp_path / "nowhere").exists()
