"""`itsmctl render` output: the render summary, and the `--check` report of a committed site."""

from __future__ import annotations

from typing import TYPE_CHECKING

from itsmctl.reporters import ReportOptions
from itsmctl.reporters.envelope import json_document
from itsmctl.reporters.wording import display_path, site_advice, site_out_of_date

if TYPE_CHECKING:
    from itsmctl.site import RenderResult, SiteCheckResult


def render_text(result: RenderResult, options: ReportOptions) -> str:
    counts = result.validation.counts
    findings = ", ".join(f"{n} {s}" for s, n in counts.items())
    where = f" (catalog at {result.ref})" if result.ref else ""
    note = "" if not any(counts.values()) else "; broken entities are flagged, see findings.html"
    return (f"Rendered {result.pages} pages ({len(result.files)} files) into"
            f" {display_path(result.output)}{where}.\nCatalog findings: {findings}{note}\n")


def render_json(result: RenderResult, options: ReportOptions) -> str:
    return json_document({
        "output": str(result.output), "pages": result.pages, "files": len(result.files),
        "ref": result.ref, "history": result.history, "findings": result.validation.counts})


def check_text(result: SiteCheckResult, options: ReportOptions) -> str:
    site = display_path(result.site_dir)
    if result.ok:
        return f"OK: the site in {site} is up to date ({result.checked} files).\n"
    lines = [f"{label:<8} {site}/{rel}" for label, rels in
             (("stale", result.stale), ("missing", result.missing), ("extra", result.extra))
             for rel in rels]
    return "\n".join(lines + ["the site in " + site_out_of_date(result),
                              f"  hint: {site_advice('<catalog>', result)}"]) + "\n"


def check_json(result: SiteCheckResult, options: ReportOptions) -> str:
    return json_document(result.to_dict())
