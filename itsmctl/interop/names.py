"""Names and references across formats: Backstage entity refs, and our name grammar.

Backstage names allow upper case, `_` and `.`; ours are DNS labels (`^[a-z0-9]([a-z0-9-]{0,61}
[a-z0-9])?$`). `to_name` folds one into the other the same way every time, so an import is
deterministic and an export of our names comes back unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_NAMESPACE = "default"
NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\Z")
_NOT_NAME = re.compile(r"[^a-z0-9]+")
MAX_NAME = 63


def to_name(text: str) -> str:
    """Our name for a foreign one: lower case, runs of other characters become one `-`.

    Returns "" when nothing usable is left (the caller reports it).
    """
    if NAME_RE.match(text):
        return text  # already one of ours: an export of our names comes back unchanged
    folded = _NOT_NAME.sub("-", text.lower()).strip("-")
    return folded[:MAX_NAME].rstrip("-")


@dataclass(frozen=True, order=True, slots=True)
class EntityRef:
    """A Backstage entity reference, `[kind:][namespace/]name`, kind in lower case."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"


def parse_ref(text: str, default_kind: str, default_namespace: str = DEFAULT_NAMESPACE
              ) -> EntityRef | None:
    """Parse a reference the way Backstage's `parseEntityRef` does; None if malformed."""
    text = text.strip()
    kind, sep, rest = text.partition(":")
    if not sep:
        kind, rest = default_kind, text
    namespace, sep, name = rest.partition("/")
    if not sep:
        namespace, name = default_namespace, rest
    if not kind or not namespace or not name or "/" in name or ":" in name:
        return None
    return EntityRef(kind.lower(), namespace.lower(), name.lower())
