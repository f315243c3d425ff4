"""A persistent memo of entity-local rules' findings, per entity: a one-file edit checks one file.

The result memo (resultmemo.py) reuses a whole validation; after a one-file edit it misses and
every rule ran again over the whole catalog. Most rules' findings for an entity depend on that
entity alone: a rule declares so explicitly (`entity_rule(..., local=Local(...))`, audited by
tests/rules/test_rule_locality.py: the check never touches the catalog, reads of the config only
what `Local.config` returns, the day only when `Local.today`), and its findings are memoised
here. Rules without the declaration run as before.

An entity's entry holds the findings of the declared-local rules of its kind (two entries: the
rules that read the day, and those that do not, so another day reuses the latter), keyed by
exactly what they depend on:

- the result memo's environment (itsmctl's own files, Python's and the libraries' versions,
  libyaml, the time-zone database; None: nothing is memoised);
- the entity: its file's label, content hash (git blob id) and the parse limits (which decide
  the file's documents: the loader parses a catalog under its config's limits), its document
  index and its kind;
- each of those rules, in order: id, default severity, and `Local.key` (the repr of what it
  reads from the config, and today when it reads the day).

Entries are JSON with a checksum in their own store beside the parse cache (its rules: SQLite,
atomic writes, least-recently-used bound, `cache info|clear`, a no-op when unusable). A
malformed entry is a miss; a poisoned one can at worst be wrong (as for parses: only trusted
runs should write what pull requests read, SECURITY.md). The findings are assembled in the order
running the rules gives (rule by rule, entity by entity), so grading, waivers, capping and line
lookup see the very list they saw without the memo.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from itsmctl.findings import Finding
from itsmctl.loader import blob_id
from itsmctl.parsecache import ParseCache
from itsmctl.resultmemo import _finding, _reject, _row, environment  # one row format
from itsmctl.rules.registry import Rule, RuleContext

if TYPE_CHECKING:
    from itsmctl.model import Entity
    from itsmctl.resultmemo import ResultMemo

FORMAT = 1  # the payload layout below; a change makes every older entry a miss
DB_NAME = f"rules-v{FORMAT}.sqlite"
_BATCH = 2000  # entities looked up at a time


class RuleMemo:
    """The store of per-entity findings beside a parse cache (same folder, same bound)."""

    def __init__(self, store: ParseCache) -> None:
        self.store = store
        self.hits = 0
        self.misses = 0

    @classmethod
    def beside(cls, results: ResultMemo | None) -> RuleMemo | None:
        """The memo of the run whose result memo is `results` (None: no cache, no memo)."""
        if results is None:
            return None
        return cls(ParseCache(results.store.directory, results.store.max_bytes, DB_NAME))


def memoised(rule: Rule) -> bool:
    """Whether `rule`'s findings are memoised per entity: a declared-local entity rule."""
    return rule.local is not None and rule.entity_check is not None and rule.catalog_check is None


def run_rules(rules: Sequence[Rule], context: RuleContext,
              memo: RuleMemo | None) -> list[Finding]:
    """Every rule's findings, in the order `rule.run` gives them one rule after another;
    declared-local rules' findings for an entity come from `memo` where it holds them."""
    env = environment() if memo is not None else None
    local = [rule for rule in rules if memoised(rule)]
    if memo is None or env is None or not local:
        return [finding for rule in rules for finding in rule.run(context)]
    found = _local_findings(local, context, memo, env)
    out: list[Finding] = []
    for rule in rules:
        if not memoised(rule):
            out.extend(rule.run(context))
            continue
        for kind in rule.kinds:
            for entity in context.catalog.of_kind(kind):
                out.extend(found[id(entity)][rule.id])
    return out


def _local_findings(local: list[Rule], context: RuleContext, memo: RuleMemo,
                    env: str) -> dict[int, dict[str, list[Finding]]]:
    """{id(entity): {rule id: findings}} for every entity a local rule checks.

    An entity has up to two entries: one for the local rules of its kind that read the day,
    one for those that do not, so a run on another day reuses the latter (the schema check
    among them)."""
    groups: dict[tuple[str, bool], list[Rule]] = {}
    for rule in local:
        assert rule.local is not None
        for kind in dict.fromkeys(rule.kinds):
            groups.setdefault((kind, rule.local.today), []).append(rule)
    limits = repr(context.config.limits)
    blobs: dict[str, str] = {}
    wanted: list[tuple[str, Entity, list[Rule]]] = []
    for (kind, _), group in groups.items():
        head = "\0".join((env, f"entity rules {FORMAT}", limits, kind,
                          *(_rule_key(rule, context) for rule in group)))
        for entity in context.catalog.of_kind(kind):
            source = entity.document.source
            blob = blobs.get(source.label)
            if blob is None:
                blob = blobs[source.label] = source.blob or blob_id(source.bytes())
            text = "\0".join((head, source.label, blob, str(entity.document.index)))
            key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                  digest_size=24).hexdigest()
            wanted.append((key, entity, group))
    found: dict[int, dict[str, list[Finding]]] = {}
    missing: list[tuple[str, Entity, list[Rule]]] = []
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start:start + _BATCH]
        payloads = memo.store.get_many(key for key, _, _ in batch)
        for item in batch:
            payload = payloads.get(item[0])
            hit = decode(payload, item[2]) if payload is not None else None
            if hit is None:
                missing.append(item)
            else:
                found.setdefault(id(item[1]), {}).update(hit)
    memo.hits += len(wanted) - len(missing)
    memo.misses += len(missing)
    todo: dict[str, list[Entity]] = {rule.id: [] for rule in local}
    for _, entity, group in missing:
        for rule in group:
            todo[rule.id].append(entity)
    for rule in local:  # each rule bound once
        bound = replace(context, rule=rule)
        for entity in todo[rule.id]:
            found.setdefault(id(entity), {})[rule.id] = rule.run_on(entity, bound)
    memo.store.put_many({key: encode(found[id(entity)], group)
                         for key, entity, group in missing})
    return found


def _rule_key(rule: Rule, context: RuleContext) -> str:
    """A local rule's part of its entities' keys: id, default severity, declared inputs."""
    assert rule.local is not None
    return f"{rule.id}\0{int(rule.severity)}\0{rule.local.key(context.config, context.today)}"


def encode(findings: dict[str, list[Finding]], rules: list[Rule]) -> bytes:
    """One entity's findings, a list per rule in `rules`' order, as JSON bytes (ASCII)."""
    body = [[_row(f) for f in findings[rule.id]] for rule in rules]
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("ascii")


def decode(payload: bytes, rules: list[Rule]) -> dict[str, list[Finding]] | None:
    """The findings a payload holds for `rules`; None when it is not one `encode` wrote
    for them (a malformed or poisoned entry is a miss)."""
    try:
        body: Any = json.loads(payload, parse_constant=_reject)
        if not isinstance(body, list) or len(body) != len(rules):
            return None
        out: dict[str, list[Finding]] = {}
        for rule, rows in zip(rules, body, strict=True):
            if not isinstance(rows, list):
                return None
            out[rule.id] = [_finding(row) for row in rows]
            if any(f.rule != rule.id for f in out[rule.id]):
                return None
        return out
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
