"""The counting finding past the listing bound stands for the findings it hides."""

from __future__ import annotations

from itsmctl.capping import cap, every_finding
from itsmctl.findings import Finding, Severity, Waiver
from itsmctl.limits import MAX_FINDINGS_PER_RULE


def findings(count: int, waivers: tuple[Waiver | None, ...]) -> list[Finding]:
    return [Finding("schema", Severity.ERROR, f"label {i:03} too long", "teams/t.yaml",
                    path=("metadata", "labels", f"l{i:03}"), entity=f"Team:t{i % len(waivers)}",
                    waived_by=waivers[i % len(waivers)]) for i in range(count)]


def test_waived_findings_of_two_waivers_count_as_waived() -> None:
    """Every hidden finding is waived, by one waiver or another: the counting finding is
    waived too (SARIF suppresses it, a scorecard does not fail on it), not an open error."""
    one = Waiver("schema", "legacy labels", "2027-06-01", "jane")
    other = Waiver("schema", "imported", "2027-03-01", "raj")
    found = findings(MAX_FINDINGS_PER_RULE + 50, (one, other))
    listed, [more] = cap(found)
    assert len(listed) == MAX_FINDINGS_PER_RULE and len(more.stands_for) == 50
    assert more.waived_by in (one, other)
    assert sorted(every_finding([*listed, more]), key=lambda f: f.path) == sorted(
        found, key=lambda f: f.path)


def test_active_findings_count_as_active() -> None:
    _, [more] = cap(findings(MAX_FINDINGS_PER_RULE + 1, (None,)))
    assert more.waived_by is None and more.severity is Severity.ERROR
    assert more.entity == "Team:t0"
