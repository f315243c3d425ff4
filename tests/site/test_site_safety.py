"""Escaping, traversal-proof file names, deterministic bytes, atomic swap, broken entities."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pytest
from site_helpers import SMALL, Render, break_page, files_of, visible_text

from itsmctl.errors import ItsmctlError

SERVICE = """\
apiVersion: itsmctl.io/v1
kind: Service
metadata:
  name: {name}
  title: {title}
  description: {description}
spec:
  type: technical
  owner: {owner}
  lifecycle: operational
  tier: 3
"""
TEAM = """\
apiVersion: itsmctl.io/v1
kind: Team
metadata: {name: ops}
spec: {email: ops@example.com, members: [{name: A, email: a@example.com, role: lead}]}
"""
WriteCatalog = Callable[[dict[str, str]], Path]


def service(name: str, title: str = "T", description: str = "d", owner: str = "ops") -> str:
    return SERVICE.format(name=name, title=title, description=description, owner=owner)


def test_script_in_a_description_is_shown_as_text(write_catalog: WriteCatalog, tmp_path: Path,
                                                  render: Render) -> None:
    evil = "'<script>alert(1)</script> & <b>bold</b>'"
    root = write_catalog({"t.yaml": TEAM, "s.yaml": service("shop", title=evil, description=evil)})
    render(root, tmp_path / "site")
    for rel, data in files_of(tmp_path / "site").items():
        if rel.endswith((".html", ".svg", ".js", ".json")) and not rel.startswith("assets/site"):
            assert b"<script>alert" not in data, rel
    page = (tmp_path / "site" / "services" / "shop.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>alert(1)</script> & <b>bold</b>" in visible_text(page)
    index = (tmp_path / "site" / "assets" / "search-index.js").read_text()
    assert "\\u003cscript>" in index and "</script>" not in index


@pytest.mark.parametrize("name", ["../../escape", "/etc/passwd", "a/b", "UPPER", "x" * 80, ""])
def test_invalid_names_get_no_page_and_are_listed_as_broken(
        write_catalog: WriteCatalog, tmp_path: Path, render: Render, name: str) -> None:
    root = write_catalog({"t.yaml": TEAM, "s.yaml": service(f"'{name}'")})
    result = render(root, tmp_path / "out" / "site")
    written = {p.resolve() for p in (tmp_path / "out").rglob("*")}
    assert all(p.is_relative_to((tmp_path / "out" / "site").resolve()) for p in written)
    assert not any(rel.startswith("services/") for rel in result.files)
    findings = visible_text((tmp_path / "out" / "site" / "findings.html").read_text())
    assert "Entities without a page" in findings and "broken" in findings
    assert f"Service {name or '(no name)'} in s.yaml:1" in findings


def test_same_input_gives_the_same_bytes(tmp_path: Path, render: Render) -> None:
    render(SMALL, tmp_path / "one")
    copy = tmp_path / "copy"
    shutil.copytree(SMALL, copy)
    render(copy, tmp_path / "two")
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")


def test_timestamp_only_when_asked(tmp_path: Path, render: Render) -> None:
    from datetime import datetime

    render(SMALL, tmp_path / "site", timestamp=datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert "at 2026-11-23T08:00:00+00:00" in (tmp_path / "site" / "index.html").read_text()
    render(SMALL, tmp_path / "plain")
    assert "2026-11-23T" not in (tmp_path / "plain" / "index.html").read_text()


def test_entity_with_errors_is_rendered_and_flagged(write_catalog: WriteCatalog, tmp_path: Path,
                                                    render: Render) -> None:
    root = write_catalog({"t.yaml": TEAM, "s.yaml": service("shop", owner="nobody")})
    result = render(root, tmp_path / "site")
    assert result.validation.counts["error"] >= 1
    text = visible_text((tmp_path / "site" / "services" / "shop.html").read_text())
    assert "This Service has errors." in text
    assert "ref-unresolved owner 'nobody': no Team named 'nobody'" in text
    assert "Owner team nobody (unresolved)" in text
    listing = visible_text((tmp_path / "site" / "services.html").read_text())
    assert "T errors" in listing


def test_findings_come_from_the_validate_pipeline_and_its_config(
        write_catalog: WriteCatalog, tmp_path: Path, render: Render) -> None:
    root = write_catalog({"t.yaml": TEAM, "s.yaml": service("shop", owner="nobody"),
                          ".itsmctl.yaml": "rules: {ref-unresolved: 'off'}\n"})
    render(root, tmp_path / "site")
    text = visible_text((tmp_path / "site" / "services" / "shop.html").read_text())
    assert "ref-unresolved" not in text


@pytest.mark.parametrize("workers", [1, 2], ids=["serial", "in-a-worker"])
def test_a_failing_page_leaves_the_previous_site_intact(tmp_path: Path, render: Render,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        workers: int) -> None:
    import itsmctl.site.parallel

    monkeypatch.setattr(itsmctl.site.parallel, "CHUNK", 4)  # so two workers really fork
    site = tmp_path / "site"
    render(SMALL, site)
    before = files_of(site)

    def fail() -> None:
        raise RuntimeError("page failed on purpose")

    break_page(monkeypatch, "teams/ops.html", fail)
    with pytest.raises(RuntimeError, match="on purpose"):
        render(SMALL, site, workers=workers)
    assert files_of(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left


def test_rerender_replaces_the_whole_site(tmp_path: Path, render: Render) -> None:
    site = tmp_path / "site"
    render(SMALL, site)
    (site / "services" / "stale.html").write_text("old")
    render(SMALL, site)
    assert not (site / "services" / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path: Path, render: Render) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "precious.txt").write_text("keep me")
    with pytest.raises(ItsmctlError, match="not made by itsmctl render"):
        render(SMALL, tmp_path / "docs")
    assert (tmp_path / "docs" / "precious.txt").read_text() == "keep me"


def test_refuses_an_output_that_contains_the_catalog(write_catalog: WriteCatalog,
                                                     render: Render) -> None:
    root = write_catalog({"t.yaml": TEAM})
    with pytest.raises(ItsmctlError, match="contains the catalog"):
        render(root, root.parent)


def test_progress_is_reported_for_every_file(tmp_path: Path, render: Render) -> None:
    calls: list[tuple[int, int]] = []
    result = render(SMALL, tmp_path / "site",
                    progress=lambda done, total: calls.append((done, total)))
    total = len(result.files)
    assert calls == [(n, total) for n in range(1, total + 1)]


SPEC_KEYS = {
    "Team": ["email", "chat", "parent", "members", "onCall"],
    "Service": ["type", "owner", "lifecycle", "tier", "dependencies", "sla", "supportCalendar",
                "changeModels", "links", "cost", "dataClassification", "review"],
    "BusinessCalendar": ["timezone", "weeklyHours", "holidays"],
    "SLA": ["type", "service", "customer", "calendar", "measurement", "availability", "targets",
            "serviceCredits", "effective"],
    "RACI": ["scope", "activities"],
    "ChangeModel": ["type", "states", "approvals", "leadTime", "requiredArtifacts",
                    "postImplementationReview", "blackoutWindows", "templates"],
    "ServiceCatalog": ["audience", "categories"],
    "Process": ["process", "owner", "raci", "scope", "review", "priorityMatrix", "escalation",
                "kpis", "declaration", "communication", "exercises", "rootCause", "knownErrors",
                "releaseWindows", "changeModels", "rollbackPlanRequired", "catalog"],
}
GARBAGE = [[1, {"a": None}, [{"service": 3, "assignments": [1], "offerings": "x"}]],
           {"x": [1], "monday": 5, "service": ["a"], "approvers": {"a": 1}, "period": []},
           -1, None, "text", True, 1e308]


@pytest.mark.parametrize("garbage", GARBAGE, ids=lambda g: type(g).__name__)
def test_schema_invalid_data_still_renders(tmp_path: Path, render: Render, garbage: object) -> None:
    import yaml

    docs = [{"apiVersion": "itsmctl.io/v1", "kind": kind,
             "metadata": {"name": f"bad-{kind.lower()}", "title": garbage, "description": garbage,
                          "labels": garbage, "annotations": garbage, "waivers": garbage},
             "spec": {key: garbage for key in keys}} for kind, keys in SPEC_KEYS.items()]
    root = tmp_path / "cat"
    root.mkdir()
    (root / "bad.yaml").write_text(yaml.safe_dump_all(docs))
    result = render(root, tmp_path / "site")
    assert result.validation.counts["error"] > 0
    for kind in SPEC_KEYS:
        page = next((tmp_path / "site").glob(f"*/bad-{kind.lower()}.html"))
        assert "has errors" in page.read_text()


def test_an_entity_named_index_does_not_replace_the_list_of_its_kind(
        write_catalog: WriteCatalog, tmp_path: Path, render: Render) -> None:
    root = write_catalog({"t.yaml": TEAM, "s.yaml": service("index", title="Index service")
                          + "---\n" + service("other", title="Other service")})
    render(root, tmp_path / "site")
    listing = (tmp_path / "site" / "services.html").read_text()
    assert 'href="services/index.html">Index service' in listing
    assert 'href="services/other.html">Other service' in listing
    assert "<h1>Index service</h1>" in (tmp_path / "site" / "services" / "index.html").read_text()
