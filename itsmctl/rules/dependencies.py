"""The service dependency graph: no cycles, no leaning on retired services, no tier inversions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace

from itsmctl.catalog import Dependency
from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity, Ref
from itsmctl.rules.common import dependencies, lifecycle, tier
from itsmctl.rules.registry import RuleContext, catalog_rule, entity_rule

CYCLE = "dependency-cycle"


def cycle_identity(names: tuple[str, ...]) -> str:
    """The identity of a cycle's finding: its services in loop order, from the least name."""
    return json.dumps(list(names))


def cycle_names(finding: Finding) -> tuple[str, ...]:
    """The services of a dependency-cycle finding's loop (empty for any other finding)."""
    if finding.rule != CYCLE or not finding.identity:
        return ()
    try:
        names = json.loads(finding.identity)
    except ValueError:
        return ()
    return tuple(n for n in names if isinstance(n, str)) if isinstance(names, list) else ()


def _cycles(context: RuleContext) -> Iterator[tuple[Dependency, list[Entity], tuple[str, ...]]]:
    """Depth-first search (iterative, deterministic): each back edge closes one cycle.

    Services are visited by name and dependencies in the order written, so the same catalog
    always reports the same cycles on the same entries. A cycle is reported once, whatever
    service it is entered from.
    """
    catalog = context.catalog
    done: set[Ref] = set()
    seen: set[tuple[str, ...]] = set()
    for start in catalog.of_kind("Service"):
        if start.ref in done:
            continue
        path: list[Entity] = [start]
        position = {start.ref: 0}
        stack = [dependencies(start, catalog)]
        while stack:
            dep = next(stack[-1], None)
            if dep is None:
                node = path.pop()
                del position[node.ref]
                done.add(node.ref)
                stack.pop()
                continue
            target = dep.target
            if target.ref in position:
                cycle = path[position[target.ref]:]
                names = tuple(e.name for e in cycle)
                first = names.index(min(names))
                key = names[first:] + names[:first]
                if key not in seen:
                    seen.add(key)
                    yield dep, cycle + [target], key
            elif target.ref not in done:
                position[target.ref] = len(path)
                path.append(target)
                stack.append(dependencies(target, catalog))


@catalog_rule("dependency-cycle", Severity.ERROR)
def dependency_cycle(context: RuleContext) -> Iterable[Finding]:
    """Service dependencies form a cycle.

    A cycle (A needs B, B needs A) means neither service can be started or recovered first:
    after a data-centre outage the recovery order cannot be planned, impact analysis loops,
    and an incident in one service is reported as caused by the other. Soft dependencies
    count too (they still shape alerting and impact analysis), and a service that lists
    itself is a cycle of one.

    Each cycle is reported once, on the dependency entry that closes it, with the whole loop
    in the message (`a -> b -> c -> a`). A cycle is the same finding whichever entry it is
    reported on (its fingerprint is the loop), and `diff` and `check` report a cycle that a
    change closes on the dependency entry the change added. Fix it by removing one of the
    dependencies, or by splitting the shared part into a service of its own that both depend
    on.
    """
    for dep, cycle, key in _cycles(context):
        loop = " -> ".join(e.name for e in cycle)
        finding = context.emit(
            dep.source, f"dependency cycle: {loop}", dep.path,
            f"remove the dependency of {dep.source.name!r} on {dep.target.name!r}, or move what"
            " both need into a separate service")
        yield replace(finding, identity=cycle_identity(key))


@entity_rule("dependency-on-retired", Severity.ERROR, "Service")
def on_retired(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service that is not retired depends on a retired service.

    A retired service is switched off and unsupported: nobody answers its incidents and its
    SLA has ended. A live service still depending on it is either broken already or about
    to be, and its own SLA rests on nothing.

    Applies to hard and soft dependencies of every service whose lifecycle is not
    `retired`. Fix it by moving the dependency to the successor service, or by removing it
    if the service no longer needs it.
    """
    if lifecycle(service) == "retired":
        return
    for dep in dependencies(service, context.catalog):
        if lifecycle(dep.target) == "retired":
            yield context.emit(
                service, f"{lifecycle(service) or 'service'} service"
                f" {service.name!r} depends ({dep.type}) on retired service"
                f" {dep.target.name!r}", dep.path,
                "point the dependency at the successor service, or remove it")


@entity_rule("dependency-on-retiring", Severity.WARNING, "Service")
def on_retiring(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """An operational service hard-depends on a service that is being retired.

    A retiring service is on its way out: its end date is set and it gets no new work. An
    operational service that cannot run without it needs a migration plan before the
    switch-off, or it will go down with it. A warning, not an error: the migration may well
    be under way.

    Applies to hard dependencies of `operational` services. Fix it by migrating to the
    successor service, or record the plan in a waiver with an expiry date.
    """
    if lifecycle(service) != "operational":
        return
    for dep in dependencies(service, context.catalog):
        if dep.type == "hard" and lifecycle(dep.target) == "retiring":
            yield context.emit(
                service, f"operational service {service.name!r} hard-depends"
                f" on retiring service {dep.target.name!r}", dep.path,
                "plan the migration to the successor before the switch-off (or waive with a"
                " date)")


@entity_rule("dependency-tier-inversion", Severity.WARNING, "Service")
def tier_inversion(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service hard-depends on a service of a less critical tier.

    A service is at most as available as what it cannot run without. If a tier-1 service
    hard-depends on a tier-3 one, the tier-3 service is in fact tier 1: it gets tier-3
    monitoring, on-call and change scrutiny while carrying tier-1 impact.

    Applies to hard dependencies of services that are not retired; a larger tier number is
    less critical. Fix it by raising the dependency's tier, by making the dependency soft
    (the service degrades gracefully without it), or by lowering this service's tier.
    """
    own = tier(service)
    if own is None or lifecycle(service) == "retired":
        return
    for dep in dependencies(service, context.catalog):
        other = tier(dep.target)
        if dep.type == "hard" and other is not None and other > own:
            yield context.emit(
                service, f"tier-{own} service {service.name!r}"
                f" hard-depends on tier-{other} service {dep.target.name!r}", dep.path,
                f"raise {dep.target.name!r} to tier {own}, or make the dependency soft if"
                f" {service.name!r} degrades gracefully without it")
