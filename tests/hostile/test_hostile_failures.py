"""Failures of our own making: a bug is one plain line and exit 3; code in YAML never runs."""

from __future__ import annotations

import json
import platform
import shutil
import tracemalloc
from pathlib import Path

import pytest
import yaml
from click.testing import Result

import itsmctl
import itsmctl.bugreport
import itsmctl.yamlload
from itsmctl.cli import BUG_URL
from itsmctl.errors import ItsmctlError
from itsmctl.limits import Limits
from itsmctl.sources import SourceFile
from itsmctl.yamlload import parse_source
from tests.conftest import Invoke, run_cli

CORPUS = Path(__file__).resolve().parent / "corpus"


def crash(*_: object, **__: object) -> None:
    raise RuntimeError("boom\nsecond line of a hostile message")


def run(catalog: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_cli(*args, "validate", str(catalog), env=env)


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(CORPUS / "base", tmp_path / "catalog")
    monkeypatch.setattr(itsmctl.yamlload._Builder, "build", crash)
    monkeypatch.delenv("ITSMCTL_DEBUG", raising=False)
    return tmp_path / "catalog"


def test_internal_error_is_one_line_asking_for_a_bug_report(catalog: Path) -> None:
    result = run(catalog)
    assert result.exit_code == 3
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("itsmctl: internal error (RuntimeError: boom second line")
    assert "This is a bug" in lines[0] and BUG_URL in lines[0] and "--debug" in lines[0]
    assert "Traceback" not in result.stderr


def test_internal_error_line_carries_what_a_bug_report_needs(catalog: Path) -> None:
    [line] = run(catalog).stderr.splitlines()
    versions = line[line.rindex("["):]
    python = platform.python_version()
    assert versions.startswith(f"[itsmctl {itsmctl.__version__}, Python {python}, "), versions
    for name in ("pyyaml", "jsonschema", "click", "gitpython", "git"):
        assert f" {name} " in versions, versions
    assert "libyaml" in versions  # with it or without it: said either way
    assert versions.endswith("; command: validate]")


def test_the_bug_report_line_survives_broken_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> str:
        raise RuntimeError(f"metadata of {name} unreadable")

    monkeypatch.setattr(itsmctl.bugreport.metadata, "version", broken)
    monkeypatch.setattr(itsmctl.bugreport.shutil, "which", lambda _: None)
    line = itsmctl.bugreport.environment()
    assert "jsonschema ?" in line and "gitpython ?" in line and "pyyaml ? (" in line
    assert line.endswith("git not found")


@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_shows_the_full_traceback(catalog: Path, how: str) -> None:
    result = run(catalog, "--debug") if how == "flag" else run(catalog, env={"ITSMCTL_DEBUG": "1"})
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "in crash" in result.stderr  # the frame that raised
    assert result.stderr.rstrip().splitlines()[-1].startswith("itsmctl: internal error")


@pytest.mark.parametrize("value", ["0", "false", ""])
def test_debug_env_switched_off_hides_the_traceback(catalog: Path, value: str) -> None:
    result = run(catalog, env={"ITSMCTL_DEBUG": value})
    assert result.exit_code == 3
    assert "Traceback" not in result.stderr


def test_usage_error_is_exit_2_and_interrupt_is_130(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    invoke: Invoke) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise ItsmctlError("the ref 'nope' does not exist", hint="list refs with git branch")

    monkeypatch.setattr("itsmctl.validate.validate", refuse)
    result = invoke("validate", str(tmp_path))
    assert (result.exit_code, result.stderr) == (
        2, "itsmctl: error: the ref 'nope' does not exist\n  hint: list refs with git branch\n")

    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("itsmctl.validate.validate", interrupt)
    result = invoke("validate", str(tmp_path))
    assert (result.exit_code, result.stderr) == (130, "itsmctl: interrupted\n")


def test_python_tags_never_execute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   invoke: Invoke) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    shutil.copy(CORPUS / "yaml" / "unsafe-tags.yaml", catalog / "unsafe.yaml")
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)  # the payloads write PWNED-* relative to the working folder
    result = invoke("validate", str(catalog))
    assert result.exit_code == 1
    assert result.output.count("yaml-tag") == 4
    assert list(workdir.iterdir()) == []
    # the control: an unsafe loader really would have run the first payload
    first = (catalog / "unsafe.yaml").read_text().split("---")[0]
    handle = yaml.unsafe_load(first)
    handle.close()
    assert (workdir / "PWNED-apply").exists()


