"""Machine output of `itsmctl diff`, documented in the README (## Diff); envelope: `envelope.py`."""

from __future__ import annotations

from typing import Any

from itsmctl.diff.result import DiffResult, Impact
from itsmctl.findings import total
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.envelope import envelope, json_document


def as_dict(result: DiffResult) -> dict[str, Any]:
    statuses = ("added", "removed", "modified", "renamed")
    return envelope({
        "base": {"ref": result.base, "sha": result.base_sha},
        "head": {"ref": result.head, "sha": result.head_sha or None},
        "summary": {
            "entities": len(result.changes),
            **{s: sum(1 for c in result.changes if c.status == s) for s in statuses},
            "impact": result.impact.label if result.impact is not None else None,
            "impacts": {i.label: result.count(i) for i in Impact},
            "approvals": len(result.approvals),
            "approvalStatus": result.approval_status,  # none-required | outstanding | approved
            "approvalsChecked": result.approvals_checked,
            "newFindings": total(result.new_findings),
            "existingFindings": total(result.existing_findings),
            "fixedFindings": total(result.fixed_findings),
            "findingsScope": "full",  # always: findings are compared over the whole catalog
            "filesChanged": list(result.files_changed),
            "failOn": list(result.fail_on),
            "failed": result.failed,
            "reasons": list(result.reasons),
        },
        "records": result.records.to_dict() if result.records is not None else None,
        "changes": [c.to_dict() for c in result.changes],
        "approvals": [a.to_dict() for a in result.approvals],
        "findings": {
            "new": [f.to_dict() for f in result.new_findings],
            "existing": [f.to_dict() for f in result.existing_findings],
            "fixed": [f.to_dict() for f in result.fixed_findings],
        },
    })


def render(result: DiffResult, options: ReportOptions) -> str:
    return json_document(as_dict(result))
