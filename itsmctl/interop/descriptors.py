"""Read Backstage descriptor files: folders and files, multi-document, `Location`s followed.

Input is hostile: every file goes through the one reader (`sources.read_source`: size limit
before reading, no special files, no symlink out of its root) and the one YAML parser
(`yamlload.parse_source`: no tags, bounded aliases and depth). A `Location` is followed only
to local files inside the roots the user named (a file root's folder counts as its root);
URLs and anything outside are reported, never fetched or read. At most `max_files` files.
A glob target is matched against the files below its Location's folder, listed once per
folder, and at most `max_glob_paths` paths in all: a Location of 70,000 glob targets over
10,000 files would otherwise match 700 million paths (hours).
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from itsmctl.findings import Finding, JsonPath, Severity
from itsmctl.globs import glob_match
from itsmctl.limits import Limits
from itsmctl.sources import SourceFile, read_source, walk_directory
from itsmctl.yamlload import parse_source

BACKSTAGE_API_PREFIX = "backstage.io/"
YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILES = 10_000
MAX_GLOB_PATHS = 1_000_000  # paths Location globs are matched against, per import (seconds)


@dataclass(frozen=True, slots=True)
class Descriptor:
    """One Backstage entity document and where it was read."""

    data: dict[str, Any]
    source: SourceFile
    doc: int

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def name(self) -> str:
        meta = self.data.get("metadata")
        return str(meta.get("name", "")) if isinstance(meta, dict) else ""

    @property
    def namespace(self) -> str:
        meta = self.data.get("metadata")
        value = meta.get("namespace") if isinstance(meta, dict) else None
        return value.lower() if isinstance(value, str) and value else "default"

    def get(self, *path: str) -> Any:
        node: Any = self.data
        for part in path:
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    def finding(self, rule: str, message: str, path: JsonPath = (), hint: str = "",
                severity: Severity = Severity.ERROR) -> Finding:
        return Finding(rule, severity, message, self.source.label, path=path, hint=hint,
                       entity=f"{self.kind}:{self.name}", doc=self.doc)


@dataclass
class ReadResult:
    descriptors: list[Descriptor] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Root:
    real: Path
    label: str


class _Reader:
    def __init__(self, roots: list[_Root], limits: Limits, max_files: int,
                 max_glob_paths: int) -> None:
        self.roots = roots
        self.limits = limits
        self.max_files = max_files
        self.glob_paths = max_glob_paths  # what is left of the budget
        self.max_glob_paths = max_glob_paths
        self.listed: dict[Path, list[tuple[str, Path]]] = {}  # folder -> its files, once
        self.seen: set[Path] = set()
        self.queue: deque[Path] = deque()
        self.result = ReadResult()

    def root_of(self, real: Path) -> _Root | None:
        return next((r for r in self.roots if real.is_relative_to(r.real)), None)

    def enqueue(self, path: Path) -> None:
        real = Path(os.path.realpath(path))
        if real not in self.seen:
            self.seen.add(real)
            self.queue.append(path)

    def run(self) -> ReadResult:
        while self.queue:
            if len(self.result.sources) >= self.max_files:
                self.result.findings.append(Finding(
                    "import-too-many-files", Severity.ERROR,
                    f"more than {self.max_files} descriptor files; the rest were not read", "-",
                    hint="import a smaller set of folders at a time"))
                break
            self.read(self.queue.popleft())
        return self.result

    def read(self, path: Path) -> None:
        real = Path(os.path.realpath(path))
        root = self.root_of(real)
        if root is None:  # only a symlinked file given on the command line gets here
            return
        rel = real.relative_to(root.real).as_posix()
        label = f"{root.label}/{rel}" if root.label not in ("", ".") else rel
        source = read_source(path, rel, label, root.real, self.limits.max_file_size)
        self.result.sources[label] = source
        parsed = parse_source(source, self.limits)
        self.result.findings.extend(parsed.findings)
        for document in parsed.documents:
            self.document(source, document.index, document.data, real.parent)

    def document(self, source: SourceFile, doc: int, data: Any, folder: Path) -> None:
        if data is None:
            return
        api = data.get("apiVersion") if isinstance(data, dict) else None
        if not isinstance(api, str) or not api.startswith(BACKSTAGE_API_PREFIX):
            self.result.findings.append(Finding(
                "import-not-backstage", Severity.INFO,
                "document is not a Backstage entity (apiVersion backstage.io/...); skipped",
                source.label, path=("apiVersion",) if isinstance(data, dict) else (), doc=doc))
            return
        descriptor = Descriptor(data, source, doc)
        self.result.descriptors.append(descriptor)
        if descriptor.kind == "Location":
            self.location(descriptor, folder)

    def location(self, descriptor: Descriptor, folder: Path) -> None:
        spec = descriptor.get("spec")
        if not isinstance(spec, dict):
            return
        kind = spec.get("type", "file")
        targets: list[tuple[JsonPath, Any]] = [(("spec", "target"), spec.get("target"))]
        if isinstance(spec.get("targets"), list):
            targets += [(("spec", "targets", i), t) for i, t in enumerate(spec["targets"])]
        unmatched: list[JsonPath] = []
        for path, target in targets:
            if not isinstance(target, str) or not target:
                continue
            if kind != "file" or "://" in target:
                descriptor_note(self.result, descriptor, path,
                                f"Location target {target!r} is not a local file; not followed",
                                "import the files it points at by passing their folder")
                continue
            if not self.follow(descriptor, path, folder, target):
                unmatched.append(path)
        if unmatched:
            descriptor_note(self.result, descriptor, unmatched[0],
                            f"{len(unmatched)} glob target(s) of this Location not followed:"
                            f" Location globs were matched against {self.max_glob_paths:,}"
                            " paths already", "import the folders they point at instead")

    def follow(self, descriptor: Descriptor, path: JsonPath, folder: Path, target: str
               ) -> bool:
        """Read what `target` names; False when it is a glob past the budget."""
        matches = self.expand(folder, target)
        if matches is None:
            return False
        inside = [m for m in matches if self.root_of(Path(os.path.realpath(m)))]
        if not inside:
            reason = "is outside the folders given" if matches else "matches no file"
            descriptor_note(self.result, descriptor, path,
                            f"Location target {target!r} {reason}; not followed",
                            "targets are followed only to files inside the paths you import")
        for match in inside:
            self.enqueue(match)
        return True

    def expand(self, folder: Path, target: str) -> list[Path] | None:
        """A Location target relative to its file's folder; `*` and `**` globs allowed.
        None when a glob would take the paths matched past `max_glob_paths`."""
        if "*" not in target and "?" not in target:
            candidate = folder / target
            return [candidate] if candidate.is_file() else []
        pattern = os.path.normpath(target).replace(os.sep, "/")
        if pattern.startswith(("../", "/")):
            return []  # a glob is expanded only below its Location's folder
        listed = self.listed.get(folder)
        if listed is None:  # never more of a folder than the budget holds
            listed = self.listed[folder] = list(islice(walk_directory(folder),
                                                       self.glob_paths + 1))
        if len(listed) > self.glob_paths:
            return None
        self.glob_paths -= len(listed)
        found = [p for rel, p in listed if glob_match(rel, pattern)]
        return sorted(p for p in found if p.is_file())


def descriptor_note(result: ReadResult, descriptor: Descriptor, path: JsonPath, message: str,
                    hint: str) -> None:
    result.findings.append(descriptor.finding("import-location-not-followed", message, path,
                                              hint, Severity.WARNING))


def _walk_root(path: Path) -> list[Path]:
    return [p for _, p in walk_directory(path) if p.suffix in YAML_SUFFIXES and p.is_file()]


def read_descriptors(paths: list[Path], limits: Limits, max_files: int = MAX_FILES,
                     max_glob_paths: int = MAX_GLOB_PATHS) -> ReadResult:
    """Read every Backstage entity under `paths` (files or folders), following Locations,
    under the run's parse `limits`."""
    roots = []
    for path in paths:
        real = Path(os.path.realpath(path))
        folder = real if real.is_dir() else real.parent
        shown = path if path.is_dir() else path.parent
        roots.append(_Root(folder, shown.as_posix()))
    reader = _Reader(roots, limits, max_files, max_glob_paths)
    for path in paths:
        for file in (_walk_root(path) if path.is_dir() else [path]):
            reader.enqueue(file)
    result = reader.run()
    return result
