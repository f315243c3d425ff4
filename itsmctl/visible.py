"""How catalog text is shown in every output: decided once, here, and used by every writer.

Catalog text is hostile. A lone surrogate (`"\\ud800"` in YAML, or a file name with a byte
that is not UTF-8) cannot be encoded at all; control characters and bidirectional overrides
(U+202E) rewrite what a terminal, a log, an XML parser or a reader of the site sees. Each
such character is shown as its escape, `\\u202e`, `\\x1b`, `\\udcff`: visible, unambiguous,
plain ASCII, valid in every format we write. Text quoted from the catalog is also clipped
(`clip`), so no message or page line grows with the size of a hostile value.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, line/paragraph separators, bidi embeddings, overrides and
# isolates, zero-width and other invisible format characters, the BOM, and every surrogate.
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]")
_HIDDEN_EXCEPT_LINES = re.compile(_HIDDEN.pattern.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f"))
# what the site and multi-line fields keep: newlines and tabs are layout, not an attack
CLIP_NOTE = "… ({} more characters not shown)"
MESSAGE_LIMIT = 200


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, lines: bool = False) -> str:
    """`text` with every hidden, control or unencodable character shown as its escape.

    `lines=True` keeps newlines and tabs (page paragraphs, descriptions); otherwise they are
    escaped too, so one value can never start a new line of a log or a CI command.
    """
    pattern = _HIDDEN_EXCEPT_LINES if lines else _HIDDEN
    return pattern.sub(_escape, text) if pattern.search(text) else text


def has_hidden(text: str) -> bool:
    return _HIDDEN.search(text) is not None


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """At most about `limit` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return text[:limit] + CLIP_NOTE.format(len(text) - limit)


def quoted(value: object, limit: int = 80) -> str:
    """A catalog value as a message quotes it: `repr` (which escapes the hidden), clipped.

    Long strings are cut *before* repr; containers are bounded by the loader's limit on
    expanded size (settings.maxExpandedSize), so their repr is too.
    """
    if isinstance(value, str) and len(value) > limit:
        return visible(repr(value[:limit])) + CLIP_NOTE.format(len(value) - limit)
    return clip(visible(repr(value)), limit)


def encode(text: str) -> bytes:
    """UTF-8 bytes of an output; anything unencodable that slipped through is escaped."""
    return text.encode("utf-8", "backslashreplace")
