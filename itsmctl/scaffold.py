"""`init`: lay out a new catalog repository from the starter files shipped as package data.

The starter files live in `itsmctl/templates/init/`. Names that start with a dot are stored
as `dot-<name>` (`dot-github/`, `dot-itsmctl.yaml`) because wheels and globs tend to drop
hidden files. A few `__ITSMCTL_*__` tokens are filled in so that the new catalog validates
clean on the day it is created (review dates) and installs the same itsmctl version.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from itsmctl import __version__, runcontext
from itsmctl.atomic import write_bytes_atomic
from itsmctl.errors import ItsmctlError
from itsmctl.visible import visible

TEMPLATE_ROOT = ("templates", "init")
SCHEMA_FOLDER = "schemas"
_DOT_PREFIX = "dot-"


@dataclass(frozen=True, slots=True)
class ScaffoldFile:
    """One file of the new repository: its posix path from the root, and its bytes."""

    rel: str
    data: bytes


@dataclass(frozen=True)
class ScaffoldResult:
    """What `init` wrote: new files, the existing ones replaced because of --force, and the
    existing ones left as they were (without --force)."""

    root: Path
    created: tuple[str, ...]
    overwritten: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    in_repository: bool = False  # `root` is inside a git work tree: the next step is no `git init`

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted(self.created + self.overwritten))


def _template_dir() -> Traversable:
    node = files("itsmctl")
    for part in TEMPLATE_ROOT:
        node = node.joinpath(part)
    return node


def _walk(node: Traversable, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, bytes]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__" or child.name.startswith("."):
            continue
        name = "." + child.name[len(_DOT_PREFIX):] if child.name.startswith(_DOT_PREFIX) \
            else child.name
        if child.is_dir():
            yield from _walk(child, (*prefix, name))
        else:
            yield "/".join((*prefix, name)), child.read_bytes()


def _tokens(today: date) -> dict[str, str]:
    next_year = date(today.year + 1, today.month, min(today.day, 28))
    return {
        "__ITSMCTL_TODAY__": today.isoformat(),
        "__ITSMCTL_NEXT_YEAR__": next_year.isoformat(),
        "__ITSMCTL_YEAR__": str(today.year),
        "__ITSMCTL_NEXT_YEAR_NUMBER__": str(today.year + 1),
        "__ITSMCTL_VERSION__": __version__,
    }


def _fill(data: bytes, tokens: dict[str, str]) -> bytes:
    text = data.decode("utf-8")
    for token, value in tokens.items():
        text = text.replace(token, value)
    return text.encode("utf-8")


def scaffold_files(today: date) -> list[ScaffoldFile]:
    """Every file `init` writes, in path order: the starter catalog plus the JSON Schemas."""
    from itsmctl.schemas import schema_names, schema_text

    tokens = _tokens(today)
    out = [ScaffoldFile(rel, _fill(data, tokens)) for rel, data in _walk(_template_dir())]
    out += [ScaffoldFile(f"{SCHEMA_FOLDER}/{name}", schema_text(name).encode("utf-8"))
            for name in schema_names()]
    return sorted(out, key=lambda f: f.rel)


def init_catalog(target: Path, *, force: bool = False, today: date | None = None) -> ScaffoldResult:
    """Write the starter repository into `target`: what is missing, and (`force`) what exists.

    Into an existing repository it adds only the files it lacks: an existing file (or link)
    is never replaced without `force`, and is reported as skipped. A link is never written
    through nor replaced (see `refuse_links`).
    """
    if target.exists() and not target.is_dir():
        raise ItsmctlError(f"{target} exists and is not a folder",
                           "pass a new or existing folder, e.g. `itsmctl init my-catalog`")
    plan = scaffold_files(today or runcontext.clock_today())
    existing = {f.rel for f in plan if os.path.lexists(target / f.rel)}
    refuse_links(target, [item.rel for item in plan], existing, force)
    for item in plan:
        if force or item.rel not in existing:
            write_bytes_atomic(target / item.rel, item.data)
    return ScaffoldResult(
        root=target,
        created=tuple(f.rel for f in plan if f.rel not in existing),
        overwritten=tuple(sorted(existing)) if force else (),
        skipped=() if force else tuple(sorted(existing)),
        in_repository=inside_work_tree(target),
    )


def inside_work_tree(folder: Path) -> bool:
    """Whether `folder` or a folder above it holds `.git` (a folder, or the file of a linked
    work tree or submodule): what `git init`'s advice depends on, without running git."""
    here = folder.resolve()
    return any(os.path.lexists(up / ".git") for up in (here, *here.parents))


def refuse_links(target: Path, plan: list[str], existing: set[str], force: bool,
                 command: str = "init") -> None:
    """Refuse, before writing anything, every link `command` (`init`, `import`) would write
    through or replace; `plan` holds the posix paths of the files it writes.

    A cloned repository can hold `schemas -> /elsewhere` or `README.md -> ~/.bashrc`:
    writing the scaffold there would change files outside the folder the user named. So the
    target folder itself, any folder on the way to a scaffold file, and (with `force`) a
    file about to be overwritten must not be a link. A file link that is only skipped
    (no `force`) is left alone: nothing is written through it.
    """
    links: dict[str, str] = {}
    if target.is_symlink():
        links["."] = os.readlink(target)
    for item in plan:
        parts = item.split("/")
        for depth in range(1, len(parts) + 1):
            rel = "/".join(parts[:depth])
            if rel in links:
                continue
            is_file = depth == len(parts)
            if is_file and not (force and rel in existing):
                continue
            path = target.joinpath(*parts[:depth])
            if path.is_symlink():
                links[rel] = os.readlink(path)
    if links:
        shown = ", ".join(f"{visible(rel)} -> {visible(dest)}"
                          for rel, dest in sorted(links.items()))
        raise ItsmctlError(
            f"refusing to write through links in {visible(str(target))}: {shown}",
            f"{command} never follows or replaces a link; replace each with a real folder or"
            f" file (or pass the folder a link points to), then run {command} again")
