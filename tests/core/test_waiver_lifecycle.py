"""Waivers suppress a rule on one entity until they expire; then they are findings themselves."""

from __future__ import annotations

import json
from datetime import date

from itsmctl.validate import validate_path
from tests.conftest import run_cli

SERVICE = """\
apiVersion: itsmctl.io/v1
kind: Service
metadata:
  name: a
  waivers:
    - rule: {rule}
      reason: Moving to the new platform in Q1.
      approver: cio@example.com
      expires: 2026-12-31
spec:
  type: technical
  lifecycle: proposed
  tier: 2
  owner: nobody
"""


def test_valid_waiver_suppresses_and_is_reported_as_waived(write_catalog) -> None:
    root = write_catalog({"a.yaml": SERVICE.format(rule="ref-unresolved")})
    result = validate_path(root, today=date(2026, 11, 23))
    assert result.findings == ()
    [waived] = result.waived
    assert waived.rule == "ref-unresolved" and waived.waived_by.approver == "cio@example.com"


def test_expired_waiver_brings_the_finding_back_and_fails(write_catalog) -> None:
    root = write_catalog({"a.yaml": SERVICE.format(rule="ref-unresolved")})
    result = validate_path(root, today=date(2027, 1, 1))
    assert sorted(f.rule for f in result.findings) == ["ref-unresolved", "waiver-expired"]
    expired = next(f for f in result.findings if f.rule == "waiver-expired")
    assert expired.line == 9  # the `expires:` line
    assert result.exit_code == 1


def test_unknown_and_unused_waivers(write_catalog) -> None:
    root = write_catalog({"a.yaml": SERVICE.format(rule="no-such-rule"),
                          "b.yaml": SERVICE.format(rule="schema").replace("name: a", "name: b")})
    found = {(f.entity, f.rule) for f in validate_path(root, today=date(2026, 11, 23)).findings}
    assert ("Service:a", "waiver-unknown-rule") in found
    assert ("Service:b", "waiver-unused") in found



def test_waived_counts_every_finding_past_the_listing_bound(write_catalog) -> None:
    """150 waived schema findings of a team are listed as 100 and one that counts the other
    50; the summary's waived count counts every one (it said "101 waived" where 150 were)."""
    labels = "".join(f"    l{i:03}: {'x' * 70}\n" for i in range(150))
    root = str(write_catalog({"team.yaml": (
        "apiVersion: itsmctl.io/v1\nkind: Team\nmetadata:\n  name: many\n  waivers:\n"
        "    - {rule: schema, reason: later, approver: a@example.com, expires: 2027-01-01}\n"
        f"  labels:\n{labels}spec:\n  email: a@example.com\n  members: []\n")}))
    text = run_cli("validate", root, "--today", "2026-11-23", code=0).output
    assert "OK: 0 errors, 0 warnings, 0 info, 150 waived in 1 file, 1 entity" in text
    report = json.loads(run_cli("validate", root, "--today", "2026-11-23", "--format",
                                "json", code=0).output)
    assert report["summary"]["waived"] == 150
