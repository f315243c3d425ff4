"""The result memo: a hit gives exactly what validating again would; any keyed input misses."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from itsmctl import resultmemo
from itsmctl import validate as validate_module
from itsmctl.diff import diff_refs
from itsmctl.findings import Finding, Severity
from itsmctl.loader import ParseMemo
from itsmctl.parsecache import ParseCache, _checksum, folder_digest
from itsmctl.resultmemo import DB_NAME
from itsmctl.runcontext import resolve_context
from itsmctl.validate import ValidationResult, validate
from tests.conftest import TODAY, Invoke, cache_rows, run_cli


def validate_json(path: Path, *extra: str) -> tuple[int, str]:
    result = run_cli("validate", str(path), "-f", "json", "--today",
                     TODAY.isoformat(), *extra)
    return result.exit_code, result.output


def memo_entries() -> int:
    return cache_rows(DB_NAME)


@pytest.fixture
def rule_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that checked the catalog (ran the rules) instead of using the memo."""
    runs: list[int] = []
    real = validate_module._findings

    def counted(*args: object, **kwargs: object) -> resultmemo.Findings:
        runs.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_module, "_findings", counted)
    return runs


@pytest.fixture
def broken(examples_copy: Path) -> Path:
    """examples/ with a schema error and a YAML error besides its waived findings."""
    service = examples_copy / "services" / "checkout.yaml"
    service.write_text(service.read_text(encoding="utf-8") + "  bogus: 1\n", encoding="utf-8")
    (examples_copy / "services" / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    return examples_copy


def test_a_memoised_result_is_what_validating_again_reports(broken: Path,
                                                            rule_runs: list[int]) -> None:
    cold = validate_json(broken)
    warm = validate_json(broken)
    assert rule_runs == [1] and memo_entries() == 1  # the warm run checked nothing again
    assert cold == warm == validate_json(broken, "--no-cache")
    data = json.loads(cold[1])
    assert cold[0] == 1 and data["waived"] and {"schema", "yaml-syntax"} <= {
        f["rule"] for f in data["findings"]}


def test_no_cache_neither_reads_nor_writes_results(broken: Path, rule_runs: list[int]) -> None:
    validate_json(broken, "--no-cache")  # writes nothing,
    validate_json(broken)                # so this run finds no result and runs the rules
    validate_json(broken, "--no-cache")  # and this one reads none: the rules again
    assert len(rule_runs) == 3 and memo_entries() == 1


def _corrupt(update: str, checksum: bool = False) -> None:
    db = sqlite3.connect(Path(os.environ["ITSMCTL_CACHE_DIR"]) / DB_NAME)
    with db:
        db.execute(update)
        if checksum:  # poisoned by someone who also fixed the checksum up
            for key, payload in db.execute("SELECT key, payload FROM parses").fetchall():
                db.execute("UPDATE parses SET checksum = ? WHERE key = ?",
                           (_checksum(payload), key))
    db.close()


@pytest.mark.parametrize(("update", "checksum"), [
    ("UPDATE parses SET payload = CAST(replace(CAST(payload AS TEXT), 'schema', 'schemo')"
     " AS BLOB)", False),  # a flipped byte: the checksum no longer holds
    ("UPDATE parses SET payload = CAST('{\"a\": [[1]], \"w\": []}' AS BLOB)", True),
    ("UPDATE parses SET payload = CAST('{\"a\": [], \"w\": [], \"x\": NaN}' AS BLOB)", True),
    ("UPDATE parses SET payload = CAST('[[[' AS BLOB)", True),
    ("UPDATE parses SET payload = CAST('{\"a\": [], \"w\": []}' AS BLOB)", True),  # no counts
    ("UPDATE parses SET payload = CAST('{\"a\": [], \"w\": [], \"n\": [-1, 2]}' AS BLOB)", True),
    ("UPDATE parses SET payload = CAST('{\"a\": [], \"w\": [], \"n\": [\"1\", 2]}' AS BLOB)",
     True),
    ("UPDATE parses SET payload = CAST('{\"a\": [], \"w\": [], \"n\": [1, 2, 3]}' AS BLOB)",
     True),
])
def test_a_corrupt_entry_is_ignored_and_checked_again(broken: Path, rule_runs: list[int],
                                                      update: str, checksum: bool) -> None:
    expected = validate_json(broken)
    _corrupt(update, checksum)
    assert validate_json(broken) == expected
    assert len(rule_runs) == 2  # the bad entry was a miss, and was replaced
    assert validate_json(broken) == expected and len(rule_runs) == 2


def _run(root: Path, cache: ParseCache, today: date = TODAY, label: str = "") -> ValidationResult:
    return validate(resolve_context(root, today=today, label=label), memo=ParseMemo(cache))


def _append(rel: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / rel
        path.write_bytes(path.read_bytes() + text.encode())
    return edit


@pytest.mark.parametrize("change", [
    _append(".itsmctl.yaml", "# one more config byte\n"),
    _append("services/checkout.yaml", "# a comment changes the blob\n"),
    _append("teams/platform.yaml", " "),  # one byte of whitespace
    lambda root: (root / "services" / "checkout.yaml").rename(root / "services" / "co.yaml"),
])
def test_any_change_of_a_keyed_input_misses(broken: Path, tmp_path: Path, rule_runs: list[int],
                                            change: Callable[[Path], None]) -> None:
    cache = ParseCache(tmp_path / "c")
    _run(broken, cache)
    change(broken)
    fresh = _run(broken, cache)
    assert len(rule_runs) == 2
    assert fresh.findings == _run(broken, ParseCache(tmp_path / "empty")).findings


def test_a_policy_file_is_a_keyed_input(examples_copy: Path, tmp_path: Path,
                                        rule_runs: list[int]) -> None:
    """A stricter policy is a new result, not the memoised one: a memo keyed on the catalog
    alone would keep reporting the old, clean verdict."""
    cache = ParseCache(tmp_path / "c")
    before = _run(examples_copy, cache)
    policy = examples_copy / "policies" / "larkspur.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "availability: {minimum: 99.9}" in text
    policy.write_text(text.replace("availability: {minimum: 99.9}",
                                   "availability: {minimum: 99.999}"), encoding="utf-8")
    after = _run(examples_copy, cache)
    assert len(rule_runs) == 2
    rules = [f.rule for f in after.findings if f not in before.findings]
    assert rules and set(rules) == {"tier1-sla-availability"}
    assert after.findings == _run(examples_copy, ParseCache(tmp_path / "fresh")).findings


def test_today_label_and_environment_are_keyed(broken: Path, tmp_path: Path,
                                               rule_runs: list[int],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ParseCache(tmp_path / "c")
    _run(broken, cache)
    _run(broken, cache)
    assert len(rule_runs) == 1
    _run(broken, cache, today=TODAY + timedelta(days=1))
    assert len(rule_runs) == 2
    _run(broken, cache, label="catalog")  # findings carry the label
    assert len(rule_runs) == 3
    resultmemo.environment.cache_clear()
    monkeypatch.setattr(resultmemo, "package_digest", lambda: "another itsmctl or schema")
    _run(broken, cache)
    assert len(rule_runs) == 4
    resultmemo.environment.cache_clear()
    monkeypatch.setattr(resultmemo, "_zone_data", lambda: "another zone database")
    _run(broken, cache)
    assert len(rule_runs) == 5
    resultmemo.environment.cache_clear()
    monkeypatch.setattr(resultmemo, "_zone_data", lambda: None)  # cannot be keyed: no memo
    _run(broken, cache)
    _run(broken, cache)
    assert len(rule_runs) == 7
    resultmemo.environment.cache_clear()


def test_the_package_digest_covers_the_bundled_schemas(tmp_path: Path) -> None:
    package = tmp_path / "itsmctl"
    shutil.copytree(Path(resultmemo.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    assert folder_digest(package) == resultmemo.package_digest()
    schema = package / "schemas" / "service.schema.json"
    data = bytearray(schema.read_bytes())
    data[-2] ^= 1  # one bit of one byte
    schema.write_bytes(bytes(data))
    assert folder_digest(package) != resultmemo.package_digest()


def test_the_environment_covers_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    resultmemo.environment.cache_clear()
    base = resultmemo.environment()
    monkeypatch.setattr(yaml, "__with_libyaml__", not yaml.__with_libyaml__)
    resultmemo.environment.cache_clear()
    try:
        assert resultmemo.environment() != base
    finally:
        monkeypatch.undo()
        resultmemo.environment.cache_clear()


def test_cache_info_and_clear_count_the_results(broken: Path, invoke: Invoke) -> None:
    validate_json(broken)
    out = invoke("cache", "info", "-f", "json").output
    assert json.loads(out)["cache"]["results"]["entries"] == 1
    text = invoke("cache", "info").output
    assert "result memo beside it: 1 entries" in text
    invoke("cache", "clear")
    assert memo_entries() == 0


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.mark.parametrize("main_run", ["validate", "render"])
def test_diff_takes_base_from_the_default_branch_run(examples_copy: Path, tmp_path: Path,
                                                     rule_runs: list[int], main_run: str,
                                                     isolated_git: None,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     invoke: Invoke) -> None:
    """The default branch's run (`itsmctl validate .` or `render .` on a push) validated the
    merge base: the diff checks HEAD only, and reports what it reports without a cache."""
    root = examples_copy
    monkeypatch.chdir(root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    monkeypatch.setenv("ITSMCTL_CACHE_DIR", str(tmp_path / "c"))
    cache = ParseCache(tmp_path / "c")
    args = ["render", ".", "-o", str(tmp_path / "site"), "--no-history"] \
        if main_run == "render" else ["validate", "."]
    invoke(*args, "--today", TODAY.isoformat())
    _git(root, "checkout", "-q", "-b", "change")
    sla = root / "slas" / "postgres-platform-ola.yaml"
    sla.write_text(sla.read_text(encoding="utf-8").replace("99.99", "99.95"), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "lower the OLA")
    warm = diff_refs(root, "main", "change", today=TODAY, memo=ParseMemo(cache))
    assert len(rule_runs) == 2  # main's run, then HEAD: BASE came from the memo
    cold = diff_refs(root, "main", "change", today=TODAY, memo=ParseMemo())
    assert warm.new_findings and warm.new_findings == cold.new_findings
    for field in ("fixed_findings", "existing_findings", "changes", "approvals"):
        assert getattr(warm, field) == getattr(cold, field), field


@pytest.mark.parametrize("base_result", ["memoised", "checked again"])
def test_a_side_reads_its_blobs_only_when_wanted(examples_copy: Path, tmp_path: Path,
                                                 isolated_git: None, base_result: str,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 invoke: Invoke) -> None:
    """A side whose parses are all cached reads no blob from git unless something wants its
    bytes: with BASE's result memoised its load reads none; when its findings are placed
    (its result not memoised, or HEAD's findings in the files it shares) they are read in
    one batch.
    Either way the diff is the one without a cache. (Every file parses: a file that does not
    is read to name what it appears to define, itsmctl/unparsed.py.)"""
    from itsmctl import git

    root = examples_copy
    service = root / "services" / "checkout.yaml"
    service.write_text(service.read_text(encoding="utf-8") + "  bogus: 1\n", encoding="utf-8")
    monkeypatch.chdir(root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    monkeypatch.setenv("ITSMCTL_CACHE_DIR", str(tmp_path / "c"))
    invoke("validate", ".", "--today", TODAY.isoformat(), code=1)
    if base_result == "checked again":
        (tmp_path / "c" / DB_NAME).unlink()  # the parses stay cached, BASE's result does not
    _git(root, "checkout", "-q", "-b", "change")
    service.write_text(service.read_text(encoding="utf-8").replace("  bogus: 1\n", ""),
                       encoding="utf-8")
    _git(root, "commit", "-q", "-am", "fix checkout")  # BASE's schema finding is fixed
    batches: list[int] = []
    real = git.read_blobs

    def counted(repo: git.Repo, shas: frozenset[str]) -> dict[str, bytes]:
        batches.append(len(shas))
        return real(repo, shas)

    monkeypatch.setattr(git, "read_blobs", counted)
    warm = diff_refs(root, "main", "change", today=TODAY,
                     memo=ParseMemo(ParseCache(tmp_path / "c")))
    if base_result == "memoised":  # BASE's load read nothing: HEAD's edited file came first,
        # then placing HEAD's (waived) findings read the files it shares with BASE, at once
        assert batches[0] == 1 and len(batches) == 2 and batches[1] > 10
    else:  # BASE's findings were placed: its files read at once, then HEAD's edited file
        assert len(batches) == 2 and batches[0] > 10 and batches[1] == 1
    monkeypatch.setattr(git, "read_blobs", real)
    cold = diff_refs(root, "main", "change", today=TODAY, memo=ParseMemo())
    assert warm.fixed_findings and warm.fixed_findings == cold.fixed_findings
    for field in ("new_findings", "existing_findings", "changes", "approvals"):
        assert getattr(warm, field) == getattr(cold, field), field


def test_a_counting_finding_keeps_what_it_counts_and_nothing_deeper() -> None:
    """What a counting finding stands for survives the memo (diff compares it); a payload
    in which a counted finding counts findings of its own is no entry `encode` wrote."""
    hidden = tuple(Finding("schema", Severity.ERROR, f"label {i}", "t.yaml", entity="Team:t",
                           path=("metadata", "labels", f"l{i}")) for i in range(3))
    counting = Finding("schema", Severity.ERROR, "3 more", "t.yaml", 9, 5, entity="Team:t",
                       identity="t.yaml\x1f0\x1fmore", stands_for=hidden)
    decoded = resultmemo.decode(resultmemo.encode(resultmemo.Memoised(((counting,), ()), 1, 1)))
    assert decoded is not None and decoded.findings[0][0].stands_for == hidden
    deeper = Finding("schema", Severity.ERROR, "1 more", "t.yaml", stands_for=(counting,))
    assert resultmemo.decode(resultmemo.encode(resultmemo.Memoised(((deeper,), ()), 1, 1))) \
        is None


def _text_report(path: Path, *extra: str) -> tuple[int, str]:
    result = run_cli("validate", str(path), "--today", TODAY.isoformat(), "--color", "never",
                     *extra)
    return result.exit_code, result.output


def test_a_hit_decodes_no_parse_and_reports_what_a_cold_run_reports(
        broken: Path, rule_runs: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo is looked up before any parse is read: a hit touches no parse-cache entry,
    and its text and json reports and exit code are the cold run's, byte for byte."""
    cold_json, cold_text = validate_json(broken, "--no-cache"), _text_report(broken, "--no-cache")
    validate_json(broken)  # fills the parse cache and the memo
    reads: list[int] = []
    real = ParseCache.get_many

    def counted(self: ParseCache, keys: object) -> dict[str, bytes]:
        found = real(self, keys)  # type: ignore[arg-type]
        if self.path.name != DB_NAME:
            reads.append(len(found))
        return found

    monkeypatch.setattr(ParseCache, "get_many", counted)
    assert validate_json(broken) == cold_json
    assert _text_report(broken) == cold_text
    strict = validate_json(broken, "--strict")  # the exit code is graded after the memo
    assert len(rule_runs) == 3 and reads == []  # two cold runs and the filling one
    assert strict == validate_json(broken, "--strict", "--no-cache")
    assert cold_json[0] == 1


def test_a_hit_loads_the_catalog_only_when_asked_and_it_is_the_cold_one(
        broken: Path, tmp_path: Path, rule_runs: list[int]) -> None:
    cache = ParseCache(tmp_path / "c")
    cold = _run(broken, cache)
    warm_memo = ParseMemo(cache)
    warm = validate(resolve_context(broken, today=TODAY, label=""), memo=warm_memo)
    assert rule_runs == [1] and warm_memo.cached == warm_memo.parsed == 0  # nothing loaded
    assert warm == cold and (warm.documents, warm.entities) == (cold.documents, cold.entities)
    assert [(e.ref, e.file, e.line) for e in warm.catalog] == \
        [(e.ref, e.file, e.line) for e in cold.catalog]
    assert warm.catalog is warm.catalog  # loaded once, from the parse cache
    assert warm_memo.parsed == 0 and warm_memo.cached == len(warm.file_labels)
    assert len(warm.catalog) == warm.entities


@pytest.mark.parametrize("change", [
    # no finding changes, only what the counts count: a hit keyed badly would print old counts
    _append("teams/platform.yaml", "---\napiVersion: itsmctl.io/v1\nkind: Team\nmetadata:\n"
            "  name: extra-team\nspec:\n  owners: []\n"),
    _append("teams/platform.yaml", "---\n"),  # one more (empty) document, the same entities
])
def test_the_counts_a_hit_reports_are_the_load_it_stands_for(
        broken: Path, change: Callable[[Path], None], rule_runs: list[int]) -> None:
    validate_json(broken)
    change(broken)
    warm = validate_json(broken)
    assert len(rule_runs) == 2
    assert warm == validate_json(broken) == validate_json(broken, "--no-cache")


def test_a_config_that_selects_other_files_misses(broken: Path, rule_runs: list[int]) -> None:
    before = json.loads(validate_json(broken)[1])["summary"]
    config = broken / ".itsmctl.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "\nexclude:\n  - teams/**\n", encoding="utf-8")
    after = validate_json(broken)
    assert len(rule_runs) == 2 and after == validate_json(broken, "--no-cache")
    assert json.loads(after[1])["summary"]["files"] < before["files"]
