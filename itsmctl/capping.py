"""At most MAX_FINDINGS_PER_RULE findings of a rule are listed per document; one finding
stands for the rest and carries them, so the gate still compares every one.

Listing is what reports, annotations and pages pay for (a document of 4,000 long labels gave
4,000 findings), so it is bounded; what the gate decides is not. A count that only said "150
more" let a pull request add a 151st violation that no diff saw, so the counting finding holds
the findings it stands for (`Finding.stands_for`) and the diff compares the expanded lists
(`every_finding`), then lists its own new, existing and fixed findings under the same bound.
Per document, not per file, so every entity keeps findings of its own (the site marks its page
by them); documents are bounded by the file's bytes, what one document's findings were not.
"""

from __future__ import annotations

from collections.abc import Iterable

from itsmctl.findings import Finding
from itsmctl.limits import MAX_FINDINGS_PER_RULE


def cap(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(the findings listed, one counting finding per rule and document past the bound).

    Which are listed does not depend on the rules' order: the first by entity, JSON path and
    message. A counting finding has the highest severity of those it stands for (the exit
    code is unchanged), their entity when they share one (the approvals and the site's marks
    follow it), the first one's waiver (None in the active list; in the waived list every one
    is waived, so SARIF marks it suppressed and a scorecard does not count it as failing),
    and no line yet: `validate` gives it the first hidden finding's.
    """
    groups: dict[tuple[str, int, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.file, finding.doc, finding.rule), []).append(finding)
    if all(len(group) <= MAX_FINDINGS_PER_RULE for group in groups.values()):
        return findings, []
    kept: list[Finding] = []
    more: list[Finding] = []
    for (file, doc, rule), group in groups.items():
        if len(group) <= MAX_FINDINGS_PER_RULE:
            kept.extend(group)
            continue
        group.sort(key=lambda f: (f.entity, f.json_path, f.message))
        kept.extend(group[:MAX_FINDINGS_PER_RULE])
        rest = tuple(group[MAX_FINDINGS_PER_RULE:])
        entities = {f.entity for f in rest}
        more.append(Finding(
            rule, max(f.severity for f in rest),
            f"{len(rest):,} more {rule} findings in this document (the first"
            f" {MAX_FINDINGS_PER_RULE} are listed)", file, doc=doc,
            hint="fix the ones listed and validate again to see the others",
            entity=entities.pop() if len(entities) == 1 else "",
            identity=f"{file}\x1f{doc}\x1fmore", stands_for=rest,
            waived_by=rest[0].waived_by))
    return kept, more


def every_finding(findings: Iterable[Finding]) -> list[Finding]:
    """The findings listed and those each counting finding stands for, in place of it."""
    out: list[Finding] = []
    for finding in findings:
        if finding.stands_for:
            out.extend(finding.stands_for)
        else:
            out.append(finding)
    return out
