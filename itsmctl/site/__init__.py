"""The static catalog site: `render_site` builds it, `check_site` compares a committed copy.

Pages are plain HTML made from Jinja2 templates (package data under `templates/site/`),
with relative links only, so the site works from disk and from any static host.
"""

from __future__ import annotations

from itsmctl.site.build import RenderResult, SiteCheckResult, check_site, render_site

__all__ = ["RenderResult", "SiteCheckResult", "check_site", "render_site"]
