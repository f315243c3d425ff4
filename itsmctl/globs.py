"""Include/exclude globs matched in time linear in the path, whatever the pattern.

A translation to a backtracking regular expression (`*` -> `[^/]*`) is exponential for a
pattern like `x/*a*a*a*a*a*c` on a long name, and `**/**/**` is polynomial; both come from
a pull request's config. We match segment by segment instead: each path segment advances
the set of pattern segments still possible (a `**` segment stays, the others must match
the name, with fnmatch, which is linear since Python 3.9). A `**` inside a segment (`a**`,
rare) is run as a set of character positions instead (Thompson's construction). Either
way the cost is the path's length times the pattern's, never more.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from functools import lru_cache, partial

# token kinds; `**/` is two: its entry (may skip past the folders) and its inside (".*/")
_LITERAL, _ONE, _STAR, _DEEP, _FOLDERS, _IN_FOLDERS = range(6)
Token = tuple[int, str]


@lru_cache(maxsize=512)
def _tokens(pattern: str) -> tuple[Token, ...]:
    """`**/` any folders (or none), `**` anything, `*` within a name, `?` one character."""
    out: list[Token] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += [(_FOLDERS, ""), (_IN_FOLDERS, "")]
            i += 3
        elif pattern.startswith("**", i):
            out.append((_DEEP, ""))
            i += 2
        elif pattern[i] == "*":
            out.append((_STAR, ""))
            i += 1
        elif pattern[i] == "?":
            out.append((_ONE, ""))
            i += 1
        else:
            out.append((_LITERAL, pattern[i]))
            i += 1
    return tuple(out)


def _closure(states: set[int], tokens: tuple[Token, ...]) -> set[int]:
    """Add the positions reachable without a character: a star may match nothing, and
    `**/` may be skipped whole (from its entry only: once inside, it must end with `/`)."""
    pending = list(states)
    while pending:
        state = pending.pop()
        kind = tokens[state][0] if state < len(tokens) else None
        targets = ((state + 1,) if kind in (_STAR, _DEEP)
                   else (state + 1, state + 2) if kind == _FOLDERS else ())
        for target in targets:
            if target not in states:
                states.add(target)
                pending.append(target)
    return states


def _step(states: set[int], char: str, tokens: tuple[Token, ...]) -> set[int]:
    after: set[int] = set()
    for state in states:
        if state == len(tokens):
            continue
        kind, literal = tokens[state]
        if kind == _LITERAL:
            if char == literal:
                after.add(state + 1)
        elif kind == _ONE:
            if char != "/":
                after.add(state + 1)
        elif kind == _STAR:
            if char != "/":
                after.add(state)
        elif kind == _DEEP:
            after.add(state)
        elif kind == _IN_FOLDERS:  # any characters, then a slash ends it
            after.add(state)
            if char == "/":
                after.add(state + 1)
    return _closure(after, tokens)


@lru_cache(maxsize=512)
def _compiled_segments(pattern: str) -> tuple[re.Pattern[str] | None, ...]:
    """Each segment as a linear fnmatch regex (`[` literal, as it always was); None: `**`."""
    return tuple(None if seg == "**" else re.compile(fnmatch.translate(seg.replace("[", "[[]")))
                 for seg in pattern.split("/"))


def _segments_match(rel: str, pattern: str) -> bool:
    """`_anchored_match` when every `**` is a whole segment: one step per path segment."""
    segments = _compiled_segments(pattern)
    parts = rel.split("/")
    if len(segments) == 2 and segments[0] is None and segments[1] is not None:
        final = segments[1]  # `**/x.yaml`: a name at any depth (and what is inside it)
        return any(final.match(part) for part in parts)
    last = len(segments)

    def close(states: set[int]) -> set[int]:  # a `**/` may match no folder at all
        for index in sorted(states):
            while index < last - 1 and segments[index] is None:
                index += 1
                states.add(index)
        return states

    states = close({0})
    for position, part in enumerate(parts):
        if position and last in states:
            return True  # a matched folder covers everything inside it
        after: set[int] = set()
        for index in states:
            if index == last:
                continue
            segment = segments[index]
            if segment is None:  # one more folder; a final `**` needs at least one
                after.add(index)
                if index == last - 1:
                    after.add(last)
            elif segment.match(part):
                after.add(index + 1)
        if not after:
            return False
        states = close(after)
    return last in states


def _characters_match(rel: str, pattern: str) -> bool:
    """The whole of `rel`, or a folder at its start followed by `/...` (its contents)."""
    tokens = _tokens(pattern)
    end = len(tokens)
    states = _closure({0}, tokens)
    for char in rel:
        if char == "/" and end in states:
            return True  # a matched folder covers everything inside it
        states = _step(states, char, tokens)
        if not states:
            return False
    return end in states


Matcher = Callable[[str], bool]
_GLOB_CHARS = frozenset("*?[")
"""What fnmatch treats as other than itself; the two commonest patterns, the defaults'
`**/*.yaml` and `site/**`, have none in their names and are matched as plain text (the
answers `_segments_match` gives; tests/core/test_sources_walk.py compares them)."""


@lru_cache(maxsize=512)
def _matcher(pattern: str) -> Matcher:
    pattern = pattern.strip().removeprefix("./").rstrip("/")
    if "/" not in pattern:  # fnmatch is linear since Python 3.9 (atomic groups for `*`)
        name = re.compile(fnmatch.translate(pattern))
        return lambda rel: any(name.match(part) for part in rel.split("/"))
    head, _, tail = pattern.partition("/")
    if tail == "**" and head and not _GLOB_CHARS & set(head):
        inside = head + "/"  # `site/**`: everything in one folder at the root
        return lambda rel: rel.startswith(inside)
    if (head == "**" and tail[:1] == "*" and tail[1:] and "/" not in tail
            and not _GLOB_CHARS & set(tail[1:])):
        ending = tail[1:]  # `**/*.yaml`: a name at any depth that ends so
        return lambda rel: any(part.endswith(ending) for part in rel.split("/"))
    if all(s == "**" or "**" not in s for s in pattern.split("/")):
        return partial(_segments_match, pattern=pattern)
    return partial(_characters_match, pattern=pattern)


def glob_match(rel: str, pattern: str) -> bool:
    """Match a posix relative path the way .gitignore does.

    A pattern without a slash (`*.yaml`, `drafts`) matches a name at any depth; one with a
    slash is anchored at the catalog root; either way a matched folder covers its contents.
    """
    return _matcher(pattern)(rel)


def matches_any(rel: str, patterns: tuple[str, ...] | list[str]) -> bool:
    return any(_matcher(p)(rel) for p in patterns)


def any_matcher(patterns: tuple[str, ...] | list[str]) -> Matcher:
    """`matches_any` against fixed patterns, each looked up once (for many paths)."""
    matchers = tuple(_matcher(p) for p in patterns)
    if len(matchers) == 1:
        return matchers[0]
    return lambda rel: any(match(rel) for match in matchers)
