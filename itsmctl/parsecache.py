"""A persistent, content-addressed cache of parsed catalog files.

Most files of a pull request are the files of its base branch: parsing them again on every run
is work done twice. An entry is keyed by what decides the parse and its stored schema verdicts
and nothing else (the file's git blob id, the label its findings carry, the parse limits, a
digest of itsmctl's own files, and the versions of Python and of the libraries parsing and
judging read, libyaml's presence included), so a hit gives exactly what parsing again would.
Entries are data only (JSON in SQLite, never pickle or anything that executes on load) with a
checksum: a corrupt entry is detected and parsed again, a poisoned one can at worst be wrong,
which is why only trusted runs (the default branch) should write a cache that pull requests
read (SECURITY.md).

SQLite gives atomic, concurrent-safe writes and a least-recently-used index in the standard
library; the size is bounded by evicting the entries used longest ago.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from itsmctl import __version__
from itsmctl.findings import Finding, Severity
from itsmctl.limits import Limits
from itsmctl.schemas import VERDICT_REVISION, schema_names, schema_text, schema_verdict
from itsmctl.sources import SourceFile
from itsmctl.yamlload import REVISION, Document, ParsedFile

FORMAT = 1  # the payload layout below; a change makes every older entry a miss
DB_NAME = f"parses-v{FORMAT}.sqlite"
DEFAULT_MAX_BYTES = 1 << 30  # 1 GiB: about ten 10,000-service catalogs
_BATCH = 500  # keys per SQL statement (SQLite allows 32,766 variables; stay far below)
# what a parse and a schema verdict read beyond the file: the loader (PyYAML, libyaml or not),
# the schema validator and its format checks (itsmctl/formats.py uses `regex`)
LIBRARIES = ("PyYAML", "jsonschema", "jsonschema-specifications", "referencing", "rpds-py",
             "regex")


def default_directory(environ: Mapping[str, str] | None = None) -> Path:
    """`ITSMCTL_CACHE_DIR`, else `$XDG_CACHE_HOME/itsmctl`, else `~/.cache/itsmctl`."""
    env = os.environ if environ is None else environ
    if env.get("ITSMCTL_CACHE_DIR"):
        return Path(env["ITSMCTL_CACHE_DIR"])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "itsmctl"


def max_bytes_from(environ: Mapping[str, str] | None = None) -> int:
    """`ITSMCTL_CACHE_MAX_MB` bounds the cache (default 1,024 MB); a bad value is the default."""
    text = (os.environ if environ is None else environ).get("ITSMCTL_CACHE_MAX_MB", "")
    if text.isdigit() and 0 < len(text) <= 7:
        return int(text) << 20
    return DEFAULT_MAX_BYTES


def entry_key(label: str, blob: str, limits: Limits) -> str:
    """Everything a parse depends on: content, label (findings carry it), versions, limits,
    and (for the schema verdicts stored with it) the built-in schemas."""
    return keyed(key_head(limits), label, blob)


def key_head(limits: Limits) -> str:
    """What every key under `limits` starts with: worked out once per batch of files (a
    dataclass's repr costs more than hashing one file's key)."""
    return f"{_salt()}\0{limits!r}"


def keyed(head: str, label: str, blob: str) -> str:
    """`entry_key` of a file, given its limits' `key_head`."""
    text = f"{head}\0{label}\0{blob}"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


@cache
def _salt() -> str:
    """What every entry depends on beyond its file: itsmctl's own files (the loader, the
    schemas, the fast checks and format checker that make the verdicts: its version number
    does not change between commits), Python's and the libraries' versions, libyaml or not."""
    schemas = "\0".join(schema_text(name) for name in schema_names())
    digest = hashlib.blake2b(schemas.encode("utf-8"), digest_size=16).hexdigest()
    versions = [f"{name}={library_version(name)}" for name in LIBRARIES]
    return "\0".join((__version__, package_digest(), sys.version, *versions,
                      f"libyaml {bool(getattr(yaml, '__with_libyaml__', False))}", str(FORMAT),
                      f"parser {REVISION}", f"schemas {digest}", f"verdict {VERDICT_REVISION}"))


