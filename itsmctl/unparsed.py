"""What a file that does not parse appears to define, so references to it are not misread.

A file with a YAML syntax error (or one that cannot be read or decoded) yields no entity.
Every reference to what it defined would then read "no Service named payments-api", once
per referrer, for what is one problem: the broken file. So the loader salvages, from the
raw text, the kind and name each document seems to declare (a line-based scan: the text
is not YAML we can trust), or the file's stem when nothing can be read. References to those
names are then reported once, on the broken file (rule `ref-into-broken-file`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from itsmctl.model import KINDS, Ref, canonical_kind
from itsmctl.sources import SourceFile

UNPARSED_RULES = frozenset({"yaml-syntax", "yaml-too-deep", "yaml-alias-limit", "yaml-tag",
                            "file-encoding", "file-too-large", "file-unreadable"})
_SEPARATOR = re.compile(r"^---", re.MULTILINE)
_KIND = re.compile(r"^kind:[ \t]*[\"']?([A-Za-z]+)", re.MULTILINE)
_FLOW_NAME = re.compile(r"\bname:[ \t]*[\"']?([^\"',}\s]+)")
_LINE = 500  # characters of a line looked at: names are short, hostile lines are not
_NAME = re.compile(r"name:[ \t]*[\"']?([^\"'#\s]+)")


def _name(chunk: str) -> str | None:
    """`metadata: {name: x}`, or the `name:` directly under a block `metadata:`."""
    indent: int | None = None
    inside = False
    for line in chunk.splitlines():
        if line.startswith("metadata:"):
            head = line[:_LINE]
            flow = _FLOW_NAME.search(head) if "{" in head else None
            if flow:
                return flow.group(1)
            inside, indent = True, None
            continue
        stripped = line.lstrip(" \t")
        if not inside or not stripped or stripped.startswith("#"):
            continue
        depth = len(line) - len(stripped)
        if depth == 0:
            inside = False
            continue
        indent = depth if indent is None else indent
        match = _NAME.match(stripped[:_LINE]) if depth == indent else None
        if match:
            return match.group(1)
    return None


def apparent_entities(source: SourceFile) -> list[Ref]:
    """The refs the documents of a broken file seem to define (any kind when none is
    readable); the file's stem when no document names anything."""
    text = _text(source)
    found: list[Ref] = []
    for chunk in _SEPARATOR.split(text) if text else []:
        name = _name(chunk)
        if name is None:
            continue
        kind_match = _KIND.search(chunk)
        kind = canonical_kind(kind_match.group(1)) if kind_match else None
        found += _refs(kind, name)
    if not found:
        found = _refs(None, PurePosixPath(source.rel).stem)
    return list(dict.fromkeys(found))


def _refs(kind: str | None, name: str) -> list[Ref]:
    return [Ref(kind, name)] if kind else [Ref(k, name) for k in KINDS]


def _text(source: SourceFile) -> str:
    if source.error:
        return ""
    try:
        return source.bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""
