"""Safe, strict YAML parsing: libyaml speed, no surprises, every problem a finding.

We compose nodes with libyaml (CParser) and build plain JSON-like values ourselves, which
lets us reject duplicate keys (PyYAML keeps the last one silently), refuse every tag that is
not plain data, keep dates as strings (a date that does not exist is a schema finding, not a
crash), and bound alias expansion and nesting depth. Positions are not stored: `locate.py`
re-composes a file only when one of its findings needs a line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from sys import intern as _intern
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from itsmctl.findings import Finding, Severity
from itsmctl.limits import Limits
from itsmctl.sources import ReadProblem, SourceFile
from itsmctl.textlines import LineMap, line_map
from itsmctl.visible import quoted, visible

try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]  # not in `yaml`

    LIBYAML = True
except ImportError:  # pragma: no cover - exercised only where libyaml is missing
    LIBYAML = False

_TAG = "tag:yaml.org,2002:"
_SURROGATE = re.compile("[\ud800-\udfff]")
_SAFE_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.1 implicit typing, minus timestamps: dates stay strings for the schema to judge."""

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """A plain scalar's tag depends on its text alone (no path resolvers are added), so
        it is looked up once per distinct short text: `hard`, `P1`, `true` come back in
        every entity, and the regular expressions were about a sixth of loading."""
        if kind is ScalarNode and implicit[0] and len(value) <= _RESOLVED_LENGTH:
            return _plain_tag(value)
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return,no-untyped-call]


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TAG + "timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_RESOLVED_LENGTH = 64  # longer plain texts (descriptions) seldom repeat: resolved each time
_PLAIN = _Resolver()


@lru_cache(maxsize=1 << 14)
def _plain_tag(value: str) -> str:
    return yaml.resolver.BaseResolver.resolve(  # type: ignore[no-any-return,no-untyped-call]
        _PLAIN, ScalarNode, value, (True, False))


class _PyComposer(
    yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
    yaml.composer.Composer, _Resolver,
):
    """The pure-Python composer: the reference behaviour, its messages and its depth guard."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Resolver.__init__(self)


if LIBYAML:

    class _Composer(_Parser, _Resolver):
        """libyaml: about 10x faster, used when the input is well-formed and not too deep."""

        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            _Resolver.__init__(self)

# libyaml composes recursively in C: nesting this deep could overflow the C stack (a crash,
# not a RecursionError), so deeper input goes to the pure-Python composer instead.
_C_MAX_DEPTH = 1000


def _composer_class(text: str) -> type:
    """libyaml when it is safe: a cheap bound on nesting first, an event scan for big files."""
    if not LIBYAML:
        return _PyComposer
    if sum(text.count(c) for c in "[{-?:") < _C_MAX_DEPTH or _event_depth(text) < _C_MAX_DEPTH:
        return _Composer
    return _PyComposer


def _event_depth(text: str) -> int:
    """Deepest collection nesting, from libyaml's (iterative) event stream; stops early."""
    parser, depth, deepest = _Parser(text), 0, 0
    try:
        while deepest < _C_MAX_DEPTH and parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass  # composing stops at the same error, no deeper than seen here
    return deepest


# What a parse of the same bytes gives changed (findings, lines): the parse cache keys on this,
# so entries made by an earlier parser of the same itsmctl version are misses (2: editor lines).
REVISION = 4  # 3: an alias inside its own anchor is named as such; 4: alias budgets per file


@dataclass(slots=True)
class Document:
    """One parsed YAML document: its data and where it starts."""

    source: SourceFile
    index: int
    line: int
    data: Any
    valid_as: str | None = field(default=None, compare=False)
    """The kind whose built-in schema's fast check accepted `data`, when that is known
    (schemas.schema_verdict, worked out with the parse by the cache and the parallel parse):
    the schema rule then has nothing to check. None: not known, or not accepted."""


@dataclass(slots=True)
class ParsedFile:
    source: SourceFile
    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    escapes: bool = True  # the text has a \u or \U escape (only they make a lone surrogate)


class _Rejected(Exception):
    """A document that must not be used at all (unsafe tag, alias bomb, too deep).
    `spent`: the file's alias budget is spent, so no later document is read either."""

    def __init__(self, finding: Finding, spent: bool = False) -> None:
        super().__init__(finding.message)
        self.finding = finding
        self.spent = spent


