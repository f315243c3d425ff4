"""The reviews held against the required approvals (`check --require-approvals`), for the
text report and the step summary / pull-request comment."""

from __future__ import annotations

from itsmctl.github.approvals import ApprovalCheck, PartyApproval
from itsmctl.reporters.diff_markdown import cell, code

SHOWN = 20  # candidate logins listed per party


def _who(logins: tuple[str, ...]) -> str:
    shown = ", ".join(f"@{login}" for login in logins[:SHOWN])
    return shown + (f" and {len(logins) - SHOWN} more" if len(logins) > SHOWN else "")


def _line(party: PartyApproval) -> str:
    """`team:cab: approved by @robin`, `...: blocked: bob requested changes`, `...: needs
    an approval ... from one of @alex (notes); mallory approved but authored commits ...`."""
    not_counted = "".join(f"; {line}" for line in party.not_counted)
    if party.blocked_by:  # its notes too: a refusal still stands once the objection goes
        notes = f" ({'; '.join(party.notes)})" if party.notes else ""
        return f"{party.party}: blocked: {party.objection}{notes}{not_counted}"
    if party.satisfied:
        return f"{party.party}: approved by {_who(party.approved_by)}{not_counted}"
    said = party.notes
    if party.could_approve:
        could = f"needs an approval of the head commit from one of {_who(party.could_approve)}"
    elif party.not_counted or party.excluded:
        could = "nobody but the pull request's own authors can approve for it"
        said = party.excluded + party.notes
    else:
        could = "nobody on GitHub can approve for it"
    notes = f" ({'; '.join(said)})" if said else ""
    return f"{party.party}: {could}{notes}{not_counted}"


def text_lines(check: ApprovalCheck) -> list[str]:
    head = f"Approvals (pull request #{check.number}, head {check.head_sha[:12]})"
    return [head] + [f"  {_line(p)}" for p in check.parties]


def markdown_lines(check: ApprovalCheck) -> list[str]:
    out = ["", f"### Approvals of {code(check.head_sha[:12])} (pull request #{check.number})", ""]
    return out + [f"- {_mark(p)} {cell(_line(p))}" for p in check.parties]


def _mark(party: PartyApproval) -> str:
    return "✅" if party.satisfied else "❌" if party.blocked_by else "⏳"
