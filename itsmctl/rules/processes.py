"""Process entities: one per practice and scope, owned, detailed by a matching RACI, reviewed,
and rehearsed (major incidents)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from itsmctl.durations import parse_date, parse_duration
from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity
from itsmctl.processes.scope import ScopeKey, describe_scope, scope_key
from itsmctl.processes.spec import CORE_PROCESSES, process_name
from itsmctl.references import parse_ref
from itsmctl.rules.common import count
from itsmctl.rules.registry import RuleContext, catalog_rule, entity_rule
from itsmctl.rules.reviews import review_due

# fields that mean something for one practice only (change models: change and release)
PROCESS_FIELDS = {
    "priorityMatrix": ("incident", "request", "major-incident"),
    "declaration": ("major-incident",),
    "communication": ("major-incident",),
    "exercises": ("major-incident",),
    "rootCause": ("problem",),
    "knownErrors": ("problem",),
    "releaseWindows": ("release",),
    "changeModels": ("change", "release"),
    "rollbackPlanRequired": ("release", "change"),
    "catalog": ("request",),
}


@catalog_rule("process-unique", Severity.ERROR)
def unique(context: RuleContext) -> Iterable[Finding]:
    """Two Process entities describe the same practice for the same scope.

    A practice has one definition, owner and set of KPIs wherever it applies; two
    incident processes for the whole catalog leave the service desk with two priority
    matrices and `measure` with two sets of targets. An organisation that runs a practice
    per domain says so with `scope: {domain: ...}` or `scope: {labels: {...}}`.

    Passes when no two Process entities share `spec.process` and scope. Fix it by merging
    them, or by giving each its own scope.
    """
    seen: dict[tuple[str, ScopeKey], Entity] = {}
    for process in context.catalog.of_kind("Process"):
        name = process_name(process)
        if name is None:
            continue
        key = (name, scope_key(process))
        first = seen.setdefault(key, process)
        if first is not process:
            yield context.emit(
                process, f"Process {process.name!r} describes {name} for"
                f" {describe_scope(key[1])}, as {first.name!r} does ({first.file}:{first.line})",
                ("spec", "process"), "merge the two, or scope each (spec.scope.domain or labels)")


def _core(process: Entity) -> bool:
    return process_name(process) in CORE_PROCESSES


@entity_rule("process-owner-required", Severity.ERROR, "Process")
def owner_required(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A core ITSM process has no process owner.

    The process owner (ITIL) is accountable for the design of the practice and for its
    KPIs: who decides that P1 resolution is measured in business hours, who accepts a KPI
    miss. The core practices (incident, problem, change, request, release) each need one.

    Passes when `spec.owner` names a party (a team or `role:<name>`). Fix it by naming the
    owner.
    """
    if _core(process) and not isinstance(process.get("spec", "owner"), str):
        yield context.emit(
            process, f"{process_name(process)} process {process.name!r} has no process owner",
            ("spec", "process"), f"add owner: role:{process_name(process)}-process-owner")


def _raci(process: Entity, context: RuleContext) -> Entity | None:
    text = process.get("spec", "raci")
    target = context.catalog.get(parse_ref(text, "RACI")) if isinstance(text, str) else None
    return target if target is not None and target.kind == "RACI" else None


