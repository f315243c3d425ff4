"""Semantic diff of the catalog between two git refs, read for its governance meaning.

The one core function (also used by `itsmctl check`)::

    diff_refs(repo_path: Path, base: str | None = None, head: str | None = None, *,
              catalog_root: Path | None = None, config: Config | None = None,
              today: date | None = None, fail_on: Iterable[str] = ("new-errors",),
              exact_base: bool = False, memo: ParseMemo | None = None,
              head_result: ValidationResult | None = None,
              records: MeasureOptions | None = None, repo: Repo | None = None,
              refs_checked: bool = False) -> DiffResult

- base None: the merge base of HEAD with the default branch (settings.defaultBranch,
  origin/HEAD, main, master); head None: the working tree (tracked and untracked files).
- catalog_root: the catalog folder (default: repo_path).
- config: an explicit config (the user's --config), applied to both sides; by default each
  side reads its own config file and policy files from its tree (diff/settings.py), and
  config, policy and scorecard changes are reported as `Config`/`Policy`/`Scorecard` changes.
- fail_on: any of new-errors, new-warnings, breaking, approval-required, none.
- memo: the run's parse memo (loader.ParseMemo); pass the one `validate` filled so that
  files unchanged since BASE are not parsed again.
- head_result: HEAD's validation when the caller already has it (HEAD = the working tree,
  validated with the same config, policies and `today`); it is then used, not recomputed.
- repo: the run's repository handle (each ref is resolved once per handle).
- refs_checked: the caller checked BASE and HEAD (`git.check_ref`) where they entered
  (the site's `prepare` for `render --since`); otherwise they are checked here.

Both sides are loaded and validated in full (the findings diff is exact); a file with the
same path and blob on both sides is parsed once (the memo).

DiffResult (frozen, itsmctl/diff/result.py): changes (EntityChange with FieldChange and
Classified impacts), approvals (Approval: party, reasons, entities), new_findings,
existing_findings, fixed_findings, reasons (thresholds met) and exit_code (0 or 1). Usage
and environment problems (unknown ref, not a repository, shallow clone) raise ItsmctlError.
"""

from __future__ import annotations

from typing import Any

__all__ = ["diff_refs"]


def __getattr__(name: str) -> Any:
    """`from itsmctl.diff import diff_refs` without importing the engine for the light parts
    (result records, reporters) that the CLI needs to build its options."""
    if name == "diff_refs":
        from itsmctl.diff.engine import diff_refs

        return diff_refs
    raise AttributeError(name)
