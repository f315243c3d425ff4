"""Regular expressions from a catalog (a policy's `pattern`), evaluated with a time bound.

JSON Schema's `pattern` is a backtracking regular expression, and a pull request can write
one (`^(a|aa)+$`) that takes exponential time on a long enough value. We evaluate `pattern`
and `patternProperties` with the `regex` package, which takes a timeout: a match that runs
past `TIMEOUT` seconds is a finding ("took too long"), and the pattern is not run again in
this process, so a catalog of 10,000 entities costs one timeout, not 10,000. A pattern just
under the timeout on every value (`^(a|aa)+$` on 28 `a`s and a `b`: 0.4 s), or many patterns
each timing out once, would still cost that per value or per pattern. So the run's matching
time is bounded as well: each match may take its allowance (0.1 ms, and 1 µs a character of
the value; built-in patterns take under 25 ns a character) plus what its pattern left unused,
plus a grace of one second shared by every pattern of the run. Past that a match times out
early, and the pattern is too slow for the rest of the run. A sane catalog never touches the
grace; a hostile one costs at most a second more than the allowances of what it holds.

Why `regex` and not a linear-time engine (google-re2): RE2 refuses look-arounds and
back-references, which JSON Schema (ECMA-262) allows and policies use (`^(?!legacy-)`), so
it would reject valid policies; `regex` keeps every feature of Python's `re` (the engine
jsonschema uses, so results are unchanged) and is a pure wheel on every platform.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from time import perf_counter
from typing import Any

import regex

from itsmctl.visible import quoted

TIMEOUT = 0.5  # seconds per match; a sane pattern on a 1 MiB value takes milliseconds
GRACE = 1.0  # seconds all patterns of a run may spend beyond their allowances, together
PER_VALUE, PER_CHARACTER = 0.000_1, 0.000_001  # a match's allowance, in seconds
_TIMED_OUT: dict[str, bool] = {}  # pattern -> timed out on the run's bound (not TIMEOUT's)
_UNUSED: dict[str, float] = {}  # pattern -> allowance its earlier matches left (seconds)
_GRACE = [GRACE]  # what is left of the run's grace


class PatternTimeout(Exception):
    """A catalog pattern ran past TIMEOUT or the run's bound (or did so earlier in this run)."""

    def __init__(self, pattern: str, run_bound: bool = False) -> None:
        super().__init__(pattern)
        self.run_bound = run_bound


def reset() -> None:
    """A new run: no pattern is too slow yet, the whole grace is left (one process may hold
    many runs: tests, a library caller)."""
    _TIMED_OUT.clear()
    _UNUSED.clear()
    _GRACE[0] = GRACE


_MULTILINE = regex.compile(r"\(\?[a-zA-Z]*m")


def ecma(pattern: str) -> str:
    """`pattern` with each `$` anchor written `\\Z`, as JSON Schema means it: in ECMA-262 `$`
    matches only at the end of the text, in Python's `re` and `regex` also before a final
    newline, so `^[a-z]+$` took `"web\\n"` for a name. Escaped and bracketed `$` stay, and so
    does a pattern that asks for multi-line mode (`(?m)`, Python's own)."""
    if "$" not in pattern or _MULTILINE.search(pattern):
        return pattern
    out: list[str] = []
    i, bracket = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if bracket:
            bracket = char != "]"
        elif char == "[":
            bracket = True
            start = i + 1 + (pattern.startswith("^", i + 1))
            if pattern.startswith("]", start):  # `[]...]`, `[^]...]`: a literal `]`
                start += 1
            out.append(pattern[i:start])
            i = start
            continue
        elif char == "$":
            char = "\\Z"
        out.append(char)
        i += 1
    return "".join(out)


MAX_EXPANSION = 100_000  # characters counted repeats may unroll to (compiled in ~0.06 s)
_COUNTED = regex.compile(r"\{(\d*)(?:,(\d*))?\}")
_EMPTY = -1  # the last item was a group with nothing in it


