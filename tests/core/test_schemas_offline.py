"""The written-out JSON Schemas resolve offline: relative `$ref`s beside each file, no `$id`.

`check-jsonschema --schemafile schemas/service.schema.json x.yaml` (and an editor's YAML
language server) must validate a catalog file from disk alone. With an absolute `$id` the
tools resolve `envelope.schema.json` against the web address and fail without a network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from itsmctl.schemas import SCHEMA_FILES
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
EXAMPLES = ROOT / "examples"


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.schema.json")), ids=lambda p: p.name)
def test_a_schema_names_no_web_address(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert "$id" not in schema, f"{path.name}: an $id makes tools resolve $refs on the web"
    for ref in _refs(schema):
        assert "://" not in ref, f"{path.name}: $ref {ref!r} is not relative"
        target = ref.partition("#")[0]
        assert not target or (SCHEMAS / target).is_file(), f"{path.name}: {ref!r} is not here"


def _example_of(kind: str) -> Path:
    """An example file holding one document of `kind` (check-jsonschema reads one)."""
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        if len(documents) == 1 and isinstance(documents[0], dict) \
                and documents[0].get("kind") == kind:
            return path
    raise AssertionError(f"no single-document example of {kind} in examples/")


def _check_jsonschema(schema: Path, instance: Path) -> subprocess.CompletedProcess[str]:
    # a proxy that refuses everything: any retrieval from the web fails the run
    offline = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
               "NO_PROXY": ""}
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema),
                           str(instance)], capture_output=True, text=True, timeout=120,
                          check=False, env=offline)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_check_jsonschema_validates_an_example_from_disk(kind: str, tmp_path: Path,
                                                         invoke: Invoke) -> None:
    """The repository's schemas/ and the ones `itsmctl schema --output-dir` writes alike."""
    written = tmp_path / "schemas"
    assert invoke("schema", "--output-dir", str(written)).exit_code == 0
    example = _example_of(kind)
    for folder in (SCHEMAS, written):
        done = _check_jsonschema(folder / SCHEMA_FILES[kind], example)
        assert done.returncode == 0, f"{kind} ({folder}):\n{done.stdout}{done.stderr}"


@pytest.mark.slow
def test_check_jsonschema_validates_the_example_config_from_disk() -> None:
    done = _check_jsonschema(SCHEMAS / "config.schema.json", EXAMPLES / ".itsmctl.yaml")
    assert done.returncode == 0, f"{done.stdout}{done.stderr}"
