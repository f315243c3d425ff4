"""The one loader: source files in, a Catalog plus the findings of loading out.

validate, diff (git blobs) and render (disk or --ref) all come through `load_sources`.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsmctl.catalog import Catalog
from itsmctl.config import CONFIG_NAMES, Config
from itsmctl.findings import Finding, Severity
from itsmctl.limits import Limits
from itsmctl.model import API_VERSION, KINDS, Entity, canonical_kind
from itsmctl.parallelparse import parse_all
from itsmctl.parsecache import ParseCache, decode_many, encode, judge, key_head, keyed, rebuild
from itsmctl.sources import SourceFile, directory_sources
from itsmctl.unparsed import UNPARSED_RULES, apparent_entities
from itsmctl.yamlload import Document, ParsedFile


@dataclass
class LoadResult:
    catalog: Catalog
    findings: list[Finding] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    documents: int = 0


def load_directory(root: Path, config: Config, display_root: str | None = None,
                   memo: ParseMemo | None = None) -> LoadResult:
    """Load the catalog folder `root` as selected by the config."""
    return load_sources(directory_files(root, config, display_root), config.limits, memo)


def directory_files(root: Path, config: Config,
                    display_root: str | None = None) -> list[SourceFile]:
    """The files `load_directory` loads, read but not parsed: validate keys its result memo
    by them, so a hit decodes no parse at all (itsmctl/validate.py)."""
    label = display_root if display_root is not None else str(root)
    sources = directory_sources(
        root, config.include, config.exclude, _normalise(label), config.limits.max_file_size
    )
    own = _config_rel(root, config)
    sources = [s for s in sources if s.rel not in CONFIG_NAMES and s.rel != own]
    if not sources and config.file:
        _nothing_selected(root, config)
    return sources


def _nothing_selected(root: Path, config: Config) -> None:
    """A config that leaves no file to validate while the catalog holds YAML would pass
    every check with "0 files": that is a configuration error, not a clean result."""
    from itsmctl.config import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, config_location
    from itsmctl.errors import ConfigError
    from itsmctl.sources import select, walk_directory

    rels = [rel for rel, _ in walk_directory(root)]
    found = [r for r in select(rels, DEFAULT_INCLUDE, DEFAULT_EXCLUDE) if r not in CONFIG_NAMES]
    if found:
        key = "exclude" if "exclude" in config.raw else "include"
        where = (config_location(config.source, (key,)) if config.source is not None
                 else config.file)
        raise ConfigError(
            f"include/exclude leave no file to validate, but the catalog holds {len(found)}"
            f" YAML file(s), e.g. {found[0]}", "narrow exclude (or widen include) so the"
            " catalog's files are checked", where)


def _config_rel(root: Path, config: Config) -> str | None:
    """Where a config given with --config sits inside the catalog, if it does (not an entity)."""
    if not config.file:
        return None
    try:
        return Path(os.path.realpath(config.file)).relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return None


def _normalise(label: str) -> str:
    text = Path(label).as_posix()
    return "" if text in (".", "./") else text.rstrip("/")


def names_from_root(display_root: str) -> bool:
    """Whether a load under `display_root` names its files from the catalog root (`""`,
    `.`): the same load, file for file and label for label, as under `""`."""
    return _normalise(display_root) == ""


@dataclass(frozen=True)
class FilePart:
    """What one file contributes to a load: its entities, findings and document count."""

    source: SourceFile
    entities: tuple[Entity, ...]
    findings: tuple[Finding, ...]
    documents: int


def part_of(parsed: ParsedFile) -> FilePart:
    """A file's entities from its parse (cheap: the envelope only)."""
    findings = list(parsed.findings)
    entities = [e for d in parsed.documents if (e := _entity(d, findings)) is not None]
    return FilePart(parsed.source, tuple(entities), tuple(findings), len(parsed.documents))


def blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob (`git hash-object`), so a file on disk and a
    blob in a commit with the same content share one memo entry."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class ParseMemo:
    """Per-file parse results of one run, keyed by (label, git blob id, limits).

    A diff reads two trees that mostly share their files: a file with the same path and the
    same blob on both sides is parsed once. The key is the content itself, so a hit gives
    exactly what parsing again would (findings carry the label, parsing obeys the limits).
    With a persistent `cache` (itsmctl/parsecache.py) the same holds across runs, and files
    that must be parsed are parsed on every core when there are enough of them.
    """

    def __init__(self, cache: ParseCache | None = None, workers: int | None = None) -> None:
        # by limits, then (label, blob id): a run has one or two limits, so each is hashed
        # once per batch of files, not once per file (a Limits hashes all its fields)
        self._parts: dict[Limits, dict[tuple[str, str], FilePart]] = {}
        self.cache = cache
        self.workers = workers  # None: as many as the machine has cores for us
        self.parsed = 0  # files actually parsed (neither in this run's memo nor the cache)
        self.cached = 0  # files taken from the persistent cache

    def knows(self, source: SourceFile, limits: Limits) -> bool:
        """Whether this run already holds the parse of `source` (its bytes are not needed)."""
        key = _memo_key(source) if source.blob or source.error else None
        return key is not None and key in self._parts.get(limits, {})

    def part(self, source: SourceFile, limits: Limits) -> FilePart:
        return self.parts([source], limits)[0]

    def parts(self, sources: list[SourceFile], limits: Limits) -> list[FilePart]:
        """The parts of `sources`, in order: memo, then cache, then parsing what is left."""
        known = self._parts.setdefault(limits, {})
        keys = [_memo_key(s) for s in sources]
        missing = [i for i, k in enumerate(keys) if k is None or k not in known]
        fresh = self._from_cache(sources, keys, missing, limits)
        todo = [i for i in missing if i not in fresh]
        parsed = parse_all([sources[i] for i in todo], limits, self.workers)
        self.parsed += len(todo)
        for i, result in zip(todo, parsed, strict=True):
            fresh[i] = part_of(result)
        self._to_cache(sources, keys, todo, parsed, limits)
        out: list[FilePart] = []
        for i, key in enumerate(keys):
            if key is None:
                out.append(fresh[i])
            else:
                out.append(known.setdefault(key, fresh[i]) if i in fresh else known[key])
        return out

    def _from_cache(self, sources: list[SourceFile], keys: list[tuple[str, str] | None],
                    missing: list[int], limits: Limits) -> dict[int, FilePart]:
        if self.cache is None:
            return {}
        head = key_head(limits)
        wanted = [(i, keyed(head, *key)) for i in missing if (key := keys[i]) is not None]
        found: dict[int, FilePart] = {}
        for start in range(0, len(wanted), _CACHE_BATCH):  # batches bound the memory held
            batch = wanted[start:start + _CACHE_BATCH]
            payloads = self.cache.get_many(key for _, key in batch)
            hits = [(i, key) for i, key in batch if key in payloads]
            bodies = decode_many([payloads[key] for _, key in hits])
            for (i, _), body in zip(hits, bodies, strict=True):
                parsed = rebuild(body, sources[i]) if body is not None else None
                if parsed is not None:
                    found[i] = part_of(parsed)
        self.cached += len(found)
        return found

    def _to_cache(self, sources: list[SourceFile], keys: list[tuple[str, str] | None],
                  todo: list[int], parsed: list[ParsedFile], limits: Limits) -> None:
        if self.cache is None:
            return
        head = key_head(limits)
        entries = {keyed(head, *key): encode(judge(p))
                   for i, p in zip(todo, parsed, strict=True) if (key := keys[i]) is not None}
        self.cache.put_many(entries)


_CACHE_BATCH = 2000  # files read from the cache at a time