def expansion(pattern: str) -> int:
    """About how many items the engine unrolls `pattern` to when it compiles it: counted
    repeats multiply what they repeat (`regex` writes `a{1000}` out in full), everything else
    counts one. Capped just past MAX_EXPANSION, so a hostile count stays a small number."""
    cap = MAX_EXPANSION + 1
    frames = [[0, 0]]  # per open group: its size so far, the size of its last item
    i = 0
    while i < len(pattern):
        char = pattern[i]
        frame = frames[-1]
        counted = _COUNTED.match(pattern, i) if char == "{" else None
        if counted is not None and frame[1]:
            low, high = counted.group(1), counted.group(2)
            times = max(int(low or 0), int(high or 0), 1) if len(low) + len(high or "") < 9 \
                else cap
            # a repeated empty group, `(){5000}` or `(()){5000}`, costs the engine about the
            # square of its count (0.3 s and 2.4 s); anything else, the count times its size
            cost = min(cap, times * times) if frame[1] == _EMPTY else min(cap, frame[1] * times)
            frame[0] = min(cap, frame[0] - max(frame[1], 0) + cost)
            frame[1] = cost
            i = counted.end()
            continue
        if char == "(":
            frames.append([0, 0])
            if pattern.startswith("?", i + 1):  # `(?:`, `(?P<name>`, `(?<=`...: no items
                end = i + 2
                while end < len(pattern) and pattern[end] not in ":=!>)":
                    end += 1
                i = end - 1 if end < len(pattern) and pattern[end] == ")" else end
        elif char == ")" and len(frames) > 1:
            size = frames.pop()[0]
            frames[-1][0] = min(cap, frames[-1][0] + size)
            frames[-1][1] = size or _EMPTY
        elif char in "*+?|":
            frame[1] = 0 if char == "|" else frame[1]
        else:
            if char == "\\":
                i += 1
            elif char == "[":  # a class is one item: skip to its closing bracket
                i += 1 + (pattern.startswith("^", i + 1))
                i += pattern.startswith("]", i)
                while i < len(pattern) and pattern[i] != "]":
                    i += 2 if pattern[i] == "\\" else 1
            frame[0], frame[1] = min(cap, frame[0] + 1), 1
        i += 1
    return min(cap, sum(size for size, _ in frames))


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    """The compiled pattern. One whose counted repeats unroll past MAX_EXPANSION is refused
    before the engine sees it: `((a{100}){100}){1000}`, 22 characters of a pull request,
    took 1.4 GB to compile and ended in MemoryError (exit 3)."""
    if expansion(pattern) > MAX_EXPANSION:
        raise regex.error(f"its counted repeats unroll to more than {MAX_EXPANSION:,}"
                          " characters when compiled")
    return regex.compile(ecma(pattern))


def compiles(pattern: str) -> bool:
    """Whether the engine compiles `pattern` (as `search` would run it); never raises."""
    try:
        _compiled(pattern)
    except (regex.error, OverflowError, RecursionError, ValueError):
        return False
    return True


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches somewhere in `text`, within the time bounds."""
    if pattern in _TIMED_OUT:
        raise PatternTimeout(pattern, _TIMED_OUT[pattern])
    compiled = _compiled(pattern)
    allowance = PER_VALUE + PER_CHARACTER * len(text) + _UNUSED.get(pattern, 0.0)
    limit = min(TIMEOUT, allowance + max(_GRACE[0], 0.0))
    start = perf_counter()
    try:
        found = compiled.search(text, timeout=limit) is not None
    except TimeoutError:
        _GRACE[0] -= max(perf_counter() - start - allowance, 0.0)
        _TIMED_OUT[pattern] = limit < TIMEOUT
        raise PatternTimeout(pattern, limit < TIMEOUT) from None
    left = allowance - (perf_counter() - start)
    if left < 0:
        _GRACE[0] += left  # beyond its allowance: from the grace
    _UNUSED[pattern] = max(left, 0.0)
    return found


def _too_slow(pattern: str, text: str, run_bound: bool) -> Any:
    from jsonschema.exceptions import ValidationError

    slow = "spent the run's matching time before" if run_bound else \
        f"took longer than {TIMEOUT} s on"
    return ValidationError(
        f"pattern {quoted(pattern)} {slow} {quoted(text, 40)}, so the"
        " value is taken as not matching; the pattern backtracks catastrophically (rewrite"
        " nested quantifiers such as (a+)+)", validator="pattern-timeout")


def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "string"):
        return
    try:
        found = search(patrn, instance)
    except PatternTimeout as slow:
        yield _too_slow(patrn, instance, slow.run_bound)
        return
    if not found:
        yield ValidationError(f"{quoted(instance)} does not match {quoted(patrn)}")


def pattern_properties(validator: Any, properties: dict[str, Any], instance: Any,
                       schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for patrn, subschema in properties.items():
        for key, value in instance.items():
            try:
                found = search(patrn, key)
            except PatternTimeout as slow:
                yield _too_slow(patrn, key, slow.run_bound)
                continue
            if found:
                yield from validator.descend(value, subschema, path=key, schema_path=patrn)
