"""`itsmctl cache info|clear` output, as text or JSON."""

from __future__ import annotations

from itsmctl.parsecache import CacheInfo
from itsmctl.reporters import ReportOptions
from itsmctl.reporters.envelope import json_document
from itsmctl.visible import visible


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MB"


def render_text(info: CacheInfo, options: ReportOptions) -> str:
    lines = [f"parse cache: {visible(info.database)}"]
    if not info.usable:
        lines.append(f"  not usable: {visible(info.problem)}")
    else:
        lines.append(f"  {info.entries:,} entries, {_mb(info.bytes)} of {_mb(info.max_bytes)}"
                     " (least recently used entries are evicted past that)")
        lines.append(f"  result memo beside it: {info.results:,} entries,"
                     f" {_mb(info.results_bytes)} (bounded alike)")
    if info.cleared is not None:
        lines.append(f"  cleared {info.cleared:,} entries")
    return "\n".join(lines) + "\n"


def render_json(info: CacheInfo, options: ReportOptions) -> str:
    body = {"cache": {"directory": info.directory, "database": info.database,
                      "entries": info.entries, "bytes": info.bytes, "maxBytes": info.max_bytes,
                      "usable": info.usable, "problem": info.problem,
                      "results": {"entries": info.results, "bytes": info.results_bytes}}}
    if info.cleared is not None:
        body["cleared"] = info.cleared  # type: ignore[assignment]
    return json_document(body)
