"""The registry is the documentation: every rule explains itself and has example catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from itsmctl.rules import Rule, all_rules
from tests.conftest import Invoke

CASES = Path(__file__).parent / "cases"
README = Path(__file__).parents[2] / "README.md"
START, END = "<!-- rules:start -->\n", "<!-- rules:end -->"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.id)
def test_rule_is_documented(rule: Rule) -> None:
    assert rule.summary.strip(), f"{rule.id}: the docstring's first line is its summary"
    assert rule.doc.strip(), f"{rule.id}: the docstring's body is its documentation"
    assert rule.summary.endswith("."), f"{rule.id}: the summary is a sentence"


CHECKED = [r for r in all_rules() if r.entity_check is not None or r.catalog_check is not None]
# Rules a one-file catalog without config cannot trigger; tested where their feature is.
NO_CASES = {"waiver-approver-required": "needs policies from a config (tests/policy)",
            "ref-into-broken-file": "a file-level finding on a file that does not parse"
                                    " (tests/diff/test_broken_files.py)"}


@pytest.mark.parametrize("rule", [r for r in CHECKED if r.id not in NO_CASES],
                         ids=lambda rule: rule.id)
def test_checked_rule_has_pass_and_fail_cases(rule: Rule) -> None:
    for outcome in ("pass", "fail"):
        assert list((CASES / rule.id / outcome).glob("*.yaml")), \
            f"add tests/rules/cases/{rule.id}/{outcome}/<case>.yaml"


def test_every_case_folder_names_a_rule() -> None:
    known = {r.id for r in all_rules()}
    unknown = sorted(p.name for p in CASES.iterdir() if p.is_dir() and p.name not in known)
    assert not unknown, f"case folders for unknown rules: {unknown}"


def test_readme_rule_table_is_generated(invoke: Invoke) -> None:
    result = invoke("rules", "--format", "markdown")
    assert result.exit_code == 0
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, "README.md lost its rules:start/rules:end markers"
    in_readme = text.split(START, 1)[1].split(END, 1)[0]
    assert in_readme == result.output, (
        "README.md's rule table is stale: paste `itsmctl rules --format markdown` between"
        " the rules:start and rules:end markers")
