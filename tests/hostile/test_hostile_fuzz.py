"""The fuzzing that found issue 13's defects, as part of the suite, bounded in time.

Each target draws hostile catalogs from a fixed seed (derandomized: a CI failure
reproduces locally) and asserts what must hold for every input: no crash (exit 3), every
output well-formed, no hidden character raw, every message bounded. FUZZED_CATALOGS is the
number of catalogs one run tries (SECURITY.md quotes it).
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_corpus import BASE

from itsmctl.limits import Limits
from itsmctl.sources import SourceFile
from itsmctl.visible import has_hidden
from itsmctl.yamlload import parse_source
from tests.conftest import run_cli

BUDGET = settings(derandomize=True, database=None, deadline=None, max_examples=40,
                  suppress_health_check=[HealthCheck.too_slow,
                                         HealthCheck.function_scoped_fixture])
CATALOG_EXAMPLES = 40
POLICY_EXAMPLES = 40
BYTES_EXAMPLES = 300
FUZZED_CATALOGS = CATALOG_EXAMPLES + POLICY_EXAMPLES + BYTES_EXAMPLES

HOSTILE_TEXT = st.sampled_from([
    "\ud800", "\udcff", "\u202egnp.exe", "\x1b[2J", "\x07", "\x00", "\u2028", "\u0085",
    "@octocat", "![i](https://evil.example/i.png)", "::error::forged", "%0A::error::x",
    "<script>alert(1)</script>", "| pipe |", "**b**", "1" * 5000 + "w", "9" * 50,
    "x" * 20_000, ":platform", "team:", "role:", "../../etc/passwd", "a\nb\rc",
]) | st.text(max_size=30)
SCALAR = HOSTILE_TEXT | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
# where the catalog's own entities hold text, numbers and references
FIELDS = [("metadata", "title"), ("metadata", "description"), ("metadata", "name"),
          ("spec", "owner"), ("spec", "tier"), ("spec", "review", "interval"),
          ("spec", "sla"), ("spec", "dependencies"), ("metadata", "labels")]


def mutate(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = document
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else {}
    if isinstance(node, dict):
        node[path[-1]] = value


def dump(document: dict[str, Any]) -> str:
    """YAML whose escapes keep every character, surrogates and controls included."""
    return yaml.dump(document, allow_unicode=False, default_flow_style=False, width=10**6)


def check_outputs(root: Path) -> None:
    for fmt in ("json", "sarif", "junit", "github", "text"):
        result = run_cli("validate", str(root), "--format", fmt,
                         "--today", "2026-11-23")
        assert result.exit_code in (0, 1, 2), result.output
        assert "internal error" not in result.output, result.output
        if result.exit_code == 2:
            return  # a configuration error, said in one sentence
        out = result.stdout
        assert not has_hidden(out.replace("\n", "").replace("\t", "")), (fmt, out[:300])
        if fmt in ("json", "sarif"):
            json.loads(out)
        elif fmt == "junit":
            ET.fromstring(out.split("\n", 1)[1])
        elif fmt == "github":
            assert all(line.startswith(("::", "itsmctl")) for line in out.splitlines())
        if fmt == "json":
            assert all(len(f["message"]) < 1000 for f in json.loads(out)["findings"])


@pytest.mark.slow
@settings(BUDGET, max_examples=CATALOG_EXAMPLES)
@given(st.lists(st.tuples(st.sampled_from(FIELDS), SCALAR | st.lists(SCALAR, max_size=3)),
                min_size=1, max_size=6))
def test_fuzzed_catalogs_never_crash_and_every_output_stays_well_formed(
        tmp_path_factory: pytest.TempPathFactory, edits: list[Any]) -> None:
    root = tmp_path_factory.mktemp("fuzz") / "catalog"
    shutil.copytree(BASE, root)
    service = root / "services" / "kubernetes-platform.yaml"
    document = yaml.safe_load(service.read_text())
    for path, value in edits:
        mutate(document, path, value)
    service.write_text(dump(document), encoding="utf-8")
    check_outputs(root)


REQUIRE = st.recursive(
    st.sampled_from([{}, {"type": "string"}, {"$ref": "#"}, {"$dynamicRef": "#a"},
                     {"$dynamicAnchor": "a"}, {"pattern": "^(a|aa)+$"}, {"$ref": "#/$defs/x"},
                     {"minimum": 10 ** 30}, {"required": ["spec"]}]),
    lambda inner: st.dictionaries(
        st.sampled_from(["allOf", "anyOf", "not", "properties", "$defs", "items", "if"]),
        st.lists(inner, min_size=1, max_size=2) | st.dictionaries(
            st.sampled_from(["x", "spec", "metadata"]), inner, max_size=2) | inner,
        min_size=1, max_size=2),
    max_leaves=6)


@pytest.mark.slow
@settings(BUDGET, max_examples=POLICY_EXAMPLES)
@given(REQUIRE)
def test_fuzzed_policy_requirements_are_evaluated_or_refused_never_a_crash(
        tmp_path_factory: pytest.TempPathFactory, require: Any) -> None:
    root = tmp_path_factory.mktemp("policy") / "catalog"
    shutil.copytree(BASE, root)
    policy = {"policies": [{"id": "fuzzed", "description": "fuzzed", "select": {"kind": "Service"},
                            "require": require}]}
    (root / ".itsmctl.yaml").write_text(json.dumps(policy))
    result = run_cli("validate", str(root), "--today", "2026-11-23")
    assert result.exit_code in (0, 1, 2), result.output
    assert "internal error" not in result.output


@pytest.mark.slow
@settings(BUDGET, max_examples=BYTES_EXAMPLES)
@given(st.binary(max_size=400) | st.text(max_size=200).map(
    lambda t: t.encode("utf-8", "surrogatepass")))
def test_the_loader_turns_any_bytes_into_findings(data: bytes) -> None:
    parsed = parse_source(SourceFile("f.yaml", "f.yaml", data=data), Limits())
    for finding in parsed.findings:
        assert finding.message and len(finding.message) < 1000
        finding.message.encode("utf-8")  # never a lone surrogate