def _parse(data: bytes) -> tuple[list[str], int]:
    """Rules found, and the peak of memory allocated while parsing (bytes)."""
    tracemalloc.start()
    try:
        parsed = parse_source(SourceFile("bomb.yaml", "bomb.yaml", data=data), Limits())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return [f.rule for f in parsed.findings], peak


def test_alias_bomb_stays_small_in_memory() -> None:
    # 20 levels of 20 aliases: 20**20 nodes if expanded, 8 kB of YAML
    lines = ["l0: &l0 [" + ", ".join(["lol"] * 20) + "]"]
    for level in range(1, 20):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 20) + "]")
    rules, peak = _parse("\n".join(lines).encode())
    assert rules == ["yaml-alias-limit"]
    assert peak < 20 * 2**20, peak


def test_merge_key_bomb_is_bounded_too() -> None:
    # merge keys (<<) copy mappings: the same amplification through a different door
    lines = ["m0: &m0 {" + ", ".join(f"k{i}: v" for i in range(30)) + "}"]
    for level in range(1, 12):
        lines.append(f"m{level}: &m{level} [" + ", ".join([f"{{<<: *m{level - 1}, x: 1}}"] * 30)
                     + "]")
    rules, peak = _parse("\n".join(lines).encode())
    assert rules == ["yaml-alias-limit"]
    assert peak < 50 * 2**20, peak


def test_limits_come_from_the_config(tmp_path: Path, invoke: Invoke) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / ".itsmctl.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Config\n"
        "settings: {maxDepth: 3, maxAliasExpansion: 5, maxFileSize: 200}\n")
    (catalog / "deep.yaml").write_text("a: [[[[x]]]]\n")
    (catalog / "aliases.yaml").write_text("a: &a [1, 2, 3]\nb: [*a, *a]\n")
    (catalog / "big.yaml").write_text("# " + "x" * 300 + "\n")
    result = invoke("validate", str(catalog))
    assert result.exit_code == 1
    for rule in ("yaml-too-deep", "yaml-alias-limit", "file-too-large"):
        assert rule in result.output
    assert "nesting is deeper than 3 levels" in result.output


def _amplified_team(catalog: Path, aliases: int) -> None:
    """One 100 kB title, quoted by `aliases` label aliases."""
    catalog.mkdir()
    labels = "".join(f"    k{i}: *long\n" for i in range(aliases))
    (catalog / "team.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Team\nmetadata:\n  name: amplified\n"
        f"  title: &long \"{'x' * 100_000}\"\n  labels:\n{labels}"
        "spec:\n  email: a@example.com\n  members: []\n")


