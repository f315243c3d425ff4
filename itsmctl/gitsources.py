"""The catalog as git holds it: its files at a commit or in the working tree, as SourceFiles.

This is where git plumbing meets catalog knowledge (which files are catalog files, which is
the config file, which are policy files, the size limit): `git.py` only lists and reads,
this module chooses. Blobs are read lazily (or in one batch by the caller), and a link or an
oversized file becomes a SourceFile carrying its error, as on disk.

    sources_at(repo, ref, catalog_root, config)        the catalog files at a ref
    commit_sources / worktree_sources(..., rels)       the same for a resolved sha / the
                                                       working tree, optionally only some paths
    matching_sources(repo, sha | None, prefix, globs)  files matching globs (policy files)
    config_source(repo, sha | None, prefix)            one side's config file (diff)
    config_at(repo, sha | None, prefix)                that file read and checked (a Config)
    refuse_empty_scope(repo, sides, prefix)            no catalog file on any side: usage error
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from itsmctl import git
from itsmctl.config import (
    CONFIG_NAMES,
    DEFAULT_INCLUDE,
    Config,
    config_name,
    find_config,
    parse_config,
)
from itsmctl.errors import ConfigError, ItsmctlError
from itsmctl.limits import DEFAULT_LIMITS
from itsmctl.sources import ReadProblem, SourceFile, read_source, select

if TYPE_CHECKING:
    from itsmctl.git import Repo


_Globs = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_LAST: list[tuple[_Globs, frozenset[str]]] = []
"""The last selection made (paths, include, exclude -> chosen): a diff's two sides mostly
list the very same paths under the same globs (an edit changes a blob, not a name)."""


def _selected(rels: Iterable[str], config: Config) -> set[str]:
    """The catalog files among `rels` under the config's include/exclude. A pure function of
    the paths and the globs, so the second side of a diff that lists the same paths takes
    the first side's selection instead of matching every path against the globs again."""
    key = (tuple(rels), config.include, config.exclude)
    if _LAST and _LAST[0][0] == key:
        return set(_LAST[0][1])
    chosen = frozenset(r for r in select(list(key[0]), config.include, config.exclude)
                       if r not in CONFIG_NAMES)
    _LAST[:] = [(key, chosen)]
    return set(chosen)


def sources_at(repo: Repo, ref: str, catalog_root: Path, config: Config) -> list[SourceFile]:
    """The catalog files at a ref as SourceFiles whose bytes are read only when parsed.

    Labels are repository-relative, so findings point at the files a pull request shows.
    """
    return commit_sources(repo, git.resolve_commit(repo, ref),
                          git.catalog_prefix(repo, catalog_root), config)


def commit_sources(repo: Repo, sha: str, prefix: str, config: Config,
                   rels: Iterable[str] | None = None,
                   reader: Callable[[str], bytes] | None = None) -> list[SourceFile]:
    """`sources_at` for an already resolved commit and catalog prefix (or only `rels`).

    `reader`: how a file's bytes are read from its blob id (default `git.read_blob`), e.g.
    from a batch the caller reads at once."""
    wanted = None if rels is None else _selected(rels, config)
    if wanted is not None and not wanted:
        return []
    return _blob_sources(repo, sha, prefix, wanted, lambda found: _selected(found, config),
                         config.limits.max_file_size, reader)


def _blob_sources(repo: Repo, sha: str, prefix: str, wanted: set[str] | None,
                  choose: Callable[[Iterable[str]], set[str]], limit: int,
                  reader: Callable[[str], bytes] | None = None) -> list[SourceFile]:
    """SourceFiles for the files `choose` keeps among those listed at a commit."""
    read = reader if reader is not None else partial(git.read_blob, repo)
    files = {f.rel: f for f in git.list_files(repo, sha, prefix, wanted)}
    out = []
    for rel in sorted(choose(files)):
        entry, label = files[rel], git.repo_path(prefix, rel)
        if entry.is_link:
            out.append(SourceFile.refused(rel, label, ReadProblem.LINK_IN_REF,
                                          "symbolic links are not followed in git refs"))
        elif entry.size > limit:
            out.append(SourceFile.refused(
                rel, label, ReadProblem.TOO_LARGE,
                f"file is {entry.size} bytes, over the limit of {limit}"))
        else:
            out.append(SourceFile(rel, label, size=entry.size, read=partial(read, entry.sha),
                                  blob=entry.sha))
    return out


def worktree_sources(repo: Repo, prefix: str, config: Config,
                     rels: Iterable[str] | None = None) -> list[SourceFile]:
    """The working tree's catalog files (tracked and untracked, not ignored), read lazily;
    or only `rels` of them."""
    chosen = _selected(git.worktree_paths(repo, prefix) if rels is None else rels, config)
    return _read_worktree(repo, prefix, chosen, config.limits.max_file_size)


