"""Catalogs for policy tests: the example catalog with a config of the test's choosing."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

HEADER = "apiVersion: itsmctl.io/v1\nkind: Config\n"
TIER1_SLA = """
  - id: tier1-sla-availability
    severity: error
    description: |
      Tier-1 services promise 99.9% availability.
      Agreed by the service management board.
    select:
      kind: Service
      spec.tier: 1
      spec.lifecycle: {in: [operational, retiring]}
    via: spec.sla
    require:
      properties:
        spec:
          properties:
            availability: {minimum: 99.95}
"""


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact snippet of a catalog file (the test fails if it is not there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def catalog(examples_copy: Path) -> Callable[[str], Path]:
    """The example catalog with its config replaced by `text` (its roles mapping is kept):
    its own policy file, and the waivers of those policies, are removed."""
    original = (examples_copy / ".itsmctl.yaml").read_text(encoding="utf-8")
    roles = re.search(r"(?m)^roles:\n(?:  .*\n)+", original)
    assert roles, "the example config maps its roles"

    def make(text: str, files: dict[str, str] | None = None) -> Path:
        (examples_copy / "policies" / "larkspur.yaml").unlink()
        for path in (examples_copy / "services").glob("*.yaml"):
            source = path.read_text(encoding="utf-8")
            path.write_text(re.sub(r"(?ms)^  waivers:\n.*?(?=^spec:)", "", source),
                            encoding="utf-8")
        (examples_copy / ".itsmctl.yaml").write_text(
            HEADER + roles.group(0) + textwrap.dedent(text), encoding="utf-8")
        for rel, body in (files or {}).items():
            path = examples_copy / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(body), encoding="utf-8")
        return examples_copy

    return make


@pytest.fixture
def tier1_sla() -> str:
    """An inline policy: tier-1 SLAs promise 99.95% (the example's checkout and storefront
    promise 99.9%, so they fail it)."""
    return TIER1_SLA


@pytest.fixture(name="edit")
def edit_fixture() -> Callable[[Path, str, str], None]:
    return edit