@cache
def package_digest() -> str:
    """A digest of every file of the installed itsmctl package (code, schemas, templates),
    once per process (about 5 ms of CPU for its 1.4 MB): the parse cache and the result memo
    key by it, so an edited checkout, or another commit under the same version, misses."""
    return folder_digest(resources.files("itsmctl"))


def folder_digest(root: Traversable) -> str:
    """A digest of the names and bytes of every file under `root`, bytecode caches aside."""
    digest = hashlib.blake2b(digest_size=20)
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
            if item.name == "__pycache__":
                continue
            rel = f"{prefix}{item.name}"
            if item.is_dir():
                stack.append((item, rel + "/"))
            elif item.is_file():
                digest.update(rel.encode() + b"\0" + item.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def library_version(name: str) -> str:
    """The installed version of distribution `name`, "-" when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _checksum(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


# ---- the payload: a ParsedFile without its source, as JSON -----------------------------------

def judge(parsed: ParsedFile) -> ParsedFile:
    """Work out each document's schema verdict (`Document.valid_as`) where it is not known:
    done with the parse, on the worker's core, and stored, so the schema rule skips it."""
    for document in parsed.documents:
        if document.valid_as is None:
            document.valid_as = schema_verdict(document.data)
    return parsed


def encode(parsed: ParsedFile) -> bytes:
    """The parse as JSON bytes (ASCII: lone surrogates survive as \\u escapes), with the
    schema verdicts known (`judge`)."""
    findings = [[f.rule, int(f.severity), f.message, f.line, f.column, list(f.path), f.hint,
                 f.entity, f.doc] for f in parsed.findings]
    documents = [[d.index, d.line, d.data] for d in parsed.documents]
    body = {"d": documents, "f": findings, "e": parsed.escapes,
            "v": [d.valid_as for d in parsed.documents]}
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("ascii")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a value a parse produces")


def decode_many(payloads: list[bytes]) -> list[Any]:
    """Decode payloads in one go: JSON's key memo then shares the mapping keys of every file
    (the loader interns them for the same reason). A bad one fails only itself.

    Short string values are shared too (`_shared_object`): JSON makes a new object for every
    `hard`, `operational` or team name, and those copies were an eighth of a loaded catalog.
    """
    try:
        joined = json.loads(b"[" + b",".join(payloads) + b"]", parse_constant=_reject_constant,
                            object_hook=_shared_object)
        if isinstance(joined, list) and len(joined) == len(payloads):
            return joined
    except (ValueError, RecursionError):
        pass
    out: list[Any] = []
    for payload in payloads:
        try:
            out.append(json.loads(payload, parse_constant=_reject_constant,
                                  object_hook=_shared_object))
        except (ValueError, RecursionError):
            out.append(None)
    return out


SHARED_LENGTH = 64  # longer strings (descriptions, URLs) seldom repeat
_intern = sys.intern


def _shared_object(mapping: dict[str, Any]) -> dict[str, Any]:
    """A decoded mapping with each short string value, in it or in its lists, replaced by its
    interned copy (equal, so nothing a rule or report sees changes; only the memory held).

    Done as JSON builds each mapping (its mappings are built before it): one walk of the
    decoded payloads afterwards cost as much as decoding them. The mapping JSON built is
    changed in place (an `object_hook`: a new dict from the pairs cost a quarter more);
    replacing a key's value leaves the keys and their order as they were.
    """
    for key, item in mapping.items():
        kind = type(item)
        if kind is str:
            if len(item) <= SHARED_LENGTH:
                mapping[key] = _intern(item)
        elif kind is list:
            _share_list(item)
    return mapping


def _share_list(items: list[Any]) -> None:
    """Intern the short strings of a freshly decoded list and of the lists in it, in place."""
    for index, item in enumerate(items):
        kind = type(item)
        if kind is str:
            if len(item) <= SHARED_LENGTH:
                items[index] = _intern(item)
        elif kind is list:
            _share_list(item)


def rebuild(body: Any, source: SourceFile) -> ParsedFile | None:
    """The ParsedFile a payload describes, for `source`; None when the payload is malformed."""
    try:
        documents = [Document(source, _int(i), _int(line), data) for i, line, data in body["d"]]
        findings = [_finding(item, source.label) for item in body["f"]]
        escapes = body["e"]
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(escapes, bool):
        return None
    verdicts = body.get("v")
    if (isinstance(verdicts, list) and len(verdicts) == len(documents)
            and all(v is None or type(v) is str for v in verdicts)):
        for document, verdict in zip(documents, verdicts, strict=True):
            document.valid_as = verdict
    return ParsedFile(source, documents, findings, escapes)


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError("not an int")
    return value


def _optional_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _finding(item: Any, label: str) -> Finding:
    rule, severity, message, line, column, path, hint, entity, doc = item
    if not isinstance(path, list) or not all(type(p) in (str, int) for p in path):
        raise TypeError("bad path")
    return Finding(_text(rule), Severity(_int(severity)), _text(message), label,
                   _optional_int(line), _optional_int(column), tuple(path), _text(hint),
                   _text(entity), _int(doc))


# ---- the store -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CacheInfo:
    """What `itsmctl cache info` reports."""

    directory: str
    database: str
    entries: int
    bytes: int
    max_bytes: int
    usable: bool
    problem: str = ""
    cleared: int | None = None  # `cache clear`: how many entries it removed
    results: int = 0  # entries of the result memo beside it (itsmctl/resultmemo.py)
    results_bytes: int = 0


TOUCH_AFTER_NS = 3600 * 10**9  # how stale a hit's `used` mark may get before it is rewritten


class ParseCache:
    """The on-disk store. Every failure to use it (a read-only disk, a corrupt database) makes
    it a no-op for the run, never an error: a cache may only ever save work."""

    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                 database: str = DB_NAME) -> None:
        """`database`: the file in `directory` (the result memo keeps its own beside it)."""
        self.directory = directory
        self.path = directory / database
        self.max_bytes = max_bytes
        self.problem = ""
        self.hits = 0
        self.writes = 0
        self._db: sqlite3.Connection | None = None
        self._opened = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._opened:
            return self._db
        self._opened = True
        try:
            self._db = self._open()
        except (sqlite3.Error, OSError) as error:
            # a database that is not one (truncated, overwritten): start it afresh, once
            if isinstance(error, sqlite3.DatabaseError) and self.path.is_file():
                try:
                    self.path.unlink()
                    self._db = self._open()
                    return self._db
                except (sqlite3.Error, OSError) as again:
                    error = again
            self.problem = f"cache not used: {error}"
            self._db = None
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS parses (key TEXT PRIMARY KEY,"
                       " checksum TEXT NOT NULL, payload BLOB NOT NULL, size INTEGER NOT NULL,"
                       " used INTEGER NOT NULL)")
            db.execute("CREATE INDEX IF NOT EXISTS parses_used ON parses (used)")
        except sqlite3.Error:
            db.close()
            raise
        return db

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Payloads of the keys present whose checksum holds; a bad entry is deleted."""
        db = self._connect()
        wanted = list(dict.fromkeys(keys))
        if db is None or not wanted:
            return {}
        found: dict[str, bytes] = {}
        bad: list[str] = []
        stale: list[str] = []
        now = time.time_ns()
        try:
            for start in range(0, len(wanted), _BATCH):
                batch = wanted[start:start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = db.execute(f"SELECT key, checksum, payload, used FROM parses WHERE key IN"
                                  f" ({marks})", batch).fetchall()
                for key, checksum, payload, used in rows:
                    if isinstance(payload, bytes) and checksum == _checksum(payload):
                        found[key] = payload
                        if not isinstance(used, int) or now - used > TOUCH_AFTER_NS:
                            stale.append(key)
                    else:
                        bad.append(key)
        except sqlite3.Error as error:
            self.problem = f"cache not used: {error}"
            return {}
        try:
            self._touch(db, stale, bad, now)
        except sqlite3.Error as error:  # a read-only cache still serves its hits
            self.problem = f"cache not updated: {error}"
        self.hits += len(found)
        return found

    def _touch(self, db: sqlite3.Connection, used: list[str], bad: list[str], now: int) -> None:
        """Mark hits as used now (the LRU order) and drop corrupt entries, in one transaction.

        Only hits not marked within TOUCH_AFTER_NS are written: an hour is precision enough
        for least-recently-used eviction, and a warm run of an unchanged catalog then writes
        nothing (a cache restored read-only in CI is served as it is).
        """
        if not used and not bad:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, len(used), _BATCH):
                batch = used[start:start + _BATCH]
                marks = ",".join("?" * len(batch))
                db.execute(f"UPDATE parses SET used = ? WHERE key IN ({marks})", [now, *batch])
            for key in bad:
                db.execute("DELETE FROM parses WHERE key = ?", (key,))
            db.execute("COMMIT")
        except sqlite3.Error:
            db.execute("ROLLBACK")
            raise

    def put_many(self, entries: Mapping[str, bytes]) -> None:
        """Store new entries in one transaction, then evict down to the size bound."""
        db = self._connect()
        if db is None or not entries:
            return
        now = time.time_ns()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR REPLACE INTO parses (key, checksum, payload, size, used)"
                    " VALUES (?, ?, ?, ?, ?)",
                    ((k, _checksum(v), v, len(v), now) for k, v in entries.items()))
                db.execute("COMMIT")
            except sqlite3.Error:
                db.execute("ROLLBACK")
                raise
            self.writes += len(entries)
            self._evict(db)
        except sqlite3.Error as error:
            self.problem = f"cache not written: {error}"

    def _evict(self, db: sqlite3.Connection) -> None:
        """Least recently used first, down to 90% of the bound (so not every run evicts).

        Every stored payload's bytes are in the database file or its write-ahead log, so
        while those two files are within the bound the entries are too, and the sum of their
        sizes (a read of every row: 0.2 s wall, 0.04 s CPU at 50,000 entries) is not needed.
        """
        if self._on_disk() <= self.max_bytes:
            return
        total = db.execute("SELECT COALESCE(SUM(size), 0) FROM parses").fetchone()[0]
        if total <= self.max_bytes:
            return
        goal = total - int(self.max_bytes * 0.9)
        db.execute("BEGIN IMMEDIATE")
        try:
            freed = 0
            victims: list[str] = []
            for key, size in db.execute("SELECT key, size FROM parses ORDER BY used, key"):
                if freed >= goal:
                    break
                victims.append(key)
                freed += size
            db.executemany("DELETE FROM parses WHERE key = ?", ((k,) for k in victims))
            db.execute("COMMIT")
        except sqlite3.Error:
            db.execute("ROLLBACK")
            raise

    def _on_disk(self) -> int:
        """The bytes of the database file and its write-ahead log (a log not there holds
        none); more than the bound when the file cannot be looked at."""
        total = 0
        for name in (self.path, self.path.with_name(self.path.name + "-wal")):
            try:
                total += os.stat(name).st_size
            except FileNotFoundError:
                if name == self.path:
                    return self.max_bytes + 1
            except OSError:
                return self.max_bytes + 1
        return total

    def info(self) -> CacheInfo:
        db = self._connect()
        if db is None:
            return CacheInfo(str(self.directory), str(self.path), 0, 0, self.max_bytes, False,
                             self.problem)
        count, size = db.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM parses").fetchone()
        return CacheInfo(str(self.directory), str(self.path), count, size, self.max_bytes, True)

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        db = self._connect()
        if db is None:
            return 0
        count = db.execute("SELECT COUNT(*) FROM parses").fetchone()[0]
        db.execute("DELETE FROM parses")
        db.execute("VACUUM")
        return int(count)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
        self._db, self._opened = None, False
