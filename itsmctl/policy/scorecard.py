"""Scorecards: levels (bronze, silver, gold...) each made of rules; every service gets one.

A service reaches a level when it passes that level's rules and every lower level's. A rule
is passed when the service has no finding of it at all: a waived finding lets the run pass
(the exception was accepted) but the gap is still a gap, so it does not earn the level; it
is listed as waived in what the service lacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from itsmctl.catalog import Catalog
from itsmctl.findings import Finding
from itsmctl.policy.selector import Selector


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Scorecard:
    name: str
    title: str
    selector: Selector
    levels: tuple[Level, ...]
    origin: str = ""
    definition: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """As written, without the name: what `itsmctl diff` compares."""

    def rank(self, level: str | None) -> int:
        """0 for no level, 1 for the lowest level, ..."""
        names = [lv.name for lv in self.levels]
        return names.index(level) + 1 if level in names else 0


@dataclass(frozen=True, slots=True)
class ServiceScore:
    """One entity's place on one scorecard, and what it lacks for the next level."""

    entity: str
    name: str
    title: str
    file: str
    level: str | None
    next_level: str | None
    missing: tuple[str, ...]
    waived: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "name": self.name, "title": self.title,
                "file": self.file, "level": self.level, "nextLevel": self.next_level,
                "missing": list(self.missing), "waived": list(self.waived)}


@dataclass(frozen=True)
class ScorecardResult:
    scorecard: Scorecard
    services: tuple[ServiceScore, ...]

    def counts(self) -> dict[str, int]:
        """Entities per level, highest first, then those with no level."""
        names = [lv.name for lv in reversed(self.scorecard.levels)]
        counts = {name: 0 for name in [*names, "none"]}
        for score in self.services:
            counts[score.level or "none"] += 1
        return counts

    def get(self, entity: str) -> ServiceScore | None:
        return next((s for s in self.services if s.entity == entity), None)


@dataclass(frozen=True)
class ScoreResult:
    scorecards: tuple[ScorecardResult, ...]


def score_catalog(catalog: Catalog, findings: Iterable[Finding],
                  scorecards: Iterable[Scorecard]) -> ScoreResult:
    """Score every selected entity; `findings` are a run's active and waived findings."""
    failing: set[tuple[str, str]] = set()
    waived: set[tuple[str, str]] = set()
    for finding in findings:
        (waived if finding.waived_by is not None else failing).add((finding.entity, finding.rule))
    results = []
    for card in scorecards:
        entities = [e for kind in card.selector.kinds for e in catalog.of_kind(kind)
                    if card.selector.matches(e)]
        scores = tuple(_score(card, str(e.ref), e.name, e.title, e.file, failing, waived)
                       for e in entities)
        results.append(ScorecardResult(card, scores))
    return ScoreResult(tuple(results))


def _score(card: Scorecard, ref: str, name: str, title: str, file: str,
           failing: set[tuple[str, str]], waived: set[tuple[str, str]]) -> ServiceScore:
    reached: str | None = None
    for level in card.levels:
        lacking = tuple(r for r in level.rules if (ref, r) in failing or (ref, r) in waived)
        if lacking:
            only_waived = tuple(r for r in lacking if (ref, r) not in failing)
            return ServiceScore(ref, name, title, file, reached, level.name, lacking,
                                only_waived)
        reached = level.name
    return ServiceScore(ref, name, title, file, reached, None, (), ())


@dataclass(frozen=True, slots=True)
class LevelChange:
    """An entity whose level on a scorecard differs between two runs (base -> head)."""

    scorecard: str
    entity: str
    before: str | None
    after: str | None
    lowered: bool
    missing: tuple[str, ...]

    def describe(self) -> str:
        """`operational-readiness level lowered from gold to silver (lacks: p1-response-30m)`."""
        moved = "lowered" if self.lowered else "raised"
        text = f"{self.scorecard} level {moved} from {self.before or 'none'} to" \
               f" {self.after or 'none'}"
        return text + (f" (lacks: {', '.join(self.missing)})" if self.missing else "")


def level_changes(base: ScoreResult, head: ScoreResult) -> list[LevelChange]:
    """What `diff` reports: entities scored in both runs whose level moved."""
    out = []
    before = {(r.scorecard.name, s.entity): s for r in base.scorecards for s in r.services}
    for result in head.scorecards:
        card = result.scorecard
        for score in result.services:
            old = before.get((card.name, score.entity))
            if old is None or old.level == score.level:
                continue
            lowered = card.rank(score.level) < card.rank(old.level)
            out.append(LevelChange(card.name, score.entity, old.level, score.level, lowered,
                                   score.missing if lowered else ()))
    return out
