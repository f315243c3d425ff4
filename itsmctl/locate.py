"""Map a finding's JSON path back to the line and column of the YAML that holds it.

Done lazily, only for files that have findings: the happy path never stores positions.
"""

from __future__ import annotations

from collections.abc import Iterable

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from itsmctl.findings import Finding, JsonPath
from itsmctl.sources import SourceFile
from itsmctl.textlines import LineMap, line_map
from itsmctl.yamlload import compose_documents


class Locator:
    """Re-composes each file at most once per run."""

    def __init__(self) -> None:
        self._nodes: dict[str, tuple[list[Node | None], LineMap | None]] = {}
        self._texts: dict[str, str] = {}

    def _documents(self, source: SourceFile) -> tuple[list[Node | None], LineMap | None]:
        known = self._nodes.get(source.label)
        if known is None:
            try:
                text = source.bytes().decode("utf-8-sig")
            except (UnicodeDecodeError, OSError):
                text = ""
            known = self._nodes[source.label] = (compose_documents(text), line_map(text))
            self._texts[source.label] = text
        return known

    def position(self, source: SourceFile, doc: int,
                 path: JsonPath) -> tuple[int | None, int | None]:
        documents, lines = self._documents(source)
        if doc >= len(documents) or documents[doc] is None:
            return None, None
        node = _descend(documents[doc], path)  # type: ignore[arg-type]
        if lines is not None:  # YAML counts a line at U+2028 (and NEL, U+2029); editors don't
            return lines.position(node.start_mark.index)
        return node.start_mark.line + 1, node.start_mark.column + 1

    def character_position(self, source: SourceFile, doc: int, path: JsonPath,
                           offset: int) -> tuple[int | None, int | None]:
        """Where the character at `offset` of the text value at `path` is in the file.

        Exact for a value written on one line, plain or quoted, without escapes before
        that character; otherwise (an escape, a folded block) the value's own position.
        """
        line, column = self.position(source, doc, path)
        if line is None or column is None:
            return line, column
        node = _descend(self._documents(source)[0][doc], path)  # type: ignore[arg-type]
        if not isinstance(node, ScalarNode):
            return line, column
        start = node.start_mark.index + (1 if node.style in ('"', "'") else 0)
        written = self._texts[source.label][start:start + offset + 1]
        if written != node.value[:offset + 1] or any(c in written for c in "\r\n"):
            return line, column
        return line, column + (start - node.start_mark.index) + offset

    def locate(self, findings: Iterable[Finding], sources: dict[str, SourceFile]) -> list[Finding]:
        out = []
        for finding in findings:
            source = sources.get(finding.file)
            if finding.line is None and source is not None:
                line, column = self.position(source, finding.doc, finding.path)
                finding = finding.at(line, column)
            out.append(finding)
        return out


def _descend(node: Node, path: JsonPath) -> Node:
    """Follow the path as far as it exists; end on the key when its value is a block."""
    for index, part in enumerate(path):
        if isinstance(node, MappingNode):
            match = next(((k, v) for k, v in node.value
                          if isinstance(k, ScalarNode) and k.value == str(part)), None)
            if match is None:
                return node
            key, value = match
            if index == len(path) - 1 and _is_block(value):
                return key
            node = value
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node
    return node


def _is_block(node: Node) -> bool:
    return isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style
