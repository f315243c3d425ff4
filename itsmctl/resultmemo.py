"""A persistent memo of validation results: the findings of one exact input set, reused.

Validating is a pure function of its inputs, and the pull-request gate validates the merge
base that the default branch's own run validated already. An entry is keyed by everything
any rule, policy, waiver or the line locator reads, so a hit gives exactly what validating
again would:

- itsmctl's own files (its code and the bundled schemas: a digest of the installed package,
  so an edited checkout misses too), Python's and the libraries' versions, and whether
  PyYAML has libyaml;
- the time-zone database the hour rules read (the system's `tzdata.zi` on every zone path,
  the tzdata package's version); where a zone folder has no `tzdata.zi` its content cannot
  be keyed and nothing is memoised;
- the config (its parsed settings, limits included, after any leniency, and its bytes), the
  policy files it names (label and content), and the policy set's rule names;
- `today`;
- every catalog file in load order: its path, label, read problem and content hash (the git
  blob id, which a file on disk of the same bytes shares).

Nothing in the key comes from a parse, so `validate` computes it from the files as read and,
on a hit, decodes no parse at all: an entry also holds the load's document and entity counts
(what the reports print besides the findings), and the catalog is loaded only if a caller
asks for it (itsmctl/validate.py).

Entries are JSON with a checksum, in the parse cache's folder and under its rules (SQLite:
atomic writes, least-recently-used bound, `cache info|clear`, a no-op when unusable). A
malformed entry is a miss. A poisoned entry could hide a finding, so, as for parses, only
trusted runs should write what pull requests read (SECURITY.md).
"""

from __future__ import annotations

import hashlib
import json
import sys
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from itsmctl import __version__
from itsmctl.findings import Finding, Severity, Waiver
from itsmctl.loader import blob_id
from itsmctl.parsecache import (  # the payload checks it uses too
    ParseCache,
    _int,
    _optional_int,
    _text,
    library_version,
    package_digest,
)
from itsmctl.sources import SourceFile

if TYPE_CHECKING:
    from itsmctl.config import Config
    from itsmctl.policy import PolicySet

FORMAT = 3  # the payload layout below; a change makes every older entry a miss
DB_NAME = "results-v1.sqlite"  # kept across formats: the key holds FORMAT, so older entries
# are misses that the size bound evicts (a new file name would leave the old one behind)
LIBRARIES = ("PyYAML", "jsonschema", "jsonschema-specifications", "referencing", "rpds-py",
             "regex", "tzdata")
Findings = tuple[tuple[Finding, ...], tuple[Finding, ...]]  # (active, waived), each sorted


@dataclass(frozen=True)
class Memoised:
    """What a memo entry holds: the findings, and the counts of the load they came from
    (`LoadResult.documents`, the catalog's entities), so a hit needs no load to report."""

    findings: Findings
    documents: int
    entities: int


@cache
def environment() -> str | None:
    """What every run's findings depend on beyond its inputs; None when it cannot be keyed."""
    zones = _zone_data()
    if zones is None:
        return None
    versions = [f"{name}={library_version(name)}" for name in LIBRARIES]
    libyaml = f"libyaml {bool(getattr(yaml, '__with_libyaml__', False))}"  # parse findings differ
    return "\0".join((__version__, package_digest(), sys.version, *versions, libyaml, zones,
                      str(FORMAT)))


def _zone_data() -> str | None:
    """The zone database ZoneInfo reads: `tzdata.zi` of each zone folder (None: a folder
    without one, whose zones cannot be keyed by content)."""
    parts = []
    for folder in zoneinfo.TZPATH:
        path = Path(folder)
        if not path.is_dir():
            parts.append(f"{folder}:-")
            continue
        try:
            data = (path / "tzdata.zi").read_bytes()
        except OSError:
            return None
        parts.append(f"{folder}:{hashlib.blake2b(data, digest_size=20).hexdigest()}")
    return "\0".join(parts)