def test_a_long_value_repeated_by_aliases_does_not_blow_up_the_report(tmp_path: Path,
                                                                      invoke: Invoke) -> None:
    """40 aliases of a 100 kB title (4 MB, under maxExpandedSize): 40 findings, each clipped."""
    _amplified_team(tmp_path / "catalog", 40)
    result = invoke("validate", str(tmp_path / "catalog"), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert len(report["findings"]) >= 40
    assert max(len(f["message"]) for f in report["findings"]) < 500
    assert len(result.stdout) < 200_000  # unclipped, this report was 4 MB


def test_aliases_past_the_expanded_size_limit_are_refused(tmp_path: Path, invoke: Invoke) -> None:
    """1,000 aliases of 100 kB would be 100 MB of text in every output: one finding instead."""
    _amplified_team(tmp_path / "catalog", 1000)
    result = invoke("validate", str(tmp_path / "catalog"), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("yaml-alias-limit", 48)]
    assert "more than 4,194,304 bytes of text" in findings[0]["message"]


def _documents_of_aliases(catalog: Path, documents: int, aliases: int) -> None:
    """`documents` services, each quoting its 1,000-character description `aliases` times."""
    catalog.mkdir()
    labels = "".join(f"    l{i}: *d\n" for i in range(aliases))
    (catalog / "bomb.yaml").write_text("---\n".join(
        f"apiVersion: itsmctl.io/v1\nkind: Team\nmetadata:\n  name: bomb{n}\n"
        f"  description: &d \"{'A' * 1000}\"\n  labels:\n{labels}"
        "spec:\n  email: a@example.com\n  members: []\n" for n in range(documents)))


def test_the_alias_budgets_are_per_file_not_per_document(tmp_path: Path,
                                                         invoke: Invoke) -> None:
    """Documents each under maxExpandedSize, together over it: the budget ends in the second
    one, which is refused with the documents after it (a budget per document let 18 of them
    repeat 4 MiB each: 72,000 findings). The first document is still validated."""
    _documents_of_aliases(tmp_path / "catalog", 6, 30)
    (tmp_path / "catalog" / ".itsmctl.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Config\nsettings: {maxExpandedSize: 50000}\n")
    result = invoke("validate", "--no-cache", str(tmp_path / "catalog"), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    limit = [f for f in findings if f["rule"] == "yaml-alias-limit"]
    assert [f["line"] for f in limit] == [67]  # the 21st alias of the second document
    assert limit[0]["message"] == ("aliases expand to more than 50,000 bytes of text in this"
                                   " file; the documents after this one are not read")
    labels = [f["line"] for f in findings if f["rule"] == "schema"]
    assert labels == list(range(7, 37))  # the first document's 30 long labels, no other
    nodes = "apiVersion: itsmctl.io/v1\nkind: Config\nsettings: {maxAliasExpansion: 40}\n"
    (tmp_path / "catalog" / ".itsmctl.yaml").write_text(nodes)
    findings = json.loads(invoke("validate", "--no-cache", str(tmp_path / "catalog"),
                                 "--format", "json").stdout)["findings"]
    assert [(f["line"], f["message"]) for f in findings
            if f["rule"] == "yaml-alias-limit"] == [
        (57, "aliases expand to more than 40 nodes in this file; the"
                                " documents after this one are not read")]


def test_findings_of_one_rule_in_one_document_are_capped(tmp_path: Path, invoke: Invoke) -> None:
    """A file of 150 labels too long: the first 100 schema findings, then one that counts the
    rest, at the first it counts (l100, line 106) and on their entity; its fingerprint is the
    rule, file and document: one more label does not change it (diff compares what it counts:
    tests/diff/test_capped_findings.py)."""
    def summary(labels: int) -> tuple[list[dict[str, object]], dict[str, object]]:
        catalog = tmp_path / "catalog"
        catalog.mkdir(exist_ok=True)
        lines = "".join(f"    l{i:03}: {'x' * 70}\n" for i in range(labels))
        (catalog / "team.yaml").write_text(
            "apiVersion: itsmctl.io/v1\nkind: Team\nmetadata:\n  name: many\n  labels:\n"
            f"{lines}spec:\n  email: a@example.com\n  members: []\n")
        result = invoke("validate", "--no-cache", str(catalog), "--format", "json")
        assert result.exit_code == 1
        findings = json.loads(result.stdout)["findings"]
        more = [f for f in findings if "more schema findings" in str(f["message"])]
        assert len(more) == 1
        return [f for f in findings if f not in more], more[0]

    listed, more = summary(150)
    assert (more["line"], more["entity"]) == (106, "Team:many")
    assert [f["line"] for f in listed] == list(range(6, 106))  # l000 to l099, in order
    assert {f["rule"] for f in listed} == {"schema"}
    assert (more["rule"], more["severity"], more["message"]) == (
        "schema", "error", "50 more schema findings in this document (the first 100 are listed)")
    assert summary(151)[1]["fingerprint"] == more["fingerprint"]
