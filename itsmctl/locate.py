"""Map a finding's JSON path back to the line and column of the YAML that holds it.

Done lazily, only for files that have findings: the happy path never stores positions.
A value reached through an alias (`tier: *t`, `<<: *base`) is reported where the alias is
written, which is where the user put it; the hint adds the line of its anchor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from itsmctl.findings import Finding, JsonPath
from itsmctl.limits import Limits
from itsmctl.sources import SourceFile
from itsmctl.textlines import LineMap, line_map
from itsmctl.yamlload import compose_documents, events

MERGE = "<<"


@dataclass
class Aliases:
    """One document's aliases by the JSON path they stand at, and every path written."""

    at: dict[JsonPath, tuple[Any, str]] = field(default_factory=dict)  # path -> (mark, anchor)
    written: set[JsonPath] = field(default_factory=set)

    def first_on(self, path: JsonPath) -> tuple[Any, str] | None:
        """The alias the value at `path` was reached through (the outermost), if any; a key
        that is not written in its mapping came from a merge (`<<: *base`)."""
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix in self.at:
                return self.at[prefix]
            if prefix not in self.written:
                parent = prefix[:-1]
                merge = self.at.get((*parent, MERGE)) or self.at.get((*parent, MERGE, 0))
                return merge
        return None


@dataclass
class _Open:
    """A collection being read from the event stream: its place, and where it is inside."""

    path: JsonPath | None  # None: inside a complex key, where places have no JSON path
    is_key: bool  # the collection is itself a (complex) mapping key
    sequence: bool
    index: int = 0  # sequence: the next item's index
    key: str | None = None  # mapping: the current key's text
    want_key: bool = True  # mapping: the next node is a key


def alias_index(text: str) -> list[Aliases]:
    """Per document, where its aliases stand: from the event stream (the composed tree
    shares one node between an anchor and its aliases, so their places are lost there).
    Iterative, and only run for files with findings and a `*` in them."""
    documents: list[Aliases] = []
    stack: list[_Open] = []

    def finish(is_key: bool, key: str | None) -> None:
        if not stack:
            return
        top = stack[-1]
        if top.sequence:
            top.index += 1
        elif is_key:
            top.key, top.want_key = key, False
        else:
            top.want_key = True

    for event in events(text):
        if isinstance(event, yaml.DocumentStartEvent):
            documents.append(Aliases())
            stack.clear()
            continue
        if not documents:
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            closed = stack.pop()
            finish(closed.is_key, None)  # a complex key has no text: places below are unknown
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        top = stack[-1] if stack else None
        is_key = top is not None and not top.sequence and top.want_key
        path: JsonPath | None = ()
        if top is not None:
            below = top.index if top.sequence else top.key
            path = None if is_key or top.path is None or below is None else (*top.path, below)
        if path is not None:
            documents[-1].written.add(path)
        if isinstance(event, yaml.AliasEvent):
            if path is not None:
                documents[-1].at[path] = (event.start_mark, str(event.anchor))
            finish(is_key, None)
        elif isinstance(event, yaml.ScalarEvent):
            finish(is_key, str(event.value))
        else:
            stack.append(_Open(path, is_key, isinstance(event, yaml.SequenceStartEvent)))
    return documents


@dataclass(frozen=True)
class Place:
    """Where a finding goes, and (reached through an alias) a note for its hint."""

    line: int | None
    column: int | None
    note: str = ""


class Locator:
    """Re-composes each file at most once per run, under the `limits` it was parsed with
    (they decide which documents were kept, so which index is which)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._nodes: dict[str, tuple[list[Node | None], LineMap | None]] = {}
        self._texts: dict[str, str] = {}
        self._aliases: dict[str, list[Aliases]] = {}

    def _documents(self, source: SourceFile) -> tuple[list[Node | None], LineMap | None]:
        known = self._nodes.get(source.label)
        if known is None:
            try:
                text = source.bytes().decode("utf-8-sig")
            except (UnicodeDecodeError, OSError):
                text = ""
            known = self._nodes[source.label] = (compose_documents(text, self.limits),
                                                  line_map(text))
            self._texts[source.label] = text
        return known

    def position(self, source: SourceFile, doc: int,
                 path: JsonPath) -> tuple[int | None, int | None]:
        place = self.place(source, doc, path)
        return place.line, place.column

    def place(self, source: SourceFile, doc: int, path: JsonPath) -> Place:
        """The line and column of the value at `path`; through an alias, the alias's."""
        documents, lines = self._documents(source)
        if doc >= len(documents) or documents[doc] is None:
            return Place(None, None)
        node = _descend(documents[doc], path)  # type: ignore[arg-type]
        line, column = _mark_position(node.start_mark, lines)
        alias = self._alias(source, doc, path)
        if alias is None:
            return Place(line, column)
        mark, anchor = alias
        at_line, at_column = _mark_position(mark, lines)
        if at_line == line:
            return Place(line, column)
        return Place(at_line, at_column,
                     f"the value comes through the alias *{anchor}: it is written at the anchor"
                     f" &{anchor}, line {line}")

    def _alias(self, source: SourceFile, doc: int, path: JsonPath) -> tuple[Any, str] | None:
        text = self._texts.get(source.label, "")
        if "*" not in text or not path:
            return None
        index = self._aliases.get(source.label)
        if index is None:
            index = self._aliases[source.label] = alias_index(text)
        return index[doc].first_on(path) if doc < len(index) else None

    def character_position(self, source: SourceFile, doc: int, path: JsonPath,
                           offset: int) -> tuple[int | None, int | None]:
        """Where the character at `offset` of the text value at `path` is in the file.

        Exact for a value written on one line, plain or quoted, without escapes before
        that character; otherwise (an escape, a folded block) the value's own position.
        """
        line, column = self.position(source, doc, path)
        if line is None or column is None or self._alias(source, doc, path) is not None:
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
                place = self.place(source, finding.doc, finding.path)
                finding = finding.at(place.line, place.column)
                if place.note:
                    hint = f"{finding.hint} ({place.note})" if finding.hint else place.note
                    finding = replace(finding, hint=hint)
            out.append(finding)
        return out


def _mark_position(mark: Any, lines: LineMap | None) -> tuple[int, int]:
    if lines is not None:  # YAML counts a line at U+2028 (and NEL, U+2029); editors don't
        return lines.position(mark.index)
    return mark.line + 1, mark.column + 1


def _descend(node: Node, path: JsonPath) -> Node:
    """Follow the path as far as it exists; end on the key when its value is a block."""
    for index, part in enumerate(path):
        if isinstance(node, MappingNode):
            match = _entry(node, str(part))
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


def _entry(node: MappingNode, key: str, depth: int = 0) -> tuple[Node, Node] | None:
    """The (key, value) nodes of `key`: written in the mapping, else from its merges (the
    first merged mapping that has it wins, as the loader builds it)."""
    found: tuple[Node, Node] | None = next(((k, v) for k, v in node.value
                  if isinstance(k, ScalarNode) and k.value == key and k.tag != _MERGE_TAG), None)
    if found is not None or depth > 8:  # merges of merges, bounded (a merge can loop)
        return found
    for k, v in node.value:
        if k.tag == _MERGE_TAG:
            for source in v.value if isinstance(v, SequenceNode) else [v]:
                if isinstance(source, MappingNode):
                    found = _entry(source, key, depth + 1)
                    if found is not None:
                        return found
    return None


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _is_block(node: Node) -> bool:
    return isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style
