"""Periodic reviews: services, agreements, RACI matrices and change models are looked at again
at the interval agreed for each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from itsmctl.durations import parse_date, parse_duration
from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity
from itsmctl.rules.common import count, lifecycle
from itsmctl.rules.registry import RuleContext, entity_rule

REVIEW = ("spec", "review")


def review_due(entity: Entity) -> date | None:
    """When an entity's next periodic review is due: `review.lastReviewed` + `review.interval`.

    The one place this date is computed, so the review rules and the site agree. None when
    either field is missing or malformed (the schema reports that), for a retired service
    (it is not reviewed any more), and when the interval reaches past the last representable
    date (`999999w`): such a review is never due.
    """
    if entity.kind == "Service" and lifecycle(entity) == "retired":
        return None
    last = parse_date(entity.get(*REVIEW, "lastReviewed"))
    interval = parse_duration(entity.get(*REVIEW, "interval"))
    if last is None or interval is None:
        return None
    try:
        return last + timedelta(minutes=interval)
    except OverflowError:
        return None


def _overdue(entity: Entity, context: RuleContext, what: str, hint: str) -> Iterable[Finding]:
    due = review_due(entity)
    if entity.kind == "SLA":
        end = parse_date(entity.get("spec", "effective", "until"))
        if end is not None and end < context.today:
            return  # an agreement that has ended is renewed, not reviewed (sla-expired)
    if due is None or due >= context.today:
        return
    late = (context.today - due).days
    yield context.emit(
        entity, f"review of {what} {entity.name!r} was due on {due} (last reviewed"
        f" {entity.get(*REVIEW, 'lastReviewed')}, every {entity.get(*REVIEW, 'interval')}),"
        f" {count(late, 'day')} overdue", (*REVIEW, "lastReviewed"), hint)


@entity_rule("review-overdue", Severity.WARNING, "Service")
def review_overdue(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service's periodic review is overdue.

    ITIL's service review is where the owner checks that the service still meets its SLA,
    that its risks, costs and dependencies are known, and that the catalog entry is true.
    An entry nobody has looked at for longer than its interval is probably stale.

    Overdue when `review.lastReviewed` + `review.interval` is before today (today comes from
    `--today` or the clock, so CI runs are reproducible). Retired services are not reviewed.
    Fix it by holding the review and updating `lastReviewed`. The same fields and the same
    check apply to agreements (`sla-review-overdue`), RACI matrices (`raci-review-overdue`)
    and change models (`change-model-review-overdue`).
    """
    return _overdue(service, context, "service",
                    "review the service with its owner and update review.lastReviewed")


@entity_rule("sla-review-overdue", Severity.WARNING, "SLA")
def sla_review_overdue(sla: Entity, context: RuleContext) -> Iterable[Finding]:
    """An agreement's periodic review is overdue.

    Service level management reviews each SLA, OLA and UC with its counterparty at an agreed
    interval: are the targets still what the business needs, were they met, do the
    supporting agreements still underpin them? An agreement not reviewed in time drifts
    from both the business and the services behind it.

    Overdue when the SLA's `review.lastReviewed` + `review.interval` is before today; an
    agreement whose `effective.until` has passed is exempt (it needs renewal, not review).
    Fix it by holding the review with the customer or supplier and updating `lastReviewed`.
    """
    return _overdue(sla, context, "agreement",
                    "review the agreement with its counterparty and update review.lastReviewed")


@entity_rule("raci-review-overdue", Severity.WARNING, "RACI")
def raci_review_overdue(raci: Entity, context: RuleContext) -> Iterable[Finding]:
    """A RACI matrix's periodic review is overdue.

    People move and teams reorganise: a RACI matrix that was right last year names leavers
    and dissolved teams today, and an incident is then escalated to nobody. Reviewing it at
    an agreed interval keeps responsibility real.

    Overdue when the RACI's `review.lastReviewed` + `review.interval` is before today. Fix
    it by walking through the activities with the accountable parties and updating
    `lastReviewed`.
    """
    return _overdue(raci, context, "RACI",
                    "check each activity with its accountable party and update"
                    " review.lastReviewed")


@entity_rule("change-model-review-overdue", Severity.WARNING, "ChangeModel")
def change_model_review_overdue(model: Entity, context: RuleContext) -> Iterable[Finding]:
    """A change model's periodic review is overdue.

    Change enablement reviews its models regularly: are standard changes still low risk,
    do lead times and approvals fit the failure rate and the backlog, is the emergency path
    abused? A model not reviewed in time keeps controls that no longer fit.

    Overdue when the change model's `review.lastReviewed` + `review.interval` is before
    today. Fix it by reviewing the model with the change manager and updating
    `lastReviewed`.
    """
    return _overdue(model, context, "change model",
                    "review the model with the change manager and update review.lastReviewed")
