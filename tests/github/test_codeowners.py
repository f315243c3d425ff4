"""`itsmctl codeowners`: who owns each catalog file on GitHub, escaped, deterministic, checked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from itsmctl.codeowners import escape_path
from tests.conftest import run_cli

TEAM = """apiVersion: itsmctl.io/v1
kind: Team
metadata: {{name: {name}}}
spec:
  email: {name}@example.com
{extra}  members:
    - {{name: Ana Lima, email: ana.lima@example.com, github: ana-lima, role: lead}}
"""
SERVICE = """apiVersion: itsmctl.io/v1
kind: Service
metadata: {{name: {name}}}
spec: {{owner: {owner}, lifecycle: design, tier: 3}}
"""
CHANGE_RACI = """apiVersion: itsmctl.io/v1
kind: RACI
metadata: {name: change-process}
spec:
  scope: {process: change}
  activities:
    - name: authorize-change
      assignments: {cab: R, role:change-manager: A}
"""
CONFIG = "apiVersion: itsmctl.io/v1\nkind: Config\nroles: {change-manager: [ana.lima]}\n"


def run(*args: str) -> Result:
    return run_cli("codeowners", *args)


def owners(text: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in text.splitlines()
                if line and not line.startswith("#"))


@pytest.fixture
def small(write_catalog: Callable[[dict[str, str]], Path]) -> Path:
    return write_catalog({
        ".itsmctl.yaml": CONFIG,
        "teams/payments.yaml": TEAM.format(name="payments", extra="  github: acme/payments-team\n"),
        "teams/cab.yaml": TEAM.format(name="cab", extra=""),
        "teams/no-github.yaml": TEAM.format(name="no-github", extra="").replace(
            ", github: ana-lima", ""),
        "services/pay.yaml": SERVICE.format(name="pay", owner="payments"),
        "services/loose.yaml": SERVICE.format(name="loose", owner="team:no-github"),
        "raci/change.yaml": CHANGE_RACI,
    })


def test_each_file_is_owned_by_its_service_owner_and_the_rest_by_the_change_process(
        small: Path) -> None:
    result = run(str(small))
    assert result.exit_code == 0, result.output
    table = owners(result.stdout)
    assert table["/services/pay.yaml"] == "@acme/payments-team"
    # the change manager (a person by e-mail local part) owns config, shared entities and
    # the files that make ownership: CODEOWNERS itself and the workflows
    for rel in ("/.itsmctl.yaml", "/teams/payments.yaml", "/raci/change.yaml",
                "/.github/CODEOWNERS", "/.github/workflows/"):
        assert table[rel] == "@ana-lima", rel
    # an owner team without a GitHub identity falls back to the change process, with a note
    assert table["/services/loose.yaml"] == "@ana-lima"
    assert "team no-github has no GitHub team" in result.stderr


def test_the_example_catalog(examples_copy: Path) -> None:
    table = owners(run(str(examples_copy)).stdout)
    assert table["/services/checkout.yaml"] == "@larkspur/commerce"
    assert table["/slas/checkout-sla.yaml"] == "@larkspur/commerce"
    assert table["/raci/payments-api.yaml"] == "@larkspur/payments"
    assert table["/.itsmctl.yaml"] == table["/policies/larkspur.yaml"] == "@thomas-richter"


def test_output_is_deterministic_and_check_passes_on_a_fresh_file(small: Path,
                                                                   tmp_path: Path) -> None:
    first, second = run(str(small)).stdout, run(str(small)).stdout
    assert first == second
    target = tmp_path / "CODEOWNERS"
    assert run(str(small), "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == first
    checked = run(str(small), "--check", str(target))
    assert checked.exit_code == 0 and "is up to date" in checked.stdout


def test_check_lists_what_is_stale(small: Path, tmp_path: Path) -> None:
    target = tmp_path / "CODEOWNERS"
    run(str(small), "-o", str(target))
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("/services/pay.yaml @acme/payments-team",
                                   "/services/pay.yaml @someone-else") + "/gone.yaml @x\n",
                      encoding="utf-8")
    result = run(str(small), "--check", str(target))
    assert result.exit_code == 1
    assert "3 line(s) differ" in result.stdout
    assert "  - /gone.yaml @x\n" in result.stdout
    assert "  - /services/pay.yaml @someone-else\n  + /services/pay.yaml @acme/payments-team\n" \
        in result.stdout


def test_a_missing_committed_file_is_a_usage_error(small: Path, tmp_path: Path) -> None:
    result = run(str(small), "--check", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "cannot read" in result.stderr


@pytest.mark.parametrize(("rel", "pattern"), [
    ("services/my service.yaml", r"/services/my\ service.yaml"),
    ("#hash.yaml", r"/\#hash.yaml"),
    ("!bang.yaml", r"/\!bang.yaml"),
    ("a*b?[1].yaml", r"/a\*b\?\[1\].yaml"),
    ("back\\slash.yaml", r"/back\\slash.yaml"),
    ("ünïcode.yaml", "/ünïcode.yaml"),
])
def test_paths_are_escaped(rel: str, pattern: str) -> None:
    assert escape_path(rel) == pattern


@pytest.mark.parametrize("rel", ["a\nb.yaml", "a\rb.yaml", "tab\t.yaml", ""])
def test_unspellable_paths_are_refused(rel: str) -> None:
    assert escape_path(rel) is None


def test_hostile_file_names_cannot_inject_owners(small: Path) -> None:
    evil = small / "services" / "x @evil-org @attacker.yaml"
    evil.write_text(SERVICE.format(name="evil", owner="payments"), encoding="utf-8")
    lines = [line for line in run(str(small)).stdout.splitlines() if "attacker" in line]
    assert lines == [r"/services/x\ @evil-org\ @attacker.yaml @acme/payments-team"]
