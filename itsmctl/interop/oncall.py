"""A team's on-call chain as steps, the shape both PagerDuty and Opsgenie are built from.

Ours is cumulative: each level says `after` how long since the incident started it is
notified. Levels notified at the same instant form one step (PagerDuty cannot have a zero
delay between rules). `Step.delay_to_next` is PagerDuty's per-rule delay; `Step.after` is
Opsgenie's, whose rule delays count from the alert's creation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from itsmctl.durations import parse_duration
from itsmctl.model import Entity

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
LAST_RULE_DELAY = 30  # PagerDuty needs a delay on the last rule too; it only matters on a loop


@dataclass(frozen=True, slots=True)
class Step:
    after: int                     # minutes since the incident started
    contacts: tuple[str, ...]
    delay_to_next: int             # minutes until the next step (PagerDuty's rule delay)


def is_person(contact: str) -> bool:
    """An email is a user; any other text names a schedule in the target tool."""
    return bool(EMAIL.match(contact))


def steps(team: Entity) -> tuple[list[Step], list[str]]:
    """The team's escalation as ordered steps, and what could not be said exactly."""
    chain = ((team.spec.get("onCall") or {}).get("escalation") or []) if isinstance(
        team.spec, dict) else []
    notes: list[str] = []
    levels: dict[int, tuple[int, list[str]]] = {}
    for entry in sorted(chain, key=lambda e: int(e.get("level", 0))):  # stable: as written
        after = parse_duration(entry.get("after", "0m")) or 0
        level = int(entry.get("level", 0))
        at, contacts = levels.setdefault(level, (after, []))
        if after != at:
            notes.append(f"level {level} has contacts at {at}m and {after}m; {at}m was used")
        if entry["contact"] not in contacts:
            contacts.append(entry["contact"])
    merged: list[tuple[int, list[str]]] = []
    for level in sorted(levels):
        after, contacts = levels[level]
        if merged and after < merged[-1][0]:
            notes.append(f"level {level} is notified before the level above it; it was put at "
                         f"{merged[-1][0]}m")
            after = merged[-1][0]
        if merged and after == merged[-1][0]:
            merged[-1][1].extend(c for c in contacts if c not in merged[-1][1])
        else:
            merged.append((after, list(contacts)))
    out = []
    for i, (after, contacts) in enumerate(merged):
        following = merged[i + 1][0] - after if i + 1 < len(merged) else LAST_RULE_DELAY
        out.append(Step(after, tuple(contacts), following))
    if out and out[0].after > 0:
        notes.append(f"level 1 is notified after {out[0].after}m; PagerDuty notifies its first "
                     "rule at once")
    return out, notes
