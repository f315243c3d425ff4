"""Where catalog bytes come from: a directory on disk today, git blobs for diff and --ref.

The loader only sees `SourceFile`s, so every command parses the same way whatever the origin.
"""

from __future__ import annotations

import enum
import errno
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from itsmctl.errors import ItsmctlError
from itsmctl.globs import any_matcher, matches_any
from itsmctl.visible import visible


class ReadProblem(enum.Enum):
    """Why a file's bytes were not read (`SourceFile.problem`): a kind, not a message to
    match. `rule` is the finding the loader reports, `hint` how to fix it."""

    TOO_LARGE = "over the size limit"
    LINK_OUTSIDE = "a link out of the catalog"
    LINK_IN_REF = "a link in a git ref"
    DANGLING_LINK = "a link to nothing"
    NOT_REGULAR = "not a regular file"
    VANISHED = "gone while being read"
    OS_ERROR = "not readable"

    @property
    def rule(self) -> str:
        return "file-too-large" if self is ReadProblem.TOO_LARGE else "file-unreadable"

    @property
    def hint(self) -> str:
        if self is ReadProblem.TOO_LARGE:
            return "raise settings.maxFileSize if this file is legitimate"
        return "check the file's permissions and that it stays in the catalog folder"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One YAML file: `rel` is its posix path from the catalog root, `label` what users see.

    A file that was not read carries `error` (the message) and `problem` (its kind)."""

    rel: str
    label: str
    data: bytes | None = None
    error: str = ""
    size: int = 0
    read: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)
    blob: str = ""  # the git blob id when known without reading (a file in a commit)
    problem: ReadProblem | None = None

    @classmethod
    def refused(cls, rel: str, label: str, problem: ReadProblem, message: str) -> SourceFile:
        """A file whose bytes were not read, saying why (a kind and a sentence)."""
        return cls(rel, label, error=message, problem=problem)

    def bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        if self.read is None:
            return b""
        return self.read()


YAML_SUFFIXES = (".yaml", ".yml")
_ALWAYS_EXCLUDED = ("site/**", "node_modules/**")  # config.DEFAULT_EXCLUDE
SITE_MARKER = ".itsmctl-site"  # site/pages.py writes it into every rendered site


def select(rels: list[str], include: tuple[str, ...], exclude: tuple[str, ...]) -> list[str]:
    """Apply include/exclude globs to YAML files. Hidden folders and files are never catalog
    content, nor is a rendered site (a folder holding SITE_MARKER), wherever it is; and only
    a `.yaml`/`.yml` file is (`**/*.yaml` covers a *folder* named `x.yaml` and all in it)."""
    sites = {rel.rpartition("/")[0] for rel in rels if rel.rpartition("/")[2] == SITE_MARKER}
    included, excluded = any_matcher(include), any_matcher(exclude)
    chosen = []
    for rel in rels:
        if not rel.endswith(YAML_SUFFIXES) or _hidden(rel):
            continue
        if sites and _inside_site(rel, sites):
            continue
        if included(rel) and not excluded(rel):
            chosen.append(rel)
    return sorted(chosen)


def _hidden(rel: str) -> bool:
    """Whether some part of the path starts with a dot (its first, or one after a slash)."""
    return rel.startswith(".") or "/." in rel


def _inside_site(rel: str, sites: set[str]) -> bool:
    parts = rel.split("/")
    return any("/".join(parts[:n]) in sites for n in range(len(parts)))


def _label(display_root: str, rel: str) -> str:
    """What users see: a name with bytes that are not UTF-8, or controls, shown escaped."""
    if display_root in ("", "."):
        return visible(rel)
    return visible(f"{display_root.rstrip('/')}/{rel}")


def walk_directory(root: Path) -> Iterator[tuple[str, Path]]:
    """Yield (posix rel path, absolute path) of files, and of symlinked folders (never entered)."""
    for rel, path, _ in walk_entries(root):
        yield rel, Path(path)


def walk_entries(root: Path) -> Iterator[tuple[str, str, bool]]:
    """`walk_directory` as (rel, path text, is a linked folder), in the same order: top-down,
    each folder's files and linked folders by name, then its other folders by name; hidden
    folders are not entered, nor are linked ones.

    One `scandir` per folder and no `Path` per file: at 25,000 files os.walk, `Path` and
    `relative_to` were a tenth of a warm run's loading.
    """
    stack = [("", os.fspath(root))]
    while stack:
        rel_dir, folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError:
            continue  # as os.walk: a folder that cannot be listed is skipped
        names: list[str] = []
        folders: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                names.append(entry.name)
            elif not entry.name.startswith("."):
                folders.append(entry)
        linked = {entry.name for entry in folders if entry.is_symlink()}
        prefix = rel_dir + "/" if rel_dir else ""
        for name in sorted(names + list(linked)):
            yield prefix + name, os.path.join(folder, name), name in linked
        for entry in sorted((e for e in folders if e.name not in linked),
                            key=lambda e: e.name, reverse=True):
            stack.append((prefix + entry.name, os.path.join(folder, entry.name)))


def directory_sources(
    root: Path, include: tuple[str, ...], exclude: tuple[str, ...], display_root: str,
    max_size: int, links: bool = True,
) -> list[SourceFile]:
    """Read the selected files of a catalog folder; unreadable ones carry their error.

    `links`: add each linked folder that leads out of the catalog, as a source carrying its
    error (the catalog reports it as a finding; policy files leave it to the catalog)."""
    if not root.is_dir():
        raise ItsmctlError(
            f"catalog folder {display_root!r} does not exist or is not a folder",
            hint="pass the folder that holds your catalog YAML, e.g. `itsmctl validate catalog/`",
        )
    todo = _chosen(root, include, exclude, links)
    todo.reverse()  # read in order, popping each path as it is read
    resolved_root = root.resolve()
    read = []
    while todo:
        rel, path = todo.pop()
        read.append(read_source(path, rel, _label(display_root, rel), resolved_root, max_size))
    return read


def _chosen(root: Path, include: tuple[str, ...], exclude: tuple[str, ...],
            links: bool) -> list[tuple[str, str]]:
    """The (rel, path) of each file `directory_sources` reads, by rel. Only these outlive
    the walk, and each path is let go once read: the walk's entries and paths of every file
    were an eighth of a memo hit's memory at 100,000 services (its peak, the bytes read)."""
    entries = list(walk_entries(root))
    files = {rel: path for rel, path, _ in entries}
    resolved_root = root.resolve()
    folders = {rel for rel, path, linked in entries if linked and os.path.isdir(path)}
    del entries
    chosen = [rel for rel in select(list(files), include, exclude) if rel not in folders]
    # a symlinked folder is never entered; one that leads out of the catalog is reported
    # whatever the config excludes (policyFiles included): only the built-in excludes apply
    chosen += [rel for rel in sorted(folders) if links and not _hidden(rel)
               and not matches_any(rel, _ALWAYS_EXCLUDED)
               and not _inside(files[rel], resolved_root)]
    return [(rel, files[rel]) for rel in sorted(chosen)]


