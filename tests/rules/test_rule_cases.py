"""Every governance rule against its example catalogs: cases/<rule-id>/{pass,fail}/*.yaml.

A case file is a small multi-document catalog, validated alone through the real pipeline.
A fail case lists what it expects at its top, one `# expect: <rule-id> <line>` per finding;
a pass case must not trigger its rule, nor any error at all (so pass cases stay realistic).
A rule that reads the config gets it from a `# config: <flow YAML>` line in the same block.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from itsmctl.config import Config, parse_config
from itsmctl.findings import Finding, Severity
from itsmctl.loader import load_sources
from itsmctl.rules import get_rule
from itsmctl.sources import SourceFile
from itsmctl.validate import ValidationResult, check_loaded

CASES = Path(__file__).parent / "cases"
TODAY = date(2026, 11, 23)
EXPECT = re.compile(r"#\s*expect:\s*(?P<rule>[a-z0-9-]+)\s+(?P<line>\d+)\s*$")
CONFIG = re.compile(r"#\s*config:\s*(?P<yaml>.+)$")


def case_config(path: Path) -> Config:
    """The config a case declares in its opening comment block (default: none)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = CONFIG.match(line)
        if match:
            return parse_config(match["yaml"].encode(), f"{path.name} config")
    return Config()


def validate_case(path: Path) -> ValidationResult:
    config = case_config(path)
    source = SourceFile(rel=path.name, label=path.name, data=path.read_bytes())
    return check_loaded(load_sources([source], config.limits), config, today=TODAY)


def expectations(path: Path) -> Counter[tuple[str, int]]:
    """The `# expect:` lines of the comment block that opens the file."""
    found: Counter[tuple[str, int]] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = EXPECT.match(line)
        if match:
            found[(match["rule"], int(match["line"]))] += 1
    return found


def cases(outcome: str) -> list[Any]:
    return [pytest.param(path, id=f"{path.parent.parent.name}/{path.name}")
            for path in sorted(CASES.glob(f"*/{outcome}/*.yaml"))]


def shown(findings: list[Finding]) -> str:
    return "\n".join(f"  {f.line}: {f.rule} [{f.severity.label}] {f.message}" for f in findings)


@pytest.mark.parametrize("path", cases("fail"))
def test_fail_case(path: Path) -> None:
    rule_id = path.parent.parent.name
    expected = expectations(path)
    assert expected, f"{path.name}: declare the findings with `# expect: {rule_id} <line>`"
    assert rule_id in {rule for rule, _ in expected}, f"{path.name} expects nothing of {rule_id}"
    findings = list(validate_case(path).findings)
    checked = {rule for rule, _ in expected}
    actual = Counter((f.rule, f.line) for f in findings if f.rule in checked)
    assert actual == expected, f"{path.name}: findings were\n{shown(findings)}"
    for finding in findings:
        rule = get_rule(finding.rule)
        assert rule is not None
        if finding.rule in checked:
            assert finding.severity == rule.severity, \
                f"{finding.rule} reported as {finding.severity}"
            assert finding.message and finding.hint
            # about an entity, or about the config (role-holder-ambiguous, at the holder)
            assert finding.entity or finding.file == f"{path.name} config"
    stray = [f for f in findings if f.rule not in checked and f.severity == Severity.ERROR]
    assert not stray, f"{path.name}: undeclared errors\n{shown(stray)}"


@pytest.mark.parametrize("path", cases("pass"))
def test_pass_case(path: Path) -> None:
    rule_id = path.parent.parent.name
    findings = list(validate_case(path).findings)
    assert not [f for f in findings if f.rule == rule_id], shown(findings)
    errors = [f for f in findings if f.severity == Severity.ERROR]
    assert not errors, f"{path.name}: a pass case must have no errors at all\n{shown(errors)}"
