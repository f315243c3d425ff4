"""Machine output, documented in the README; `schemaVersion` changes only when fields break."""

from __future__ import annotations

import json
from typing import Any

from itsmctl import __version__
from itsmctl.reporters import ReportOptions
from itsmctl.validate import ValidationResult

SCHEMA_VERSION = 1


def as_dict(result: ValidationResult) -> dict[str, Any]:
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "itsmctl", "version": __version__},
        "root": result.root,
        "summary": {
            "files": result.files,
            "documents": result.documents,
            "entities": result.entities,
            **{f"{k}s" if k != "info" else k: v for k, v in result.counts.items()},
            "waived": len(result.waived),
            "failed": result.failed,
        },
        "findings": [f.to_dict() for f in result.findings],
        "waived": [f.to_dict() for f in result.waived],
    }


def render(result: ValidationResult, options: ReportOptions) -> str:
    return json.dumps(as_dict(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
