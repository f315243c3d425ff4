"""The incident priority matrix: complete, monotonic, and the source of the SLAs' priorities."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity, list_of_dicts
from itsmctl.processes.scope import covers
from itsmctl.processes.spec import process_name
from itsmctl.references import parse_ref
from itsmctl.rules.registry import RuleContext, catalog_rule, entity_rule

MATRIX = ("spec", "priorityMatrix")


@dataclass(frozen=True, slots=True)
class Cell:
    index: int
    impact: str
    urgency: str
    priority: str

    @property
    def rank(self) -> int | None:
        """P1 -> 1: a smaller rank is a higher priority."""
        digits = self.priority[1:]
        return int(digits) if self.priority[:1] == "P" and digits.isdigit() else None


def levels(process: Entity, axis: str) -> list[str]:
    """The levels of `impact` or `urgency`, most to least, as written (duplicates kept)."""
    return [str(item.get("level")) for _, item in list_of_dicts(process.get(*MATRIX, axis))
            if isinstance(item.get("level"), str)]


def cells(process: Entity) -> list[Cell]:
    return [Cell(index, item["impact"], item["urgency"], item["priority"])
            for index, item in list_of_dicts(process.get(*MATRIX, "priorities"))
            if all(isinstance(item.get(k), str) for k in ("impact", "urgency", "priority"))]


def matrix_priorities(process: Entity) -> set[str]:
    """Every priority the matrix can give a ticket."""
    return {cell.priority for cell in cells(process)}


def _cell_path(cell: Cell, field: str = "priority") -> tuple[str | int, ...]:
    return (*MATRIX, "priorities", cell.index, field)


@entity_rule("process-matrix-complete", Severity.ERROR, "Process")
def matrix_complete(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A priority matrix misses an impact x urgency pair, repeats one, or names an unknown level.

    The service desk sets an incident's priority by reading its impact and urgency off the
    matrix. A pair without a cell leaves the analyst to guess; a pair given twice (perhaps
    with two priorities) makes two analysts disagree; a level that is not on the matrix's
    axes is a typo. Each level also appears once on its axis.

    Passes when the cells name only listed levels and cover every impact x urgency pair
    exactly once. Fix it by adding the missing cell or deleting the repeated one.
    """
    if process.get(*MATRIX) is None:
        return
    axes = {"impact": levels(process, "impact"), "urgency": levels(process, "urgency")}
    for axis, names in axes.items():
        for position, name in enumerate(names):
            if name in names[:position]:
                yield context.emit(process, f"{axis} level {name!r} is listed twice",
                                   (*MATRIX, axis, position, "level"),
                                   f"each {axis} level appears once, most to least")
    seen: dict[tuple[str, str], Cell] = {}
    for cell in cells(process):
        for axis in ("impact", "urgency"):
            value = getattr(cell, axis)
            if value not in axes[axis]:
                yield context.emit(
                    process, f"cell {cell.index + 1} names {axis} {value!r}, which is not"
                    f" a level of the matrix", _cell_path(cell, axis),
                    f"{axis} levels: {', '.join(axes[axis]) or 'none'}")
        pair = (cell.impact, cell.urgency)
        if pair in seen:
            yield context.emit(
                process, f"impact {cell.impact} x urgency {cell.urgency} is given twice"
                f" ({seen[pair].priority} and {cell.priority})", _cell_path(cell),
                "keep one cell per pair")
        seen.setdefault(pair, cell)
    missing = [(i, u) for i in dict.fromkeys(axes["impact"]) for u in dict.fromkeys(axes["urgency"])
               if (i, u) not in seen]
    if missing:
        listed = ", ".join(f"{i} x {u}" for i, u in missing[:6])
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        yield context.emit(
            process, f"the matrix has no priority for {len(missing)} impact x urgency"
            f" pair{'s' if len(missing) != 1 else ''}: {listed}{more}", (*MATRIX, "priorities"),
            "add a cell {impact, urgency, priority} for each missing pair")


def _axis_rank(names: list[str]) -> dict[str, int]:
    rank: dict[str, int] = {}
    for position, name in enumerate(names):
        rank.setdefault(name, position)
    return rank


def _inversions(process: Entity) -> Iterator[tuple[Cell, Cell, str]]:
    """(cell, its more severe neighbour that got a lower priority, the axis)."""
    impact = _axis_rank(levels(process, "impact"))
    urgency = _axis_rank(levels(process, "urgency"))
    grid: dict[tuple[int, int], Cell] = {}
    for cell in cells(process):
        if cell.impact in impact and cell.urgency in urgency and cell.rank is not None:
            grid.setdefault((impact[cell.impact], urgency[cell.urgency]), cell)
    for (i, u), cell in sorted(grid.items()):
        for axis, more in (("impact", (i - 1, u)), ("urgency", (i, u - 1))):
            severe = grid.get(more)
            if severe is not None and cell.rank is not None and severe.rank is not None \
                    and severe.rank > cell.rank:
                yield cell, severe, axis


@entity_rule("process-matrix-monotonic", Severity.ERROR, "Process")
def matrix_monotonic(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """More impact or more urgency gives a lower priority somewhere in the priority matrix.

    Impact and urgency are listed most to least, and P1 is the highest priority. A matrix
    where `significant x high` is P2 but `extensive x high` is P3 ranks a bigger outage
    below a smaller one: the resolver groups would work the wrong ticket first, and the
    SLA clock of the bigger outage would run longer.

    Passes when each cell's priority is at least as high as that of the cell one level
    less severe on either axis. Fix the cell named in the message (often a typo).
    """
    for cell, severe, axis in _inversions(process):
        yield context.emit(
            process, f"{severe.impact} x {severe.urgency} is {severe.priority}, lower than"
            f" {cell.priority} for the less severe {cell.impact} x {cell.urgency}"
            f" (more {axis} must never lower the priority)", _cell_path(severe),
            f"make {severe.impact} x {severe.urgency} {cell.priority} or higher")


def _incident_processes(context: RuleContext) -> list[Entity]:
    return [p for p in context.catalog.of_kind("Process")
            if process_name(p) == "incident" and isinstance(p.get(*MATRIX), dict)]


@catalog_rule("sla-priority-in-matrix", Severity.ERROR)
def sla_priority_in_matrix(context: RuleContext) -> Iterable[Finding]:
    """An SLA promises a target for a priority the incident priority matrix never gives.

    The priorities in SLAs are the ones the service desk assigns from the incident
    process's impact x urgency matrix. A P4 target in an SLA whose matrix stops at P3 is a
    promise nobody can be held to, and usually means the SLA and the process were changed
    apart.

    Checked against each incident Process with a priority matrix whose scope covers the
    SLA's service (an unscoped process covers all); catalogs without one are not checked.
    Fix it by aligning the SLA's targets with the matrix, or the matrix with the SLAs.
    """
    processes = _incident_processes(context)
    if not processes:
        return
    for sla in context.catalog.of_kind("SLA"):
        text = sla.get("spec", "service")
        service = context.catalog.get(parse_ref(text, "Service")) if isinstance(text, str) \
            else None
        for process in (p for p in processes if covers(p, service)):
            known = matrix_priorities(process)
            for index, item in list_of_dicts(sla.get("spec", "targets")):
                priority = item.get("priority")
                if isinstance(priority, str) and priority not in known:
                    yield context.emit(
                        sla, f"{priority} is not a priority of the incident matrix of"
                        f" Process {process.name!r} (it gives {', '.join(sorted(known))})",
                        ("spec", "targets", index, "priority"),
                        f"drop the {priority} target or add {priority} to the matrix of"
                        f" {process.name}")
