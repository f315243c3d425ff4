"""Lifecycle moves held to the gates: what `diff` (and `check`) say about `X -> Y`.

A pull request that moves a service from stage X to stage Y needs, at HEAD, the exit
criteria of X and the entry criteria of Y of every gate that selects the service; a stage
the move jumps over (forward, in lifecycle order) that a gate marks `skippable: false` is a
finding; the approvers of Y, and of each stage jumped over, join the required approvals.

Nobody approves their own change, so a pull request cannot weaken the gate that judges it:
a gate BASE defines judges the move as BASE defines it (and as HEAD does, when HEAD changed
it: both must hold); gates HEAD adds apply too. A gate selects the service when it selects
its BASE or its HEAD version (relabelling a service does not take it out of its gate), and
the rules a BASE gate names run as BASE's policies define them. Findings carry the gate's
name as their rule id and grade (a warning before `enableOn`), so a waiver of the gate on
the service waives them, as in `validate`.

A service the pull request adds (also one that a delete-and-add rename pairing does not pair)
moves from the first stage, `proposed`, to the stage HEAD gives it: adding a service directly
in `operational` must not skip the approvers and the non-skippable stages a move would meet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from itsmctl.capping import every_finding
from itsmctl.catalog import Catalog
from itsmctl.config import Config
from itsmctl.diff.approvals import party
from itsmctl.diff.classes import impact_of
from itsmctl.diff.result import Approval, Classified, EntityChange, EvidenceNote
from itsmctl.evidence import latest
from itsmctl.findings import Finding, Severity
from itsmctl.locate import Locator
from itsmctl.model import LIFECYCLE_STAGES, Entity, Ref
from itsmctl.policy import PolicySet
from itsmctl.policy.gate import Assessment, Criteria, Gate, assess, stage_order
from itsmctl.rules import all_rules
from itsmctl.rules.common import lifecycle
from itsmctl.rules.registry import Rule, RuleContext
from itsmctl.waivers import active_waiver

LIFECYCLE_PATH = "spec.lifecycle"


@dataclass(frozen=True)
class Move:
    """One service's lifecycle move, with both versions of the service."""

    before: Entity | None  # None: the pull request adds the service
    after: Entity
    source: str  # X
    target: str  # Y

    @property
    def added(self) -> bool:
        return self.before is None

    @property
    def skipped(self) -> tuple[str, ...]:
        """Stages strictly between X and Y when the move goes forward."""
        start, end = stage_order(self.source), stage_order(self.target)
        return LIFECYCLE_STAGES[start + 1:end] if 0 <= start < end else ()

    @property
    def leaves(self) -> bool:
        """Whether the service leaves X (an added service at `proposed` only enters it)."""
        return self.source != self.target

    @property
    def arrow(self) -> str:
        """`X -> Y`, marked `(added)` for a service the pull request adds."""
        if self.added and not self.leaves:
            return f"added in {self.target}"
        shown = f"{self.source} -> {self.target}"
        return f"{shown} (added)" if self.added else shown

    def selected_by(self, gate: Gate) -> bool:
        """The gate selects the BASE or the HEAD version (an added one has only HEAD's);
        an added service is read only by gates that define a stage it meets."""
        if self.before is None:
            met = (*((self.source,) if self.leaves else ()), *self.skipped, self.target)
            return gate.selector.matches(self.after) and any(gate.stage(n) for n in met)
        return gate.selector.matches(self.after) or gate.selector.matches(self.before)


@dataclass(frozen=True)
class GateReview:
    """What the gates say about a diff's lifecycle moves."""

    impacts: dict[str, tuple[Classified, ...]]  # by entity ref
    findings: tuple[Finding, ...]  # active (not waived), lines located
    approvals: tuple[Approval, ...]


@dataclass(frozen=True)
class _Judge:
    """A gate and the rules its criteria run with (BASE's policies for BASE's gates)."""

    gate: Gate
    context: RuleContext


def moves(changes: Iterable[EntityChange], base: Catalog, head: Catalog) -> Iterator[Move]:
    """Services whose `spec.lifecycle` differs between BASE and HEAD (both stages named),
    and services HEAD adds with a stage (a move from `proposed`, the first stage)."""
    for change in changes:
        if change.kind != "Service":
            continue
        if change.status == "added":
            added = head.get(Ref("Service", change.name))
            stage = lifecycle(added) if added is not None else None
            if added is not None and stage:
                yield Move(None, added, LIFECYCLE_STAGES[0], stage)
            continue
        if change.status not in ("modified", "renamed"):
            continue
        before = base.get(Ref("Service", change.renamed_from or change.name))
        after = head.get(Ref("Service", change.name))
        if before is None or after is None:
            continue
        old, new = lifecycle(before), lifecycle(after)
        if old and new and old != new:
            yield Move(before, after, old, new)


