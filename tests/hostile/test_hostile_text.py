"""Text that reads as something it is not: look-alike and invisible characters are named,
with the column where they are (`itsmctl/visible.py` names them, for every rule)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from test_hostile_corpus import BASE, CORPUS

from tests.conftest import Invoke, run_cli


def findings(tmp_path: Path, *cases: str) -> list[dict[str, Any]]:
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    for case in cases:
        shutil.copy(CORPUS / case, root / "services" / Path(case).name)
    result = run_cli("validate", str(root), "--format", "json",
                     "--today", "2026-11-23")
    assert result.exit_code == 1, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return found


def test_a_look_alike_in_a_name_is_named_at_its_column(tmp_path: Path) -> None:
    """`  name: pl?tform` (a Cyrillic U+0430): the value is at column 9, the letter at 11."""
    [found] = findings(tmp_path, "model/name-look-alike.yaml")
    assert (found["rule"], found["line"], found["column"]) == ("schema", 5, 11)
    assert found["message"] == (
        "metadata.name: 'pl\u0430tform' does not have the expected form: character 3 is"
        " U+0430 CYRILLIC SMALL LETTER A, which looks like 'a'")
    assert found["hint"].startswith("Type the ASCII 'a' instead. An entity name:")


def test_a_look_alike_in_a_reference_is_named_by_both_findings(tmp_path: Path) -> None:
    found = {f["rule"]: f for f in findings(tmp_path, "model/reference-look-alike.yaml")}
    schema, unresolved = found["schema"], found["ref-unresolved"]
    assert (schema["line"], schema["column"]) == (9, 20)  # value at 10, then 10 characters
    assert "character 11 is U+043E CYRILLIC SMALL LETTER O, which looks like 'o'" in (
        schema["message"])
    assert unresolved["hint"] == ("did you mean 'platform'? character 6 of the name is"
                                  " U+043E CYRILLIC SMALL LETTER O, which looks like 'o'")


def test_invisible_and_fullwidth_characters_are_named_at_their_column(tmp_path: Path) -> None:
    found = {Path(f["file"]).name: f for f in findings(
        tmp_path, "model/name-zero-width.yaml", "model/name-fullwidth.yaml")}
    zero, wide = found["name-zero-width.yaml"], found["name-fullwidth.yaml"]
    assert (zero["line"], zero["column"]) == (5, 13)
    assert "U+200B ZERO WIDTH SPACE, which cannot be seen" in zero["message"]
    assert zero["hint"].startswith("Delete it.")
    assert "'zero\\u200bwidth'" in zero["message"]  # and the value shows it escaped
    assert (wide["line"], wide["column"]) == (5, 20)  # after the opening quote
    assert "character 11 is U+FF41 FULLWIDTH LATIN SMALL LETTER A" in wide["message"]


def test_a_name_wrong_for_another_reason_names_no_character(tmp_path: Path, invoke: Invoke) -> None:
    """'Pl?tform' (U+0430) has an upper-case P too: reading the U+0430 as 'a' would not fix
    it, so no character is blamed."""
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    text = (CORPUS / "model/name-look-alike.yaml").read_text(encoding="utf-8")
    (root / "teams" / "upper.yaml").write_text(
        text.replace("name: pl\u0430tform", "name: Pl\u0430tform"), encoding="utf-8")
    result = invoke("validate", str(root), "--format", "json")
    [found] = json.loads(result.stdout)["findings"]
    assert found["message"].endswith("does not have the expected form")
    assert found["column"] == 9


def test_a_value_through_an_alias_is_reported_at_the_alias(tmp_path: Path) -> None:
    """Where the user used the value (`tier: *t`, `<<: *labels`), with the line where it is
    written (the anchor) in the hint."""
    found = {Path(f["file"]).name: f for f in findings(
        tmp_path, "yaml/alias-wrong-type.yaml", "yaml/merge-wrong-value.yaml")}
    alias, merge = found["alias-wrong-type.yaml"], found["merge-wrong-value.yaml"]
    assert (alias["line"], alias["column"]) == (14, 9)
    assert alias["hint"].endswith(
        "(the value comes through the alias *t: it is written at the anchor &t, line 9)")
    assert (merge["line"], merge["column"]) == (12, 7)
    assert merge["hint"].endswith("it is written at the anchor &labels, line 9)")


def test_alias_places_from_the_event_stream() -> None:
    from itsmctl.locate import alias_index

    text = ("a: &x 1\nb:\n  c: *x\n  d: [*x, 2, {e: *x}]\nm: &m {k: 1}\nn:\n  <<: *m\n"
            "? [complex]\n: *x\n---\nz: *q\n")
    first, second = alias_index(text)
    assert {path: (mark.line + 1, anchor) for path, (mark, anchor) in first.at.items()} == {
        ("b", "c"): (3, "x"), ("b", "d", 0): (4, "x"), ("b", "d", 2, "e"): (4, "x"),
        ("n", "<<"): (7, "m")}
    assert first.first_on(("b", "d", 2, "e")) == first.at[("b", "d", 2, "e")]
    assert first.first_on(("n", "k")) == first.at[("n", "<<")]  # merged, not written
    assert first.first_on(("b", "d", 1)) is None
    assert list(second.at) == [("z",)]
