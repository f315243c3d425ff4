"""Properties of validate on arbitrary input: it never crashes and never writes anything.

Mutations of the example catalog (structure-aware and byte-level) go through the CLI; random
documents and random bytes go through the core functions, which is where crashes would start.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from itsmctl.config import CONFIG_NAMES, Config
from itsmctl.limits import Limits
from itsmctl.loader import load_sources
from itsmctl.model import KINDS
from itsmctl.sources import SourceFile, matches_any
from itsmctl.validate import check_loaded
from itsmctl.yamlload import parse_source
from tests.conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_FILES = sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.yaml"))
# the repository's own settings: a broken one is a usage error (exit 2), not a catalog finding
SETTINGS_FILES = (*CONFIG_NAMES, *yaml.safe_load(
    (EXAMPLES / ".itsmctl.yaml").read_text(encoding="utf-8")).get("policyFiles", ()))
TODAY = date(2026, 11, 23)

# values that broke (or could break) a loader, a schema or a rule somewhere
HOSTILE_SCALARS = st.sampled_from([
    None, True, False, 0, -1, 10**400, -(10**30), 1e308, 99.999999999999, "", " ", "x" * 5000,
    ".nan", ".inf", "-.inf", "2026-02-30", "9999-12-31", "0000-00-00", "P1", "../../etc/passwd",
    "a/b", "UPPER", "pl\u0430tform", "<script>alert(1)</script>", "{{ 7*7 }}", "${HOME}",
    "$(touch PWNED)", "\u202eevil", "\ufeff", "team:", ":", "service:", "role:", "kind:name",
    "0m", "999999w", "-5m", "1h30", "24:00", "25:61", "RA", "XYZ", "Europe/Nowhere",
])
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
SCALARS = st.one_of(HOSTILE_SCALARS, TEXT, st.integers(), st.floats(allow_nan=False,
                    allow_infinity=False), st.booleans(), st.none())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(TEXT, HOSTILE_SCALARS.map(str)), inner,
                                            max_size=4)),
    max_leaves=12,
)


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the examples, mutated one file at a time and restored after each example."""
    root = tmp_path_factory.mktemp("properties") / "catalog"
    shutil.copytree(EXAMPLES, root)
    return root


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder: whatever validate wrote relative to it would show up here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_validate(root: Path, config_mutated: bool) -> None:
    """The CLI as CI runs it: exit 0 or 1 with JSON on stdout, no traceback.

    A broken config or policy file is a usage error (exit 2, one message), not catalog content.
    """
    result = run_cli("validate", str(root), "--format", "json", "--today", TODAY.isoformat())
    assert "Traceback" not in result.output
    if config_mutated and result.exit_code == 2:
        assert result.stderr.startswith("itsmctl: error: ") and result.stdout == ""
        return
    assert result.exit_code in (0, 1), result.output
    json.loads(result.stdout)


def mutate_data(data: Any, draw: Any) -> Any:
    """Replace, delete or retype one node somewhere inside a parsed document."""
    if not isinstance(data, (dict, list)) or not data or draw(st.integers(0, 3)) == 0:
        return draw(VALUES)
    if isinstance(data, dict):
        key = draw(st.sampled_from(sorted(data, key=str)))
        if draw(st.integers(0, 5)) == 0:
            return {k: v for k, v in data.items() if k != key}
        return {**data, key: mutate_data(data[key], draw)}
    index = draw(st.integers(0, len(data) - 1))
    return [*data[:index], mutate_data(data[index], draw), *data[index + 1:]]


@st.composite
def structural_mutation(draw: Any) -> tuple[str, bytes]:
    rel = draw(st.sampled_from(EXAMPLE_FILES))
    documents = list(yaml.safe_load_all((EXAMPLES / rel).read_text(encoding="utf-8")))
    index = draw(st.integers(0, len(documents) - 1))
    documents[index] = mutate_data(documents[index], draw)
    return rel, yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False).encode()