def judges(base: PolicySet, head: PolicySet, catalog: Catalog, today: date,
           config: Config) -> list[_Judge]:
    """BASE's gates (and HEAD's version when it differs), then the gates HEAD adds."""
    head_rules = {r.id: r for r in all_rules(head.rules_on(today))}
    base_rules: dict[str, Rule] = {**head_rules, **{r.id: r for r in base.rules_on(today)}}
    base_context = RuleContext(catalog, today, base_rules, config)
    head_context = RuleContext(catalog, today, head_rules, config)
    by_name = {g.name: g for g in head.gates}
    out = [_Judge(g, base_context) for g in base.gates]
    for gate in base.gates:
        changed = by_name.get(gate.name)
        if changed is not None and changed.definition != gate.definition:
            out.append(_Judge(changed, head_context))
    known = {g.name for g in base.gates}
    out += [_Judge(g, head_context) for g in head.gates if g.name not in known]
    return out


def review_moves(changes: Iterable[EntityChange], base_catalog: Catalog, head_catalog: Catalog,
                 base: PolicySet, head: PolicySet, today: date, config: Config,
                 head_findings: Iterable[Finding] = (), grading: Config | None = None
                 ) -> GateReview:
    """Judge every lifecycle move of the diff against the gates (see the module docstring).

    `config`: the settings the criteria's rules read (HEAD's). `grading`: the config whose
    severities apply to the findings (BASE's: HEAD cannot switch off or downgrade the gate
    that judges it). `head_findings`: HEAD's validation (active and waived); a finding it
    already has with the same severity (the entry criteria of the new stage, as HEAD's own
    gate checks them) is not repeated."""
    found = list(moves(changes, base_catalog, head_catalog))
    if not found:
        return GateReview({}, (), ())
    seen = {(f.rule, f.entity, f.message, f.severity) for f in every_finding(head_findings)}
    impacts: dict[str, list[Classified]] = {}
    findings: dict[tuple[str, str, str, Severity], Finding] = {}
    approvers: dict[str, dict[str, None]] = {}
    entities: dict[str, set[str]] = {}
    for judge in judges(base, head, head_catalog, today, config):
        for move in found:
            gate = judge.gate
            if not move.selected_by(gate):
                continue
            ref = str(move.after.ref)
            problems = list(_problems(judge, move))
            for finding in _graded(problems, grading, move.after):
                key = (finding.rule, finding.entity, finding.message, finding.severity)
                if key not in seen and key not in findings:
                    findings[key] = finding
            who = _approvers(gate, move)
            for name, why in who:
                approvers.setdefault(name, {})[why] = None
                entities.setdefault(name, set()).add(ref)
            impacts.setdefault(ref, []).append(_reading(judge, move, problems, who))
    active = [f for f in findings.values()
              if active_waiver(head_catalog.get(_ref(f.entity)), f.rule, today) is None]
    located = Locator(config.limits).locate(active, {f.file: e.document.source for f in active
                                        if (e := head_catalog.get(_ref(f.entity)))})
    return GateReview(
        {ref: _merged(items) for ref, items in impacts.items()},
        tuple(sorted(located, key=Finding.sort_key)),
        tuple(Approval(name, tuple(approvers[name]), tuple(sorted(entities[name])))
              for name in sorted(approvers)))


def _graded(findings: list[Finding], grading: Config | None, service: Entity
            ) -> Iterator[Finding]:
    """The findings with the severities `grading` gives them at the service's file."""
    for finding in findings:
        severity = (finding.severity if grading is None
                    else grading.severity_for(finding.rule, finding.severity, service.rel))
        if severity is not None:
            yield finding if severity == finding.severity else finding.with_severity(severity)


def _ref(entity: str) -> Ref:
    kind, _, name = entity.partition(":")
    return Ref(kind, name)


