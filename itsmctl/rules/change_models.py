"""Change models: the controls each type of change (standard, normal, emergency) must carry."""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.durations import parse_date
from itsmctl.findings import Finding, JsonPath, Severity
from itsmctl.model import Entity, list_of_dicts
from itsmctl.rules.common import count
from itsmctl.rules.registry import RuleContext, entity_rule

TYPE = ("spec", "type")


def _deepest(model: Entity, path: JsonPath) -> JsonPath:
    """The longest prefix of `path` present in the document: where a missing value belongs."""
    for end in range(len(path), 1, -1):
        if model.get(*path[:end]) is not None:
            return path[:end]
    return TYPE


@entity_rule("change-emergency-review", Severity.ERROR, "ChangeModel")
def emergency_review(model: Entity, context: RuleContext) -> Iterable[Finding]:
    """An emergency change model lacks a post-implementation review or retrospective approval.

    Emergency changes skip the normal assessment to restore service fast; the controls move
    to afterwards. ITIL's emergency change authority may approve after the fact, and every
    emergency change must be reviewed once done, to confirm it worked, to record it and to
    ask whether it should have been an emergency at all. Without both, "emergency" is a
    way around change control.

    Passes when an `emergency` model sets `postImplementationReview.required: true` and
    `approvals.retrospective: true`.
    """
    if model.get(*TYPE) != "emergency":
        return
    checks = ((("spec", "postImplementationReview", "required"), "a post-implementation review",
               "set postImplementationReview: {required: true, within: 5d}"),
              (("spec", "approvals", "retrospective"), "retrospective approval",
               "set approvals.retrospective: true (the ECAB approves after the fact)"))
    for path, what, hint in checks:
        value = model.get(*path)
        if value is not True:
            shown = ("not set" if value is None
                     else str(value).lower() if isinstance(value, bool) else repr(value))
            yield context.emit(
                model, f"emergency change model {model.name!r} does not"
                f" require {what} ({'.'.join(map(str, path[1:]))} is {shown})",
                _deepest(model, path), hint)


@entity_rule("change-normal-approval", Severity.ERROR, "ChangeModel")
def normal_approval(model: Entity, context: RuleContext) -> Iterable[Finding]:
    """A normal change model names no CAB and no approver.

    Normal changes are the ones that are neither pre-approved (standard) nor urgent
    (emergency): their whole point is assessment and authorization before implementation.
    A normal model without a change authority lets changes through unapproved.

    Passes when a `normal` model sets `approvals.cab` (the Change Advisory Board team) or
    lists at least one party in `approvals.approvers` (e.g. `role:change-manager`).
    """
    if model.get(*TYPE) == "normal" and not has_authority(model):
        yield context.emit(
            model, f"normal change model {model.name!r} names no change"
            " authority (no approvals.cab and no approvals.approvers)",
            _deepest(model, ("spec", "approvals", "approvers")),
            "set approvals.cab to the CAB team, or list approvers such as role:change-manager")


def has_authority(model: Entity) -> bool:
    """A CAB team or at least one approver: someone who can authorize the change."""
    cab, approvers = model.get("spec", "approvals", "cab"), model.get("spec", "approvals",
                                                                      "approvers")
    return bool((isinstance(cab, str) and cab) or (isinstance(approvers, list) and approvers))


