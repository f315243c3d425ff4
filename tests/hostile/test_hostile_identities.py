"""A pull request cannot take over a role by adding a member who looks like its holder.

`roles: {change-manager: [thomas.richter]}` names the member whose login or e-mail's part
before the @ is `thomas.richter`. A team that sorts first (teams/aaa-contractors.yaml) with
`{email: thomas.richter@evil.example, github: mallory}` used to make mallory the change
manager for CODEOWNERS, --require-approvals and the people page; a member whose display
name is `thomas.richter` did so on the people page. Now a name two people match is an error
(`role-holder-ambiguous`) and resolves to nobody; display names are never matched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from itsmctl.catalog import Catalog
from itsmctl.config import load_config
from itsmctl.github.identities import on_github, person_login
from itsmctl.loader import load_directory
from itsmctl.runcontext import resolve_context
from itsmctl.site import render_site
from tests.conftest import EXAMPLES, Invoke

LOOK_ALIKE = """apiVersion: itsmctl.io/v1
kind: Team
metadata:
  name: aaa-contractors
  title: Contractors
spec:
  email: contractors@larkspur.example
  members:
    - {name: Mallory, email: MAIL, github: mallory, role: helper}
"""


def add_team(root: Path, email: str, name: str = "Mallory") -> Path:
    path = root / "teams" / "aaa-contractors.yaml"
    path.write_text(LOOK_ALIKE.replace("MAIL", email).replace("name: Mallory",
                                                               f"name: {name}"))
    return path


def catalog_of(root: Path) -> Catalog:
    return load_directory(root, load_config(root)).catalog


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_a_look_alike_member_is_an_error_at_the_holder(examples_copy: Path,
                                                       invoke: Invoke) -> None:
    add_team(examples_copy, "thomas.richter@evil.example")
    result = invoke("validate", examples_copy, "-f", "text", code=1)
    assert "role-holder-ambiguous" in result.output
    assert "roles.change-manager: thomas.richter matches 2 members" in result.output
    assert "teams/aaa-contractors.yaml:9 (thomas.richter@evil.example)" in result.output
    assert "teams/change-advisory-board.yaml:" in result.output
    assert "write the holder's full e-mail or user:<github-login>" in result.output


def test_codeowners_never_names_the_look_alike(examples_copy: Path, invoke: Invoke) -> None:
    before = invoke("codeowners", examples_copy, code=0).output
    assert "/.itsmctl.yaml @thomas-richter" in before
    add_team(examples_copy, "thomas.richter@evil.example")
    after = invoke("codeowners", examples_copy, code=0).output
    assert "@mallory" not in after
    # the ambiguous holder owns nothing, and the run says why (not the first match)
    assert "/.itsmctl.yaml @" not in after
    assert "thomas.richter names more than one member" in after


def test_the_gate_fails_on_the_pull_request(examples_copy: Path, isolated_git: None,
                                            invoke: Invoke) -> None:
    git(examples_copy, "init", "-q", "-b", "main")
    git(examples_copy, "add", "-A")
    git(examples_copy, "commit", "-q", "-m", "base")
    git(examples_copy, "checkout", "-q", "-b", "contractors")
    add_team(examples_copy, "thomas.richter@evil.example")
    git(examples_copy, "add", "-A")
    git(examples_copy, "commit", "-q", "-m", "add contractors")
    result = invoke("check", examples_copy, "--base", "main", "-f", "text", code=1)
    assert "role-holder-ambiguous" in result.output
    assert "itsmctl check: FAIL" in result.output


def test_require_approvals_takes_neither_look_alike(examples_copy: Path) -> None:
    add_team(examples_copy, "thomas.richter@evil.example")
    catalog, config = catalog_of(examples_copy), load_config(examples_copy)
    found = on_github("role:change-manager", dict(config.roles), catalog)
    assert found.logins == ()
    assert any("thomas.richter names more than one member" in u for u in found.unresolved)


def test_exact_forms_and_a_unique_local_part_resolve(examples_copy: Path) -> None:
    catalog = catalog_of(examples_copy)
    unique = person_login("thomas.richter", catalog)
    assert unique is not None and unique != "mallory"
    add_team(examples_copy, "thomas.richter@evil.example")
    catalog = catalog_of(examples_copy)
    assert person_login("thomas.richter", catalog) is None
    assert person_login("thomas.richter@evil.example", catalog) == "mallory"
    assert person_login("THOMAS.RICHTER@larkspur.example", catalog) == unique
    assert person_login(unique, catalog) == unique
    assert person_login("mallory", catalog) == "mallory"


def section(page: str, email: str) -> str:
    """The people page's entry of the member with `email` (its roles and accountability)."""
    start = page.index(f"<dd>{email}</dd>")
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("email, name", [("thomas.richter@evil.example", "Mallory"),
                                         ("mallory@evil.example", "thomas.richter")],
                         ids=["look-alike e-mail", "look-alike display name"])
