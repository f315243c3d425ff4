"""Data classification: services holding sensitive data are reviewed by security, and recently."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from itsmctl.durations import format_duration, parse_duration
from itsmctl.evidence import latest
from itsmctl.findings import Finding, Severity
from itsmctl.model import Entity
from itsmctl.rules.common import count, lifecycle
from itsmctl.rules.registry import RuleContext, entity_rule

DEFAULTS: dict[str, Any] = {"classifications": ["restricted"],
                            "evidence": ["security-review", "security-signoff"],
                            "maxAge": "52w"}
HOLDS_DATA = ("transition", "operational", "retiring")


def review_settings(settings: Any) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """(classifications, evidence names, max age in minutes) from `settings.securityReview`."""
    raw = settings.get("securityReview", {}) if isinstance(settings, dict) else {}
    merged = {**DEFAULTS, **(raw if isinstance(raw, dict) else {})}
    max_age = parse_duration(merged["maxAge"]) or parse_duration(DEFAULTS["maxAge"]) or 0
    return tuple(merged["classifications"]), tuple(merged["evidence"]), max_age


@entity_rule("security-review-current", Severity.ERROR, "Service")
def security_review_current(service: Entity, context: RuleContext) -> Iterable[Finding]:
    """A service holding restricted data has no current security review.

    Information security management reviews every service that processes sensitive data:
    threats, access, encryption, logging, the supplier chain. Data classified `restricted`
    (payment cards, health, credentials) must not be processed by a service whose review is
    missing or stale; the review is recorded as evidence on the service
    (`spec.evidence`, see docs/gates.md), so an auditor can follow its `ref`.

    Applies to services in `transition`, `operational` or `retiring` (a service in design
    holds no data yet) whose `dataClassification` is one of
    `settings.securityReview.classifications` in the config (default `[restricted]`; add
    `confidential` to cover it too). Passes when an evidence entry named as in
    `settings.securityReview.evidence` (default `security-review` or `security-signoff`) is
    dated today or earlier and at most `settings.securityReview.maxAge` old (default `52w`).
    Fix it by holding the review and adding its evidence with date, ref and approver.
    """
    classes, names, max_age = review_settings(context.config.raw.get("settings"))
    level = service.get("spec", "dataClassification")
    if level not in classes or lifecycle(service) not in HOLDS_DATA:
        return
    found = latest(service, names)
    wanted = " or ".join(names)
    if found is None:
        yield context.emit(
            service, f"service {service.name!r} holds {level} data but has no security review"
            f" (no evidence named {wanted})", ("spec", "dataClassification"),
            f"add spec.evidence: {{name: {names[0]}, date, ref, approver}} after the review")
        return
    if found.date > context.today:
        yield context.emit(service, f"security review of {service.name!r} is dated"
                           f" {found.date}, in the future", (*found.path, "date"),
                           "date evidence on the day it was given")
    elif context.today - found.date > timedelta(minutes=max_age):
        yield context.emit(
            service, f"security review of {service.name!r} ({level} data) is"
            f" {count(found.age(context.today), 'day')} old, more than"
            f" {format_duration(max_age)}", (*found.path, "date"),
            "repeat the security review and record the new evidence")
