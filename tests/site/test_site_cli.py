"""`itsmctl render` through the CLI: summary, default output folder, --check, usage errors."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from datetime import date
from pathlib import Path
from typing import ClassVar

import pytest
from site_helpers import SMALL, files_of, visible_text

from tests.conftest import Invoke, run_cli

TODAY = ["--today", "2026-11-23"]


def run(*args: str) -> tuple[int, str, str]:
    result = run_cli("render", *args, *TODAY)
    return result.exit_code, result.stdout, result.stderr


def test_render_writes_the_site_and_says_so(tmp_path: Path) -> None:
    code, out, _ = run(str(SMALL), "-o", str(tmp_path / "site"), "--no-history")
    assert code == 0
    assert out.startswith(f"Rendered 28 pages (32 files) into {tmp_path / 'site'}.")
    assert "\nCatalog findings: " in out
    assert (tmp_path / "site" / "index.html").is_file()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="parallel rendering needs fork")
def test_jobs_sets_the_processes_and_keeps_the_bytes(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from itsmctl.site import parallel

    monkeypatch.setattr(parallel, "CHUNK", 4)  # so that the small catalog is split
    forked: list[int] = []
    write_pages = parallel.write_pages
    monkeypatch.setattr(parallel, "write_pages", lambda plan, write, workers, progress=None: (
        forked.append(workers) or write_pages(plan, write, workers, progress)))
    for jobs in ("1", "2"):
        code, out, _ = run(str(SMALL), "-o", str(tmp_path / jobs), "--no-history", "--jobs", jobs)
        assert (code, out.split(" into ")[0]) == (0, "Rendered 28 pages (32 files)")
    assert forked == [2]  # --jobs 1 renders in this process, --jobs 2 in two workers
    assert files_of(tmp_path / "2") == files_of(tmp_path / "1")


def test_jobs_below_one_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run(str(SMALL), "-o", str(tmp_path / "site"), "--jobs", "0")
    assert code == 2
    assert "--jobs" in err and not (tmp_path / "site").exists()


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
    assert (code, out) == (0, f"OK: the site in {site} is up to date (32 files).\n")

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


def test_a_review_interval_past_the_calendar_renders(tmp_path: Path, invoke: Invoke) -> None:
    """`validate` accepts `999999w` (never due); render must too, not crash on the date."""
    catalog = tmp_path / "catalog"
    shutil.copytree(SMALL, catalog)
    text = (catalog / "services.yaml").read_text()
    (catalog / "services.yaml").write_text(text.replace("interval: 26w", "interval: 999999w", 1))
    validate = invoke("validate", str(catalog), *TODAY)
    assert "999999w" not in validate.stdout and "review-overdue" not in validate.stdout
    code, _, err = run(str(catalog), "-o", str(tmp_path / "site"), "--no-history")
    assert (code, err) == (0, "")
    page = visible_text((tmp_path / "site" / "services" / "db.html").read_text())
    assert "Last review 2026-09-01, every 999999w" in page
    assert "next due" not in page and "overdue" not in page


class Clock:
    """Set the clock `render` reads when --today is not given (run it with `env=Clock.UNSET`,
    as `invoke` otherwise fixes the day through ITSMCTL_TODAY)."""

    UNSET: ClassVar[dict[str, str | None]] = {"ITSMCTL_TODAY": None}

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def set(self, day: date) -> None:
        from itsmctl import runcontext

        self.monkeypatch.setattr(runcontext, "clock_today", lambda: day)


def test_the_site_records_the_day_it_judged_dates_by(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      invoke: Invoke) -> None:
    Clock(monkeypatch).set(date(2026, 11, 1))
    result = invoke("render", str(SMALL), "-o", str(tmp_path / "site"), "--no-history",
                    env=Clock.UNSET)
    assert result.exit_code == 0, result.output
    assert "as-of: 2026-11-01" in (tmp_path / "site" / ".itsmctl-site").read_text()
    page = visible_text((tmp_path / "site" / "services" / "db.html").read_text())
    assert "Reviews and expiry dates as of 2026-11-01." in page
    assert "next due 2027-03-02" in page and "overdue" not in page


def test_check_judges_dates_as_of_the_committed_sites_day(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           invoke: Invoke) -> None:
    """Days passing do not make a committed site stale; only the catalog (or --today) does."""
    site = tmp_path / "site"
    clock = Clock(monkeypatch)
    clock.set(date(2026, 11, 1))
    rendered = invoke("render", str(SMALL), "-o", str(site), "--no-history",
                      "--today", "2026-11-01", env=Clock.UNSET)
    assert rendered.exit_code == 0, rendered.output
    clock.set(date(2027, 6, 1))  # db's review (due 2027-03-02) is overdue by then

    later = invoke("render", str(SMALL), "--check", str(site), "--no-history", env=Clock.UNSET)
    assert (later.exit_code, later.stdout) == (
        0, f"OK: the site in {site} is up to date (32 files).\n")

    explicit = invoke("render", str(SMALL), "--check", str(site),
                      "--no-history", "--today", "2027-06-01", env=Clock.UNSET)
    assert explicit.exit_code == 1
    assert f"stale    {site}/services/db.html" in explicit.stdout
    assert f"stale    {site}/.itsmctl-site" in explicit.stdout


def test_a_retired_service_is_never_shown_overdue(tmp_path: Path, invoke: Invoke) -> None:
    """The rule skips retired services; the page must agree with it."""
    import shutil
    catalog = tmp_path / "catalog"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples", catalog)
    service = catalog / "services" / "legacy-erp.yaml"
    service.write_text(service.read_text().replace("lifecycle: retiring", "lifecycle: retired"))
    result = invoke("render", str(catalog), "-o", str(tmp_path / "site"),
                    "--today", "2035-01-01", "--no-history")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / "services" / "legacy-erp.html").read_text()
    assert "(overdue)" not in page
    assert "(overdue)" in (tmp_path / "site" / "services" / "storefront.html").read_text()


def test_check_does_not_follow_a_committed_marker_link(tmp_path: Path, invoke: Invoke) -> None:
    """A pull request may commit the site marker as a link to /dev/zero: never read it."""
    site = tmp_path / "site"
    assert invoke("render", str(SMALL), "-o", str(site), "--no-history",
                  "--today", "2026-11-23").exit_code == 0
    marker = site / ".itsmctl-site"
    marker.unlink()
    marker.symlink_to("/dev/zero")
    result = invoke("render", str(SMALL), "--check", str(site),
                    "--no-history", "--today", "2026-11-23")
    assert result.exit_code == 1, result.output  # stale marker, not a crash or a hang
    assert ".itsmctl-site" in result.output