def test_the_people_page_never_shows_mallory_as_change_manager(
        tmp_path: Path, email: str, name: str) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLES, root)
    add_team(root, email, name)
    out = tmp_path / "site"
    render_site(resolve_context(root, today=date(2026, 11, 23)), out, history=False)
    page = (out / "people.html").read_text(encoding="utf-8")
    assert "<code>change-manager</code>" not in section(page, email)
    real = section(page, "thomas.richter@larkspur.example")
    if name == "Mallory":  # ambiguous: the holder as written, linked to neither member
        assert "<code>change-manager</code>" not in real
        assert '<h2 id="person-thomas-richter-name">thomas.richter</h2>' in page
    else:  # a display name is no alias: the real holder still holds it
        assert "<code>change-manager</code>" in real


def committed(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "change")


def test_editing_a_holders_login_needs_the_change_process_owner(
        examples_copy: Path, isolated_git: None, invoke: Invoke) -> None:
    committed(examples_copy)
    team = examples_copy / "teams" / "change-advisory-board.yaml"
    team.write_text(team.read_text().replace("github: thomas-richter", "github: mallory"))
    git(examples_copy, "commit", "-q", "-am", "a login")
    result = invoke("diff", "-C", examples_copy, "main", "-f", "text", code=0)
    assert ("role:change-manager names thomas.richter (thomas.richter@larkspur.example,"
            " thomas-richter) at BASE and thomas.richter (thomas.richter@larkspur.example,"
            " mallory) at HEAD  (role-holders-changed)") in result.output
    assert "Roles:.itsmctl.yaml is review" in result.output  # for the change process owner


def test_a_team_edit_that_moves_no_role_is_no_role_change(
        examples_copy: Path, isolated_git: None, invoke: Invoke) -> None:
    committed(examples_copy)
    add_team(examples_copy, "someone@contractors.example")
    git(examples_copy, "add", "-A")
    git(examples_copy, "commit", "-q", "-m", "a contractor")
    result = invoke("diff", "-C", examples_copy, "main", "-f", "text", code=0)
    assert "role-holders-changed" not in result.output


def test_a_flood_of_look_alikes_keeps_the_message_bounded(examples_copy: Path,
                                                          invoke: Invoke) -> None:
    """Nine look-alike members: the finding names six candidates and counts the rest."""
    members = "".join(f"    - {{name: M{i}, email: thomas.richter@evil{i}.example,"
                      f" github: mallory{i}, role: helper}}\n" for i in range(9))
    (examples_copy / "teams" / "aaa-contractors.yaml").write_text(
        LOOK_ALIKE.split("  members:\n", maxsplit=1)[0] + "  members:\n" + members)
    result = invoke("validate", examples_copy, "-f", "json", code=1)
    ambiguous = [f for f in json.loads(result.output)["findings"]
                 if f["rule"] == "role-holder-ambiguous"]
    assert ambiguous and all("matches 10 members" in f["message"]
                             and f["message"].endswith("and 4 more") for f in ambiguous)
