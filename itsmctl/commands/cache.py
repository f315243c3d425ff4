"""`itsmctl cache info|clear`: look at or empty the persistent parse cache."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import click

from itsmctl.commands.common import emit, format_option
from itsmctl.reporters.registry import formats, report

if TYPE_CHECKING:
    from itsmctl.parsecache import CacheInfo, ParseCache


@click.group("cache")
def command() -> None:
    """The parse cache: parsed catalog files keyed by their content, reused across runs,
    and the result memo beside it (the findings of one exact catalog, config and day).

    It lives in $ITSMCTL_CACHE_DIR, else $XDG_CACHE_HOME/itsmctl or ~/.cache/itsmctl, and is
    bounded by ITSMCTL_CACHE_MAX_MB (default 1024). --no-cache on a command bypasses it.
    """


def _caches() -> tuple[ParseCache, ParseCache]:
    """The parse cache and the result memo's store beside it."""
    from itsmctl.parsecache import ParseCache, default_directory, max_bytes_from
    from itsmctl.resultmemo import ResultMemo

    parses = ParseCache(default_directory(), max_bytes_from())
    memo = ResultMemo.beside(parses)
    assert memo is not None
    return parses, memo.store


def _info(parses: ParseCache, results: ParseCache) -> CacheInfo:
    found = results.info()
    return replace(parses.info(), results=found.entries, results_bytes=found.bytes)


@command.command("info")
@format_option(formats("CacheInfo"))
def info(fmt: str) -> None:
    """Where the cache is, how many entries it holds and how big it is."""
    emit(report(_info(*_caches()), fmt), None)


@command.command("clear")
@format_option(formats("CacheInfo"))
def clear(fmt: str) -> None:
    """Remove every entry, parses and results (the next run parses and checks everything)."""
    parses, results = _caches()
    cleared = parses.clear() + results.clear()
    emit(report(replace(_info(parses, results), cleared=cleared), fmt), None)
