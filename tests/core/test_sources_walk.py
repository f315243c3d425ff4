"""The catalog walk lists what os.walk listed, in the same order (sources.walk_entries)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from itsmctl.globs import _segments_match, glob_match
from itsmctl.sources import walk_directory, walk_entries


def os_walk_listing(root: Path) -> Iterator[tuple[str, Path]]:
    """The walk as it was written with os.walk: the reference the fast walk must equal."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        linked = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in sorted(filenames + linked):
            full = Path(dirpath, name)
            yield full.relative_to(root).as_posix(), full


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_the_walk_lists_what_os_walk_listed_in_its_order(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    for rel in ("b.yaml", "a.yml", ".hidden.yaml", "z/x.yaml", "z/a/b/c.yaml", "m/n.yaml",
                ".git/config.yaml", "z/.drafts/d.yaml", "x.yaml/inside.yaml", "notes.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("a: 1\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "m" / "inner").symlink_to(root / "z", target_is_directory=True)
    (root / "dangling.yaml").symlink_to(root / "missing.yaml")
    (root / "alias.yaml").symlink_to(root / "b.yaml")
    expected = list(os_walk_listing(root))
    assert list(walk_directory(root)) == expected
    entries = list(walk_entries(root))
    assert [(rel, Path(path)) for rel, path, _ in entries] == expected
    assert {rel for rel, _, linked in entries if linked} == {"linked", "m/inner"}
    assert len(expected) == 12


@pytest.mark.parametrize("pattern", ["**/*.yaml", "**/*.yml", "site/**", "node_modules/**",
                                     "./site/**", "site/**/", "**/*.d.yaml", "a.b/**",
                                     "**/*/x.yaml", "**/*?.yaml", "s*/**", "**/*"])
def test_the_default_globs_match_as_the_segment_matcher_does(pattern: str) -> None:
    rels = ["a.yaml", "site", "site/a.yaml", "sites/a.yaml", "x/site/a.yaml", "site/x/y.yml",
            "node_modules/p/a.yaml", "a/b.yaml/c.txt", ".yaml", "a/.yaml", "x.d.yaml",
            "a.b/c.yaml", "aXb/c.yaml", "a.yml", "deep/er/still.yaml", "site.yaml",
            "q/x.yaml", "x.yaml"]
    normal = pattern.strip().removeprefix("./").rstrip("/")
    assert [glob_match(rel, pattern) for rel in rels] == [
        _segments_match(rel, normal) for rel in rels]
