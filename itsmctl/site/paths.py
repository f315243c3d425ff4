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


_PATHS: dict[tuple[str, str], str | None] = {}  # a page asks for each path many times


def ref_path(ref: Ref) -> str | None:
    """`services/payments-api.html`, or None when the name is not a valid entity name."""
    key = (ref.kind, ref.name)
    try:
        return _PATHS[key]
    except KeyError:
        folder = FOLDERS.get(ref.kind)
        path = (f"{folder}/{ref.name}.html"
                if folder is not None and NAME_PATTERN.match(ref.name) else None)
        if len(_PATHS) < 1_000_000:  # bounded: a long-lived process renders many catalogs
            _PATHS[key] = path
        return path


def entity_path(entity: Entity) -> str | None:
    return ref_path(entity.ref)


def kind_index(kind: str) -> str:
    """`services.html`: beside the folder, so no entity name (`index` included) can collide."""
    return f"{FOLDERS[kind]}.html"


def root_of(page: str) -> str:
    """The prefix that leads from `page` back to the site root: `""` or `"../"`."""
    depth = page.count("/")
    return "../" * depth
