"""The JSON Schema format checker of every schema itsmctl compiles, with `uri` enforced.

jsonschema checks `format: uri` only when the optional `rfc3987` package is installed and
otherwise lets any string through: a runbook link `wiki/runbooks/payments` (no scheme)
validated clean. Pulling in a package for one regular expression is not worth it (and the
catalog must validate the same everywhere), so `uri` is checked here against the generic
syntax of RFC 3986, section 3, without any network access.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")
# unreserved, sub-delims, ":", "@", "/", "?", "#", "[", "]" and percent-encoded octets
_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*\Z")
_NEEDS_HOST = frozenset({"http", "https", "ftp", "ws", "wss"})


def is_uri(value: object) -> bool:
    """An absolute URI (RFC 3986): a scheme, then only allowed characters; web schemes need a
    host. Non-strings pass: `type` is another keyword's business."""
    if not isinstance(value, str):
        return True
    scheme, colon, rest = value.partition(":")
    if not colon or not _SCHEME.match(scheme) or not _CHARS.match(rest) or rest.count("#") > 1:
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return False
    if scheme.lower() in _NEEDS_HOST:
        return rest.startswith("//") and bool(parts.hostname)
    return True


def is_regex(value: object) -> bool:
    """A pattern the engine that runs patterns compiles (`patterns.compiles`: `regex`,
    `$` read as JSON Schema reads it). Python's `re` refused what the engine runs
    (`\\p{Lu}`, a variable-length lookbehind), so a policy could not use them; and jsonschema's
    own check caught re.error only: `pattern: "a{4294967296}"` (OverflowError) or 2,000
    nested parentheses (RecursionError) was an internal error (exit 3)."""
    if not isinstance(value, str):
        return True
    from itsmctl.patterns import compiles

    return compiles(value)


@cache
def format_checker() -> Any:
    """jsonschema's 2020-12 checker with our `uri` in place of its optional one, and our
    `regex` (which never raises)."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker()
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("uri")(is_uri)
    checker.checks("regex")(is_regex)
    return checker
