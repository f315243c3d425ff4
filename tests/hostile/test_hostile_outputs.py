"""Every output format, and the site, on the corpus cases marked `outputs: true`.

Nothing may crash (a lone surrogate or an undecodable file name used to), every document
stays well-formed (JUnit was ill-formed XML with a control character), and no hidden,
control or bidirectional character reaches a terminal, a log, a CI command or a page raw:
each is shown as its escape (itsmctl/visible.py).
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from test_hostile_corpus import BASE, CASES, install

from itsmctl.visible import has_hidden
from tests.conftest import run_cli

OUTPUT_CASES = [case for case in CASES if case.get("outputs")]
COMMAND_LINE = ("::error ", "::warning ", "::notice ", "itsmctl")


def catalog_for(case: dict[str, Any], tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    if case.get("base"):
        shutil.copytree(BASE, root)
    else:
        root.mkdir()
    install(case, root)
    return root


def run(*args: str) -> str:
    result = run_cli(*args, "--today", "2026-11-23")
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output
    return result.stdout


def no_hidden(text: str, where: str) -> None:
    """Only layout (newline, tab) may be raw; everything else hidden is escaped."""
    assert not has_hidden(text.replace("\n", "").replace("\t", "")), (where, text[:300])


@pytest.mark.parametrize("case", OUTPUT_CASES, ids=[c["path"] for c in OUTPUT_CASES])
def test_every_validate_format_is_well_formed_and_shows_hidden_text(
        case: dict[str, Any], tmp_path: Path) -> None:
    root = str(catalog_for(case, tmp_path))
    outputs = {fmt: run("validate", root, "--format", fmt)
               for fmt in ("text", "json", "sarif", "github", "junit")}
    for fmt, text in outputs.items():
        no_hidden(text, fmt)
    json.loads(outputs["json"])
    json.loads(outputs["sarif"])
    ET.fromstring(outputs["junit"].split("\n", 1)[1])
    for line in outputs["github"].splitlines():  # no value can start a command of its own
        assert line.startswith(COMMAND_LINE), line
        assert "::" not in line.split("::", 2)[-1] or line.startswith("::"), line
    report = tmp_path / "report.json"
    run("validate", root, "--format", "json", "-o", str(report))
    assert json.loads(report.read_text(encoding="utf-8"))["schemaVersion"] == 1


@pytest.mark.parametrize("case", OUTPUT_CASES, ids=[c["path"] for c in OUTPUT_CASES])
def test_the_site_is_written_and_shows_hidden_text(case: dict[str, Any], tmp_path: Path) -> None:
    root = catalog_for(case, tmp_path)
    site = tmp_path / "site"
    run("render", str(root), "-o", str(site), "--no-history")
    pages = [p for p in site.rglob("*") if p.suffix in (".html", ".svg", ".js", ".json")]
    assert pages
    for page in pages:
        no_hidden(page.read_text(encoding="utf-8"), page.name)
    graph = (site / "graph.html").read_text(encoding="utf-8")
    ET.fromstring(graph[graph.index("<svg"):graph.index("</svg>") + 6])  # well-formed picture


def test_github_escapes_every_line_past_the_annotation_budget(tmp_path: Path) -> None:
    """Findings past the 10th are plain log lines: a file name holding a newline and a forged
    command must not start a `::error` of its own there either."""
    for number in range(14):
        (tmp_path / f"bad{number}\n::error file=forged.yaml::pwned.yaml").write_text("a: [\n")
    out = run("validate", str(tmp_path), "--format", "github")
    lines = out.splitlines()
    assert len(lines) == 14 + 2  # 10 annotations, 4 plain lines, the notice and the summary
    for line in lines:
        assert line.startswith(COMMAND_LINE), line
    assert not [line for line in lines if line.startswith("::error file=forged")]
    assert sum("pwned.yaml" in line for line in lines) == 14  # each file once, on its own line


EXPORTS = ("backstage", "openslo", "pagerduty", "opsgenie", "servicenow")


@pytest.mark.parametrize("case", OUTPUT_CASES, ids=[c["path"] for c in OUTPUT_CASES])
def test_every_export_and_json_report_shows_hidden_text(case: dict[str, Any],
                                                        tmp_path: Path) -> None:
    """Exported files are read by people too (a pull request's diff, `cat`): hidden text is
    escaped in them as in the reports, and a JSON file still parses to the same text."""
    root = str(catalog_for(case, tmp_path))
    for export in EXPORTS:
        out = tmp_path / export
        folder = export in ("backstage", "openslo")
        target = out if folder else out / "export.json"
        out.mkdir()
        report = run("export", export, root, "-o", str(target), "-f", "json")
        no_hidden(report, f"{export} report")
        assert json.loads(report)["schemaVersion"] == 1
        for written in out.rglob("*"):
            if written.is_file():
                text = written.read_text(encoding="utf-8")
                no_hidden(text, written.name)
                if written.suffix == ".json":
                    json.loads(text)


SCORE_TITLE = ("Pay | x <img src=x onerror=alert(1)> @larkspur/admins #12 "
               "[c](https://evil.example) **b** \u202eevil\x1b[31m\n## Owned")


def test_score_escapes_catalog_text_in_markdown_and_text(tmp_path: Path) -> None:
    """`score -f markdown` goes where the PR comment goes (a job summary, a comment): a
    service title was written raw, a `|` broke the table, HTML and mentions were live, and
    a bidi override or an escape sequence reached the terminal in `-f text` too."""
    root = tmp_path / "catalog"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples", root)
    path = root / "services/checkout.yaml"
    path.write_text(path.read_text().replace("title: Checkout",
                                             f"title: {json.dumps(SCORE_TITLE)}"))
    policies = root / "policies/larkspur.yaml"
    policies.write_text(policies.read_text().replace(
        "title: Operational readiness", f"title: {json.dumps('Ready ' + SCORE_TITLE)}"))
    markdown = run("score", str(root), "-f", "markdown")
    no_hidden(markdown, "score markdown")
    row = next(line for line in markdown.splitlines() if line.startswith("| Pay"))
    assert row.count("|") - row.count("\\|") == 4  # the row's own four cell borders only
    for live in ("<img", "@larkspur", "#12", "[c](https", "**b**", "\n## Owned"):
        assert live not in markdown
    assert markdown.count("\n## ") == 0 and markdown.startswith("## Ready Pay")
    no_hidden(run("score", str(root)), "score text")
