"""Periodic service reviews: the owner looks at each service at the agreed interval."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from itsmctl.durations import parse_date, parse_duration
from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity
from itsmctl.rules.common import count, lifecycle
from itsmctl.rules.registry import RuleContext, entity_rule


def review_due(service: Entity) -> date | None:
    """When a service's next periodic review is due: `review.lastReviewed` + `review.interval`.

    The one place this date is computed, so the `review-overdue` rule and the site agree.
    None when either field is missing or malformed (the schema reports that), for a retired
    service (it is not reviewed any more), and when the interval reaches past the last
    representable date (`999999w`): such a review is never due.
    """
    if lifecycle(service) == "retired":
        return None
    last = parse_date(service.get("spec", "review", "lastReviewed"))
    interval = parse_duration(service.get("spec", "review", "interval"))
    if last is None or interval is None:
        return None
    try:
        return last + timedelta(minutes=interval)
    except OverflowError:
        return None


@entity_rule("review-overdue", Severity.WARNING, "Service")
def review_overdue(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service's periodic review is overdue.

    ITIL's service review is where the owner checks that the service still meets its SLA,
    that its risks, costs and dependencies are known, and that the catalog entry is true.
    An entry nobody has looked at for longer than its interval is probably stale.

    Overdue when `review.lastReviewed` + `review.interval` is before today (today comes from
    `--today` or the clock, so CI runs are reproducible). Retired services are not reviewed.
    Fix it by holding the review and updating `lastReviewed`.
    """
    due = review_due(service)
    if due is None:
        return
    if due < context.today:
        late = (context.today - due).days
        last = service.get("spec", "review", "lastReviewed")
        yield context.emit(
            service, f"review of {service.name!r} was due on {due} (last reviewed"
            f" {last}, every {service.get('spec', 'review', 'interval')}),"
            f" {count(late, 'day')} overdue", ("spec", "review", "lastReviewed"),
            "review the service with its owner and update review.lastReviewed")
