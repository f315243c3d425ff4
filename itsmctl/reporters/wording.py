"""Words shared by several reporters, so each message has one wording."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from itsmctl.visible import visible

if TYPE_CHECKING:
    from itsmctl.diff.result import EntityChange
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
