"""Waivers suppress a rule on one entity until they expire; then they are findings themselves."""

from __future__ import annotations

from datetime import date

from itsmctl.validate import validate_path

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
