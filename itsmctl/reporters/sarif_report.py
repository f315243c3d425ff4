"""SARIF 2.1.0 for GitHub code scanning: stable rule ids, regions, fingerprints."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from itsmctl import __version__
from itsmctl.findings import Finding, Severity
from itsmctl.reporters import ReportOptions
from itsmctl.rules import all_rules
from itsmctl.rules.registry import Rule
from itsmctl.validate import ValidationResult

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


def as_dict(result: ValidationResult) -> dict[str, Any]:
    rules = all_rules(result.policies.rules)
    index = {rule.id: i for i, rule in enumerate(rules)}
    findings = [*result.findings, *result.waived]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "itsmctl", "version": __version__, "semanticVersion": __version__,
                "informationUri": INFO_URI, "rules": [_rule(r) for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index) for f in findings],
        }],
    }


def render(result: ValidationResult, options: ReportOptions) -> str:
    return json.dumps(as_dict(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
