"""The persistent parse cache: a hit gives exactly what parsing again would, whatever is in it."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from itsmctl import parsecache
from itsmctl import validate as validate_module
from itsmctl.limits import Limits
from itsmctl.loader import ParseMemo, load_directory, load_sources
from itsmctl.parsecache import DB_NAME, ParseCache, encode, entry_key
from itsmctl.runcontext import resolve_context
from itsmctl.sources import SourceFile
from itsmctl.validate import validate
from itsmctl.yamlload import parse_source
from tests.conftest import EXAMPLES, TODAY, cache_rows, run_cli

HOSTILE = Path(__file__).resolve().parent.parent / "hostile" / "corpus"


@pytest.fixture(autouse=True)
def parses_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the parses: the result memo is off (in this process), or a
    warm run would take its findings from the memo and read no parse at all."""
    monkeypatch.setattr(validate_module, "ResultMemo", _NoResults)


class _NoResults:
    @staticmethod
    def beside(parses: ParseCache | None) -> None:
        return None


def run(*args: str) -> tuple[int, str]:
    result = run_cli(*args)
    return result.exit_code, result.output


def validate_json(path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    code, out = run("validate", str(path), "-f", "json", "--today", TODAY.isoformat(), *extra)
    return code, json.loads(out)


def cache_entries() -> int:
    return cache_rows(DB_NAME)


def test_warm_run_reports_what_a_cold_run_and_no_cache_report(examples_copy: Path) -> None:
    (examples_copy / "services" / "checkout.yaml").write_text(
        (examples_copy / "services" / "checkout.yaml").read_text() + "  bogus: 1\n")
    cold = validate_json(examples_copy)
    assert cache_entries() == cold[1]["summary"]["files"]  # type: ignore[index]  # all stored
    warm = validate_json(examples_copy)
    bypass = validate_json(examples_copy, "--no-cache")
    assert cold == warm == bypass
    assert cold[0] == 1 and any(f["rule"] == "schema" for f in cold[1]["findings"])  # type: ignore[attr-defined]


def test_no_cache_neither_reads_nor_writes(examples_copy: Path) -> None:
    validate_json(examples_copy, "--no-cache")
    assert not (Path(os.environ["ITSMCTL_CACHE_DIR"]) / DB_NAME).exists()


def test_hits_are_not_parsed_again() -> None:
    cache = ParseCache(Path(os.environ["ITSMCTL_CACHE_DIR"]))
    first, second = ParseMemo(cache), ParseMemo(cache)
    config = resolve_context(EXAMPLES, today=TODAY).config
    load_directory(EXAMPLES, config, "examples", first)
    load_directory(EXAMPLES, config, "examples", second)
    assert first.parsed > 50 and first.cached == 0
    assert second.parsed == 0 and second.cached == first.parsed


def _findings_of(memo: ParseMemo | None, root: Path) -> list[tuple[object, ...]]:
    context = resolve_context(root, today=TODAY, label="cat")
    if memo is not None:
        context = type(context)(**{**context.__dict__, "memo": memo})
    result = validate(context)
    return [(f.rule, f.file, f.line, f.column, f.message, f.path) for f in result.findings]


def test_hostile_files_give_the_same_findings_from_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    for i, path in enumerate(sorted(HOSTILE.rglob("*.yaml"))):
        target = root / f"{i:03d}-{path.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    cache = ParseCache(Path(os.environ["ITSMCTL_CACHE_DIR"]))
    plain = _findings_of(None, root)
    cold = _findings_of(ParseMemo(cache), root)
    warm_memo = ParseMemo(cache)
    warm = _findings_of(warm_memo, root)
    assert warm_memo.cached > 40
    assert plain == cold == warm
    assert len(plain) > 40


def _corrupt(update: str) -> None:
    db = sqlite3.connect(Path(os.environ["ITSMCTL_CACHE_DIR"]) / DB_NAME)
    with db:
        db.execute(update)
    db.close()


@pytest.mark.parametrize("update", [
    # a payload that no longer matches its checksum (a bit flipped on disk)
    ("UPDATE parses SET payload = CAST(replace(CAST(payload AS TEXT), 'checkout', 'checkoux')"
    " AS BLOB)"),
    # a payload replaced whole, its checksum left as it was
    "UPDATE parses SET payload = CAST('{\"d\": 5}' AS BLOB)",
])
def test_corrupt_entries_are_detected_and_parsed_again(examples_copy: Path, update: str) -> None:
    expected = validate_json(examples_copy)
    _corrupt(update)
    assert validate_json(examples_copy) == expected
    assert validate_json(examples_copy) == expected  # the bad entries were replaced


def test_poisoned_entry_with_valid_checksum_but_bad_shape_is_a_miss(tmp_path: Path) -> None:
    from itsmctl.loader import blob_id
    from itsmctl.parsecache import _checksum

    cache = ParseCache(tmp_path / "c")
    data = b"apiVersion: itsmctl.io/v1\n"
    source = SourceFile("a.yaml", "a.yaml", data=data, size=len(data))
    limits = Limits()
    key = entry_key("a.yaml", blob_id(data), limits)
    for payload in (b'{"d": [[0, "one", {}]], "f": [], "e": true}',
                    b'{"d": [], "f": [["r", 99, "m", 1, 1, [], "", "", 0]], "e": true}',
                    b'{"d": [[0, 1, NaN]], "f": [], "e": true}', b"[[[[", b"{}"):
        cache.put_many({key: payload})
        db = sqlite3.connect(cache.path)
        with db:
            db.execute("UPDATE parses SET checksum = ? WHERE key = ?", (_checksum(payload), key))
        db.close()
        fresh = ParseMemo(cache)
        part = fresh.part(source, limits)
        assert fresh.parsed == 1 and fresh.cached == 0
        assert list(part.findings) == load_sources([source], limits).findings


def test_a_database_that_is_not_one_is_replaced(examples_copy: Path) -> None:
    expected = validate_json(examples_copy, "--no-cache")
    directory = Path(os.environ["ITSMCTL_CACHE_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DB_NAME).write_bytes(b"this is not a database" * 100)
    assert validate_json(examples_copy) == expected
    assert cache_entries() > 50


def test_an_unwritable_cache_never_fails_a_run(examples_copy: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv("ITSMCTL_CACHE_DIR", str(blocker / "cache"))
    assert validate_json(examples_copy) == validate_json(examples_copy, "--no-cache")
    code, out = run("cache", "info")
    assert code == 0 and "not usable" in out


def test_the_key_covers_content_label_and_limits() -> None:
    limits = Limits()
    base = entry_key("a.yaml", "b" * 40, limits)
    assert entry_key("a.yaml", "c" * 40, limits) != base
    assert entry_key("b.yaml", "b" * 40, limits) != base
    assert entry_key("a.yaml", "b" * 40, Limits(max_depth=10)) != base
    assert entry_key("a.yaml", "b" * 40, Limits()) == base


class _Clock:
    """time.time_ns for the cache module, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_700_000_000 * 10**9

    def __call__(self) -> int:
        return self.now


def test_eviction_keeps_the_cache_under_its_bound_least_recently_used_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    monkeypatch.setattr(parsecache.time, "time_ns", clock)
    cache = ParseCache(tmp_path / "c", max_bytes=10_000)
    cache.put_many({f"old{i}": b"x" * 1000 for i in range(6)})
    clock.now += 2 * parsecache.TOUCH_AFTER_NS
    cache.get_many(["old0"])  # used again, hours later: now the most recent of the six
    cache.put_many({f"new{i}": b"y" * 1000 for i in range(6)})
    info = cache.info()
    assert info.bytes <= 10_000
    left = set(cache.get_many([f"old{i}" for i in range(6)] + [f"new{i}" for i in range(6)]))
    assert "old0" in left and {f"new{i}" for i in range(6)} <= left
    assert not {"old1", "old2", "old3"} & left


def test_skipping_the_sum_while_the_files_are_small_evicts_what_summing_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`_evict` sums the entries only when the database's files exceed the bound: the same
    entries are kept, put after put, as by a cache that sums on every put; and the premise
    holds, the entries never outweigh the files."""
    clock = _Clock()
    monkeypatch.setattr(parsecache.time, "time_ns", clock)
    rng = random.Random(19)
    shortcut = ParseCache(tmp_path / "a", max_bytes=200_000)
    summing = ParseCache(tmp_path / "b", max_bytes=200_000)
    monkeypatch.setattr(summing, "_on_disk", lambda: summing.max_bytes + 1)
    put = 0
    for round_ in range(30):
        clock.now += 2 * parsecache.TOUCH_AFTER_NS
        entries = {f"k{round_}-{i}": bytes(rng.randrange(256) for _ in range(rng.randrange(
            1, 12_000))) for i in range(rng.randrange(1, 5))}
        for cache in (shortcut, summing):
            cache.put_many(entries)
            cache.get_many(rng.sample(sorted(entries), 1))
        kept = _used_marks(shortcut)
        assert kept == _used_marks(summing)
        assert shortcut.info().bytes <= shortcut._on_disk()
        put += len(entries)
    assert len(_used_marks(shortcut)) < put  # it did evict
    assert shortcut.info().bytes <= 200_000


def _used_marks(cache: ParseCache) -> dict[str, int]:
    with sqlite3.connect(cache.path) as db:
        return dict(db.execute("SELECT key, used FROM parses").fetchall())


def test_a_hit_is_marked_used_at_most_once_an_hour(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm run of an unchanged catalog writes nothing; the LRU order is kept to the hour."""
    clock = _Clock()
    monkeypatch.setattr(parsecache.time, "time_ns", clock)
    cache = ParseCache(tmp_path / "c")
    cache.put_many({"a": b"1", "b": b"2"})
    written = _used_marks(cache)
    clock.now += parsecache.TOUCH_AFTER_NS // 2
    assert set(cache.get_many(["a", "b"])) == {"a", "b"}
    assert _used_marks(cache) == written
    clock.now += parsecache.TOUCH_AFTER_NS
    cache.get_many(["a"])
    assert _used_marks(cache) == {"a": clock.now, "b": written["b"]}


def test_a_read_only_cache_still_serves_its_hits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Marking hits used can fail (a cache restored read-only); the hits are served anyway."""
    clock = _Clock()
    monkeypatch.setattr(parsecache.time, "time_ns", clock)
    ParseCache(tmp_path / "c").put_many({"a": b"1"})
    clock.now += 2 * parsecache.TOUCH_AFTER_NS
    cache = ParseCache(tmp_path / "c")

    def refuse(*_: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(cache, "_touch", refuse)
    assert cache.get_many(["a"]) == {"a": b"1"}
    assert "not updated" in cache.problem


def test_cache_info_and_clear(examples_copy: Path) -> None:
    validate_json(examples_copy)
    code, out = run("cache", "info", "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["schemaVersion"] == 1 and data["tool"]["name"] == "itsmctl"
    assert data["cache"]["entries"] == cache_entries() > 50
    code, out = run("cache", "clear")
    assert code == 0 and "cleared" in out and cache_entries() == 0


@pytest.mark.slow
def test_concurrent_runs_share_one_cache(examples_copy: Path) -> None:
    """Two processes writing the same cache at once both succeed and agree."""
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "itsmctl", "validate", str(examples_copy), "-f", "json",
           "--today", TODAY.isoformat()]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outs]
    assert len({o[0] for o in outs}) == 1
    assert cache_entries() == json.loads(outs[0][0])["summary"]["files"]


def test_payload_round_trip_keeps_types_and_lone_surrogates() -> None:
    from itsmctl.parsecache import decode_many, rebuild

    text = b'a: "\\ud800"\nb: [1, 1.0, true, null, "1"]\nc: {d: -0.0}\n'
    source = SourceFile("x.yaml", "x.yaml", data=text, size=len(text))
    parsed = parse_source(source, Limits())
    again = rebuild(decode_many([encode(parsed)])[0], source)
    assert again is not None
    assert [d.data for d in again.documents] == [d.data for d in parsed.documents]
    assert [type(v) for v in again.documents[0].data["b"]] == [int, float, bool, type(None), str]
    assert again.findings == parsed.findings


def test_decoded_payloads_share_their_short_strings() -> None:
    """Equal short values come back as one object (memory), long ones and keys untouched."""
    long = "x" * (parsecache.SHARED_LENGTH + 1)
    payloads = [json.dumps({"d": [[0, 1, {"type": "hard" + "", "note": long + "",
                                         "deps": [{"type": "hard"}, "plain"]}]]}).encode()
                for _ in range(2)]
    first, second = parsecache.decode_many(payloads)
    a, b = first["d"][0][2], second["d"][0][2]
    assert a == b == json.loads(payloads[0])["d"][0][2]
    assert a["type"] is b["type"] is a["deps"][0]["type"]
    assert a["deps"][1] is b["deps"][1]
    assert a["note"] == b["note"] and a["note"] is not b["note"]


def _rewrite_entries(change: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite every stored payload with `change`, with a checksum that matches (poisoned)."""
    from itsmctl.parsecache import _checksum

    db = sqlite3.connect(Path(os.environ["ITSMCTL_CACHE_DIR"]) / DB_NAME)
    with db:
        for key, payload in db.execute("SELECT key, payload FROM parses").fetchall():
            body = json.loads(payload)
            change(body)
            new = json.dumps(body).encode("ascii")
            db.execute("UPDATE parses SET payload = ?, checksum = ? WHERE key = ?",
                       (new, _checksum(new), key))
    db.close()


def test_schema_verdicts_are_stored_and_a_warm_run_checks_nothing_again(
        examples_copy: Path) -> None:
    cache = ParseCache(Path(os.environ["ITSMCTL_CACHE_DIR"]))
    config = resolve_context(examples_copy, today=TODAY).config
    load_directory(examples_copy, config, "examples", ParseMemo(cache))
    warm = load_directory(examples_copy, config, "examples", ParseMemo(cache))
    assert [e.document.valid_as for e in warm.catalog] == [e.kind for e in warm.catalog]


@pytest.mark.parametrize("change", [
    lambda body: body.pop("v"),  # an entry written before verdicts were stored
    lambda body: body.update(v=[]),  # fewer verdicts than documents
    lambda body: body.update(v=[1] * len(body["d"])),  # not kinds
    lambda body: body.update(v="Service"),
])
def test_a_missing_or_malformed_verdict_is_ignored(examples_copy: Path,
                                                   change: Callable[[dict[str, Any]], None]
                                                   ) -> None:
    checkout = examples_copy / "services" / "checkout.yaml"
    checkout.write_text(checkout.read_text().replace("tier: 1", "tier: seven"))
    expected = validate_json(examples_copy, "--no-cache")
    assert validate_json(examples_copy) == expected
    _rewrite_entries(change)
    assert validate_json(examples_copy) == expected
    assert any(f["rule"] == "schema" for f in expected[1]["findings"])  # type: ignore[attr-defined]


def test_a_verdict_for_another_kind_does_not_pass_an_entity(examples_copy: Path) -> None:
    checkout = examples_copy / "services" / "checkout.yaml"
    checkout.write_text(checkout.read_text().replace("tier: 1", "tier: seven"))
    expected = validate_json(examples_copy, "--no-cache")
    validate_json(examples_copy)
    _rewrite_entries(lambda body: body.update(v=["Team"] * len(body["d"])))
    assert validate_json(examples_copy) == expected


def _package_copy(tmp_path: Path) -> Path:
    """A copy of the itsmctl package under tmp_path/code (import it with PYTHONPATH)."""
    code = tmp_path / "code"
    shutil.copytree(Path(parsecache.__file__).parent, code / "itsmctl",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return code


@pytest.mark.parametrize("name", ["schemas.py", "fastschema.py", "formats.py", "yamlload.py",
                                  "schemas/service.schema.json"])
def test_one_byte_of_the_code_or_a_schema_changes_the_package_digest(tmp_path: Path,
                                                                     name: str) -> None:
    package = _package_copy(tmp_path) / "itsmctl"
    assert parsecache.folder_digest(package) == parsecache.package_digest()
    path = package / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    assert parsecache.folder_digest(package) != parsecache.package_digest()


def test_another_package_digest_makes_every_entry_miss(examples_copy: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    expected = validate_json(examples_copy)
    files = cache_entries()
    assert validate_json(examples_copy) == expected and cache_entries() == files  # all hits
    monkeypatch.setattr(parsecache, "package_digest", lambda: "another itsmctl")
    parsecache._salt.cache_clear()
    try:
        assert validate_json(examples_copy) == expected
        assert cache_entries() == 2 * files  # every file parsed and stored again
    finally:
        monkeypatch.undo()
        parsecache._salt.cache_clear()


def test_a_format_check_changed_under_the_same_version_is_not_hidden_by_a_warm_cache(
        examples_copy: Path, tmp_path: Path) -> None:
    """The reviewer's scenario: another commit of itsmctl (same version number) whose URI
    check rejects every URL with "example" in it reports what it reports without a cache."""
    code = _package_copy(tmp_path)
    formats = code / "itsmctl" / "formats.py"
    check = "    if not isinstance(value, str):\n        return True\n"
    text = formats.read_text()
    assert text.count(check) >= 1
    formats.write_text(text.replace(check, check + '    if "example" in value:\n'
                                    '        return False\n', 1))

    def validate(*extra: str, changed: bool = False) -> tuple[int, str]:
        env = dict(os.environ, PYTHONPATH=str(code)) if changed else dict(os.environ)
        done = subprocess.run(
            [sys.executable, "-m", "itsmctl", "validate", str(examples_copy), "-f", "json",
             "--today", TODAY.isoformat(), *extra],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
        return done.returncode, done.stdout

    original = validate()
    assert original == validate() and original[0] == 0  # warm, and the examples are valid
    bypass = validate("--no-cache", changed=True)
    assert bypass[0] == 1 and '"schema"' in bypass[1]
    assert validate(changed=True) == bypass


@pytest.mark.parametrize("change", ["schemas", "libyaml", "jsonschema", "rpds-py", "regex",
                                    "python"])
def test_the_key_covers_the_schemas_libyaml_the_validators_versions_and_python(
        change: str, monkeypatch: pytest.MonkeyPatch) -> None:
    base = entry_key("a.yaml", "b" * 40, Limits())
    if change == "schemas":
        text = parsecache.schema_text
        monkeypatch.setattr(parsecache, "schema_text", lambda name: text(name) + " ")
    elif change == "libyaml":
        monkeypatch.setattr(yaml, "__with_libyaml__", not yaml.__with_libyaml__)
    elif change == "python":
        monkeypatch.setattr(sys, "version", sys.version + "+1")
    else:
        original = parsecache.library_version
        monkeypatch.setattr(parsecache, "library_version",
                            lambda name: original(name) + ("+1" if name == change else ""))
    parsecache._salt.cache_clear()
    try:
        assert entry_key("a.yaml", "b" * 40, Limits()) != base
    finally:
        monkeypatch.undo()
        parsecache._salt.cache_clear()
    assert entry_key("a.yaml", "b" * 40, Limits()) == base
