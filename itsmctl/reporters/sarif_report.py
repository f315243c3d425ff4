"""SARIF 2.1.0 for GitHub code scanning: stable rule ids, regions, fingerprints."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from itsmctl import __version__
from itsmctl.diff.result import Classified, DiffResult, EntityChange, Impact
from itsmctl.findings import Finding, Severity
from itsmctl.reporters import ReportOptions
from itsmctl.rules import all_rules
from itsmctl.rules.registry import Rule
from itsmctl.validate import ValidationResult
from itsmctl.visible import json_visible

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/itsmctl/itsmctl"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(part.title() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc or rule.summary},
        "help": {"text": rule.doc or rule.summary,
                 "markdown": f"**{rule.summary}**\n\n{rule.doc}"},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"category": rule.category},
    }


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": finding.line or 1}
    if finding.column:
        region["startColumn"] = finding.column
    message = finding.message + (f"\nHint: {finding.hint}" if finding.hint else "")
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": _LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(finding.file), "uriBaseId": "%SRCROOT%"},
            "region": region,
        }}],
        "partialFingerprints": {"itsmctl/v1": finding.fingerprint},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if finding.waived_by is not None:
        result["suppressions"] = [{"kind": "inSource",
                                   "justification": finding.waived_by.reason}]
    return result


Reading = tuple[EntityChange, Classified]


def records_readings(diff: DiffResult) -> list[Reading]:
    """`check --records`: what the records say of each changed SLA and KPI (diff/records.py)."""
    from itsmctl.diff.records import READING_CLASSES

    return [(c, i) for c in diff.changes for i in c.impacts
            if i.change_class in READING_CLASSES]


def _class_rule(class_id: str) -> dict[str, Any]:
    from itsmctl.diff.classes import BY_ID

    found = BY_ID[class_id]
    level = "warning" if found.impact >= Impact.APPROVAL_REQUIRED else "note"
    return {
        "id": class_id,
        "name": "".join(part.title() for part in class_id.split("-")),
        "shortDescription": {"text": found.summary},
        "fullDescription": {"text": found.summary},
        "help": {"text": found.summary, "markdown": f"**{found.summary}**"},
        "defaultConfiguration": {"level": level},
        "properties": {"category": "diff --records"},
    }


def _reading(change: EntityChange, impact: Classified, index: dict[str, int]) -> dict[str, Any]:
    """A re-measured target as a result on the target's line at HEAD."""
    key = "\x1f".join((impact.change_class, impact.entity, *impact.paths))
    return {
        "ruleId": impact.change_class,
        "ruleIndex": index[impact.change_class],
        "level": "warning" if impact.impact >= Impact.APPROVAL_REQUIRED else "note",
        "message": {"text": f"{change.kind} {change.name}: {impact.message}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(change.file), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": impact.line or change.line or 1},
        }}],
        "partialFingerprints": {"itsmctl/v1": hashlib.sha256(key.encode()).hexdigest()[:16]},
    }


def as_dict(result: ValidationResult, readings: Sequence[Reading] = ()) -> dict[str, Any]:
    """`readings` (check --records): the records' readings of the diff, after the findings."""
    rules = all_rules(result.policies.rules)
    index = {rule.id: i for i, rule in enumerate(rules)}
    classes = sorted({i.change_class for _, i in readings})
    index.update({c: len(rules) + n for n, c in enumerate(classes)})
    findings = [*result.findings, *result.waived]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "itsmctl", "version": __version__, "semanticVersion": __version__,
                "informationUri": INFO_URI,
                "rules": [_rule(r) for r in rules] + [_class_rule(c) for c in classes],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index) for f in findings]
            + [_reading(c, i, index) for c, i in readings],
        }],
    }


def render(result: ValidationResult, options: ReportOptions,
           readings: Sequence[Reading] = ()) -> str:
    return json_visible(json.dumps(as_dict(result, readings), indent=2, sort_keys=True,
                                   ensure_ascii=False)) + "\n"