def _problems(judge: _Judge, move: Move) -> Iterator[Finding]:
    gate, service, context = judge.gate, move.after, judge.context
    severity = gate.severity(context.today)
    source, target = gate.stage(move.source), gate.stage(move.target)
    hint = ("add the evidence (name, date, ref, approver) or fix the rule's finding; or waive"
            " the gate with a reason")
    if source is not None and move.leaves:
        for item in _unmet(source.exit, service, context):
            yield service.finding(
                gate.name, f"service {service.name!r} leaves {move.source} without meeting the"
                f" exit criteria of gate {gate.name!r}: {item.problem}", item.path, hint,
                severity)
    if target is not None:
        for item in _unmet(target.entry, service, context):
            # the words of `validate`'s own check, so that HEAD's finding is not repeated
            yield service.finding(
                gate.name, f"{target.name} service {service.name!r} does not meet the entry"
                f" criteria of gate {gate.name!r}: {item.problem}", item.path, hint, severity)
    for name in move.skipped:
        stage = gate.stage(name)
        if stage is not None and not stage.skippable:
            yield service.finding(
                gate.name, f"lifecycle {move.arrow} skips {name}, which gate"
                f" {gate.name!r} does not allow to be skipped", ("spec", "lifecycle"),
                f"move to {name} first (its criteria then apply), or waive the gate with a"
                " reason", severity)


def _unmet(criteria: Criteria, service: Entity, context: RuleContext) -> list[Assessment]:
    return [a for a in assess(criteria, service, context) if not a.met]


def _approvers(gate: Gate, move: Move) -> list[tuple[str, str]]:
    """(party, why) for the stage entered and each stage jumped over."""
    out = []
    for name in (*move.skipped, move.target):
        stage = gate.stage(name)
        for who in stage.approvers if stage is not None else ():
            verb = "enters" if name == move.target else "skips"
            out.append((party(who), f"approves a move to {name} under gate {gate.name}:"
                        f" Service:{move.after.name} {verb} {name}"
                        f" ({_how(move)})"))
    return out


def _how(move: Move) -> str:
    if not move.added:
        return f"{move.source} -> {move.target}"
    return f"added, {move.source} -> {move.target}" if move.leaves else move.arrow


def _reading(judge: _Judge, move: Move, problems: list[Finding],
             who: list[tuple[str, str]]) -> Classified:
    """The move as the gate reads it, with the evidence it relies on and each one's age."""
    gate, today = judge.gate, judge.context.today
    source, target = gate.stage(move.source), gate.stage(move.target)
    wanted = [*(source.exit.evidence if source and move.leaves else ()),
              *(target.entry.evidence if target else ())]
    notes = []
    for name in dict.fromkeys(item.name for item in wanted):
        found = latest(move.after, (name,))
        notes.append(EvidenceNote(name) if found is None else EvidenceNote(
            name, found.date.isoformat(), found.age(today), found.approver, found.ref))
    unmet = len(problems)
    verdict = ("criteria met at HEAD" if not unmet else "1 criterion unmet" if unmet == 1
               else f"{unmet} criteria unmet")
    waiver = active_waiver(move.after, gate.name, today)
    if waiver is not None and unmet:
        verdict += f" (the gate is waived until {waiver.expires})"
    parties = ", ".join(dict.fromkeys(name for name, _ in who))
    shown = "; ".join(n.describe() for n in notes)
    message = (f"gate {gate.name}: {move.arrow}, {verdict}"
               + (f"; approved by {parties}" if parties else "")
               + (f"; evidence: {shown}" if shown else ""))
    cls = "lifecycle-gate-unmet" if problems else "lifecycle-gate"
    return Classified(cls, impact_of(cls), message, str(move.after.ref), (LIFECYCLE_PATH,),
                      evidence=tuple(notes))


def _merged(items: list[Classified]) -> tuple[Classified, ...]:
    """One reading per distinct message (a gate changed by HEAD and equal in effect)."""
    return tuple({i.message: i for i in items}.values())


def with_gate_impacts(changes: tuple[EntityChange, ...],
                      review: GateReview) -> tuple[EntityChange, ...]:
    """The changes with the gates' readings added to the services that move."""
    if not review.impacts:
        return changes
    return tuple(replace(c, impacts=(*c.impacts, *review.impacts.get(c.ref, ())))
                 for c in changes)


def merge_approvals(first: Iterable[Approval], second: Iterable[Approval]
                    ) -> tuple[Approval, ...]:
    """One approval per party, every reason and entity of both (sorted by party)."""
    reasons: dict[str, dict[str, None]] = {}
    entities: dict[str, set[str]] = {}
    for approval in (*first, *second):
        reasons.setdefault(approval.party, {}).update(dict.fromkeys(approval.reasons))
        entities.setdefault(approval.party, set()).update(approval.entities)
    return tuple(Approval(p, tuple(reasons[p]), tuple(sorted(entities[p])))
                 for p in sorted(reasons))

