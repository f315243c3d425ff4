"""Run the rules on every core, with findings identical to running them in one process.

After parsing, the rules are most of a run (at 10,000 services about 3.3 s of CPU, where the
whole parse is about 4.7 s), and each rule only reads the catalog. Once the catalog is built,
forked workers inherit it copy-on-write (nothing is pickled on the way in), each runs its
share of the rules and sends back the raw findings (pickled between our own processes: not
stored, not a cache); the parent runs a share of its own meanwhile and puts every rule's
findings back in the one-process order (each rule whole, or the parts of a rule split by
entity ranges in range order) before grading, waivers, capping and locating, which are
unchanged (itsmctl/validate.py). tests/core/test_parallel_rules.py compares the output.

The shares are balanced by measured cost (`COSTS`, measured at 10,000 services): a rule's
CPU per entity it looks at, plus the catalog's lazily built indexes it needs (the references,
the resolved dependencies, the agreement chain), which every process that runs such a rule
builds for itself, so rules sharing an index are kept together where that balances better.
The cost model decides only who runs what, never what is found. Below `MIN_ENTITIES`, where
fork is unavailable or unsafe (a multi-threaded process), or when a worker fails (it is then
run here, where an error shows itself as in one process), the rules run in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext
from multiprocessing.process import BaseProcess

from itsmctl.catalog import Catalog
from itsmctl.findings import Finding
from itsmctl.heap import frozen
from itsmctl.rules.registry import Rule, RuleContext

MIN_ENTITIES = 3000
"""Below this many entities a fork, its copy-on-write faults and the pickled findings cost
more than a second core saves (measured by hand at 1,000-2,000 services; a guess to re-measure)."""

# Measured at 10,000 services (24,776 entities): CPU microseconds
# per entity a rule looks at (the entities of its kinds; a catalog rule: every entity) with
# the catalog's indexes already built, and the indexes it builds when run alone.
REFERENCES, DEPENDENCIES, SUPPORTING, TARGETS = "references", "dependencies", "supporting", \
    "targets"
INDEX_COSTS: Mapping[str, tuple[float, tuple[str, ...]]] = {
    # microseconds per entity of the kinds named (none: every entity)
    REFERENCES: (39.9, ()),
    DEPENDENCIES: (14.3, ("Service",)),
    SUPPORTING: (25.6, ("SLA",)),
    TARGETS: (9.0, ("SLA",)),
}
_REFS, _DEPS = frozenset({REFERENCES}), frozenset({DEPENDENCIES})
_CHAIN = frozenset({REFERENCES, DEPENDENCIES, SUPPORTING})
_NONE = frozenset[str]()
COSTS: Mapping[str, tuple[float, frozenset[str]]] = {
    "sla-availability-achievable": (16.4, _DEPS),
    "agreement-chain-targets": (10.5, _CHAIN | {TARGETS}),
    "sla-targets-monotonic": (9.4, _NONE),
    "sla-expired": (7.5, _NONE),
    "dependency-support-hours": (7.1, _DEPS),
    "dependency-on-retired": (7.1, _DEPS),
    "dependency-tier-inversion": (6.7, _DEPS),
    "ref-unresolved": (2.5, _REFS),
    "sla-calendar-support": (5.5, _NONE),
    "service-sla-foreign": (5.5, _NONE),
    "sla-service-mismatch": (5.4, _NONE),
    "review-overdue": (4.9, _NONE),
    "dependency-not-live": (4.8, _DEPS),
    "raci-party-duplicate": (11.0, _NONE),
    "dependency-on-retiring": (4.5, _DEPS),
    "sla-retired-service": (4.2, _NONE),
    "agreement-chain-calendar": (4.0, _CHAIN),
    "tier1-owner-on-call": (3.6, _NONE),
    "calendar-day-ambiguous": (3.5, _NONE),
    "dependency-cycle": (1.3, _DEPS),
    "security-review-current": (3.3, _NONE),
    "sla-review-overdue": (3.1, _NONE),
    "sla-effective-dates": (3.0, _NONE),
    "raci-responsible-required": (7.1, _NONE),
    "raci-one-accountable": (6.9, _NONE),
    "sla-credit-tiers": (2.8, _NONE),
    "service-runbook-required": (1.9, _NONE),
    "tier1-raci-required": (1.5, _REFS),
    "role-unmapped": (0.7, _REFS),
    "role-holder-ambiguous": (4.6, _REFS),  # at 2,000 services, the references built
    "ref-wrong-kind": (0.4, _REFS),
    "catalog-offering-sla-in-force": (1098.7, _NONE),
    "catalog-offering-operational": (486.2, _NONE),
    "ref-into-broken-file": (0.1, _REFS),  # every reference, once a file failed to parse
}
DEFAULT_COST = (1.5, _NONE)
"""A rule not measured (a catalog's own policy, a rule too cheap to list): about the cheap
rules' cost."""
SCHEMA_COST = 40.0
"""The schema rule, per entity whose parse brought no verdict (`Document.valid_as`): the fast
check, and jsonschema for a failing one; an entity with a verdict costs next to nothing."""


@dataclass(frozen=True, slots=True)
class Task:
    """Part `part` of `parts` of rule number `rule`: its catalog check (part 0) and a
    contiguous range of the entities it checks (`Rule.run`)."""

    rule: int
    part: int = 0
    parts: int = 1


def cores() -> int:
    """The cores this process may use (at most os.cpu_count())."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(count or 1, os.cpu_count() or 1))


def worker_count(catalog: Catalog, requested: int | None = None) -> int:
    """`requested`, or the cores when the catalog is worth forking for; 1 where fork is
    unavailable or unsafe."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1  # forking a multi-threaded process can deadlock the child
    if requested is not None:
        return max(1, requested)
    return cores() if len(catalog) >= MIN_ENTITIES else 1


def run_rules(context: RuleContext, rules: list[Rule],
              workers: int | None = None) -> list[Finding]:
    """Every rule's raw findings, in `rules` order, each rule's in its own order: exactly
    what running them one after the other in this process gives."""
    count = worker_count(context.catalog, workers)
    if count > 1 and len(rules) > 1:
        shares = plan(context.catalog, rules, count)
        if sum(1 for share in shares if share) > 1:
            found = _parallel(context, rules, shares)
            order = sorted(found, key=lambda t: (t.rule, t.part))
            return [finding for task in order for finding in found[task]]
    return [finding for rule in rules for finding in rule.run(context)]


def _cost(rule: Rule, sizes: Mapping[str, int], total: int,
          unjudged: int) -> tuple[float, frozenset[str]]:
    if rule.id == "schema":
        return SCHEMA_COST * unjudged + 0.2 * total, frozenset()
    per, needs = COSTS.get(rule.id, DEFAULT_COST)
    seen = (total if rule.catalog_check is not None else 0) + (
        sum(sizes.get(kind, 0) for kind in rule.kinds) if rule.entity_check is not None else 0)
    return per * seen, needs


def plan(catalog: Catalog, rules: list[Rule], workers: int) -> list[list[Task]]:
    """Each process's tasks (the first share is this process's): longest first (with the
    indexes it needs), each to the share it finishes soonest in, counting the indexes that
    share would have to build, twice (the time, and the work another process did already).
    A rule that needs no index and costs more than half a fair share is split by entity
    ranges."""
    sizes: dict[str, int] = {}
    unjudged = 0
    for entity in catalog.entities:
        sizes[entity.kind] = sizes.get(entity.kind, 0) + 1
        if entity.document.valid_as != entity.kind:
            unjudged += 1
    total = len(catalog.entities)
    index_cost = {name: per * (sum(sizes.get(k, 0) for k in kinds) if kinds else total)
                  for name, (per, kinds) in INDEX_COSTS.items()}
    costed = [(i, *_cost(rule, sizes, total, unjudged)) for i, rule in enumerate(rules)]
    fair = (sum(c for _, c, _ in costed) + sum(index_cost.values())) / workers
    items: list[tuple[float, Task, frozenset[str]]] = []
    for i, cost, needs in costed:
        rule = rules[i]
        parts = 1
        if not needs and rule.entity_check is not None and cost > fair / 2:
            parts = min(workers, int(cost // (fair / 2)) + 1)
        items.extend((cost / parts, Task(i, part, parts), needs) for part in range(parts))
    items.sort(key=lambda item: -(item[0] + sum(index_cost.get(n, 0.0) for n in item[2])))
    loads = [0.0] * workers
    built: list[set[str]] = [set() for _ in range(workers)]
    shares: list[list[Task]] = [[] for _ in range(workers)]
    for cost, task, needs in items:
        extra = [sum(index_cost.get(n, 0.0) for n in needs - built[b]) for b in range(workers)]
        # where it finishes soonest, an index built again counted twice: once for the time,
        # once for the work added (the other cores' time)
        best = min(range(workers), key=lambda b: (loads[b] + cost + 2 * extra[b], b))
        loads[best] += cost + extra[best]
        built[best] |= needs
        shares[best].append(task)
    return shares


def _run(context: RuleContext, rules: list[Rule], tasks: Iterable[Task]) -> list[list[Finding]]:
    return [list(rules[task.rule].run(context, task.part, task.parts)) for task in tasks]


def _child(writer: Connection, context: RuleContext, rules: list[Rule],
           tasks: list[Task]) -> None:
    """A worker: its share's findings down the pipe. Its copies of the parent's unwritten
    output buffers are never flushed (the parent writes them), and an error is left for the
    parent, which runs the share again where the error shows as in one process."""
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    try:
        writer.send(_run(context, rules, tasks))
    finally:
        writer.close()


def _start(fork: ForkContext, context: RuleContext, rules: list[Rule], tasks: list[Task],
           children: list[tuple[BaseProcess, Connection, list[Task]]]) -> bool:
    reader, writer = fork.Pipe(duplex=False)
    process = fork.Process(target=_child, args=(writer, context, rules, tasks), daemon=True)
    try:
        process.start()
    except OSError:
        reader.close()
        return False
    finally:
        writer.close()
    children.append((process, reader, tasks))
    return True


def _parallel(context: RuleContext, rules: list[Rule],
              shares: list[list[Task]]) -> dict[Task, list[Finding]]:
    fork = multiprocessing.get_context("fork")
    children: list[tuple[BaseProcess, Connection, list[Task]]] = []
    here = list(shares[0])
    found: dict[Task, list[Finding]] = {}
    try:
        with frozen():  # the workers' collections never walk (so never copy) the catalog's pages
            for tasks in shares[1:]:
                if tasks and not _start(fork, context, rules, tasks, children):
                    here.extend(tasks)  # no process could be made: this one runs them
        found.update(zip(here, _run(context, rules, here), strict=True))
        for process, reader, tasks in children:
            try:
                got: list[list[Finding]] | None = reader.recv()
            except (EOFError, OSError):
                got = None  # the worker died (memory, a signal) or failed
            process.join()
            if got is None or process.exitcode != 0 or len(got) != len(tasks):
                got = _run(context, rules, tasks)
            found.update(zip(tasks, got, strict=True))
    finally:
        for process, reader, _ in children:
            reader.close()
            if process.is_alive():
                process.terminate()
                process.join()
    return found
