"""Machine output of `itsmctl validate`, documented in the README (see `envelope.py`)."""

from __future__ import annotations

from typing import Any

from itsmctl.findings import total
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.envelope import envelope, json_document
from itsmctl.validate import ValidationResult


def as_dict(result: ValidationResult) -> dict[str, Any]:
    return envelope({
        "root": result.root,
        "summary": {
            "files": result.files,
            "documents": result.documents,
            "entities": result.entities,
            **{f"{k}s" if k != "info" else k: v for k, v in result.counts.items()},
            "waived": total(result.waived),
            "failed": result.failed,
        },
        "findings": [f.to_dict() for f in result.findings],
        "waived": [f.to_dict() for f in result.waived],
    })


def render(result: ValidationResult, options: ReportOptions) -> str:
    return json_document(as_dict(result))
