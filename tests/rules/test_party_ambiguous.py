"""A RACI party written as a person is checked for ambiguity like a role holder."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Invoke

LOOK_ALIKE = "    - {name: Robin Two, email: robin@evil.example, role: engineer}\n"


def test_a_person_party_two_members_match_is_an_error_at_the_party(tmp_path: Path,
                                                                  invoke: Invoke) -> None:
    repo = tmp_path / "catalog"
    invoke("init", str(repo), code=0)
    raci = repo / "raci" / "change-process.yaml"
    text = raci.read_text(encoding="utf-8")
    assert "role:change-manager: A" in text
    raci.write_text(text.replace("role:change-manager: A", "user:robin: A"), encoding="utf-8")
    team = repo / "teams" / "workplace.yaml"
    text = team.read_text(encoding="utf-8")
    team.write_text(text.replace("  members:", "  members:\n" + LOOK_ALIKE.rstrip("\n"), 1),
                    encoding="utf-8")
    result = invoke("validate", str(repo), "-f", "json")
    found = [f for f in json.loads(result.output)["findings"]
             if f["rule"] == "role-holder-ambiguous"]
    assert len(found) == 1 and found[0]["file"].endswith("raci/change-process.yaml"), found
    assert "user:robin matches 2 members who are not one person" in found[0]["message"]
