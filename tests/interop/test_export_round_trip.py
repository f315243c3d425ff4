"""Every export gives back hostile catalog text exactly, read in its own format.

Titles, descriptions and annotations are whatever a pull request writes: template syntax
(`${`, `%{`), YAML indicators at the start (`&`, `*`, `!!python/...`, `---`, `%`), quotes,
line breaks, bidi and invisible characters, very long text. Each output is parsed as its
reader parses it (YAML, JSON; Terraform JSON strings as HCL templates, `$${` an escape) and
must hold each text unchanged, and a Terraform string may interpolate only our references.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HOSTILE = [
    '${file("/etc/passwd")}', "%{ for x in y }x%{ endfor }", "$${x} $$${y} %%{z} a$ b%",
    "say \"hi\" 'there' \\ back", "line1\nline2\r\nline3", "bidi \u202e gnp.exe \u2066x\u2069",
    "& anchor", "*alias", "!!python/object/apply:os.system [id]", "---", "...", "% leading",
    "- dash", "? question", ": colon", "# hash", "@at", "{a: b}", "[x]", "null", "~", "true",
    "0x10", "  lead and trail  ", "tab\tin", "sep\u2028x\u2029y", "nel\x85x", "zw\u200bj",
    "x" * 20_000 + "${y}", "a: b\n- c\n--- d\n...", "%YAML 1.1", "\\u0041 \x7f",
]
OWNERS_ON_CALL = ("commerce", "identity", "payments", "platform")
# an interpolation we write ourselves: a whole string naming one resource's attribute
OUR_REFERENCE = re.compile(r"\$\{(data\.)?[a-z_]+\.[A-Za-z0-9_-]+\.[a-z_]+\}")


def hostile_catalogs(root: Path) -> list[tuple[Path, list[str]]]:
    """Catalogs whose services with an SLA and an on-call owner (those every format exports)
    carry the hostile texts, one each, as title, description and annotations (PagerDuty's
    service id among them)."""
    services = sorted(p for p in (EXAMPLES / "services").glob("*.yaml")
                      if yaml.safe_load(p.read_text())["spec"].get("owner") in OWNERS_ON_CALL
                      and "sla" in yaml.safe_load(p.read_text())["spec"])
    out = []
    for start in range(0, len(HOSTILE), len(services)):
        catalog = root / f"catalog-{start}"
        shutil.copytree(EXAMPLES, catalog)
        texts = HOSTILE[start:start + len(services)]
        for text, path in zip(texts, services, strict=False):
            doc = yaml.safe_load(path.read_text())
            doc["metadata"].update({"title": text, "description": text})
            doc["metadata"].setdefault("annotations", {}).update(
                {"example.com/note": text, "pagerduty.com/service-id": text})
            # JSON is YAML: PyYAML's own emitter folds a NEL away inside single quotes
            (catalog / "services" / path.name).write_text(json.dumps(doc, default=str))
        out.append((catalog, texts))
    return out


def strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


def template_text(text: str) -> str:
    """A Terraform JSON string as HCL reads it (its scanner's TemplateNotInterp): `$${` and
    `%%{` are escapes; any other `${` or `%{` must be a whole reference of ours."""
    if OUR_REFERENCE.fullmatch(text):
        return text
    out, i = [], 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            out.append(text[i + 1:i + 3])
            i += 3
        else:
            assert not text.startswith(("${", "%{"), i), f"a template in {text[:80]!r}"
            out.append(text[i])
            i += 1
    return "".join(out)


def exported_texts(fmt: str, out: Path) -> set[str]:
    if fmt in ("pagerduty", "opsgenie"):
        return {template_text(s) for s in strings(json.loads(out.read_text()))}
    if fmt == "servicenow":
        return set(strings(json.loads(out.read_text())))
    return {s for p in out.rglob("*.yaml") for s in strings(list(yaml.safe_load_all(
        p.read_text(encoding="utf-8"))))}


@pytest.mark.parametrize("fmt", ["backstage", "openslo", "pagerduty", "opsgenie", "servicenow"])
def test_every_export_reads_back_hostile_text_exactly(fmt: str, tmp_path: Path) -> None:
    for catalog, texts in hostile_catalogs(tmp_path):
        out = tmp_path / f"{catalog.name}-{fmt}"
        run_cli("export", fmt, catalog, "-o", out, "--today", "2026-11-23", code=0)
        found = exported_texts(fmt, out)
        assert [t[:60] for t in texts if not any(t in s for s in found)] == []


def test_a_pagerduty_service_id_is_never_a_template(tmp_path: Path) -> None:
    """The id of an `import` block is an expression: `${file(...)}` there ran at plan time."""
    catalog, _ = hostile_catalogs(tmp_path)[0]
    out = tmp_path / "pd.tf.json"
    run_cli("export", "pagerduty", catalog, "-o", out, "--today", "2026-11-23", code=0)
    ids = [i["id"] for i in json.loads(out.read_text())["import"]]
    assert '$${file("/etc/passwd")}' in ids
    assert all("${" not in i.replace("$${", "") for i in ids)
