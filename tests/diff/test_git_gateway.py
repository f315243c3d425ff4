"""The git gateway: the only module that imports GitPython; small functions over git objects."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from itsmctl import git, gitsources
from itsmctl.config import Config
from itsmctl.diff.classes import CHANGE_CLASSES
from itsmctl.errors import ItsmctlError
from tests.diff.conftest import GitRepo, make_repo

PACKAGE = Path(git.__file__).parent


def test_only_the_gateway_imports_gitpython() -> None:
    importers = sorted(
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        if re.search(r"^\s*(import git\b|from git import|from git\.)", path.read_text(),
                     re.MULTILINE))
    assert importers == ["git.py"]


def test_sources_at_a_ref_read_lazily(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", catalog="catalog")
    repo.write("notes.txt", "not yaml\n")
    repo.commit()
    handle = git.open_repo(repo.path)
    sources = gitsources.sources_at(handle, "main", repo.path / "catalog", Config())
    labels = [s.label for s in sources]
    assert "catalog/services/ledger-db.yaml" in labels and "catalog/notes.txt" not in labels
    ledger = next(s for s in sources if s.rel == "services/ledger-db.yaml")
    assert ledger.data is None and b"name: ledger-db" in ledger.bytes()
    worktree = gitsources.worktree_sources(handle, "catalog", Config())
    assert [s.rel for s in worktree] == [s.rel for s in sources]


def test_a_tree_listed_after_another_lists_the_same_sizes(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The second tree a process lists is listed without `-l`: the sizes of the blobs it
    shares with the first come from memory, the others from one `cat-file --batch-check`;
    the entries are those `ls-tree -l` gives (a link, a large and a new file among them)."""
    repo = make_repo(tmp_path / "r", catalog="catalog")
    handle = git.open_repo(repo.path)
    base = git.resolve_commit(handle, "main")
    repo.write("services/big.yaml", "note: " + "x" * 70_000 + "\n")
    repo.edit("services/ledger-db.yaml", "name: ledger-db", "name: ledger-db  # kept")
    (repo.path / "catalog" / "linked.yaml").symlink_to("services/big.yaml")
    head = repo.commit()
    monkeypatch.setattr(git, "_SIZES", {})
    listed = git.list_files(handle, base, "catalog")
    asked: list[list[str]] = []
    real = git.blob_sizes

    def counted(repo: git.Repo, shas: Iterable[str]) -> dict[str, int]:
        wanted = sorted(shas)
        asked.append(wanted)
        return real(repo, wanted)

    monkeypatch.setattr(git, "blob_sizes", counted)
    second = git.list_files(handle, head, "catalog")
    monkeypatch.setattr(git, "_SIZES", {})  # nothing known: listed with -l, as before
    assert second == git.list_files(handle, head, "catalog") and len(asked) == 1
    shared = {f.sha for f in listed}
    assert asked[0] == sorted({f.sha for f in second} - shared) and len(asked[0]) == 3
    assert {f.rel: f.size for f in second}["services/big.yaml"] > 70_000


def _ls_tree(handle: git.Repo, sha: str, prefix: str) -> list[git.TreeFile]:
    """What `ls-tree -r -l` lists, nothing remembered from an earlier listing."""
    kept = dict(git._LISTED), dict(git._SIZES)
    git._LISTED.clear()
    git._SIZES.clear()
    try:
        return git.list_files(handle, sha, prefix)
    finally:
        git._LISTED.update(kept[0])
        git._SIZES.update(kept[1])


