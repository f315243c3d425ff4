"""Where a Process applies: the whole catalog, one domain, or the services with some labels.

An organisation may run a practice more than once (a separate incident process for the
retail domain); `process-unique` allows that only when the scopes differ, and the matrix
rule checks each SLA against the incident processes that cover its service.
"""

from __future__ import annotations

from itsmctl.model import Entity

ScopeKey = tuple[tuple[str, str], ...]


def scope_key(process: Entity) -> ScopeKey:
    """A comparable form of `spec.scope`: () for an unscoped process (the whole catalog)."""
    scope = process.get("spec", "scope")
    if not isinstance(scope, dict):
        return ()
    pairs: list[tuple[str, str]] = []
    if isinstance(scope.get("domain"), str):
        pairs.append(("domain", scope["domain"]))
    labels = scope.get("labels")
    if isinstance(labels, dict):
        pairs.extend((f"label:{k}", str(v)) for k, v in labels.items())
    return tuple(sorted(pairs))


def describe_scope(key: ScopeKey) -> str:
    """`the whole catalog`, or `domain=commerce, label:region=eu`."""
    return ", ".join(f"{k}={v}" for k, v in key) if key else "the whole catalog"


def covers(process: Entity, service: Entity | None) -> bool:
    """Whether the process applies to `service`; an unscoped process applies to every one.

    A scoped process applies to a service whose labels carry its domain (`domain: x`) and
    every label it names. An SLA without a resolvable service is covered only by an
    unscoped process.
    """
    key = scope_key(process)
    if not key:
        return True
    if service is None:
        return False
    labels = service.metadata.get("labels")
    labels = labels if isinstance(labels, dict) else {}
    for name, value in key:
        label = "domain" if name == "domain" else name.removeprefix("label:")
        if str(labels.get(label)) != value:
            return False
    return True
