"""`check`: the one CI entry point. Validate, diff against the base, and check a committed site.

It composes the core functions of the other commands (`validate`, `diff_refs`,
`check_site`) into one `CheckResult` with one exit code. The CI files (step summary, SARIF,
pull-request comment body) are written by `reporters/ci_files.py`, which the command calls.
Nothing here prints or reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from itsmctl.diff.result import DEFAULT_FAIL_ON
from itsmctl.findings import total
from itsmctl.parsecache import ParseCache
from itsmctl.runcontext import RunContext, resolve_context
from itsmctl.validate import Validated, ValidationResult, load_worktree, validate

if TYPE_CHECKING:
    from itsmctl.diff.result import DiffResult
    from itsmctl.git import Repo
    from itsmctl.github.approvals import ApprovalCheck
    from itsmctl.github.event import Connection
    from itsmctl.measure.run import MeasureOptions
    from itsmctl.site import SiteCheckResult

SITE_AUTO = "auto"
SITE_OFF = "off"


@dataclass(frozen=True)
class CheckResult:
    """The three checks; `site` is None when no committed site was checked (see `site_note`)."""

    root: str
    validation: ValidationResult
    diff: DiffResult
    site: SiteCheckResult | None
    site_note: str
    approvals: ApprovalCheck | None = None  # the reviews, with --require-approvals

    @property
    def failures(self) -> tuple[str, ...]:
        """Why the check fails, one short reason per failing part (empty: it passes)."""
        waiting = self.approvals.failure if self.approvals is not None else ""
        return self.blocking + ((waiting,) if waiting else ())

    @property
    def blocking(self) -> tuple[str, ...]:
        """The failures other than approvals still outstanding (what a headline calls
        "fails"; outstanding approvals read "needs approval from ..."). A party blocked by
        requested changes is one: it waits for a fix, not for another approval."""
        out = []
        if self.validation.failed:
            failing = [f for f in self.validation.findings
                       if f.severity >= self.validation.fail_at]
            out.append(f"validate: {total(failing)} finding(s) at or above"
                       f" {self.validation.fail_at.label}")
        if self.diff.failed:
            out.append(f"diff: {'; '.join(self.diff.reasons)}")
        if self.site is not None and not self.site.ok:
            stale = len(self.site.stale) + len(self.site.missing) + len(self.site.extra)
            out.append(f"site: {stale} file(s) out of date")
        return tuple(out) + (self.approvals.blocked if self.approvals is not None else ())

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def run_check(root: Path, *, base: str | None = None,
              fail_on: tuple[str, ...] = DEFAULT_FAIL_ON, site: Path | str = SITE_AUTO,
              config_file: Path | None = None, today: date | None = None,
              strict: bool = False, exact_base: bool = False,
              cache: ParseCache | None = None,
              connect: Connection | None = None,
              records: MeasureOptions | None = None) -> CheckResult:
    """Validate the catalog in `root`, diff it against `base` and check its committed site.

    The diff compares with the merge base of `base` and HEAD (`exact_base`: with `base`'s
    tree as it is); `base` None: the default branch (see diff/base.py). `site`: a folder to
    compare with a fresh render, `"auto"` (the config's site folder when it is committed to
    git) or `"off"`.
    Files are named relative to the repository root, as pull requests, annotations and
    code scanning show them. `today` None: validate and diff use the clock's date, the site
    the day it records (see `check_site`). Usage and environment problems (not a git
    repository, unknown base) raise ItsmctlError.
    """
    from itsmctl import git

    repo = git.open_repo(root)  # not a git repository: said before the config is read
    context = resolve_context(root, config_file=config_file, today=today,
                              label=git.catalog_prefix(repo, root) or ".", cache=cache,
                              repo=repo)
    return check(context, base=base, fail_on=fail_on, site=site, strict=strict,
                 exact_base=exact_base, connect=connect, records=records)


def check(context: RunContext, *, base: str | None = None,
          fail_on: tuple[str, ...] = DEFAULT_FAIL_ON, site: Path | str = SITE_AUTO,
          strict: bool = False, exact_base: bool = False, connect: Connection | None = None,
          records: MeasureOptions | None = None) -> CheckResult:
    """`run_check` for a resolved run: HEAD is loaded and validated once.

    That one validation is what `check` reports, and it is diff's HEAD side (the working
    tree as `validate` reads it). One parse memo serves the whole run, so BASE's unchanged
    files and the site's render reuse HEAD's parses. A config the user named
    (`context.given_config`, --config) applies to both sides of the diff; otherwise each
    side reads its own.
    `connect` (--require-approvals): the pull request's event, against which the checkout
    is judged first (it must be the reviewed tree, github/checkout.py), and the GitHub
    client, opened only when the change needs approvals; their reviews are then held
    against them.
    `records`: see `run_check`.
    """
    from dataclasses import replace

    from itsmctl.diff import diff_refs

    memo = context.memo
    root = context.root
    if records is not None:
        records_inside(context.repo, records)
        from itsmctl.measure.run import without_records

        # the records folder (its mapping.yaml) is not part of the catalog, on either side
        context = replace(context, config=without_records(context.config, records.records,
                                                          root))
        memo = context.memo
    loaded = load_worktree(context, memo)
    validation = validate(context, strict=strict, memo=memo, loaded=loaded)
    head = Validated(loaded, validation)  # what the site shows, when it names files alike
    diff = diff_refs(root, base, None, catalog_root=root, today=context.today, fail_on=fail_on,
                     config=context.given_config, memo=memo,
                     head_result=validation, exact_base=exact_base, repo=context.repo,
                     records=records, head_read=(context.config, context.policies))
    if diff.head_limits is not None and diff.head_limits != context.config.limits:
        # the change raises a parse limit: it is read under BASE's bound, as the diff read it
        context = replace(context, config=replace(context.config, limits=diff.head_limits))
        validation = validate(context, strict=strict, memo=context.memo)
    validation = _as_diff_shows(validation, diff)
    site_dir, note = _site_to_check(context, site)
    checked = None
    if site_dir is not None:
        from itsmctl.site import check_site

        # without --today the site is judged as of the day it records, so it does not go
        # stale as days pass; only an explicit day re-dates it
        checked = check_site(context, site_dir, history=False, worktree=head)
    approvals = None
    if connect is not None:
        from itsmctl import git
        from itsmctl.github.checkout import judge_checkout

        judge_checkout(context.repo, git.catalog_prefix(context.repo, root), diff.base_sha,
                       connect.event())
    if connect is not None and diff.approvals:
        approvals = _reviewed(diff, validation, connect)
        from itsmctl.diff.result import with_reviews

        diff = with_reviews(diff, approvals.approved_map())
    return CheckResult(context.label, validation, diff, checked, note, approvals)


def _as_diff_shows(validation: ValidationResult, diff: DiffResult) -> ValidationResult:
    """HEAD's findings where the diff placed them: a cycle the change closes sits on the
    entry it added (diff/cycles.py), in the annotations and SARIF as in the diff."""
    moved = {f.fingerprint: f for f in diff.new_findings if f.identity and not f.stands_for}
    if not moved:
        return validation
    from dataclasses import replace

    from itsmctl.findings import Finding

    findings = (moved.get(f.fingerprint, f) if f.identity else f for f in validation.findings)
    return replace(validation, findings=tuple(sorted(findings, key=Finding.sort_key)))


def _reviewed(diff: DiffResult, validation: ValidationResult,
              connect: Connection) -> ApprovalCheck:
    """The required approvals against the reviews; who may approve is read from BASE (as
    the diff loaded it: its catalog and its config's roles)."""
    from itsmctl.github.approvals import check_approvals

    assert diff.base_catalog is not None  # diff_refs always sets it
    client, pull_request = connect.open()
    return check_approvals(diff.approvals, diff.base_catalog, validation.catalog,
                           diff.base_roles, client, pull_request)


def _site_to_check(context: RunContext, site: Path | str) -> tuple[Path | None, str]:
    """Which site folder to compare, and a note saying why (or why not)."""
    root, config = context.root, context.config
    if site == SITE_OFF:
        return None, "not checked (--no-site)"
    if isinstance(site, Path):
        return site, ""
    from itsmctl.site.build import configured_output

    folder = configured_output(root, config)
    if not folder.is_dir():
        return None, f"not checked: no committed site in {config.site_output}/"
    if not site_is_committed(context.repo, folder):
        return None, f"not checked: {config.site_output}/ is not committed to git"
    return folder, ""


def site_is_committed(repo: Repo, folder: Path) -> bool:
    """Whether git tracks any file under `folder` at HEAD (a built-only site is not checked)."""
    from itsmctl import git

    prefix = git.catalog_prefix(repo, folder)
    return bool(prefix) and bool(git.list_files(repo, git.head_commit(repo), prefix))


def records_inside(repo: Repo, options: MeasureOptions) -> None:
    """Refuse a records folder, or a file in it, that leads out of the repository.

    The records of a pull request come from it like its catalog: a symlink to a file of the
    runner (`/proc/self/environ`) must not be read into the report. The rest is measure's
    own guarding (plain file names, the mapping's size, `--max-bad-rows`).
    """
    import os

    from itsmctl import git
    from itsmctl.errors import ItsmctlError
    from itsmctl.visible import visible

    top = git.working_dir(repo).resolve()
    label = options.records_label or str(options.records)
    hint = "pass a records folder committed inside the repository (docs/measure.md)"
    if not Path(os.path.realpath(options.records)).is_relative_to(top):
        raise ItsmctlError(f"records folder {label} is outside the repository {top}", hint)
    if not options.records.is_dir():
        return  # measure says the folder does not exist
    with os.scandir(options.records) as entries:
        for entry in entries:
            if entry.is_symlink() and not Path(os.path.realpath(entry.path)).is_relative_to(top):
                raise ItsmctlError(f"records folder {label}: {visible(entry.name)} is a symlink"
                                   " that leads outside the repository (not followed)", hint)