def _inside(path: Path | str, root: Path) -> bool:
    """Where a symlink really leads; realpath, unlike Path.resolve, never raises on a loop."""
    return Path(os.path.realpath(path)).is_relative_to(root)


# O_NONBLOCK: opening a named pipe must not hang; fstat then rejects it
_READING = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_GONE_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_GONE_WINERRORS = (21, 123, 1921)  # not ready, invalid name, cannot resolve the name


def _is_link(path: Path | str) -> bool:
    """`Path.is_symlink` without building a Path: the same errors mean "no", others raise."""
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError as error:
        if error.errno in _GONE_ERRNOS or getattr(error, "winerror", None) in _GONE_WINERRORS:
            return False
        raise


def read_source(path: Path | str, rel: str, label: str, root: Path, max_size: int) -> SourceFile:
    """Read one catalog file, or say why not: every reader of the disk goes through here.

    Links out of `root` are never followed, special files never opened for reading, and the
    size limit is checked before the bytes are read.
    """
    fd = _open_not_link(path)
    link = False
    if fd is None:
        link = _is_link(path)
        if link and not _inside(path, root):
            return SourceFile.refused(rel, label, ReadProblem.LINK_OUTSIDE,
                                      "symlink points outside the catalog root (not followed)")
    try:
        if fd is None:
            fd = os.open(path, _READING)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return SourceFile.refused(rel, label, ReadProblem.NOT_REGULAR,
                                          "not a regular file (never read)")
            if info.st_size > max_size:
                return SourceFile.refused(
                    rel, label, ReadProblem.TOO_LARGE,
                    f"file is {info.st_size} bytes, over the limit of {max_size}")
            # ask for the size seen (+1), not the limit: a buffer of the limit (1 MiB) per
            # file was most of reading a large catalog; a file that grew meanwhile is read on
            data = _read_upto(fd, info.st_size + 1, info.st_size)
            if len(data) > info.st_size:
                data += _read_upto(fd, max_size + 1 - len(data))
        finally:
            os.close(fd)
    except FileNotFoundError:
        if link:
            return SourceFile.refused(rel, label, ReadProblem.DANGLING_LINK,
                                      "symlink target does not exist")
        return SourceFile.refused(rel, label, ReadProblem.VANISHED,
                                  "file disappeared while the catalog was being read")
    except OSError as exc:
        return SourceFile.refused(rel, label, ReadProblem.OS_ERROR,
                                  f"cannot read file: {exc.strerror or exc}")
    if len(data) > max_size:
        return SourceFile.refused(rel, label, ReadProblem.TOO_LARGE,
                                  f"file is over the limit of {max_size} bytes")
    return SourceFile(rel, label, data=data, size=len(data))


def _open_not_link(path: Path | str) -> int | None:
    """The file opened for reading if it is not a link (O_NOFOLLOW refuses one), else None:
    one system call where looking (lstat) and opening were two. On any failure, or where
    there is no O_NOFOLLOW, None: `read_source` then looks at it as before."""
    if not _NOFOLLOW:
        return None
    try:
        return os.open(path, _READING | _NOFOLLOW)
    except OSError:
        return None


def _read_upto(fd: int, size: int, seen: int = -1) -> bytes:
    """Up to `size` bytes from `fd`, fewer only at the end of the file (what a buffered
    file's `read(size)` gives, without a buffered file per file: 23 -> 11 us a file), or
    once it has read `seen` bytes, the size fstat saw: the read that would find the end
    then finds bytes only where the file grew after fstat, a race no reading settles (a
    file that grew before the first read gives it `seen` + 1 bytes and is read on)."""
    data = os.read(fd, size)
    while data and len(data) < size and len(data) != seen:  # a short read: the end, or
        more = os.read(fd, size - len(data))  # more to come (network and FUSE file systems)
        if not more:
            break
        data += more
    return data
