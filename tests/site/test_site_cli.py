"""`itsmctl render` through the CLI: summary, default output folder, --check, usage errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from site_helpers import SMALL

from itsmctl.cli import cli

TODAY = ["--today", "2026-11-23"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["render", *args, *TODAY], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_render_writes_the_site_and_says_so(tmp_path: Path) -> None:
    code, out, _ = run(str(SMALL), "-o", str(tmp_path / "site"), "--no-history")
    assert code == 0
    assert out.startswith(f"Rendered 25 pages (31 files) into {tmp_path / 'site'}.")
    assert "\nCatalog findings: " in out
    assert (tmp_path / "site" / "index.html").is_file()


def test_default_output_is_the_configured_folder_under_the_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(SMALL, catalog)
    (catalog / ".itsmctl.yaml").write_text("settings: {site: {output: public, title: Acme IT}}\n")
    code, _, _ = run(str(catalog), "--no-history")
    assert code == 0
    assert "<title>Acme IT</title>" in (catalog / "public" / "index.html").read_text()


def test_check_passes_on_a_fresh_site_and_lists_stale_files(tmp_path: Path) -> None:
    site = tmp_path / "site"
    run(str(SMALL), "-o", str(site), "--no-history")
    code, out, _ = run(str(SMALL), "--check", str(site), "--no-history")
    assert (code, out) == (0, f"OK: the site in {site} is up to date (31 files).\n")

    (site / "services" / "api.html").write_text("edited by hand")
    (site / "teams" / "dev.html").unlink()
    (site / "notes.txt").write_text("not ours")
    code, out, _ = run(str(SMALL), "--check", str(site), "--no-history")
    assert code == 1
    assert out.splitlines()[:3] == [f"stale    {site}/services/api.html",
                                    f"missing  {site}/teams/dev.html",
                                    f"extra    {site}/notes.txt"]
    assert "1 stale, 1 missing, 1 extra file(s)" in out
    assert (site / "services" / "api.html").read_text() == "edited by hand"  # writes nothing


def test_check_reports_json(tmp_path: Path) -> None:
    code, out, _ = run(str(SMALL), "--check", str(tmp_path / "none"), "--no-history",
                       "-f", "json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and "index.html" in data["missing"]


def test_check_sees_a_catalog_change(tmp_path: Path) -> None:
    catalog, site = tmp_path / "catalog", tmp_path / "site"
    shutil.copytree(SMALL, catalog)
    run(str(catalog), "-o", str(site), "--no-history")
    text = (catalog / "services.yaml").read_text().replace("title: Web Shop", "title: Web Store")
    (catalog / "services.yaml").write_text(text)
    code, out, _ = run(str(catalog), "--check", str(site), "--no-history")
    assert code == 1
    assert f"stale    {site}/services/web.html" in out
    assert f"stale    {site}/services/api.html" in out  # its dependents list names the title


def test_refusing_a_foreign_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "readme.txt").write_text("x")
    code, _, err = run(str(SMALL), "-o", str(tmp_path / "docs"), "--no-history")
    assert code == 2
    assert "refusing to replace" in err and "hint:" in err


def test_missing_catalog_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "nope"), "-o", str(tmp_path / "site"))
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "site").exists()


def test_a_progress_bar_only_on_a_terminal(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import types

    from itsmctl.commands import render as render_command

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(render_command, "sys", types.SimpleNamespace(stderr=terminal))
    code, _, err = run(str(SMALL), "-o", str(tmp_path / "site"), "--no-history")
    assert code == 0 and err == ""
    assert "Rendering" in terminal.getvalue() and "100%" in terminal.getvalue()
