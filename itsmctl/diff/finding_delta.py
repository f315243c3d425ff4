"""Findings the change introduces versus those that were there before, by stable fingerprint.

Both sides are validated in full, so the comparison is exact by construction: `new` are the
findings of HEAD whose fingerprint BASE lacks, `fixed` the reverse. Fingerprints can repeat
(two duplicate keys in one file share one), so they are compared as multisets: a third
occurrence where BASE had two is new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from itsmctl.findings import Finding


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
    """Split HEAD's findings into new and existing; BASE's that are gone are fixed."""
    base_list, head_list = list(base), list(head)
    existing, new = _beyond(head_list, base_list)
    _, fixed = _beyond(base_list, head_list)
    return Comparison(new=tuple(new), existing=tuple(existing), fixed=tuple(fixed))