def _read_worktree(repo: Repo, prefix: str, rels: Iterable[str], limit: int) -> list[SourceFile]:
    top = git.working_dir(repo)
    sources = []
    root = Path(os.path.realpath(top / prefix if prefix else top))
    for rel in sorted(rels):
        path = top / prefix / rel if prefix else top / rel
        if os.path.lexists(path):
            # the same checked reader as `validate`: links out, specials and size are findings
            sources.append(read_source(path, rel, git.repo_path(prefix, rel), root, limit))
    return sources


def matching_sources(repo: Repo, sha: str | None, prefix: str,
                     patterns: Iterable[str]) -> list[SourceFile]:
    """Files matching catalog-relative globs (policy files) at a commit, or in the working
    tree (`sha` None); the config's include/exclude do not apply."""
    globs = tuple(patterns)

    def choose(rels: Iterable[str]) -> set[str]:
        return set(select(list(rels), globs, ()))

    limit = DEFAULT_LIMITS.max_file_size
    if sha is None:
        return _read_worktree(repo, prefix, choose(git.worktree_paths(repo, prefix)), limit)
    return _blob_sources(repo, sha, prefix, None, choose, limit)


def config_source(repo: Repo, sha: str | None, prefix: str) -> SourceFile | None:
    """The catalog's own config file at a commit, or in the working tree (`sha` None); None
    when there is none. Found as `config.config_name` decides (the disk's `find_config`
    too), and read like a catalog file: a link or an oversized file carries an error."""
    limit = DEFAULT_LIMITS.max_file_size
    if sha is None:
        top = git.working_dir(repo)
        found = find_config(top / prefix if prefix else top)
        return next(iter(_read_worktree(repo, prefix, [found.name], limit)), None) \
            if found is not None else None
    listed = {f.rel for f in git.list_files(repo, sha, prefix, CONFIG_NAMES)}
    name = config_name(listed.__contains__)
    if name is None:
        return None
    return next(iter(_blob_sources(repo, sha, prefix, {name}, lambda rels: {name}, limit)), None)


def config_at(repo: Repo, sha: str | None, prefix: str) -> Config | None:
    """One side's config, found, read and checked as `load_config` does on disk; None when
    the side has no config file. Unreadable or invalid: a ConfigError with file:line."""
    source = config_source(repo, sha, prefix)
    if source is None:
        return None
    if source.error:
        raise ConfigError(f"config file not read: {source.error}", location=source.label,
                          hint="keep .itsmctl.yaml a regular file inside the catalog folder")
    return parse_config(source.bytes(), source.label, source.rel)


def refuse_empty_scope(repo: Repo, sides: Iterable[tuple[str | None, str, Config]],
                       prefix: str) -> None:
    """Raise unless some side (sha, or None for the working tree; its label; its config)
    holds a catalog file under `prefix`.

    A wrong path (`diff catalogue/`) or a wrong ref (one from before the catalog existed)
    selects nothing at all, and comparing nothing with nothing would pass cleanly. One side
    without files is fine (the pull request that adds the catalog, or removes it).
    """
    counts: list[tuple[str, int, int, Config]] = []  # label, files, YAML files, config
    for sha, label, config in sides:
        rels = git.worktree_paths(repo, prefix) if sha is None else {
            f.rel for f in git.list_files(repo, sha, prefix)}
        if _selected(rels, config):
            return
        found = [r for r in select(sorted(rels), DEFAULT_INCLUDE, ()) if r not in CONFIG_NAMES]
        counts.append((label, len(rels), len(found), config))
    where = f"the folder {prefix!r}" if prefix else "the repository"
    labels = " nor ".join(count[0] for count in counts)
    label, files, yaml_files, config = max(counts, key=lambda c: (c[2], c[1]))
    if yaml_files:
        reason = (f"{label} has {yaml_files} YAML file(s) there, but include/exclude"
                  f" ({list(config.include)} less {list(config.exclude)}) leave none")
        hint = "narrow exclude (or widen include) in the config of that ref"
    elif files:
        reason = f"{label} has {files} file(s) there, none of them .yaml or .yml"
        hint = "pass the catalog folder (the one holding the .yaml files)"
    else:
        reason = "there is no file there"
        hint = ("check the path (the catalog folder, inside the repository) and the refs;"
                f" `git ls-tree -r --name-only <ref> -- {prefix or '.'}` lists what a ref has")
    raise ItsmctlError(f"no catalog file to check in {where} at {labels}: {reason}", hint)
