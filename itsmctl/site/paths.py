"""Where each page lives in the site. File names come only from validated entity names.

A name that does not match `model.NAME_PATTERN` gets no page, so no catalog text can make
a path that escapes the output folder (`../`, `/`, `\\`, NUL...).
"""

from __future__ import annotations

from dataclasses import dataclass

from itsmctl.model import NAME_PATTERN, Entity, Ref

FOLDERS = {
    "Service": "services",
    "Team": "teams",
    "SLA": "slas",
    "BusinessCalendar": "calendars",
    "RACI": "raci",
    "ChangeModel": "change-models",
    "ServiceCatalog": "catalogs",
    "Process": "processes",
}
PLURALS = {
    "Service": "Services",
    "Team": "Teams",
    "SLA": "SLAs",
    "BusinessCalendar": "Calendars",
    "RACI": "RACI matrices",
    "ChangeModel": "Change models",
    "ServiceCatalog": "Service catalogs",
    "Process": "Processes",
}


@dataclass(frozen=True)
class Link:
    """A reference as shown on a page: `href` is relative to the site root, None for no page."""

    text: str
    href: str | None = None
    note: str = ""
    title: str = ""


def ref_path(ref: Ref) -> str | None:
    """`services/payments-api.html`, or None when the name is not a valid entity name."""
    folder = FOLDERS.get(ref.kind)
    if folder is None or not NAME_PATTERN.match(ref.name):
        return None
    return f"{folder}/{ref.name}.html"


def entity_path(entity: Entity) -> str | None:
    return ref_path(entity.ref)


def kind_index(kind: str) -> str:
    """`services.html`: beside the folder, so no entity name (`index` included) can collide."""
    return f"{FOLDERS[kind]}.html"


def root_of(page: str) -> str:
    """The prefix that leads from `page` back to the site root: `""` or `"../"`."""
    depth = page.count("/")
    return "../" * depth
