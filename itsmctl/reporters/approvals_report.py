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
    if party.satisfied:
        return f"{party.party}: approved by {_who(party.approved_by)}"
    could = (f"needs an approval of the head commit from one of {_who(party.could_approve)}"
             if party.could_approve else "nobody on GitHub can approve for it")
    notes = f" ({'; '.join(party.notes)})" if party.notes else ""
    return f"{party.party}: {could}{notes}"


def text_lines(check: ApprovalCheck) -> list[str]:
    head = f"Approvals (pull request #{check.number}, head {check.head_sha[:12]})"
    return [head] + [f"  {_line(p)}" for p in check.parties]


def markdown_lines(check: ApprovalCheck) -> list[str]:
    out = ["", f"### Approvals of {code(check.head_sha[:12])} (pull request #{check.number})", ""]
    return out + [f"- {'✅' if p.satisfied else '⏳'} {cell(_line(p))}" for p in check.parties]