@dataclass(slots=True)
class _Budget:
    """What aliases have expanded to so far in one file, summed over its documents: a
    budget per document let a file of many documents repeat 4 MiB of text in each."""

    nodes: int = 0
    size: int = 0


def _position(node_or_mark: Any, lines: LineMap | None) -> tuple[int | None, int | None]:
    """The editor's (line, column) of a node or mark: YAML's own count, unless the text
    holds a character YAML breaks lines at and editors do not (`itsmctl/textlines.py`)."""
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    if mark is None:
        return None, None
    if lines is not None:
        return lines.position(mark.index)
    return mark.line + 1, mark.column + 1


def _finding(source: SourceFile, rule: str, message: str, node_or_mark: Any, hint: str,
             doc: int = 0, lines: LineMap | None = None) -> Finding:
    line, column = _position(node_or_mark, lines)
    return Finding(rule, Severity.ERROR, message, source.label, line, column, hint=hint, doc=doc)


class _Builder:
    """Turn one composed document into plain dict/list/scalars, enforcing our limits."""

    def __init__(self, source: SourceFile, doc: int, limits: Limits, escapes: bool = True,
                 lines: LineMap | None = None, budget: _Budget | None = None) -> None:
        self.source, self.doc, self.limits, self.escapes = source, doc, limits, escapes
        self.lines = lines
        self.memo: dict[int, tuple[Any, int, int]] = {}
        self.open: set[int] = set()  # collections being built: an alias back into one loops
        self.budget = _Budget() if budget is None else budget
        self.findings: list[Finding] = []

    def build(self, node: Node, depth: int = 0, key: Node | None = None) -> tuple[Any, int, int]:
        """Return (value, node count, text size); aliases reuse the built value but count in
        full, in nodes and in characters of text, so neither can multiply past a limit.
        `key`: the mapping key this value belongs to, where an alias of it is reported (the
        alias itself has no position of its own once composed; its anchor's is elsewhere)."""
        known = self.memo.get(id(node))
        if known is not None:
            self._count_alias(key or node, known)
            return known
        if depth > self.limits.max_depth:
            raise _Rejected(self._error(
                "yaml-too-deep", f"nesting is deeper than {self.limits.max_depth} levels", node,
                "catalog entities are a few levels deep; this looks generated or hostile",
            ))
        result: tuple[Any, int, int]
        if isinstance(node, ScalarNode):
            value = self._scalar(node)
            result = (value, 1, len(node.value))
        else:
            if id(node) in self.open:  # `&a [*a]`: an alias inside the node it names
                raise _Rejected(self._error(
                    "yaml-alias-limit", "an alias names a list or mapping that contains it,"
                    " so its value would be infinite", key or node, "an alias must name a"
                    " node defined before it and outside it; write the value out"))
            self.open.add(id(node))
            if isinstance(node, SequenceNode):
                result = self._sequence(node, depth)
            else:
                result = self._mapping(node, depth)  # type: ignore[arg-type]
            self.open.discard(id(node))
        self.memo[id(node)] = result
        return result

    def _count_alias(self, node: Node, known: tuple[Any, int, int]) -> None:
        budget, limits = self.budget, self.limits
        budget.nodes += known[1]
        budget.size += known[2]
        if budget.nodes > limits.max_alias_expansion:
            raise _Rejected(self._error(
                "yaml-alias-limit", f"aliases expand to more than {limits.max_alias_expansion}"
                " nodes in this file", node, "a catalog file does not need this"
                " many aliases; write it out or raise settings.maxAliasExpansion"), spent=True)
        if budget.size > limits.max_expanded_size:
            raise _Rejected(self._error(
                "yaml-alias-limit", f"aliases expand to more than {limits.max_expanded_size:,}"
                " bytes of text in this file", node, "an alias repeats all the"
                " text of its anchor; write it out or raise settings.maxExpandedSize"),
                spent=True)
    def _error(self, rule: str, message: str, node: Node, hint: str) -> Finding:
        return _finding(self.source, rule, message, node, hint, self.doc, self.lines)

    def _text(self, node: ScalarNode) -> str:
        """A scalar's text; a lone surrogate (`"\\ud800"`) is no character: shown, reported."""
        value: str = node.value
        if not self.escapes or _SURROGATE.search(value) is None:
            return value
        self.findings.append(self._error(
            "file-encoding", f"{quoted(node.value)} holds a lone surrogate, which is not a"
            " character and cannot be written as UTF-8", node,
            "a \\u escape must name a character; write a pair as one \\U escape"))
        return visible(node.value)

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _TAG + "str":
            return self._text(node)
        if tag in (_TAG + "int", _TAG + "float"):
            return _number(node)
        if tag == _TAG + "bool":
            return node.value.lower() in ("yes", "true", "on", "y")
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "timestamp":
            return node.value
        raise _Rejected(self._unsafe(node))

    def _unsafe(self, node: Node) -> Finding:
        return self._error(
            "yaml-tag", f"tag {node.tag.replace(_TAG, '!!')!r} is not allowed", node,
            "catalog files hold plain data only (strings, numbers, booleans, null, lists,"
            " mappings); remove the tag",
        )

    def _sequence(self, node: SequenceNode, depth: int) -> tuple[list[Any], int, int]:
        if node.tag != _TAG + "seq":
            raise _Rejected(self._unsafe(node))
        items, count, size = [], 1, 0
        for child in node.value:
            value, nodes, chars = self.build(child, depth + 1)
            items.append(value)
            count += nodes
            size += chars
        return items, count, size

    def _mapping(self, node: MappingNode, depth: int) -> tuple[dict[str, Any], int, int]:
        if node.tag != _TAG + "map":
            raise _Rejected(self._unsafe(node))
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merges: list[Node] = []
        count, size = 1, 0
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merges.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self.findings.append(self._error(
                    "yaml-complex-key", "a mapping key must be a plain scalar", key_node,
                    "use a string key",
                ))
                continue
            key = _intern(self._text(key_node))  # keys repeat in every entity: store each once
            if key in result:
                self.findings.append(self._error(
                    "yaml-duplicate-key",
                    f"duplicate key {key!r} (first defined on line {first_line[key]})",
                    key_node, "YAML parsers disagree on which value wins; keep one",
                ))
                continue
            value, nodes, chars = self.build(value_node, depth + 1, key_node)
            result[key] = value
            first_line[key] = _position(key_node, self.lines)[0] or 0
            count += nodes
            size += chars + len(key)
        for merge in merges:
            nodes, chars = self._merge(result, merge, depth)
            count, size = count + nodes, size + chars
        return result, count, size

    def _merge(self, result: dict[str, Any], merge: Node, depth: int) -> tuple[int, int]:
        """`<<: *base` fills keys the mapping does not set itself."""
        value, nodes, chars = self.build(merge, depth + 1)
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                self.findings.append(self._error(
                    "yaml-syntax", "a merge key (<<) must name a mapping or a list of mappings",
                    merge, "merge only mappings",
                ))
                continue
            for key, item in source.items():
                result.setdefault(key, item)
        return nodes, chars


