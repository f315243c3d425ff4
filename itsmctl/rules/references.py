"""References resolve to an entity of the kind the field expects."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from itsmctl.findings import Finding, Severity
from itsmctl.model import Ref, canonical_kind
from itsmctl.references import PARTY
from itsmctl.rules.registry import RuleContext, catalog_rule
from itsmctl.visible import character_name, look_alike, odd_characters, quoted, unmasked


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
    reported once per definition (`duplicate-name`), not again at every reference.
    """
    catalog = context.catalog
    for reference in catalog.references:
        target = reference.target
        if target is None or catalog.get(target) is not None or target in catalog.duplicates:
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