def result_key(sources: Mapping[str, SourceFile], config: Config, today: date,
               policies: PolicySet) -> str | None:
    """The memo key of validating the files `sources` (a load's `sources`: label to file, in
    load order) under `config`, `policies` and `today`; None when some input cannot be keyed
    (then nothing is memoised). It reads the files' bytes, never a parse."""
    env = environment()
    if env is None:
        return None
    digest = hashlib.blake2b(digest_size=24)
    source = config.source
    config_bytes = blob_id(source.bytes()) if source is not None else "-"
    head = (env, today.isoformat(), repr(config), source.label if source else "-", config_bytes,
            repr(policies.inputs), repr(policies.names))
    digest.update("\0".join(head).encode("utf-8", "surrogatepass"))
    for label, item in sources.items():
        content = "" if item.error else (item.blob or blob_id(item.bytes()))
        problem = item.problem.name if item.problem else ""
        line = "\0".join(("\n", label, item.rel, item.error, problem, content))
        digest.update(line.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class ResultMemo:
    """The store of memoised results beside a parse cache (same folder, same bound)."""

    def __init__(self, store: ParseCache) -> None:
        self.store = store
        self.hits = 0

    @classmethod
    def beside(cls, parses: ParseCache | None) -> ResultMemo | None:
        """The memo of the run whose parse cache is `parses` (None: no cache, no memo)."""
        if parses is None:
            return None
        return cls(ParseCache(parses.directory, parses.max_bytes, DB_NAME))

    def get(self, key: str) -> Memoised | None:
        payload = self.store.get_many([key]).get(key)
        found = decode(payload) if payload is not None else None
        self.hits += found is not None
        return found

    def put(self, key: str, memoised: Memoised) -> None:
        self.store.put_many({key: encode(memoised)})


def encode(memoised: Memoised) -> bytes:
    """Active and waived findings and the counts as JSON bytes (ASCII: lone surrogates
    survive escaped)."""
    active, waived = memoised.findings
    body = {"a": [_row(f) for f in active], "w": [_row(f) for f in waived],
            "n": [memoised.documents, memoised.entities]}
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("ascii")


def _row(f: Finding) -> list[Any]:
    w = f.waived_by
    waiver = None if w is None else [w.rule, w.reason, w.expires, w.approver]
    return [f.rule, int(f.severity), f.message, f.file, f.line, f.column, list(f.path), f.hint,
            f.entity, f.doc, f.identity, waiver, [_row(hidden) for hidden in f.stands_for]]


def decode(payload: bytes) -> Memoised | None:
    """What a payload holds; None when it is not one `encode` wrote."""
    try:
        body = json.loads(payload, parse_constant=_reject)
        findings = tuple(_finding(r) for r in body["a"]), tuple(_finding(r) for r in body["w"])
        documents, entities = body["n"]
        return Memoised(findings, _count(documents), _count(entities))
    except (ValueError, TypeError, KeyError, RecursionError):
        return None


def _count(value: Any) -> int:
    if _int(value) < 0:
        raise ValueError("not a count")
    return int(value)


def _reject(name: str) -> Any:
    raise ValueError(f"{name} is not a value a result holds")


def _finding(row: Any, nested: bool = False) -> Finding:
    rule, severity, message, file, line, column, path, hint, entity, doc, identity, w, \
        hidden = row
    if not isinstance(path, list) or not all(type(p) in (str, int) for p in path):
        raise TypeError("bad path")
    if not isinstance(hidden, list) or (nested and hidden):
        raise TypeError("bad counted findings")  # a counted finding counts none itself
    waiver = None if w is None else Waiver(*_texts(w, 4))
    return Finding(_text(rule), Severity(_int(severity)), _text(message), _text(file),
                   _optional_int(line), _optional_int(column), tuple(path), _text(hint),
                   _text(entity), _int(doc), waiver, _text(identity),
                   tuple(_finding(r, nested=True) for r in hidden))


def _texts(values: Any, count: int) -> list[str]:
    if not isinstance(values, list) or len(values) != count:
        raise TypeError("not a list of strings")
    return [_text(v) for v in values]
