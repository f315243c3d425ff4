"""Audit trail from a real git repository: per-entity history, --ref and --since."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from site_helpers import SMALL, Render, git, visible_text

from tests.conftest import Invoke


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the catalog in `catalog/`: v1 tagged, then a rename and a new service."""
    root = tmp_path / "repo"
    shutil.copytree(SMALL, root / "catalog")
    (root / "README.md").write_text("not catalog\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial catalog")
    git(root, "tag", "v1")
    services = root / "catalog" / "services.yaml"
    services.write_text(services.read_text().replace("title: Web Shop", "title: Web Store")
                        + "---\napiVersion: itsmctl.io/v1\nkind: Service\n"
                        "metadata: {name: reports}\n"
                        "spec: {type: business, owner: ops, lifecycle: proposed, tier: 4}\n")
    (root / "README.md").write_text("still not catalog\n")
    git(root, "commit", "-q", "-am", "Rename the web shop, add <reports>",
        when="2026-02-01T09:30:00+00:00")
    return root


def test_entity_pages_show_their_commits(repo: Path, tmp_path: Path, render: Render) -> None:
    result = render(repo / "catalog", tmp_path / "site", history=True)
    assert result.history
    text = visible_text((tmp_path / "site" / "services" / "web.html").read_text())
    assert "2026-02-01T09:30:00+00:00 Grace Hopper Rename the web shop, add <reports>" in text
    assert "2026-01-05T10:00:00+00:00 Grace Hopper Initial catalog" in text
    team = visible_text((tmp_path / "site" / "teams" / "ops.html").read_text())
    assert "Initial catalog" in team and "Rename the web shop" not in team


def test_ref_renders_the_catalog_as_it_was(repo: Path, tmp_path: Path, render: Render) -> None:
    render(repo / "catalog", tmp_path / "site", ref="v1", history=True)
    site = tmp_path / "site"
    assert "<h1>Web Shop</h1>" in (site / "services" / "web.html").read_text()
    assert not (site / "services" / "reports.html").exists()
    text = visible_text((site / "services" / "web.html").read_text())
    assert "Rename the web shop" not in text and "Initial catalog" in text
    assert "as at v1" in visible_text((site / "index.html").read_text())
    assert git(repo, "status", "--porcelain") == ""  # nothing checked out or touched


def test_since_lists_what_changed(repo: Path, tmp_path: Path, render: Render) -> None:
    render(repo / "catalog", tmp_path / "site", since="v1")
    page = (tmp_path / "site" / "changes.html").read_text()
    text = visible_text(page)
    assert "Changes since v1" in text
    assert "Added reports Modified Web Store Removed none" in text
    assert "Rename the web shop, add <reports>" in text and "Initial catalog" not in text
    assert '<a href="services/reports.html">reports</a>' in page
    assert 'href="changes.html"' in (tmp_path / "site" / "index.html").read_text()


def test_unknown_ref_is_a_usage_error(repo: Path, tmp_path: Path, invoke: Invoke) -> None:
    result = invoke("render", str(repo / "catalog"), "-o", str(tmp_path / "s"),
                    "--ref", "v9")
    assert result.exit_code == 2
    assert "unknown git ref 'v9'" in result.stderr
    option = invoke("render", str(repo / "catalog"), "-o", str(tmp_path / "s"),
                    "--since=--output=x")
    assert option.exit_code == 2 and "looks like an option" in option.stderr


def test_outside_git_there_is_no_history(tmp_path: Path, render: Render) -> None:
    shutil.copytree(SMALL, tmp_path / "plain")
    result = render(tmp_path / "plain", tmp_path / "site", history=True)
    assert not result.history
    assert "No git history" in (tmp_path / "site" / "services" / "db.html").read_text()


def test_history_of_a_file_with_a_non_ascii_name(tmp_path: Path, render: Render) -> None:
    """git quotes such paths unless asked not to: the audit trail must still find the file."""
    root = tmp_path / "repo"
    shutil.copytree(SMALL, root)
    (root / "services").mkdir()
    (root / "services.yaml").rename(root / "services" / "inventaire-café.yaml")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Catalogue des services")
    render(root, tmp_path / "site", history=True)
    text = visible_text((tmp_path / "site" / "services" / "web.html").read_text())
    assert "2026-01-05T10:00:00+00:00 Grace Hopper Catalogue des services" in text
    assert "No git history" not in text


def test_every_page_names_the_commit_it_was_built_from(repo: Path, tmp_path: Path,
                                                       render: Render) -> None:
    """A page, and each printed sheet of it, can be tied to one commit and one day."""
    v1 = git(repo, "rev-parse", "v1")
    render(repo / "catalog", tmp_path / "site", ref="v1", history=True)
    for page in ("index.html", "services/web.html", "findings.html"):
        markup = (tmp_path / "site" / page).read_text()
        header = visible_text(markup.split("</header>")[0])
        assert f"Built from commit {v1[:12]} (v1), as of 2026-11-23." in header
        footer = visible_text(markup.split('class="print-provenance">')[1].split("</p>")[0])
        assert f"commit {v1[:12]} (v1), as of 2026-11-23" in footer
        assert f'title="{v1}"' in markup
    head = git(repo, "rev-parse", "HEAD")
    render(repo / "catalog", tmp_path / "now", history=True)
    assert (f"Built from commit {head[:12]} (working tree at HEAD)"
            in visible_text((tmp_path / "now" / "index.html").read_text()))
    assert "@media print" in (tmp_path / "now" / "assets" / "site.css").read_text()


def test_a_catalog_outside_git_says_so_and_stays_byte_identical(tmp_path: Path,
                                                                render: Render) -> None:
    shutil.copytree(SMALL, tmp_path / "plain")
    render(tmp_path / "plain", tmp_path / "a", history=True)
    render(tmp_path / "plain", tmp_path / "b", history=True)
    page = (tmp_path / "a" / "index.html").read_text()
    assert "not from a git commit, as of 2026-11-23." in visible_text(page)
    assert "rendered" not in visible_text(page.split("</header>")[0])  # no build time
    assert page == (tmp_path / "b" / "index.html").read_text()