@st.composite
def byte_mutation(draw: Any) -> tuple[str, bytes]:
    rel = draw(st.sampled_from(EXAMPLE_FILES))
    data = (EXAMPLES / rel).read_bytes()
    at = draw(st.integers(0, len(data)))
    how = draw(st.sampled_from(["truncate", "insert", "delete", "duplicate-line"]))
    if how == "truncate":
        return rel, data[:at]
    if how == "insert":
        junk = draw(st.sampled_from([b"\t", b"\x00", b"\xff", b"&a ", b"*a", b"!!python/name:os ",
                                     b"[", b"{", b"- ", b": ", b"'", b'"', b"\r", b"---\n",
                                     b"<<: *x\n", b"\xef\xbb\xbf"]))
        return rel, data[:at] + junk + data[at:]
    if how == "delete":
        return rel, data[:at] + data[at + draw(st.integers(1, 40)):]
    lines = data.splitlines(keepends=True)
    line = draw(st.integers(0, max(len(lines) - 1, 0)))
    return rel, b"".join(lines[:line + 1] + lines[line:])


@pytest.mark.slow
@given(mutation=st.one_of(structural_mutation(), byte_mutation()))
def test_validate_never_crashes_on_a_mutated_example_catalog(
        catalog: Path, workdir: Path, mutation: tuple[str, bytes]) -> None:
    rel, data = mutation
    before = snapshot(catalog)
    original = (catalog / rel).read_bytes()
    (catalog / rel).write_bytes(data)
    try:
        mutated = snapshot(catalog)
        run_validate(catalog, config_mutated=matches_any(rel, SETTINGS_FILES))
        assert snapshot(catalog) == mutated  # nothing in the catalog was written
        assert list(workdir.iterdir()) == []  # nothing next to it either
    finally:
        (catalog / rel).write_bytes(original)
    assert snapshot(catalog) == before


@st.composite
def random_document(draw: Any) -> dict[str, Any]:
    spec = draw(VALUES)
    metadata = draw(st.fixed_dictionaries(
        {"name": st.one_of(st.from_regex(r"\A[a-z][a-z0-9-]{0,10}[a-z0-9]\Z"), HOSTILE_SCALARS)},
        optional={"title": SCALARS, "labels": VALUES, "waivers": VALUES},
    ))
    return {"apiVersion": "itsmctl.io/v1", "kind": draw(st.sampled_from(KINDS)),
            "metadata": metadata, "spec": spec}


def core_validate(files: dict[str, bytes]) -> None:
    sources = [SourceFile(rel, rel, data=data) for rel, data in files.items()]
    loaded = load_sources(sources, Limits())
    result = check_loaded(loaded, Config(), today=TODAY)
    for finding in result.findings:
        assert finding.rule and finding.message and finding.file in files
        json.dumps(finding.to_dict(), allow_nan=False)
    assert result.exit_code in (0, 1)


@pytest.mark.slow
@given(documents=st.lists(random_document(), min_size=1, max_size=6))
def test_random_documents_never_crash_the_rules(documents: list[dict[str, Any]]) -> None:
    files = {f"d{i}.yaml": yaml.safe_dump(doc, allow_unicode=True).encode()
             for i, doc in enumerate(documents)}
    core_validate(files)


@pytest.mark.slow
@given(documents=st.lists(random_document(), min_size=1, max_size=4),
       base=st.sampled_from(EXAMPLE_FILES))
def test_random_documents_next_to_the_examples_never_crash(
        documents: list[dict[str, Any]], base: str) -> None:
    """Random entities that reference (and are referenced by) real ones."""
    files = {rel: (EXAMPLES / rel).read_bytes() for rel in EXAMPLE_FILES}
    files["zz-random.yaml"] = yaml.safe_dump_all(documents, allow_unicode=True).encode()
    core_validate(files)


@given(data=st.one_of(st.binary(max_size=300), TEXT.map(str.encode),
                      VALUES.map(lambda v: yaml.safe_dump(v, allow_unicode=True).encode())))
def test_parse_source_never_raises_and_yields_json_data(data: bytes) -> None:
    parsed = parse_source(SourceFile("f.yaml", "f.yaml", data=data), Limits())
    for document in parsed.documents:
        json.dumps(document.data, allow_nan=False)  # plain, finite JSON values only
    for finding in parsed.findings:
        assert finding.rule and finding.message and finding.file == "f.yaml"


@given(value=st.floats() | st.integers() | st.decimals(allow_nan=True).map(str))
def test_numbers_are_finite_json_or_text(value: Any) -> None:
    text = f"n: {value if not isinstance(value, float) else repr(value)}\n".encode()
    [document] = parse_source(SourceFile("f.yaml", "f.yaml", data=text), Limits()).documents
    number = document.data["n"]
    assert isinstance(number, (int, float, str))
    if isinstance(number, float):
        assert math.isfinite(number)
