"""Findings the change introduces versus those that were there before, by stable fingerprint.

Both sides are validated in full, so the comparison is exact by construction: `new` are the
findings of HEAD whose fingerprint BASE lacks, `fixed` the reverse. Fingerprints can repeat
(two duplicate keys in one file share one), so they are compared as multisets: a third
occurrence where BASE had two is new. Past the listing bound (capping.py) a side lists a
counting finding; the comparison takes the findings it stands for, one by one, so a 151st
violation where BASE had 150 is new, whichever of them either side lists. `listed` bounds
what the diff itself lists in the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from itsmctl.capping import cap, every_finding
from itsmctl.catalog import Catalog
from itsmctl.findings import Finding
from itsmctl.limits import Limits
from itsmctl.locate import Locator
from itsmctl.model import Ref


@dataclass(frozen=True)
class Comparison:
    new: tuple[Finding, ...]
    existing: tuple[Finding, ...]
    fixed: tuple[Finding, ...]


def _beyond(findings: list[Finding],
            other: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(findings matched by an occurrence in `other`, findings beyond those occurrences)."""
    budget = Counter(f.fingerprint for f in other)
    matched, extra = [], []
    for finding in findings:
        if budget[finding.fingerprint] > 0:
            budget[finding.fingerprint] -= 1
            matched.append(finding)
        else:
            extra.append(finding)
    return matched, extra


def compare(base: Iterable[Finding], head: Iterable[Finding]) -> Comparison:
    """Split HEAD's findings into new and existing; BASE's that are gone are fixed. Every
    finding a counting finding stands for is compared on its own (none is listed yet)."""
    base_list, head_list = every_finding(base), every_finding(head)
    existing, new = _beyond(head_list, base_list)
    _, fixed = _beyond(base_list, head_list)
    return Comparison(new=tuple(new), existing=tuple(existing), fixed=tuple(fixed))


def listed(findings: Iterable[Finding], catalog: Catalog, limits: Limits) -> tuple[Finding, ...]:
    """What a diff lists of `findings` (from the side `catalog` was read from, under
    `limits`): at most MAX_FINDINGS_PER_RULE of a rule per document and a counting finding
    for the rest, as `validate` lists them. A finding its side counted but did not list has
    no line yet: it gets one from its entity's document."""
    kept, more = cap(list(findings))
    locator = Locator(limits)
    placed = [_placed(f, catalog, locator) for f in kept]
    counted = [m.at(first.line, first.column) for m in more
               for first in (_placed(m.stands_for[0], catalog, locator),)]
    return tuple(sorted(placed + counted, key=Finding.sort_key))


def _placed(finding: Finding, catalog: Catalog, locator: Locator) -> Finding:
    if finding.line is not None or not finding.entity:
        return finding
    kind, _, name = finding.entity.partition(":")
    entity = catalog.get(Ref(kind, name))
    if entity is None or entity.file != finding.file:
        return finding  # a name defined twice resolves to none: no document to look in
    document = entity.document
    line, column = locator.position(document.source, document.index, finding.path)
    return finding.at(line, column)