@pytest.mark.parametrize("prefix", ["", "catalog"])
def test_a_tree_that_only_edits_the_last_one_listed_is_listed_from_it(
        tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """HEAD after BASE, the same paths: the edited entries (new content, a file made
    executable, a link pointed elsewhere) take their blob, mode and size from `diff-tree`,
    the rest are BASE's; the list is the very one `ls-tree -r -l` gives, and no `ls-tree`
    runs for it."""
    repo = make_repo(tmp_path / "r", catalog=prefix)
    (repo.file("linked.yaml")).symlink_to("services/ledger-db.yaml")
    handle = git.open_repo(repo.path)
    base = git.resolve_commit(handle, repo.commit())
    repo.edit("services/ledger-db.yaml", "name: ledger-db", "name: ledger-db  # " + "x" * 900)
    repo.file("services/ledger-db.yaml").chmod(0o755)
    repo.file("linked.yaml").unlink()
    repo.file("linked.yaml").symlink_to("services/big-name.yaml")
    head = repo.commit()
    listed = git.list_files(handle, base, prefix)
    commands: list[str] = []
    real = git._git

    def seen(repo: git.Repo, command: str, *args: str, **kwargs: bool) -> str:
        commands.append(command)
        return real(repo, command, *args, **kwargs)

    monkeypatch.setattr(git, "_git", seen)
    second = git.list_files(handle, head, prefix)
    monkeypatch.setattr(git, "_git", real)
    assert "ls-tree" not in commands
    assert second == _ls_tree(handle, head, prefix) and second != listed
    edited = {f.rel: f for f in second}
    assert edited["services/ledger-db.yaml"].mode == "100755"
    assert edited["services/ledger-db.yaml"].size > 900 and edited["linked.yaml"].is_link
    assert git.list_files(handle, head, prefix) == second  # the same commit again


def test_a_tree_that_adds_or_removes_a_path_is_listed_in_full(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    handle = git.open_repo(repo.path)
    base = git.resolve_commit(handle, "main")
    repo.write("services/new.yaml", "a: 1\n")
    added = repo.commit()
    repo.remove("services/ledger-db.yaml")
    removed = repo.commit()
    for sha in (added, removed, base):
        git.list_files(handle, base, "")
        assert git.list_files(handle, sha, "") == _ls_tree(handle, sha, "")


def test_changed_paths_and_grep(repo: GitRepo) -> None:
    handle = git.open_repo(repo.path)
    base = git.resolve_commit(handle, "main")
    repo.edit("services/ledger-db.yaml", "tier: 1", "tier: 2")
    repo.write("untracked.yaml", "a: 1\n")
    assert git.changed_paths(handle, base, None, "") == ["services/ledger-db.yaml",
                                                         "untracked.yaml"]
    hits = git.grep_words(handle, base, "", {"name: ledger-db", "fraud-cache"})
    assert hits["services/ledger-db.yaml"] == {"name: ledger-db"}
    assert "fraud-cache" in hits["services/payments-api.yaml"]
    assert git.grep_words(handle, base, "", {"no-such-word"}) == {}


def test_catalog_outside_the_repository(repo: GitRepo, tmp_path: Path) -> None:
    with pytest.raises(ItsmctlError, match="is outside the repository"):
        git.catalog_prefix(git.open_repo(repo.path), tmp_path)


def test_readme_lists_every_change_class() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Diff", 1)[1].split("\n## ", 1)[0]
    for change_class in CHANGE_CLASSES:
        row = f"| `{change_class.id}` | {change_class.impact.label} | {change_class.summary} |"
        assert row in section


def test_the_gateway_knows_git_not_the_catalog() -> None:
    """git.py is plumbing: of itsmctl it imports only the error type (catalog knowledge,
    config and limits live in gitsources.py)."""
    import ast

    tree = ast.parse((PACKAGE / "git.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert {name for name in imported if name.startswith("itsmctl")} == {"itsmctl.errors"}


def test_a_ref_is_resolved_once_per_handle(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    handle = git.open_repo(repo.path)
    first = git.resolve_commit(handle, "main")
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(git, "_try_git", lambda *args, **kwargs: calls.append(args[1:]))
    assert git.resolve_commit(handle, "main") == first
    assert calls == []
    monkeypatch.undo()
    repo.write("services/extra.yaml", "a: 1\n")
    moved = repo.commit()
    assert git.resolve_commit(git.open_repo(repo.path), "feature") == moved  # a new handle


@pytest.mark.parametrize("impostor", ["folder", "dangling"])
def test_disk_and_git_agree_on_the_config_file(repo: GitRepo, impostor: str) -> None:
    """A folder named .itsmctl.yaml is no config, on disk and in a commit alike; a dangling
    link of that name is the config, and unreadable, on both (no silent fall-through)."""
    from itsmctl.config import find_config
    from itsmctl.gitsources import config_source

    repo.write(".itsmctl.yml", "rules: {}\n")
    if impostor == "folder":
        repo.write(".itsmctl.yaml/keep.txt", "x\n")
    else:
        (repo.path / ".itsmctl.yaml").symlink_to(repo.path / "missing.yaml")
    sha = repo.commit()
    handle = git.open_repo(repo.path)
    found = find_config(repo.path)
    assert found is not None
    for side in (None, sha):
        source = config_source(handle, side, "")
        assert source is not None and source.rel == found.name
        assert bool(source.error) == (impostor == "dangling")


def test_a_side_listing_other_paths_or_globs_gets_its_own_selection(tmp_path: Path) -> None:
    """The second side of a diff reuses the first side's selection only for the same paths
    under the same include/exclude; a path added, or other globs, selects again."""
    repo = make_repo(tmp_path / "r", catalog="catalog")
    handle = git.open_repo(repo.path)
    before = [s.rel for s in gitsources.sources_at(handle, "main", repo.path / "catalog",
                                                   Config())]
    repo.write("services/added.yaml", "apiVersion: itsm/v1\n")
    repo.commit()
    after = [s.rel for s in gitsources.sources_at(handle, "feature", repo.path / "catalog",
                                                  Config())]
    assert sorted({*before, "services/added.yaml"}) == after
    narrow = Config(exclude=("services/**",))
    kept = [s.rel for s in gitsources.sources_at(handle, "feature", repo.path / "catalog", narrow)]
    assert kept and not [r for r in kept if r.startswith("services/")]
    again = [s.rel for s in gitsources.sources_at(handle, "feature", repo.path / "catalog",
                                                  Config())]
    assert again == after