def _memo_key(source: SourceFile) -> tuple[str, str] | None:
    """A file's key under one limits (label, blob id); None for a file that could not be
    read: its finding is made afresh, never stored."""
    if source.error:
        return None
    return (source.label, source.blob or blob_id(source.bytes()))


def load_sources(sources: Iterable[SourceFile], limits: Limits,
                 memo: ParseMemo | None = None) -> LoadResult:
    """Load files in the order given; `memo` reuses parses of identical files in this run
    (and, with its cache, of earlier runs)."""
    listed = list(sources)
    parts = (memo.parts(listed, limits) if memo is not None
             else [part_of(parsed) for parsed in parse_all(listed, limits)])
    result = LoadResult(Catalog())
    for part in parts:
        result.sources[part.source.label] = part.source
        result.findings.extend(part.findings)
        result.documents += part.documents
        for entity in part.entities:
            register_entity(result, entity)
        if part.findings and any(f.rule in UNPARSED_RULES and not f.entity
                                 for f in part.findings):
            for ref in apparent_entities(part.source):
                result.catalog.unparsed.setdefault(ref, part.source.label)
    _duplicates(result)
    return result


def register_entity(result: LoadResult, entity: Entity) -> None:
    """Add an entity to a load result (a duplicate name is reported by `_duplicates`)."""
    result.catalog.add(entity)


SHOWN_COPIES = 3
"""How many other definitions a duplicate-name finding names: k copies listing each other
would be k² in size (a pull request can hold thousands)."""


def _duplicates(result: LoadResult) -> None:
    """Every definition of a name defined more than once is a finding at its own place; each
    names the first other definitions in file order, then how many more there are."""
    for ref, copies in result.catalog.duplicates.items():
        for entity in copies:
            shown = [o for o in copies[:SHOWN_COPIES + 1] if o is not entity][:SHOWN_COPIES]
            others = ", ".join(f"{o.file}:{o.line}" for o in shown)
            if len(copies) - 1 > len(shown):
                others += f" and {len(copies) - 1 - len(shown)} more"
            result.findings.append(entity.finding(
                "duplicate-name",
                f"{ref.kind} {ref.name!r} is also defined in {others}; no copy is used"
                " (references to it resolve to none) until the names are unique",
                ("metadata", "name"), "names are unique per kind; rename or remove all"
                " copies but one"))


def _entity(document: Document, findings: list[Finding]) -> Entity | None:
    """Read the envelope; a document we cannot identify is a finding, not an entity."""
    data: Any = document.data
    label = document.source.label

    def problem(rule: str, message: str, hint: str, path: tuple[str, ...] = ()) -> None:
        line = document.line if not path else None
        findings.append(Finding(rule, Severity.ERROR, message, label, line, 1 if not path else None,
                                path=path, hint=hint, doc=document.index))

    if not isinstance(data, dict):
        problem("envelope", f"document {document.index + 1} is a {type(data).__name__},"
                " not a mapping", "each document is one entity: apiVersion, kind, metadata, spec")
        return None
    api_version, kind_text = data.get("apiVersion"), data.get("kind")
    if api_version != API_VERSION:
        problem("unknown-api-version", f"apiVersion {api_version!r:.80} is not supported",
                f"use apiVersion: {API_VERSION}", ("apiVersion",) if "apiVersion" in data else ())
        return None
    kind = canonical_kind(kind_text) if isinstance(kind_text, str) else None
    if kind is None or kind != kind_text:
        close = ([kind] if kind else []) or difflib.get_close_matches(
            str(kind_text), KINDS, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]}?" if close else f"kinds: {', '.join(KINDS)}"
        if kind:
            hint += " (kinds are case-sensitive)"
        problem("unknown-kind", f"unknown kind {kind_text!r:.80}", hint,
                ("kind",) if "kind" in data else ())
        return None
    metadata = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    spec = data["spec"] if isinstance(data.get("spec"), dict) else {}
    name = metadata["name"] if isinstance(metadata.get("name"), str) else ""
    return Entity(kind, name, metadata, spec, document)
