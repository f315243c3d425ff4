"""Words shared by several reporters, so each message has one wording."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from itsmctl.findings import total
from itsmctl.visible import visible

if TYPE_CHECKING:
    from itsmctl.diff.result import DiffResult, EntityChange
    from itsmctl.site import SiteCheckResult


def plural(count: int, word: str) -> str:
    """`1 file`, `3 files`; `entity` becomes `entities`."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word[:-1] + 'ies' if word.endswith('ity') else word + 's'}"


def short(sha: str) -> str:
    return sha[:12] if sha else "working tree"


def headline(change: EntityChange) -> str:
    """The most important reading of a change, for summary tables."""
    top = max(change.impacts, key=lambda i: i.impact, default=None)
    if top is None:
        return f"{len(change.fields)} field(s) changed"
    more = len(change.impacts) - 1
    return top.message + (f" (+{more} more)" if more > 0 else "")


def change_counts(diff: DiffResult) -> str:
    """`4 entities changed; impacts: 1 breaking, 2 approval-required, 2 review; findings: 3
    new, 0 existing, 0 fixed`: entities and impacts counted apart (an entity has several)."""
    from itsmctl.diff.result import Impact

    impacts = ", ".join(f"{diff.count(i)} {i.label}" for i in sorted(Impact, reverse=True)
                        if diff.count(i)) or "none"
    return (f"{plural(len(diff.changes), 'entity')} changed; impacts: {impacts}; findings:"
            f" {total(diff.new_findings)} new, {total(diff.existing_findings)} existing,"
            f" {total(diff.fixed_findings)} fixed")


def approval_words(diff: DiffResult) -> str:
    """`needs approval from team:cab, team:payments`, `approved by every required party`,
    or "" when the change needs no approval. Never "passed" while one is outstanding."""
    if diff.approval_status == "approved":
        return "approved by every required party"
    if diff.approval_status == "outstanding":
        return "needs approval from " + ", ".join(a.party for a in diff.outstanding)
    return ""


def verdict_words(failures: tuple[str, ...] | list[str], diff: DiffResult) -> str:
    """A headline: `fails: ...`, else what approval says, else `passed`."""
    if failures:
        return "fails: " + "; ".join(failures)
    return approval_words(diff) or "passed"


def display_path(path: Path | str) -> str:
    """A path as every output shows it: undecodable bytes and hidden characters escaped."""
    return visible(os.fspath(path))


def site_differences(site: SiteCheckResult) -> str:
    """`1 stale, 0 missing, 2 extra file(s)`."""
    return (f"{len(site.stale)} stale, {len(site.missing)} missing,"
            f" {len(site.extra)} extra file(s)")


def site_out_of_date(site: SiteCheckResult) -> str:
    return f"{display_path(site.site_dir)} is out of date: {site_differences(site)}"


def site_advice(root: str, site: SiteCheckResult) -> str:
    """What to do about a stale committed site: one wording for `check` and `render --check`."""
    return (f"run `itsmctl render {root} --no-history -o {display_path(site.site_dir)}`"
            " (with the options the site was built with) and commit the result")
