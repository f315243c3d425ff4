"""The YAML layer: every broken file is a finding with a line, and other files still load."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsmctl.limits import Limits
from itsmctl.sources import SourceFile
from itsmctl.textlines import LineMap, split_lines
from itsmctl.yamlload import parse_source


def parse(text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return parse_source(SourceFile("f.yaml", "f.yaml", data=data), Limits())


def rules_and_lines(parsed) -> list[tuple[str, int | None]]:
    return [(f.rule, f.line) for f in parsed.findings]


def test_several_documents_and_plain_types() -> None:
    parsed = parse("a: 1\nb: 2026-02-30\nc: yes\n---\nx: [1, 2.5, null]\n")
    assert [d.data for d in parsed.documents] == [
        {"a": 1, "b": "2026-02-30", "c": True}, {"x": [1, 2.5, None]}]
    assert [d.line for d in parsed.documents] == [1, 5]
    assert parsed.findings == []


def test_dates_stay_strings_so_impossible_dates_do_not_crash() -> None:
    assert parse("d: 2026-02-30\n").documents[0].data == {"d": "2026-02-30"}


def test_duplicate_key_is_an_error_at_the_second_key_and_first_value_wins() -> None:
    parsed = parse("spec:\n  tier: 1\n  owner: a\n  tier: 2\n")
    assert rules_and_lines(parsed) == [("yaml-duplicate-key", 4)]
    assert "first defined on line 2" in parsed.findings[0].message
    assert parsed.documents[0].data == {"spec": {"tier": 1, "owner": "a"}}


def test_unsafe_tag_rejects_the_document_without_constructing_it() -> None:
    parsed = parse("a: !!python/object/apply:os.system ['touch /tmp/pwned']\n")
    assert parsed.documents == []
    assert rules_and_lines(parsed) == [("yaml-tag", 1)]
    assert "!!python/object/apply:os.system" in parsed.findings[0].message


def test_alias_bomb_is_bounded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    parsed = parse("\n".join(lines) + "\n")
    assert parsed.documents == []
    assert [f.rule for f in parsed.findings] == ["yaml-alias-limit"]


def test_merge_keys_fill_missing_keys_only() -> None:
    parsed = parse("base: &b {x: 1, y: 1}\nm:\n  <<: *b\n  y: 2\n")
    assert parsed.documents[0].data["m"] == {"x": 1, "y": 2}


def test_syntax_error_keeps_earlier_documents() -> None:
    parsed = parse("a: 1\n---\nb: c: d\n")
    assert [d.data for d in parsed.documents] == [{"a": 1}]
    assert rules_and_lines(parsed) == [("yaml-syntax", 3)]


def test_tab_indentation_gets_a_tab_hint() -> None:
    parsed = parse("a:\n\tb: 1\n")
    assert parsed.findings[0].rule == "yaml-syntax"
    assert "tabs" in parsed.findings[0].hint


def test_non_utf8_is_a_finding_with_the_line() -> None:
    parsed = parse(b"a: 1\nb: \xff\n")
    assert rules_and_lines(parsed) == [("file-encoding", 2)]


def test_bom_and_crlf_are_accepted() -> None:
    parsed = parse("\ufeffa: 1\r\nb: 2\r\n")
    assert parsed.documents[0].data == {"a": 1, "b": 2}
    assert parsed.findings == []


def test_empty_file_and_empty_documents_are_not_entities_or_errors() -> None:
    assert parse("").documents == [] and parse("").findings == []
    assert parse("---\n---\n").findings == []


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"], ids=["LS", "PS", "NEL"])
def test_lines_are_counted_as_an_editor_shows_them(separator: str) -> None:
    """YAML 1.1 breaks lines at NEL, U+2028 and U+2029 too; editors and GitHub do not. Every
    line after one (findings, 'first defined on line', where a document starts) is the
    editor's, and the site's source view splits the file the same way."""
    text = (f'a: "x{separator}y"\nb: 1\nb: 2\n---\n# second\nkind: Team\n'
            f"c: !!python/name:os.system x\n")
    parsed = parse(text)
    assert rules_and_lines(parsed) == [("yaml-duplicate-key", 3), ("yaml-tag", 7)]
    assert "first defined on line 2" in parsed.findings[0].message
    assert parsed.findings[1].column == 4
    assert [d.line for d in parsed.documents] == [1]
    assert split_lines(text)[6] == "c: !!python/name:os.system x"
    second = parse(text.replace("!!python/name:os.system ", ""))
    assert split_lines(text)[second.documents[1].line - 1] == "kind: Team"


def test_a_syntax_error_after_a_yaml_only_line_break_names_it() -> None:
    parsed = parse("a: x\u2028y\nb: 1\n")
    assert rules_and_lines(parsed) == [("yaml-syntax", 2)]
    assert "U+2028 LINE SEPARATOR on line 1, column 5" in parsed.findings[0].hint


@pytest.mark.parametrize("ends", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_control_characters_and_bad_bytes_are_on_their_line_whatever_the_line_ends(
        ends: str) -> None:
    control = parse(ends.join(["a: 1", "b: 2", "c: x\x07"]) + ends)
    assert [(f.rule, f.line, f.column) for f in control.findings] == [("yaml-syntax", 3, 5)]
    latin = parse(ends.join(["a: 1", "b: 2", "c: x"]).encode() + b"\xfc" + ends.encode())
    assert rules_and_lines(latin) == [("file-encoding", 3)]


def test_line_map_positions() -> None:
    lines = LineMap("ab\r\ncd\ref\ngh")
    assert [lines.position(i) for i in (0, 1, 4, 7, 10, 11)] == [
        (1, 1), (1, 2), (2, 1), (3, 1), (4, 1), (4, 2)]
    assert split_lines("a\u2028b\x0bc\rd\r\ne\n") == ["a\u2028b\x0bc", "d", "e"]


@given(st.one_of(st.sampled_from(["true", "True", "yes", "no", "1", "-1.5", "0x1F", "0o17", "null",
                                  "~", "", "2026-01-01", ".inf", "1_000", "P1", "hard", "1e3"]),
                 st.text(max_size=70)))
def test_the_memoised_resolver_types_plain_scalars_as_pyyaml_does(text: str) -> None:
    """Plain scalars are typed from a memo by their text: the same tag as resolving afresh."""
    from yaml.nodes import ScalarNode
    from yaml.resolver import BaseResolver

    from itsmctl.yamlload import _Resolver

    resolver = _Resolver()
    for implicit in ((True, False), (True, True), (False, True)):
        assert resolver.resolve(ScalarNode, text, implicit) == BaseResolver.resolve(
            resolver, ScalarNode, text, implicit)


def test_an_alias_inside_its_own_anchor_is_named_as_such() -> None:
    for text in ("a: &a [*a]\n", "&a {b: *a}\n", "x: &m {k: 1, <<: *m}\n",
                 "x: &m\n  k: [1, {j: *m}]\n"):
        parsed = parse(text)
        assert [f.rule for f in parsed.findings] == ["yaml-alias-limit"], text
        assert "contains it, so its value would be infinite" in parsed.findings[0].message
        assert parsed.documents == []
    assert parse("a: &a [1]\nb: [*a, *a]\n").documents[0].data == {"a": [1], "b": [[1], [1]]}


def test_an_unread_file_is_judged_by_its_kind_not_its_words(tmp_path: Path) -> None:
    """The finding comes from `SourceFile.problem`: an OS error whose message mentions a
    limit is unreadable, not too large (the message used to be matched for "limit")."""
    from itsmctl.sources import ReadProblem, read_source

    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" * 100)
    refused = read_source(big, "big.yaml", "big.yaml", tmp_path, 10)
    assert refused.problem is ReadProblem.TOO_LARGE
    assert [f.rule for f in parse_source(refused, Limits()).findings] == ["file-too-large"]
    worded = SourceFile.refused("x.yaml", "x.yaml", ReadProblem.OS_ERROR,
                                "cannot read file: open files limit reached")
    assert [f.rule for f in parse_source(worded, Limits()).findings] == ["file-unreadable"]


@pytest.mark.parametrize("added", [b"b: 2\n", b"b: 2\n" * 3000])
def test_a_file_that_grows_after_its_size_is_seen_is_read_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, added: bytes) -> None:
    """The size seen before reading bounds nothing: what was written meanwhile is read too,
    up to the size limit (a writer appending while the catalog is read)."""
    import os

    import itsmctl.sources
    from itsmctl.sources import read_source

    grows = tmp_path / "grows.yaml"
    grows.write_bytes(b"a: 1\n")
    real_fstat = os.fstat

    def fstat_then_append(fd: int) -> os.stat_result:
        seen = real_fstat(fd)
        with grows.open("ab") as handle:
            handle.write(added)
        return seen

    monkeypatch.setattr(itsmctl.sources.os, "fstat", fstat_then_append)
    read = read_source(grows, "grows.yaml", "grows.yaml", tmp_path, 1 << 20)
    assert read.data == b"a: 1\n" + added
