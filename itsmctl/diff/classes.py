"""The change classes: what a catalog change means for governance, and its impact level.

Data, not code: the README table and `itsmctl diff --format json` use these ids. Impact
levels: info < review < approval-required < breaking.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsmctl.diff.process_changes import PROCESS_CLASSES
from itsmctl.diff.result import Impact

# one letter each keeps the table below aligned
I, R, A, B = Impact.INFO, Impact.REVIEW, Impact.APPROVAL_REQUIRED, Impact.BREAKING  # noqa: E741


@dataclass(frozen=True, slots=True)
class ChangeClass:
    id: str
    impact: Impact
    summary: str


CHANGE_CLASSES: tuple[ChangeClass, ...] = (
    ChangeClass("entity-added", I, "A new entity enters the catalog."),
    ChangeClass("entity-removed", R, "An entity leaves the catalog; nothing references it."),
    ChangeClass("entity-removed-referenced", B,
                "An entity is removed (or renamed) while other entities still reference it."),
    ChangeClass("entity-renamed", R, "An entity is removed and another with nearly the same"
                " content added: a rename."),
    ChangeClass("documentation-changed", I, "Title, description, labels or annotations."),
    ChangeClass("field-changed", R, "Any other change of a specification field."),
    ChangeClass("availability-lowered", A, "SLA availability target lowered: more downtime"
                " is allowed (shown in minutes per 30 days)."),
    ChangeClass("availability-raised", R, "SLA availability target raised."),
    ChangeClass("target-loosened", A, "A response or resolution target of a priority gets"
                " longer, or is dropped."),
    ChangeClass("target-tightened", R, "A response or resolution target gets shorter, or a"
                " priority gets targets."),
    ChangeClass("service-credits-reduced", A, "A service credit is removed or lowered."),
    ChangeClass("sla-terms-changed", R, "SLA type, customer, calendar, measurement period or"
                " effective dates."),
    ChangeClass("attainment-newly-missed", A, "Measured on the records (`diff --records`), the"
                " changed SLA misses a target in a period where BASE's met it (attainment or"
                " availability), or would owe a larger service credit."),
    ChangeClass("attainment-reevaluated", I, "Measured on the records (`diff --records`), the"
                " changed SLA's figures move; no target is newly missed."),
    ChangeClass("kpi-newly-missed", A, "Measured on the records (`diff --records`), a changed"
                " KPI of a process misses its target in a period where BASE's met it."),
    ChangeClass("kpi-reevaluated", I, "Measured on the records (`diff --records`), a changed"
                " KPI's values or verdicts move; no target is newly missed."),
    ChangeClass("records-changed", R, "With `--records`, the change edits the records folder"
                " itself (inside the repository): the readings are taken under BASE's records"
                " and HEAD's, and the change process owner reviews the edit."),
    ChangeClass("role-holders-changed", R, "A role of the config names other people than at"
                " BASE, through the members: one added whose login or e-mail matches a holder,"
                " or a holder's e-mail or login edited. The change process owner reviews it."),
    ChangeClass("owner-changed", A, "The service owner team changes."),
    ChangeClass("owner-removed", A, "The service loses its owner team."),
    ChangeClass("accountable-changed", A, "The Accountable party of a RACI activity changes"
                " (or the activity is removed)."),
    ChangeClass("raci-changed", R, "Responsible, Consulted or Informed parties change."),
    ChangeClass("dependency-added", R, "A service takes a new dependency."),
    ChangeClass("dependency-on-less-critical-tier", A, "A new or hardened hard dependency on a"
                " service of a less critical tier than the dependent service."),
    ChangeClass("dependency-removed", R, "A service drops a dependency."),
    ChangeClass("dependency-type-changed", R, "A dependency changes between hard and soft."),
    ChangeClass("retiring-with-dependents", A, "A service moves to `retiring` while other"
                " services depend on it."),
    ChangeClass("retired-with-dependents", B, "A service is retired while other services still"
                " depend on it."),
    ChangeClass("lifecycle-changed", R, "A service moves to another lifecycle stage."),
    ChangeClass("lifecycle-gate", R, "A lifecycle move meets the exit and entry criteria of"
                " a gate at HEAD; the gate's approvers approve it (docs/gates.md)."),
    ChangeClass("lifecycle-gate-unmet", A, "A lifecycle move misses criteria of a gate, or"
                " skips a stage the gate does not allow to be skipped (the findings say which)."),
    ChangeClass("evidence-added", R, "A service records new evidence (a sign-off, a test),"
                " shown with its date and approver."),
    ChangeClass("evidence-renewed", R, "Evidence gets a later date (a test repeated)."),
    ChangeClass("evidence-changed", R, "Evidence changes its approver or record, or is"
                " removed."),
    ChangeClass("tier-lowered", A, "A service becomes less critical (higher tier number):"
                " less monitoring, on-call and change scrutiny."),
    ChangeClass("tier-raised", R, "A service becomes more critical (lower tier number)."),
    ChangeClass("data-classification-lowered", A, "A service's data classification is"
                " lowered (e.g. restricted -> confidential)."),
    ChangeClass("change-model-allowed", R, "A service allows a further change model, or"
                " stops allowing one."),
    ChangeClass("cab-removed", A, "A change model no longer requires Change Advisory Board"
                " authorization, or changes its CAB."),
    ChangeClass("approver-removed", A, "A change model drops an approver."),
    ChangeClass("retrospective-approval-allowed", A, "A change model now lets approval follow"
                " implementation."),
    ChangeClass("pir-no-longer-required", A, "A change model no longer requires a Post"
                " Implementation Review (or allows more time for it)."),
    ChangeClass("lead-time-shortened", A, "A change model's minimum notice gets shorter."),
    ChangeClass("artifact-no-longer-required", A, "A change model stops requiring an artifact"
                " (risk assessment, rollback plan...)."),
    ChangeClass("standard-change-template-added", A, "A pre-approved standard change template"
                " is added or its pre-approval extended: the CAB pre-authorizes it."),
    ChangeClass("blackout-window-removed", A, "A change freeze window is removed or shortened."),
    ChangeClass("change-workflow-changed", R, "States, type or other change model fields."),
    ChangeClass("waiver-added", A, "An entity waives a rule."),
    ChangeClass("waiver-extended", A, "A waiver's expiry date moves later."),
    ChangeClass("waiver-removed", I, "A waiver is removed: the rule applies again."),
    ChangeClass("validation-scope-narrowed", A, "The config takes files out of validation: an"
                " exclude pattern added or an include pattern dropped."),
    ChangeClass("scorecard-level-lowered", A, "A service drops to a lower scorecard level"
                " (see `itsmctl score`)."),
    ChangeClass("on-call-changed", R, "A team's on-call schedule or escalation chain changes."),
    ChangeClass("on-call-removed", A, "A team no longer has an on-call schedule."),
    ChangeClass("support-hours-changed", R, "A business calendar's hours, time zone or"
                " holidays change."),
    ChangeClass("offering-removed", R, "A service catalog offering or request type is"
                " withdrawn."),
    ChangeClass("rule-disabled", A, "The config switches a rule `off`, everywhere or for"
                " some paths (an override)."),
    ChangeClass("rule-downgraded", A, "The config lowers a rule's severity (error -> warning"
                " -> info), everywhere or for some paths."),
    ChangeClass("rule-enabled", R, "The config switches a rule back on."),
    ChangeClass("rule-upgraded", R, "The config raises a rule's severity."),
    ChangeClass("policy-removed", A, "A policy or scorecard is removed: its rule no longer"
                " runs, or services are no longer placed on it."),
    ChangeClass("policy-changed", A, "A policy's or scorecard's definition changes (severity,"
                " selector, requirement, levels...)."),
    ChangeClass("policy-added", R, "A new policy or scorecard."),
    ChangeClass("default-branch-changed", A, "The config changes `settings.defaultBranch`:"
                " what later pull requests are compared with."),
    ChangeClass("limits-raised", A, "The config raises a parse limit (`settings.maxFileSize`,"
                " `maxAliasExpansion`, `maxExpandedSize`, `maxDepth`): later changes may be"
                " larger. The change itself is read under BASE's lower bound."),
    ChangeClass("config-changed", R, "Any other setting of the config file (include, exclude,"
                " policyFiles, limits, settings...)."),
    *(ChangeClass(id_, Impact.parse(impact), summary) for id_, impact, summary in PROCESS_CLASSES),
)

BY_ID: dict[str, ChangeClass] = {c.id: c for c in CHANGE_CLASSES}


def impact_of(class_id: str) -> Impact:
    return BY_ID[class_id].impact
