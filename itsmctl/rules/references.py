"""References resolve to an entity of the kind the field expects."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.model import Ref, canonical_kind
from itsmctl.references import PARTY, Reference
from itsmctl.rules.common import count
from itsmctl.rules.registry import RuleContext, catalog_rule
from itsmctl.visible import character_name, first_of, look_alike, odd_characters, quoted, unmasked


def _suggest(ref: Ref, context: RuleContext) -> str:
    names = [e.name for e in context.catalog.of_kind(ref.kind)]
    odd = odd_characters(ref.name)
    if odd and unmasked(ref.name) in names:  # reads the same, is not: say which character
        char = ref.name[odd[0]]
        alike = look_alike(char)
        what = f"which looks like {alike!r}" if alike else "which cannot be seen"
        return (f"did you mean {unmasked(ref.name)!r}? character {odd[0] + 1} of the name is"
                f" {character_name(char)}, {what}")
    close = difflib.get_close_matches(ref.name, names, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"define a {ref.kind} named {ref.name!r}, or fix the name"


@catalog_rule("ref-unresolved", Severity.ERROR, category="reference")
def unresolved(context: RuleContext) -> Iterable[Finding]:
    """A reference names an entity that does not exist.

    Owners, dependencies, SLAs, calendars, change models, RACI parties (`team:<name>`; a
    `role:<name>` party is not an entity) and catalog offerings must all name a defined
    entity of the expected kind. A name defined twice resolves to nothing too, but that is
    reported once per definition (`duplicate-name`), not again at every reference; so is a
    name that a file which does not parse appears to define (`ref-into-broken-file`).
    """
    catalog = context.catalog
    for reference in catalog.references:
        target = reference.target
        if (target is None or catalog.get(target) is not None or target in catalog.duplicates
                or target in catalog.unparsed):
            continue
        expected = "Team" if reference.expected == PARTY else reference.expected
        if target.kind != expected:
            continue  # reported by ref-wrong-kind
        yield context.emit(
            reference.source, f"{reference.label} {reference.text!r}: no {target.kind} named"
            f" {target.name!r}", reference.path, _suggest(target, context))


@catalog_rule("ref-wrong-kind", Severity.ERROR, category="reference")
def wrong_kind(context: RuleContext) -> Iterable[Finding]:
    """A reference's `kind:` prefix names a different kind than the field expects.

    `owner: service:payments` is wrong: an owner is a Team. Parties accept `team:` and
    `role:` only.
    """
    for reference in context.catalog.references:
        target = reference.target
        if target is None:
            continue
        expected = "Team" if reference.expected == PARTY else reference.expected
        if target.kind != expected:
            allowed = "team: or role:" if reference.expected == PARTY else f"{expected.lower()}:"
            yield context.emit(
                reference.source, f"{reference.label} {quoted(reference.text)}"
                f" {_names(target.kind, expected)}", reference.path,
                f"drop the prefix or use {allowed}")


def _names(kind: str, expected: str) -> str:
    """What a prefix names: a kind, or (`:platform`, `x:platform`) nothing we know."""
    if not kind:
        return f"has nothing before ':', so it names no kind; a {expected} is expected"
    if canonical_kind(kind) is None:
        return f"starts with {quoted(kind)}, which is not a kind; a {expected} is expected"
    return f"names a {kind}, but a {expected} is expected"


_SHOWN = 3  # referrers named in the message; the count says how many there are


@catalog_rule("ref-into-broken-file", Severity.ERROR, category="reference")
def into_broken_file(context: RuleContext) -> Iterable[Finding]:
    """References name entities of a file that does not parse.

    A file with a YAML error (or one that cannot be read or decoded) defines no entity, so
    every reference to what it held would otherwise be a `ref-unresolved` of its own, in
    other files, for what is one problem. Instead they are reported once, on the broken
    file, with how many references wait on it and from where. The names come from a scan of
    the file's raw text (`kind:` and `metadata.name` lines, else the file's name). Fix the
    file's own error; the references are checked again once it parses.
    """
    catalog = context.catalog
    if not catalog.unparsed:
        return  # no file failed to parse: no reference waits on one
    waiting: dict[str, list[Reference]] = {}
    for reference in catalog.references:
        target = reference.target
        if target is not None and catalog.get(target) is None and target in catalog.unparsed:
            waiting.setdefault(catalog.unparsed[target], []).append(reference)
    for label in sorted(waiting):
        references = waiting[label]
        names = sorted({str(r.target) for r in references})
        where = sorted({f"{r.source.ref}" for r in references})
        yield context.emit_file(
            label, f"{count(len(references), 'reference')} to {_listed(names)}, which this file"
            f" appears to define, cannot be checked while it does not parse (from"
            f" {first_of(where, _SHOWN)})",
            "fix this file's YAML error; the references are checked again once it parses")


def _listed(names: list[str]) -> str:
    return first_of([quoted(n) for n in names], _SHOWN)