# Longer numerals are kept as text: 10**400 does not fit a float, and base-60 ints
# (1:59:59:...) or 5000-digit decimals cost quadratic time or raise in int().
_MAX_NUMBER_TEXT = 40


def _number(node: ScalarNode) -> Any:
    """An int or a finite float, as JSON holds them; anything else stays text for the schema.

    `.nan` and `.inf` are not JSON numbers and pass every `minimum`/`maximum` a schema sets;
    an explicit `!!int` on text that is not a number must not raise.
    """
    if len(node.value) > _MAX_NUMBER_TEXT:
        return node.value
    construct = (_SAFE_CONSTRUCTOR.construct_yaml_int if node.tag == _TAG + "int"
                 else _SAFE_CONSTRUCTOR.construct_yaml_float)
    try:
        value = construct(node)
    except (ValueError, IndexError):
        return node.value
    if isinstance(value, float) and not math.isfinite(value):
        return node.value
    return value


def _decode(source: SourceFile, data: bytes) -> tuple[str | None, Finding | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = LineMap(data[:exc.start].decode("utf-8", "replace")).position(exc.start)[0]
        return None, Finding(
            "file-encoding", Severity.ERROR,
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            source.label, line, None, hint="save the file as UTF-8",
        )


_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def _control_finding(source: SourceFile, text: str, offset: int) -> Finding:
    line, column = LineMap(text).position(offset)  # a CR-only file has its lines too
    return Finding(
        "yaml-syntax", Severity.ERROR,
        f"YAML syntax error: control character U+{ord(text[offset]):04X} is not allowed",
        source.label, line, column, hint="remove it; it often comes from a binary or pasted file",
    )


def _syntax_finding(source: SourceFile, exc: yaml.YAMLError, doc: int,
                    lines: LineMap | None) -> Finding:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    hint = "check indentation and quoting near this line"
    if "'\\t'" in message:
        hint = "YAML forbids tabs for indentation; use spaces"
    elif lines is not None and lines.yaml_only_break is not None:
        name, line, column = lines.yaml_only_break
        escape = "\\u" + name[2:6].lower()
        hint = (f"the {name} on line {line}, column {column}, ends a line for YAML but not"
                f" in an editor: remove it, or write it as {escape} in double quotes")
    return _finding(source, "yaml-syntax", message, mark, hint, doc, lines)


@dataclass(frozen=True, slots=True)
class ComposePlan:
    """How a file's text is composed: which composer, and how many documents it keeps.

    `compose_plan` is the one place this is decided, so `parse_source` and the locator
    (`compose_documents`) keep the same documents and their indices always agree.
    `retry`: libyaml on the whole file; if it meets a syntax error, plan again with
    `broken=True` (its findings and documents are thrown away for the fallback's).
    """

    composer: type | None  # _Composer (libyaml), _PyComposer, or None: no document is kept
    keep: int = -1  # how many documents to compose (-1: all there are)
    deep: tuple[int, Any] | None = None  # (index, mark) of the too-deep document it stops at
    control: int | None = None  # offset of a control character (the Python reader refuses it)
    retry: bool = False


def compose_plan(text: str, limits: Limits, *, broken: bool = False) -> ComposePlan:
    """Choose the composer for `text` under the run's `limits`; `broken`: libyaml met a
    syntax error in it, so the pure-Python composer gives the reference findings, unless
    the text has a control character (no document is kept) or is too deep for it (the
    Python scanner is quadratic in nesting: only the documents before that one, by libyaml)."""
    if not broken and _composer_class(text) is not _PyComposer:
        return ComposePlan(_Composer, retry=True)
    control = _NON_PRINTABLE.search(text)
    if control is not None:  # the Python reader would raise in its constructor
        return ComposePlan(None, keep=0, control=control.start())
    deep = _deep_document(text, limits.max_depth) if LIBYAML else None
    if deep is not None:
        return ComposePlan(_Composer, keep=deep[0], deep=deep)
    return ComposePlan(_PyComposer)


def parse_source(source: SourceFile, limits: Limits) -> ParsedFile:
    """Parse every document of one file; a problem is a finding, never an exception."""
    parsed = ParsedFile(source)
    if source.error:
        kind = source.problem or ReadProblem.OS_ERROR
        parsed.findings.append(Finding(kind.rule, Severity.ERROR, source.error, source.label,
                                       hint=kind.hint))
        return parsed
    text, problem = _decode(source, source.bytes())
    if text is None:
        parsed.findings.append(problem)  # type: ignore[arg-type]
        return parsed
    parsed.escapes = "\\u" in text or "\\U" in text
    lines = line_map(text)
    plan = compose_plan(text, limits)
    if plan.retry:
        fast = ParsedFile(source, escapes=parsed.escapes)
        if _read_documents(fast, _Composer(text), limits, lines):
            return fast
        plan = compose_plan(text, limits, broken=True)
    if plan.control is not None:
        parsed.findings.append(_control_finding(source, text, plan.control))
        return parsed
    if plan.deep is not None:
        return _documents_before(parsed, text, plan.deep, limits, lines)
    _read_documents(parsed, _PyComposer(text), limits, lines)
    return parsed


def _deep_document(text: str, limit: int) -> tuple[int, Any] | None:
    """(document index, mark) of the first collection nested deeper than `limit`, if any.

    libyaml's event stream is iterative, so this is safe however deep the input goes.
    """
    limit = min(limit, _C_MAX_DEPTH - 2)
    parser, depth, index = _Parser(text), 0, -1
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                index += 1
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth - 1 > limit:  # the root collection is at depth 0, as in _Builder
                    return index, event.start_mark
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass  # a syntax error before any deep nesting: composing stops there too
    return None


def _documents_before(parsed: ParsedFile, text: str, deep: tuple[int, Any],
                      limits: Limits, lines: LineMap | None) -> ParsedFile:
    """Keep the documents before the too-deep one (libyaml composes them safely), then report."""
    index, mark = deep
    composer, budget = _Composer(text), _Budget()
    try:
        for number in range(index):
            if not composer.check_node():
                break
            if _add_document(parsed, composer.get_node(), number, limits, lines, budget):
                _not_read(parsed, number + 1 < index)
                break
    finally:
        composer.dispose()
    parsed.findings.append(_finding(
        parsed.source, "yaml-too-deep", f"nesting is deeper than {limits.max_depth} levels", mark,
        "catalog entities are a few levels deep; this looks generated or hostile", index,
        lines))
    return parsed


def _read_documents(parsed: ParsedFile, composer: Any, limits: Limits,
                    lines: LineMap | None) -> bool:
    """Add the file's documents and findings; False when it has a YAML syntax error."""
    source, index, budget = parsed.source, 0, _Budget()
    try:
        while composer.check_node():
            node = composer.get_node()
            if _add_document(parsed, node, index, limits, lines, budget):
                _not_read(parsed, _more(composer))
                break
            index += 1
    except yaml.YAMLError as exc:
        parsed.findings.append(_syntax_finding(source, exc, index, lines))
        return False
    except RecursionError:
        # the pure-Python reader knows how far it got: the line where nesting ran away
        mark = composer.get_mark() if hasattr(composer, "get_mark") else None
        parsed.findings.append(_finding(
            source, "yaml-too-deep", f"nesting is deeper than {limits.max_depth} levels", mark,
            "catalog entities are a few levels deep; this looks generated or hostile", index,
            lines))
    finally:
        composer.dispose()
    return True


def _add_document(parsed: ParsedFile, node: Node | None, index: int, limits: Limits,
                  lines: LineMap | None, budget: _Budget) -> bool:
    """Add one document (or its findings); True when the file's alias budget is spent."""
    if node is None or (isinstance(node, ScalarNode) and node.tag == _TAG + "null"):
        return False  # an empty document is not an entity, and not an error
    builder = _Builder(parsed.source, index, limits, parsed.escapes, lines, budget)
    try:
        data = builder.build(node)[0]
    except _Rejected as rejected:
        parsed.findings.extend(builder.findings)
        parsed.findings.append(rejected.finding)
        return rejected.spent
    parsed.findings.extend(builder.findings)
    line = _position(node, lines)[0] or 1
    parsed.documents.append(Document(parsed.source, index, line, data))
    return False


def _more(composer: Any) -> bool:
    """Whether anything follows the current document (broken text counts: it is not read)."""
    try:
        return bool(composer.check_node())
    except (yaml.YAMLError, RecursionError):
        return True


def _not_read(parsed: ParsedFile, more: bool) -> None:
    """The budget's finding says what it cost when documents follow: they are not read
    (as after a too-deep document), so a file of many documents repeats its text once."""
    if more:
        last = parsed.findings[-1]
        parsed.findings[-1] = replace(
            last, message=last.message + "; the documents after this one are not read")


def events(text: str) -> Iterator[Any]:
    """The YAML event stream of `text`, libyaml's when available: iterative, so safe at any
    depth; ends quietly at the first syntax error (parse_source reports it)."""
    parser = _Parser(text) if LIBYAML else _PyComposer(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    except yaml.YAMLError:
        return
    finally:
        parser.dispose()


def compose_documents(text: str, limits: Limits) -> list[Node | None]:
    """The node trees of a file, for mapping JSON paths back to lines: the documents
    `parse_source` kept under the same `limits` (one `compose_plan`), at the same indices."""
    plan = compose_plan(text, limits)
    nodes, complete = _compose(text, plan)
    if plan.retry and not complete:
        nodes, _ = _compose(text, compose_plan(text, limits, broken=True))
    return nodes


def _compose(text: str, plan: ComposePlan) -> tuple[list[Node | None], bool]:
    if plan.composer is None:
        return [], True
    return _compose_all(plan.composer(text), plan.keep)


def _compose_all(composer: Any, count: int = -1) -> tuple[list[Node | None], bool]:
    nodes: list[Node | None] = []
    try:
        while len(nodes) != count and composer.check_node():
            nodes.append(composer.get_node())
    except yaml.YAMLError:
        return nodes, False
    except RecursionError:
        pass
    finally:
        composer.dispose()
    return nodes, True
