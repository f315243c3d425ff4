"""What a line is, decided once: the line and column of a finding are those an editor shows.

YAML 1.1 (libyaml and PyYAML's reader) breaks lines at CR, LF, CRLF and also at NEL
(U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029); Python's
`str.splitlines` adds VT, FF and U+001C-U+001E. Editors, `git diff` and GitHub's file
view break lines only at LF, CRLF and CR. A raw U+2028 in a value would otherwise move
every later finding one line down from where the user sees it, and a control character
in a CR-only file would be reported on line 1. So positions are recomputed from the
character offset (a YAML mark's `index`) whenever the text holds a character on which the
two disagree, and every line count or split of catalog text goes through here.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_BREAK = re.compile(r"\r\n|\r|\n")
# YAML line breaks that are no line break to an editor
_YAML_ONLY_BREAK = re.compile("[\u0085\u2028\u2029]")
_NAMES = {"\u0085": "U+0085 NEXT LINE (NEL)", "\u2028": "U+2028 LINE SEPARATOR",
          "\u2029": "U+2029 PARAGRAPH SEPARATOR"}


def split_lines(text: str) -> list[str]:
    """The lines of `text` as an editor shows them (no line ends; none after a final one)."""
    lines = _BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


class LineMap:
    """Editor (line, column) of character offsets in one text, both 1-based."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [match.end() for match in _BREAK.finditer(text)]
        match = _YAML_ONLY_BREAK.search(text)
        # (name, line, column) of the first character YAML breaks lines at and editors do not
        self.yaml_only_break: tuple[str, int, int] | None = (
            None if match is None
            else (_NAMES[match.group()], *self.position(match.start())))

    def position(self, index: int) -> tuple[int, int]:
        line = bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1


def line_map(text: str) -> LineMap | None:
    """A LineMap when YAML's own line count is wrong for `text` (it holds a NEL, U+2028 or
    U+2029), else None: marks are then right as they are, and nothing is computed."""
    return LineMap(text) if _YAML_ONLY_BREAK.search(text) else None
