"""The per-entity memo of entity-local rules: after an edit only the edited entities are
checked again by those rules, and every report is byte for byte what `--no-cache` reports."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from itsmctl import resultmemo
from itsmctl.model import Entity
from itsmctl.rulememo import DB_NAME
from itsmctl.rules.registry import Rule, RuleContext
from tests.conftest import TODAY, Invoke, cache_rows, run_cli
from tests.core.test_result_memo import _corrupt


@pytest.fixture
def local_checks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(rule, entity) of each local rule's check that ran (a memo miss)."""
    ran: list[tuple[str, str]] = []
    real = Rule.run_on

    def counted(rule: Rule, entity: Entity, context: RuleContext) -> object:
        ran.append((rule.id, str(entity.ref)))
        return real(rule, entity, context)

    monkeypatch.setattr(Rule, "run_on", counted)
    return ran


@pytest.fixture
def broken(examples_copy: Path) -> Path:
    """examples/ with findings of local rules: a schema error, an overdue review, a
    restricted service without a security review, and a YAML error."""
    service = examples_copy / "services" / "checkout.yaml"
    text = service.read_text(encoding="utf-8") + "  bogus: 1\n"
    service.write_text(text, encoding="utf-8")
    (examples_copy / "services" / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    (examples_copy / "services" / "vault.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Service\nmetadata: {name: vault}\n"
        "spec: {owner: platform, lifecycle: operational, tier: 3, dataClassification:"
        " restricted, review: {lastReviewed: 2020-01-01, interval: 26w}}\n", encoding="utf-8")
    return examples_copy


def validate_json(path: Path, *extra: str, today: str = TODAY.isoformat()) -> tuple[int, str]:
    result = run_cli("validate", str(path), "-f", "json", "--today", today, *extra)
    return result.exit_code, result.output


def _rules(output: str) -> set[str]:
    return {f["rule"] for f in json.loads(output)["findings"]}


def test_an_edit_checks_only_the_edited_entity_again(broken: Path,
                                                     local_checks: list[tuple[str, str]]) -> None:
    cold = validate_json(broken)
    assert {"schema", "review-overdue", "security-review-current"} <= _rules(cold[1])
    assert cold == validate_json(broken, "--no-cache")
    local_checks.clear()
    sla = broken / "slas" / "checkout-sla.yaml"
    sla.write_text(sla.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    edited = validate_json(broken)
    assert {entity for _, entity in local_checks} == {"SLA:checkout-sla"}
    assert edited == validate_json(broken, "--no-cache")


def test_the_day_misses_only_the_rules_that_read_it(broken: Path,
                                                    local_checks: list[tuple[str, str]]) -> None:
    validate_json(broken)
    local_checks.clear()
    later = (TODAY + timedelta(days=400)).isoformat()
    warm = validate_json(broken, today=later)
    ran = {rule for rule, _ in local_checks}
    assert "review-overdue" in ran and "schema" not in ran and "timezone-valid" not in ran
    assert warm == validate_json(broken, "--no-cache", today=later)


def test_the_config_a_rule_reads_is_keyed(broken: Path,
                                          local_checks: list[tuple[str, str]]) -> None:
    validate_json(broken)
    config = broken / ".itsmctl.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "# a comment: no local rule reads it\n", encoding="utf-8")
    local_checks.clear()
    validate_json(broken)
    assert local_checks == []  # the result memo missed, every local rule's entry hit
    assert "\nsettings:\n" in text
    config.write_text(text.replace("\nsettings:\n", "\nsettings:\n  securityReview:"
                                   " {maxAge: 1w}\n", 1), encoding="utf-8")
    warm = validate_json(broken)
    ran = {rule for rule, _ in local_checks}  # the entries holding security-review-current:
    assert warm[0] == 1 and "security-review-current" in ran and "schema" not in ran
    assert {entity.partition(":")[0] for _, entity in local_checks} == {"Service"}
    assert warm == validate_json(broken, "--no-cache")


@pytest.mark.parametrize(("update", "checksum"), [
    ("UPDATE parses SET payload = CAST(replace(CAST(payload AS TEXT), 'schema', 'schemo')"
     " AS BLOB)", False),  # a flipped byte: the checksum no longer holds
    ("UPDATE parses SET payload = CAST(replace(CAST(payload AS TEXT), '\"schema\"',"
     " '\"other-rule\"') AS BLOB)", True),  # another rule's findings
    ("UPDATE parses SET payload = CAST('[[]]' AS BLOB)", True),  # too few rules
    ("UPDATE parses SET payload = CAST('[NaN]' AS BLOB)", True),
    ("UPDATE parses SET payload = CAST('[[[' AS BLOB)", True),
])
def test_a_corrupt_entry_is_a_miss(broken: Path, local_checks: list[tuple[str, str]],
                                   update: str, checksum: bool) -> None:
    validate_json(broken)  # fills the memo
    _corrupt(update, checksum, DB_NAME)
    (broken / "services" / "broken.yaml").write_text("a: [\n#\n", encoding="utf-8")
    local_checks.clear()  # the result memo misses (a file changed); the entries are read
    assert validate_json(broken) == validate_json(broken, "--no-cache")
    assert ("schema", "Service:checkout") in local_checks


def test_no_cache_and_an_unkeyable_environment_use_no_memo(
        broken: Path, local_checks: list[tuple[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    validate_json(broken, "--no-cache")
    assert not (Path(os.environ["ITSMCTL_CACHE_DIR"]) / DB_NAME).exists()
    resultmemo.environment.cache_clear()
    monkeypatch.setattr(resultmemo, "_zone_data", lambda: None)
    try:
        validate_json(broken)
        assert not (Path(os.environ["ITSMCTL_CACHE_DIR"]) / DB_NAME).exists()
    finally:
        monkeypatch.undo()
        resultmemo.environment.cache_clear()


def test_cache_info_and_clear_count_the_rule_memo(broken: Path, invoke: Invoke) -> None:
    validate_json(broken)
    entries = cache_rows(DB_NAME)
    assert entries > 20
    data = json.loads(invoke("cache", "info", "-f", "json").output)
    assert data["cache"]["rules"]["entries"] == entries
    assert f"entity-local rules' findings beside it: {entries:,} entries" in invoke(
        "cache", "info").output
    invoke("cache", "clear")
    assert cache_rows(DB_NAME) == 0


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_diff_and_check_report_the_same_with_the_memo(broken: Path, tmp_path: Path,
                                                      isolated_git: None,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      local_checks: list[tuple[str, str]]
                                                      ) -> None:
    """The default branch's `validate .` fills the memo; the pull request's diff and check
    then check only its edited entities with the local rules, and print what they print
    without a cache."""
    root = broken
    monkeypatch.chdir(root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    today = ("--today", TODAY.isoformat())
    run_cli("validate", ".", *today)
    _git(root, "checkout", "-q", "-b", "change")
    sla = root / "slas" / "postgres-platform-ola.yaml"
    sla.write_text(sla.read_text(encoding="utf-8").replace("99.99", "99.95"), encoding="utf-8")
    service = root / "services" / "checkout.yaml"
    service.write_text(service.read_text(encoding="utf-8") + "  other: 2\n", encoding="utf-8")
    _git(root, "commit", "-q", "-am", "lower the OLA, one more unknown field")
    local_checks.clear()
    commands = (["diff", "main", "change", "-f", "json"],
                ["check", "--base", "main", "--no-site", "-f", "json"])
    warm = [run_cli(*command, *today) for command in commands]
    memoised = {entity for rule, entity in local_checks if rule == "schema"}
    assert memoised == {"SLA:postgres-platform-ola", "Service:checkout"}
    for command, result in zip(commands, warm, strict=True):
        cold = run_cli(*command, *today, "--no-cache")
        assert (result.exit_code, result.output) == (cold.exit_code, cold.output), command
