"""The files an import writes read back as the text that was imported, whatever it holds."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from itsmctl.interop.writer import dump_yaml
from itsmctl.limits import Limits
from itsmctl.sources import SourceFile
from itsmctl.yamlload import parse_source


def read_back(text: str) -> Any:
    parsed = parse_source(SourceFile("f.yaml", "f.yaml", data=text.encode("utf-8")), Limits())
    assert parsed.findings == []
    [document] = parsed.documents
    return document.data


def test_a_next_line_beside_a_line_separator_survives() -> None:
    # U+2028 sends the whole document through PyYAML's own emitter, which wrote a lone NEL
    # single-quoted and raw, so that it read back as a NEL and two spaces
    data = {"title": "a\u2028b", "label": "x\x85"}
    text = dump_yaml(data)
    assert "\x85" not in text and "\u2028" not in text
    assert read_back(text) == data


# the characters a YAML emitter can get wrong: every line break YAML knows, quotes,
# indicators, a control character, bidi and invisible ones
CHARACTERS = "ab \n\r\t\x85\u2028\u2029\x03\x7f\u202e\u200b\ufeff'\"#:-é"
TRICKY = st.text(st.sampled_from(list(CHARACTERS)), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), TRICKY, min_size=1))
def test_any_text_reads_back_as_written(data: dict[str, Any]) -> None:
    assert read_back(dump_yaml(data)) == data
