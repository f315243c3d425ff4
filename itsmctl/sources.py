"""Where catalog bytes come from: a directory on disk today, git blobs for diff and --ref.

The loader only sees `SourceFile`s, so every command parses the same way whatever the origin.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from itsmctl.errors import ItsmctlError
from itsmctl.visible import visible


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One YAML file: `rel` is its posix path from the catalog root, `label` what users see."""

    rel: str
    label: str
    data: bytes | None = None
    error: str = ""
    size: int = 0
    read: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)
    blob: str = ""  # the git blob id when known without reading (a file in a commit)

    def bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        if self.read is None:
            return b""
        return self.read()


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a gitignore-like glob (`**` crosses folders, `*` does not) to a regex."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    # a pattern that names a folder covers everything inside it
    return re.compile(out + r"(?:/.*)?\Z")


def glob_match(rel: str, pattern: str) -> bool:
    """Match a posix relative path the way .gitignore does.

    A pattern without a slash (`*.yaml`, `drafts`) matches a name at any depth; one with a
    slash is anchored at the catalog root; either way a matched folder covers its contents.
    """
    pattern = pattern.strip().removeprefix("./").rstrip("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in rel.split("/"))
    return bool(_glob_regex(pattern).match(rel))


def matches_any(rel: str, patterns: tuple[str, ...] | list[str]) -> bool:
    return any(glob_match(rel, p) for p in patterns)


def select(rels: list[str], include: tuple[str, ...], exclude: tuple[str, ...]) -> list[str]:
    """Apply include/exclude globs; hidden folders and files are never catalog content."""
    chosen = []
    for rel in rels:
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        if matches_any(rel, include) and not matches_any(rel, exclude):
            chosen.append(rel)
    return sorted(chosen)


def _label(display_root: str, rel: str) -> str:
    """What users see: a name with bytes that are not UTF-8, or controls, shown escaped."""
    if display_root in ("", "."):
        return visible(rel)
    return visible(f"{display_root.rstrip('/')}/{rel}")


def walk_directory(root: Path) -> Iterator[tuple[str, Path]]:
    """Yield (posix rel path, absolute path) of files, and of symlinked folders (never entered)."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        linked = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in sorted(filenames + linked):
            full = Path(dirpath, name)
            yield full.relative_to(root).as_posix(), full


def directory_sources(
    root: Path, include: tuple[str, ...], exclude: tuple[str, ...], display_root: str,
    max_size: int,
) -> list[SourceFile]:
    """Read the selected files of a catalog folder; unreadable ones carry their error."""
    if not root.is_dir():
        raise ItsmctlError(
            f"catalog folder {display_root!r} does not exist or is not a folder",
            hint="pass the folder that holds your catalog YAML, e.g. `itsmctl validate catalog/`",
        )
    files = dict(walk_directory(root))
    resolved_root = root.resolve()
    folders = {rel for rel, path in files.items() if path.is_symlink() and path.is_dir()}
    chosen = [rel for rel in select(list(files), include, exclude) if rel not in folders]
    # a symlinked folder is never entered; one that leads out of the catalog is reported
    chosen += [rel for rel in select(sorted(folders), ("**",), exclude)
               if not _inside(files[rel], resolved_root)]
    return [read_source(files[rel], rel, _label(display_root, rel), resolved_root, max_size)
            for rel in sorted(chosen)]


def _inside(path: Path, root: Path) -> bool:
    """Where a symlink really leads; realpath, unlike Path.resolve, never raises on a loop."""
    return Path(os.path.realpath(path)).is_relative_to(root)


def read_source(path: Path, rel: str, label: str, root: Path, max_size: int) -> SourceFile:
    """Read one catalog file, or say why not: every reader of the disk goes through here.

    Links out of `root` are never followed, special files never opened for reading, and the
    size limit is checked before the bytes are read.
    """
    link = path.is_symlink()
    if link and not _inside(path, root):
        return SourceFile(rel, label, error="symlink points outside the catalog root (not followed)")
    try:
        # O_NONBLOCK: opening a named pipe must not hang; fstat then rejects it
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return SourceFile(rel, label, error="not a regular file (never read)")
            if info.st_size > max_size:
                return SourceFile(
                    rel, label, error=f"file is {info.st_size} bytes, over the limit of {max_size}")
            data = handle.read(max_size + 1)
    except FileNotFoundError:
        error = ("symlink target does not exist" if link
                 else "file disappeared while the catalog was being read")
        return SourceFile(rel, label, error=error)
    except OSError as exc:
        return SourceFile(rel, label, error=f"cannot read file: {exc.strerror or exc}")
    if len(data) > max_size:
        return SourceFile(rel, label, error=f"file is over the limit of {max_size} bytes")
    return SourceFile(rel, label, data=data, size=len(data))
