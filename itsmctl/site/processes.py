"""The page of a Process: owner, RACI, priority matrix, escalation timeline, KPIs.

The escalation timeline puts each step against the P1..P4 targets of the SLAs the process
covers: a step at 50% of resolution fires after 2h for a 4h target. Where SLAs differ, the
page shows the range (the tightest and the loosest agreement), so an auditor sees when each
step fires without choosing an SLA.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from itsmctl.durations import format_duration, parse_duration
from itsmctl.model import PRIORITIES, Entity, list_of_dicts
from itsmctl.processes.scope import covers, describe_scope, scope_key
from itsmctl.processes.spec import EscalationStep, escalation, kpis, process_name
from itsmctl.references import PARTY, parse_ref
from itsmctl.rules.reviews import review_due
from itsmctl.site.context import SiteInput
from itsmctl.site.pagemodel import as_dict, as_list, text
from itsmctl.site.services import raci_matrix

TARGETS = ("response", "resolution")
_W, _ROW, _LEFT, _TOP, _RIGHT = 720, 34, 40, 26, 110


def _targets(site: SiteInput, process: Entity) -> dict[tuple[str, str], list[int]]:
    """(priority, response|resolution) -> the target minutes of each SLA the process covers."""
    out: dict[tuple[str, str], list[int]] = {}
    for sla in site.catalog.of_kind("SLA"):
        name = sla.get("spec", "service")
        service = site.catalog.get(parse_ref(name, "Service")) if isinstance(name, str) else None
        if not covers(process, service):
            continue
        for _, item in list_of_dicts(sla.get("spec", "targets")):
            for field in TARGETS:
                minutes = parse_duration(item.get(field))
                if isinstance(item.get("priority"), str) and minutes is not None:
                    out.setdefault((item["priority"], field), []).append(minutes)
    return out


def _span(minutes: list[int], share: float = 100.0) -> str:
    """`2h`, or `1h-4h` when the SLAs differ."""
    if not minutes:
        return ""
    low, high = (round(m * share / 100) for m in (min(minutes), max(minutes)))
    if low == high:
        return format_duration(low)
    return f"{format_duration(low)}\u2013{format_duration(high)}"


def escalation_rows(site: SiteInput, process: Entity) -> list[dict[str, Any]]:
    """One row per step: who, when as a share, and when in time for each priority."""
    targets = _targets(site, process)
    rows = []
    for step in escalation(process):
        fires = [(p, _span(targets.get((p, step.of), []), step.percent or 0.0))
                 if step.applies_to(p) else (p, "") for p in PRIORITIES]
        rows.append({"at": text(process.get(*step.path, "at")), "of": step.of, "type": step.type,
                     "to": site.link_text(step.to, PARTY), "fires": fires,
                     "notify": [site.link_text(n, PARTY) for n in
                                as_list(process.get(*step.path, "notify"))
                                if isinstance(n, str)]})
    return rows


def timeline_svg(steps: list[EscalationStep], targets: dict[tuple[str, str], list[int]],
                 of: str, title: str) -> Markup:
    """Rows P1..P4 along 0-100% of the target, a marker where each step fires."""
    height = _TOP + len(PRIORITIES) * _ROW + 8
    span = _W - _LEFT - _RIGHT
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{_W}"'
            f' height="{height}" viewBox="0 0 {_W} {height}" role="img"'
            f' aria-label="{escape(title)}" font-family="system-ui, sans-serif" font-size="12">')
    out = [head, f'<title>{escape(title)}</title>']
    for pct in (0, 25, 50, 75, 100):
        x = _LEFT + span * pct / 100
        out.append(f'<line x1="{x:.0f}" y1="{_TOP - 6}" x2="{x:.0f}" y2="{height - 6}"'
                   ' stroke="#d0d7de" stroke-width="1"/>'
                   f'<text x="{x:.0f}" y="{_TOP - 10}" text-anchor="middle" fill="#4a4a4a">'
                   f'{pct}%</text>')
    for row, priority in enumerate(PRIORITIES):
        y = _TOP + row * _ROW + _ROW // 2
        target = _span(targets.get((priority, of), []))
        out.append(f'<text x="4" y="{y + 4}" fill="#1a1a1a" font-weight="bold">{priority}</text>'
                   f'<line x1="{_LEFT}" y1="{y}" x2="{_LEFT + span}" y2="{y}" stroke="#1f4e79"'
                   ' stroke-width="3"/>'
                   f'<text x="{_LEFT + span + 12}" y="{y + 4}" fill="#4a4a4a">'
                   f'{escape(target or "no target")}</text>')
        for step in steps:
            if step.of != of or step.percent is None or not step.applies_to(priority):
                continue
            x = _LEFT + span * min(step.percent, 100.0) / 100
            when = _span(targets.get((priority, of), []), step.percent)
            label = f"{step.to or '?'}" + (f" after {when}" if when else "")
            colour = "#b35900" if step.type == "hierarchical" else "#2e7d32"
            out.append(f'<circle cx="{x:.0f}" cy="{y}" r="6" fill="{colour}">'
                       f'<title>{escape(label)}</title></circle>'
                       f'<text x="{x:.0f}" y="{y + 17}" text-anchor="middle" fill="#1a1a1a">'
                       f'{escape(when)}</text>')
    out.append("</svg>")
    return Markup("\n".join(out) + "\n")


def matrix_table(process: Entity) -> dict[str, Any] | None:
    """Impact rows x urgency columns, each cell its priority (blank where none is given)."""
    matrix = as_dict(process.get("spec", "priorityMatrix"))
    if not matrix:
        return None
    impact = [(text(i.get("level")), text(i.get("description")))
              for _, i in list_of_dicts(matrix.get("impact"))]
    urgency = [(text(u.get("level")), text(u.get("description")))
               for _, u in list_of_dicts(matrix.get("urgency"))]
    cells = {(text(c.get("impact")), text(c.get("urgency"))): text(c.get("priority"))
             for _, c in reversed(list(list_of_dicts(matrix.get("priorities"))))}
    rows = [(level, description, [cells.get((level, u), "") for u, _ in urgency])
            for level, description in impact]
    return {"urgency": urgency, "rows": rows}


def kpi_rows(site: SiteInput, process: Entity) -> list[dict[str, Any]]:
    rows = []
    for kpi in kpis(process):
        item = as_dict(process.get(*kpi.path))
        select = as_dict(item.get("select"))
        rows.append({
            "name": kpi.name, "title": text(item.get("title")) or kpi.name,
            "metric": kpi.metric.title if kpi.metric else text(item.get("metric")),
            "metric_id": text(item.get("metric")),
            "statistic": kpi.statistic or "", "target": str(kpi.target) if kpi.target else "",
            "period": kpi.period, "clock": kpi.clock,
            "select": "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in select.items()
                                if isinstance(v, list)),
            "owner": site.link_text(kpi.review_owner, PARTY) if kpi.review_owner else None,
            "cadence": kpi.review_cadence or "",
        })
    return rows


def _practice(process: Entity, site: SiteInput) -> list[tuple[str, Any]]:
    """The fields of one practice as (label, value text) pairs; links where they name one."""
    spec = process.spec
    pairs: list[tuple[str, Any]] = []
    declaration = as_dict(spec.get("declaration"))
    for criterion in as_list(declaration.get("criteria")):
        pairs.append(("Declared when", text(criterion)))
    if as_list(declaration.get("priorities")):
        pairs.append(("Always major", ", ".join(map(text, as_list(declaration["priorities"])))))
    communication = as_dict(spec.get("communication"))
    if communication:
        pairs.append(("Stakeholder updates", f"every {text(communication.get('cadence'))}"
                      + (f" to {', '.join(map(text, as_list(communication.get('channels'))))}"
                         if as_list(communication.get("channels")) else "")))
    exercises = as_dict(spec.get("exercises"))
    if exercises:
        held = (f"{text(exercises.get('type')) or 'exercise'} every"
                f" {text(exercises.get('cadence'))}, last"
                f" {text(exercises.get('lastExercise')) or 'never'}")
        pairs.append(("Exercises", held))
    root = as_dict(spec.get("rootCause"))
    if root:
        recurring = as_dict(root.get("recurring"))
        priorities = as_list(root.get("priorities"))
        why = [f"every {', '.join(map(text, priorities))} incident"] if priorities else []
        if recurring:
            why.append(f"{text(recurring.get('incidents'))} incidents within"
                       f" {text(recurring.get('within'))}")
        pairs.append(("Root-cause analysis for", " or ".join(why)
                      + (f", within {text(root.get('within'))}" if root.get("within") else "")))
    knowledge_base = text(as_dict(spec.get("knownErrors")).get("knowledgeBase"))
    if knowledge_base:
        pairs.append(("Known errors", knowledge_base))
    for _, window in list_of_dicts(spec.get("releaseWindows")):
        pairs.append(("Release window", f"{text(window.get('name'))}:"
                      f" {', '.join(map(text, as_list(window.get('days'))))}"
                      f" {text(window.get('from'))}\u2013{text(window.get('until'))}"
                      f" {text(window.get('timezone'))}".rstrip()))
    if "rollbackPlanRequired" in spec:
        pairs.append(("Rollback plan required", text(spec.get("rollbackPlanRequired"))))
    return pairs


def process_fields(site: SiteInput, process: Entity) -> dict[str, Any]:
    raci_text = process.get("spec", "raci")
    raci = site.catalog.get(parse_ref(raci_text, "RACI")) if isinstance(raci_text, str) else None
    targets = _targets(site, process)
    steps = escalation(process)
    due = review_due(process)
    return {
        "practice": process_name(process) or "",
        "owner": site.link_text(process.get("spec", "owner"), PARTY),
        "raci_link": site.link_text(raci_text, "RACI"),
        "raci": raci_matrix(site, raci) if raci is not None and raci.kind == "RACI" else None,
        "scope": describe_scope(scope_key(process)),
        "review_last": text(process.get("spec", "review", "lastReviewed")),
        "review_interval": text(process.get("spec", "review", "interval")),
        "review_due": due.isoformat() if due else "",
        "review_overdue": bool(due and due < site.today),
        "priority_matrix": matrix_table(process),
        "escalation": escalation_rows(site, process),
        "timelines": [(of, timeline_svg(steps, targets, of, f"Escalation of {process.title}"
                                        f" against the {of} targets"))
                      for of in TARGETS if any(s.of == of for s in steps)],
        "kpis": kpi_rows(site, process),
        "practice_fields": _practice(process, site),
        "change_models": [site.link_text(m, "ChangeModel")
                          for m in as_list(process.get("spec", "changeModels"))
                          if isinstance(m, str)],
        "catalog": site.link_text(process.get("spec", "catalog"), "ServiceCatalog"),
        "priorities": PRIORITIES,
    }


def process_list(site: SiteInput) -> list[dict[str, Any]]:
    """The home page's list: each process with its practice, owner, scope and KPI count."""
    rows = []
    for process in site.catalog.of_kind("Process"):
        rows.append({"link": site.link_entity(process), "practice": process_name(process) or "",
                     "owner": site.link_text(process.get("spec", "owner"), PARTY),
                     "scope": describe_scope(scope_key(process)), "kpis": len(kpis(process))})
    return sorted(rows, key=lambda r: (r["practice"], r["link"].text))
