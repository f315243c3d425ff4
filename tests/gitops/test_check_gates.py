"""`itsmctl check` holds a lifecycle move of the scaffold's service to its gate."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Git, Invoke

SERVICE = "services/intranet.yaml"


def test_check_reports_the_gate_of_a_lifecycle_move(
        catalog_repo: Path, edit: Callable[[Path, str, str, str], None], run_git: Git,
        invoke: Invoke) -> None:
    """operational -> transition: transition's entry asks for a security sign-off at most
    52 weeks old; the scaffold's is dated the day it was made; the change manager approves."""
    run_git(catalog_repo, "switch", "-q", "-c", "back-to-transition")
    edit(catalog_repo, SERVICE, "lifecycle: operational", "lifecycle: transition")
    run_git(catalog_repo, "commit", "-q", "-am", "Back to transition for the rebuild")
    result = invoke("check", str(catalog_repo), "--base", "main", "--format", "json")
    data = json.loads(result.output)
    [service] = [c for c in data["diff"]["changes"] if c["ref"] == "Service:intranet"]
    [gate] = [i for i in service["impacts"] if i["class"] == "lifecycle-gate"]
    assert gate["message"].startswith("gate production-readiness: operational -> transition,"
                                      " criteria met at HEAD; approved by role:change-manager")
    assert [(e["name"], e["ageDays"]) for e in gate["evidence"]] == [("security-signoff", 0)]
    assert "role:change-manager" in {a["party"] for a in data["diff"]["approvals"]}

    edit(catalog_repo, SERVICE, "name: security-signoff", "name: security-review")
    run_git(catalog_repo, "commit", "-q", "-am", "Sign-off renamed")
    result = invoke("check", str(catalog_repo), "--base", "main")
    assert result.exit_code == 1
    assert ("transition service 'intranet' does not meet the entry criteria of gate"
            " 'production-readiness': evidence 'security-signoff' is missing") in result.output
