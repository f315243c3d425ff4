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
import unicodedata

# C0 and C1 controls and DEL, line/paragraph separators, bidi embeddings, overrides and
# isolates, zero-width and other invisible format characters, the BOM, and every surrogate.
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]")
_HIDDEN_EXCEPT_LINES = re.compile(_HIDDEN.pattern.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f"))
# what the site and multi-line fields keep: newlines and tabs are layout, not an attack
CLIP_NOTE = "… ({} more characters not shown)"
MESSAGE_LIMIT = 200


# A spreadsheet (Excel, LibreOffice, Google Sheets) runs a cell that starts with one of these
# as a formula (`=HYPERLINK(...)`, `@SUM(...)`, DDE through `+`/`-`): CSV injection.
_FORMULA_STARTS = frozenset("=+-@\t\r")
# A plain decimal number is never a formula, and quoting it would turn -30 into text.
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?")


def spreadsheet_safe(text: str) -> str:
    """A CSV cell as written for spreadsheets: a cell a spreadsheet would run as a formula
    gets a leading `'`, which every spreadsheet shows as text (OWASP's CSV-injection advice);
    plain numbers are left as they are."""
    if text[:1] in _FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


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


# inside a JSON document: json.dumps escapes C0 controls itself, and the newlines and
# spaces between tokens are layout
_HIDDEN_IN_JSON = re.compile(_HIDDEN.pattern.replace("\x00-\x1f", ""))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_visible(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with every hidden character
    written as its JSON escape: the same data to a parser, nothing hidden to a reader or a
    terminal (`cat report.json`, a log). Hidden characters occur only inside strings, where
    `\\uXXXX` is valid; every one is in the Basic Multilingual Plane, so four digits do."""
    return _HIDDEN_IN_JSON.sub(_json_escape, text) if _HIDDEN_IN_JSON.search(text) else text


def has_hidden(text: str) -> bool:
    return _HIDDEN.search(text) is not None


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """At most about `limit` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return text[:limit] + CLIP_NOTE.format(len(text) - limit)


def first_of(items: list[str], shown: int = 3) -> str:
    """The first `shown` items joined, then how many more: a list a catalog can make as long
    as it likes (members, referrers) never makes a message unbounded."""
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


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


# the bytes of tab, newline and printable ASCII: never hidden in a page
_PLAIN_BYTES = bytes([0x09, 0x0A, *range(0x20, 0x7F)])


def visible_lines_bytes(text: str) -> bytes:
    """`encode(visible(text, lines=True))`, the same bytes, without searching the whole text.

    A page is almost all plain ASCII: its UTF-8 bytes without those (one `translate`) are the
    few other characters it has, each sequence whole (UTF-8 never puts an ASCII byte inside a
    character), and every hidden character is among them; lone surrogates too, kept as
    bytes by `surrogatepass`. Only when one of them is hidden is the text escaped and
    encoded as before; otherwise its bytes are what `encode` writes."""
    data = text.encode("utf-8", "surrogatepass")
    rest = data.translate(None, _PLAIN_BYTES)
    if rest and _HIDDEN_EXCEPT_LINES.search(rest.decode("utf-8", "surrogatepass")):
        return encode(visible(text, lines=True))
    return data


# Letters of other scripts drawn like an ASCII letter: what a look-alike name is made of
# (the commonest of Unicode's confusables for lowercase names; NFKC covers the fullwidth).
_LOOKS_LIKE = dict(zip(
    # Cyrillic a e o p c y x i j s d h q w l, Latin script g
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04bb\u051b\u051d"
    "\u04cf\u0261"
    "\u03bf\u03b1\u03b9\u03ba\u03bd\u03c1\u03c4\u03c5\u03c7",  # Greek o a i k v p t u x
    "aeopcyxijsdhqwlgoaikvptux", strict=True))


# control characters have no Unicode name, only aliases (unicodedata.name gives none)
_CONTROL_NAMES = {"\0": "NULL", "\t": "CHARACTER TABULATION", "\n": "LINE FEED",
                  "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE", "\x7f": "DELETE",
                  "\x85": "NEXT LINE"}


def character_name(char: str) -> str:
    """`U+0430 CYRILLIC SMALL LETTER A`: how a message names one character."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "") or (
        "a control character" if unicodedata.category(char) == "Cc" else "an unnamed character")
    return f"U+{ord(char):04X} {name}"


def look_alike(char: str) -> str:
    """The ASCII character `char` passes for (U+0430 -> 'a'), or "" (none, or invisible)."""
    if char in _LOOKS_LIKE:
        return _LOOKS_LIKE[char]
    folded = unicodedata.normalize("NFKC", char)
    return folded if folded.isascii() and folded.isprintable() and len(folded) == 1 else ""


def odd_characters(text: str) -> list[int]:
    """Offsets of the characters in `text` that are not printable ASCII: look-alikes,
    invisible and control characters, which a reader cannot tell apart in a name."""
    return [i for i, char in enumerate(text) if not (char.isascii() and char.isprintable())]


def unmasked(text: str) -> str:
    """`text` as it reads on screen: look-alikes as their ASCII letter, invisible ones gone."""
    return "".join(char if char.isascii() and char.isprintable()
                   else look_alike(char) if look_alike(char) or has_hidden(char) else char
                   for char in text)