@entity_rule("process-raci-required", Severity.ERROR, "Process")
def raci_required(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A core ITSM process names no RACI matrix.

    The Process says how the practice runs; its RACI says who does each activity. A core
    practice (incident, problem, change, request, release) without one has an owner but
    nobody agreed to do the work.

    Passes when `spec.raci` is set (that it exists is `ref-unresolved`'s concern, that it
    covers this process `process-raci-scope`'s). Fix it by adding a RACI with
    `scope: {process: <practice>}` and naming it.
    """
    if _core(process) and process.get("spec", "raci") is None:
        name = process_name(process)
        yield context.emit(process, f"{name} process {process.name!r} names no RACI",
                           ("spec", "process"),
                           f"add a RACI with scope: {{process: {name}}} and set raci: to its name")


@entity_rule("process-raci-scope", Severity.ERROR, "Process")
def raci_scope(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A process names a RACI that covers a different process or a service.

    The RACI of the change process must be the change process's: one whose
    `scope.process` is `change`. Naming the incident RACI (or a service's) documents the
    wrong people.

    Passes when the named RACI's `scope.process` equals `spec.process`. Fix the name.
    """
    raci = _raci(process, context)
    name = process_name(process)
    if raci is None or name is None:
        return
    scope = raci.get("spec", "scope", "process")
    if scope != name:
        covered = f"process {scope}" if isinstance(scope, str) else \
            f"service {raci.get('spec', 'scope', 'service')}"
        yield context.emit(
            process, f"RACI {raci.name!r} covers {covered}, not the {name} process",
            ("spec", "raci"), f"name the RACI whose scope is {{process: {name}}}")


@entity_rule("process-field-misplaced", Severity.WARNING, "Process")
def field_misplaced(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A process carries a field that belongs to another practice.

    Release windows mean something for release management, root-cause criteria for
    problem management, exercises for major incidents. On another practice they are
    ignored by every check, report and page, which is rarely what the author meant
    (often the wrong `spec.process`).

    Passes when each practice-specific field sits on a process it belongs to. Fix it by
    moving the field to the right Process, or correcting `spec.process`.
    """
    name = process_name(process)
    spec = process.spec
    for field, owners in PROCESS_FIELDS.items():
        if name is not None and field in spec and name not in owners:
            yield context.emit(
                process, f"{field} belongs to the {' or '.join(owners)} process, not {name}",
                ("spec", field), f"move {field} to the {owners[0]} Process or remove it")


@entity_rule("process-review-overdue", Severity.WARNING, "Process")
def review_overdue(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A process's periodic review is overdue.

    The process owner reviews the practice at the agreed interval: are the matrix, the
    escalation ladder and the KPI targets still right, did the KPIs' misses lead to
    improvements (ITIL's continual improvement)? A process nobody reviewed drifts from what
    people actually do.

    Overdue when `review.lastReviewed` + `review.interval` is before today. Fix it by
    holding the review and updating `lastReviewed`.
    """
    due = review_due(process)
    if due is not None and due < context.today:
        review = ("spec", "review")
        yield context.emit(
            process, f"review of process {process.name!r} was due on {due} (last reviewed"
            f" {process.get(*review, 'lastReviewed')}, every {process.get(*review, 'interval')}),"
            f" {count((context.today - due).days, 'day')} overdue", (*review, "lastReviewed"),
            "review the process with its owner and update review.lastReviewed")


@entity_rule("process-exercise-overdue", Severity.WARNING, "Process")
def exercise_overdue(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A major incident process has not been exercised within its cadence.

    Major incidents are rare, so the process is rehearsed (the seeds: tabletop exercises
    quarterly): the bridge, the paging, the status page and the hand-offs are tried before
    they are needed. A rehearsal that is overdue, or never held, means the first real
    major incident is the test.

    Overdue when `exercises.lastExercise` + `exercises.cadence` is before today, or when no
    exercise is recorded. Fix it by holding the exercise and recording its date.
    """
    exercises = ("spec", "exercises")
    if process_name(process) != "major-incident" or process.get(*exercises) is None:
        return
    cadence = parse_duration(process.get(*exercises, "cadence"))
    if cadence is None:
        return
    last = parse_date(process.get(*exercises, "lastExercise"))
    if last is None:
        if process.get(*exercises, "lastExercise") is None:
            yield context.emit(process, f"process {process.name!r} records no exercise",
                               exercises, "hold an exercise and set exercises.lastExercise")
        return
    try:
        due = last + timedelta(minutes=cadence)
    except OverflowError:
        return
    if due < context.today:
        yield context.emit(
            process, f"the next exercise of {process.name!r} was due on {due} (last {last},"
            f" every {process.get(*exercises, 'cadence')}),"
            f" {count((context.today - due).days, 'day')} overdue",
            (*exercises, "lastExercise"), "hold the exercise and update exercises.lastExercise")


@entity_rule("release-rollback-plan", Severity.WARNING, "Process")
def release_rollback_plan(process: Entity, context: RuleContext) -> Iterable[Finding]:
    """A process requires a rollback plan that a change model it uses does not ask for.

    With `rollbackPlanRequired: true` every release must carry a tested rollback plan; the
    change models it goes through are where that is enforced, in `requiredArtifacts`. A
    model without `rollback-plan` lets a release through without one.

    Passes when each change model in `changeModels` lists `rollback-plan` in its required
    artifacts, or the process does not require one. Fix the change model.
    """
    if process.get("spec", "rollbackPlanRequired") is not True:
        return
    models = process.get("spec", "changeModels")
    for index, text in enumerate(models if isinstance(models, list) else []):
        model = context.catalog.get(parse_ref(text, "ChangeModel")) if isinstance(text, str) \
            else None
        if model is None or model.kind != "ChangeModel":
            continue
        artifacts = model.get("spec", "requiredArtifacts")
        if not isinstance(artifacts, list) or "rollback-plan" not in artifacts:
            yield context.emit(
                process, f"change model {model.name!r} does not require a rollback plan,"
                f" which {process.name!r} requires", ("spec", "changeModels", index),
                f"add rollback-plan to the requiredArtifacts of {model.name}")
