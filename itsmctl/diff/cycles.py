"""A dependency cycle that a change closes is reported on the edge the change added.

`validate` knows one catalog, so it reports a cycle on the entry where its depth-first search
happens to close it: some member of the loop, often a service the change did not touch. The
diff knows BASE too. For each new cycle it finds the first dependency of the loop that BASE
did not have (an entry the change wrote), and moves the finding there, with a hint to remove
that entry. The finding's fingerprint is the loop itself (see rules/dependencies.py), so the
move changes where it is shown, never whether it is new.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from itsmctl.catalog import Catalog, Dependency
from itsmctl.findings import Finding
from itsmctl.limits import Limits
from itsmctl.locate import Locator
from itsmctl.model import Entity, Ref, list_of_dicts
from itsmctl.references import parse_ref
from itsmctl.rules.dependencies import cycle_names


def on_added_edges(findings: Iterable[Finding], base: Catalog, head: Catalog,
                   limits: Limits) -> tuple[Finding, ...]:
    """`findings` with each new dependency cycle moved onto the edge the change added
    (`limits`: HEAD's, which its files were parsed under)."""
    locator = Locator(limits)
    return tuple(_moved(f, base, head, locator) for f in findings)


def _moved(finding: Finding, base: Catalog, head: Catalog, locator: Locator) -> Finding:
    names = cycle_names(finding)
    if not names:
        return finding
    for index, name in enumerate(names):
        target = names[(index + 1) % len(names)]
        if _wrote(base, name, target):
            continue
        found = _edge(head, name, target)
        if found is None:
            continue
        source, dep = found
        loop = " -> ".join((*names[index:], *names[:index], name))
        line, column = locator.position(source.document.source, source.document.index, dep.path)
        return replace(
            finding, message=f"dependency cycle: {loop}", file=source.file, line=line,
            column=column, path=dep.path, entity=str(source.ref), doc=source.document.index,
            hint=f"this change adds the dependency of {name!r} on {target!r}, which closes the"
                 " cycle: remove it, or move what both need into a separate service")
    return finding


def _wrote(catalog: Catalog, source: str, target: str) -> bool:
    """Whether `source` lists `target` among its dependencies in `catalog` (resolved or not)."""
    service = catalog.get(Ref("Service", source))
    if service is None:
        return False
    for _, item in list_of_dicts(service.get("spec", "dependencies")):
        text = item.get("service")
        ref = parse_ref(text, "Service") if isinstance(text, str) else None
        if ref is not None and ref.name == target:
            return True
    return False


def _edge(catalog: Catalog, source: str, target: str) -> tuple[Entity, Dependency] | None:
    service = catalog.get(Ref("Service", source))
    if service is None:
        return None
    dep = next((d for d in catalog.resolved_dependencies(service) if d.target.name == target),
               None)
    return (service, dep) if dep is not None else None
