"""`itsmctl cache info|clear`: look at or empty the persistent parse cache."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import click

from itsmctl.commands.common import emit, format_option
from itsmctl.reporters.registry import formats, report

if TYPE_CHECKING:
    from itsmctl.parsecache import ParseCache


@click.group("cache")
def command() -> None:
    """The parse cache: parsed catalog files keyed by their content, reused across runs.

    It lives in $ITSMCTL_CACHE_DIR, else $XDG_CACHE_HOME/itsmctl or ~/.cache/itsmctl, and is
    bounded by ITSMCTL_CACHE_MAX_MB (default 1024). --no-cache on a command bypasses it.
    """


def _cache() -> ParseCache:
    from itsmctl.parsecache import ParseCache, default_directory, max_bytes_from

    return ParseCache(default_directory(), max_bytes_from())


@command.command("info")
@format_option(formats("CacheInfo"))
def info(fmt: str) -> None:
    """Where the cache is, how many entries it holds and how big it is."""
    emit(report(_cache().info(), fmt), None)


@command.command("clear")
@format_option(formats("CacheInfo"))
def clear(fmt: str) -> None:
    """Remove every entry (the next run parses everything again)."""
    cache = _cache()
    cleared = cache.clear()
    emit(report(replace(cache.info(), cleared=cleared), fmt), None)