@entity_rule("change-emergency-authority", Severity.ERROR, "ChangeModel")
def emergency_authority(model: Entity, context: RuleContext) -> Iterable[Finding]:
    """An emergency change model names no change authority.

    ITIL's emergency change authority (often an emergency CAB, ECAB) authorizes changes that
    cannot wait for the normal CAB. Retrospective approval moves the decision to after the
    implementation; it does not remove it. A model with `retrospective: true` and nobody to
    approve means emergency changes are never authorized by anyone, before or after.

    Passes when an `emergency` model sets `approvals.cab` (the emergency CAB team) or lists
    at least one party in `approvals.approvers` (e.g. `role:major-incident-manager`),
    whether or not approval may follow implementation.
    """
    if model.get(*TYPE) == "emergency" and not has_authority(model):
        late = model.get("spec", "approvals", "retrospective") is True
        yield context.emit(
            model, f"emergency change model {model.name!r} names no emergency change authority"
            f" (no approvals.cab and no approvals.approvers)"
            f"{': retrospective approval by nobody' if late else ''}",
            _deepest(model, ("spec", "approvals", "approvers")),
            "set approvals.cab to the emergency CAB, or list approvers such as"
            " role:major-incident-manager")


@entity_rule("change-standard-template-risk", Severity.ERROR, "ChangeModel")
def standard_template_risk(model: Entity, context: RuleContext) -> Iterable[Finding]:
    """A standard change model has no templates, or a template that is not low risk.

    Standard changes are pre-approved: they skip the CAB because they are low risk, well
    understood and repeatable. The pre-approval covers the templates listed, nothing else;
    a standard model without templates pre-approves anything, and a medium- or high-risk
    template hands unassessed risk to production.

    Passes when a `standard` model lists at least one template and each has `risk: low`.
    Fix it by moving riskier work to the normal change model, or by adding templates.
    """
    if model.get(*TYPE) != "standard":
        return
    templates = list(list_of_dicts(model.get("spec", "templates")))
    if not templates:
        yield context.emit(
            model, f"standard change model {model.name!r} has no"
            " templates: nothing is pre-approved", _deepest(model, ("spec", "templates")),
            "list the pre-approved, low-risk changes under spec.templates")
    for index, template in templates:
        risk = template.get("risk")
        if risk in ("medium", "high"):
            yield context.emit(
                model, f"template {template.get('name')!r} of"
                f" standard change model {model.name!r} is {risk} risk",
                ("spec", "templates", index, "risk"),
                "only low-risk changes are pre-approved: use the normal change model for it")


@entity_rule("change-standard-template-expired", Severity.ERROR, "ChangeModel")
def template_expired(model: Entity, context: RuleContext) -> Iterable[Finding]:
    """A change template's pre-approval has expired (`reviewBy` is before today).

    A template is pre-approved on the understanding that it stays low risk; systems change,
    so the change manager re-assesses each template by its `reviewBy` date. After that date
    the template must not be used as a standard change until reviewed again.

    Passes when every template's `reviewBy` is today or later (templates without one pass).
    Fix it by reviewing the template and moving `reviewBy` forward, or by removing it.
    """
    for index, template in list_of_dicts(model.get("spec", "templates")):
        review_by = parse_date(template.get("reviewBy"))
        if review_by is not None and review_by < context.today:
            days = (context.today - review_by).days
            yield context.emit(
                model, f"template {template.get('name')!r}"
                f" expired on {review_by} ({count(days, 'day')} ago)",
                ("spec", "templates", index, "reviewBy"),
                "re-assess the template and move reviewBy forward, or remove the template")


@entity_rule("change-blackout-dates", Severity.ERROR, "ChangeModel")
def blackout_dates(model: Entity, context: RuleContext) -> Iterable[Finding]:
    """A blackout window (change freeze) ends before it starts.

    Blackout windows stop changes during peak trading, year-end closing or audits. A window
    whose `until` is before its `from` freezes nothing, so the freeze everybody relies on
    silently does not exist.

    Passes when `from` <= `until` for each window (a one-day window has them equal).
    """
    for index, window in list_of_dicts(model.get("spec", "blackoutWindows")):
        start, end = parse_date(window.get("from")), parse_date(window.get("until"))
        if start is not None and end is not None and end < start:
            yield context.emit(
                model, f"blackout window {window.get('name')!r} ends ({end})"
                f" before it starts ({start})", ("spec", "blackoutWindows", index, "until"),
                "check the years: until must not precede from")
