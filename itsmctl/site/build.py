"""`render_site` and `check_site`: the two entry points of the site (used by render and check).

The site is written into a temporary folder next to the output and swapped in only once
every file is written, so a failure leaves the previous site as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itsmctl import git
from itsmctl.config import Config
from itsmctl.errors import ItsmctlError
from itsmctl.findings import Severity
from itsmctl.heap import frozen, young_collections_only
from itsmctl.loader import names_from_root
from itsmctl.site.context import SiteInput
from itsmctl.site.history import LoadedSite
from itsmctl.site.pages import MARKER, Progress, SitePlan, recorded_date, site_files, site_plan
from itsmctl.site.trail import HISTORY_DEPTH
from itsmctl.validate import Validated, ValidationResult
from itsmctl.visible import visible

if TYPE_CHECKING:
    from itsmctl.measure.run import MeasureOptions
    from itsmctl.runcontext import RunContext


@dataclass(frozen=True)
class RenderResult:
    """What was rendered, where, and what the catalog's validation said."""

    output: Path
    files: tuple[str, ...]
    validation: ValidationResult
    ref: str | None = None
    history: bool = False

    @property
    def pages(self) -> int:
        return sum(1 for f in self.files if f.endswith(".html"))

    @property
    def exit_code(self) -> int:
        return 0  # a catalog with findings still renders; `validate` is the gate


@dataclass(frozen=True)
class SiteCheckResult:
    """How a committed site differs from what would be rendered now."""

    site_dir: Path
    stale: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    checked: int

    @property
    def ok(self) -> bool:
        return not (self.stale or self.missing or self.extra)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_dict(self) -> dict[str, Any]:
        return {"site": str(self.site_dir), "ok": self.ok, "checked": self.checked,
                "stale": list(self.stale), "missing": list(self.missing),
                "extra": list(self.extra)}


def prepare(run: RunContext, *, today: date, ref: str | None, since: str | None,
            history: bool, timestamp: datetime | None, pull_requests: Path | None = None,
            history_depth: int = HISTORY_DEPTH, measure: MeasureOptions | None = None,
            worktree: Validated | None = None) -> SiteInput:
    """Load (from disk or at a git ref), validate with the shared pipeline, add git history.

    Everything comes from the run (`run`: its root, config, the working tree's policies,
    parse memo and one repository handle); `today` is the day the pages judge (the run's,
    or the day a committed site records). The user's --config (`run.given_config`) also
    judges `ref` and both sides of `since` (otherwise each commit reads its own).
    `measure`: measure the shown catalog on these records (`render --records`).
    `worktree`: the run's own load and validation of the working tree (`check`), shown
    instead of loading and validating it again when they are what the site would make.
    `ref` and `since` are checked here (`git.check_ref`), before any git runs (an empty
    `since` adds no page, as it always has)."""
    for given in (ref, since or None):
        if given is not None:
            git.check_ref(given)
    with young_collections_only():  # the loaded catalog lives to the end, as in `validate`
        return _prepared(run, today=today, ref=ref, since=since, history=history,
                         timestamp=timestamp, pull_requests=pull_requests,
                         history_depth=history_depth, measure=measure, worktree=worktree)


def _prepared(run: RunContext, *, today: date, ref: str | None, since: str | None,
              history: bool, timestamp: datetime | None, pull_requests: Path | None,
              history_depth: int, measure: MeasureOptions | None,
              worktree: Validated | None) -> SiteInput:
    """`prepare`, once the refs are checked."""
    from itsmctl.resultmemo import ResultMemo
    from itsmctl.site.history import audit_trail, changes_since, load_catalog, provenance
    from itsmctl.validate import check_loaded


    # the run's own load is the site's when the run names files from the catalog root, as
    # the pages do (`check` on a catalog at the repository's root; in a sub-folder it names
    # them from the repository's root, and the site loads its own)
    reused = worktree if ref is None and measure is None and worktree is not None \
        and names_from_root(run.label) else None
    shown = (LoadedSite(reused.loaded, run.config, run.policies) if reused is not None else
             load_catalog(run, ref, measure.records if measure is not None else None))
    config = shown.config
    if reused is not None and today == run.today:
        validation = replace(reused.result, root=".", fail_at=Severity.ERROR)
    else:
        # the default branch's render is the run whose results its pull requests' diffs reuse
        validation = check_loaded(shown.loaded, config, today=today, root=".",
                                  policies=shown.policies,
                                  results=ResultMemo.beside(run.memo.cache))
    trail, semantic = (audit_trail(run, ref, validation.catalog, config, history_depth)
                       if history else ({}, {}))
    changes = changes_since(run, since, ref, today, (config, validation.policies)) \
        if since else None
    if pull_requests is not None:
        from itsmctl.site.pullrequests import approval_evidence, read_pull_requests

        if changes is None:
            raise ItsmctlError("--pull-requests needs --since REF: the pull requests are held"
                               " against the changes since that ref", "add --since v1.4")
        records = read_pull_requests(pull_requests)
        changes = replace(changes, evidence=approval_evidence(
            run, changes.since, ref, records, pull_requests.name, today))
    stamp = timestamp.isoformat(timespec="seconds") if timestamp is not None else None
    measured = None
    if measure is not None:
        from itsmctl.measure.run import measure_catalog

        measured = measure_catalog(validation.catalog, measure, ".")
    return SiteInput(validation, config, today, trail, changes, ref, stamp,
                     provenance(run, ref, history), semantic,
                     history_depth if history else 0, measured=measured)


def render_site(run: RunContext, output: Path, *, ref: str | None = None,
                since: str | None = None, progress: Progress | None = None,
                history: bool = True, timestamp: datetime | None = None,
                workers: int | None = None, pull_requests: Path | None = None,
                history_depth: int = HISTORY_DEPTH,
                records: MeasureOptions | None = None) -> RenderResult:
    """Render the catalog of the run (`run.root`, or at git `ref`) into the folder `output`.

    `history` adds each entity's commits when the catalog is in a git repository;
    `since` adds a page of what changed since that tag or ref; `timestamp` (off by
    default, to keep the bytes reproducible) is printed in every page footer.
    `workers` processes render the pages (None: every core for a large site; 1: serial).
    The pages judge dates as of `run.today`. Without --config (`run.given_config`), `ref`
    and both sides of `since` are judged by their own config and policy files.
    `pull_requests`: a file of merged pull requests (site/pullrequests.py) shown as
    evidence of approval (needs `since`). `records`: charts of what was measured on these
    records on the service, SLA and process pages.
    """
    # young collections only (itsmctl/heap.py) to the end: what every page shares lives as
    # long as the render, and so does what the pages remember per entity and per site (page
    # models, sections, links, layouts), which each full collection while the pages were
    # written walked again, freeing nothing (one process: 4 full collections, 0.19 s at
    # 2,000 services; 8, 0.62-0.77 s at 5,000); a forked page worker inherits the thresholds
    with young_collections_only():
        _check_output(run.root, output)
        site = prepare(run, today=run.today, ref=ref, since=since, history=history,
                       timestamp=timestamp, pull_requests=pull_requests,
                       history_depth=history_depth, measure=records)
        plan = site_plan(site)
        files = _write_atomically(output, plan, progress, workers)
    return RenderResult(output, files, site.validation, ref, bool(site.history))


def check_site(run: RunContext, site_dir: Path, *, ref: str | None = None,
               since: str | None = None, history: bool = True,
               timestamp: datetime | None = None, pull_requests: Path | None = None,
               history_depth: int = HISTORY_DEPTH, records: MeasureOptions | None = None,
               worktree: Validated | None = None) -> SiteCheckResult:
    """Compare a committed site with what `render_site` would write now (same options).

    Stable API for `itsmctl check`: pass the options the site was rendered with. A site
    that is committed to git should be rendered with `history=False`, because a commit
    cannot contain its own hash. Without a day the user gave (`run.today_given`) dates are
    judged on the day the site records (its `as-of`), so the check asks "does the site
    match the catalog", not "is it still the day it was rendered"; a site without that
    record is compared as of the run's day. `worktree`: see `prepare`.
    """
    with young_collections_only():  # as in `render_site`: all of it lives to the end
        refuse_linked_site(run.root, site_dir)
        recover_swap(site_dir)
        today = run.today if run.today_given else recorded_date(site_dir) or run.today
        site = prepare(run, today=today, ref=ref, since=since, history=history,
                       timestamp=timestamp, pull_requests=pull_requests,
                       history_depth=history_depth, measure=records, worktree=worktree)
        wanted = dict(site_files(site))
        present = _existing_files(site_dir)
        stale = sorted(p for p in wanted if p in present
                       and _committed_bytes(site_dir, p, present[p]) != wanted[p])
    return SiteCheckResult(site_dir, tuple(stale),
                           tuple(sorted(set(wanted) - set(present))),
                           tuple(sorted(set(present) - set(wanted))), len(wanted))


def _committed_bytes(site_dir: Path, rel: str, path: Path) -> bytes | None:
    """A committed site file, read like catalog content: a link out of the site, a device or
    a huge file is never read (and so counts as stale)."""
    from itsmctl.sources import read_source

    source = read_source(path, rel, rel, Path(os.path.realpath(site_dir)), 64 * 1_048_576)
    return None if source.error else source.bytes()


def _existing_files(site_dir: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    if not site_dir.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(site_dir):
        dirnames.sort()
        for name in filenames:
            full = Path(dirpath, name)
            out[full.relative_to(site_dir).as_posix()] = full
    return out


def configured_output(catalog_root: Path, config: Config) -> Path:
    """The site folder `settings.site.output` names, which must stay inside the catalog.

    The config comes with the pull request: `/tmp/x` or `../../x` would make a render in CI
    write (and replace a folder) anywhere. Only `-o` on the command line may point outside.
    Checked after resolving links, so a linked folder cannot lead out either.
    """
    target = catalog_root / config.site_output
    root = Path(os.path.realpath(catalog_root))
    real = Path(os.path.realpath(target))
    if not real.is_relative_to(root) or real == root:
        from itsmctl.config import config_location
        from itsmctl.errors import ConfigError

        where = (config_location(config.source, ("settings", "site", "output"))
                 if config.source is not None else config.file)
        raise ConfigError(
            f"settings.site.output {config.site_output!r} must name a folder inside the"
            f" catalog folder (it resolves to {real})",
            "keep the site inside the catalog, e.g. `output: site`; to render"
            " elsewhere pass -o on the command line", where)
    return target


def refuse_linked_site(catalog_root: Path, site_dir: Path) -> None:
    """A site folder that is a link out of the catalog is refused: `--check` would list
    (and read) the names of files elsewhere on the machine."""
    real = Path(os.path.realpath(site_dir))
    if site_dir.is_symlink() and not real.is_relative_to(os.path.realpath(catalog_root)):
        raise ItsmctlError(f"the site folder {site_dir} is a link to {real}, outside the"
                           " catalog; not checked", "commit the rendered site as a real folder")


def _check_output(catalog_root: Path, output: Path) -> None:
    """Refuse an output that would replace the catalog, a folder we did not make, or a link.

    The new site is swapped in for the output folder as a whole: a link there would be
    replaced by a real folder (or, dangling, make the render fail half-way), so it is
    refused and never followed. Links inside an old site are never written through: the
    site is built in a fresh staging folder, and the old one is removed without following
    them. Our marker counts only as a real file, not a link to one.
    """
    if output.is_symlink():
        raise ItsmctlError(
            f"refusing to replace the output folder {visible(str(output))}: it is a link"
            f" (to {visible(os.readlink(output))})",
            "render never follows or replaces a link; pass the folder it points to, or"
            " remove the link")
    resolved = output.resolve()
    if catalog_root.resolve().is_relative_to(resolved):
        raise ItsmctlError(f"the output folder {output} contains the catalog itself",
                           "render into a folder of its own, e.g. `-o site`")
    if output.exists() and not output.is_dir():
        raise ItsmctlError(f"the output {output} is a file, not a folder")
    if output.is_dir() and any(output.iterdir()) and not _is_real_file(output / MARKER):
        raise ItsmctlError(
            f"refusing to replace {output}: it is not empty and was not made by itsmctl render",
            f"choose an empty or new folder; a rendered site holds a {MARKER} file")


def _is_real_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _safe_join(folder: Path, rel: str) -> Path:
    target = folder.joinpath(*rel.split("/"))
    if ".." in rel.split("/") or not target.resolve().is_relative_to(folder.resolve()):
        raise ValueError(f"site file {rel!r} would be written outside the output folder")
    return target


class _Staging:
    """Writes site files into the staging folder; each folder is checked and made only once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[str, Path] = {}

    def __call__(self, rel: str, data: bytes) -> None:
        parent, _, name = rel.rpartition("/")
        target = self.made.get(parent)
        if target is None:
            target = self.made[parent] = _safe_join(self.folder, parent or ".")
            target.mkdir(parents=True, exist_ok=True)
        if name in ("", ".", ".."):
            raise ValueError(f"site file {rel!r} would be written outside the output folder")
        (target / name).write_bytes(data)


def _write_atomically(output: Path, plan: SitePlan, progress: Progress | None,
                      workers: int | None) -> tuple[str, ...]:
    from itsmctl.site.parallel import worker_count, write_pages

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        recover_swap(output)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
        (staging / MARKER).write_bytes(b"being written by itsmctl render\n")  # ours, if left
    except OSError as exc:
        raise ItsmctlError(f"cannot create the output folder {output}: {exc.strerror or exc}",
                           "check that its parent folder exists and is writable") from exc
    written: list[str] = []
    write = _Staging(staging)
    count = worker_count(len(plan.pages), workers)
    # the loaded catalog and the compiled templates outlive the pages: frozen, no collection
    # here or in a forked worker walks them again (a worker's would also touch, and so copy,
    # every memory page they are on)
    with frozen():
        try:
            if count > 1:
                written = write_pages(plan, write, count, progress)
            else:
                for rel, data in plan.page_files():
                    write(rel, data)
                    written.append(rel)
                    if progress is not None:
                        progress(len(written), plan.total)
            for rel, data in plan.other_files():
                write(rel, data)
                written.append(rel)
                if progress is not None:
                    progress(len(written), plan.total)
            _swap(staging, output)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise ItsmctlError(
                f"cannot write the site to {output}: {exc.strerror or exc}",
                "check free space and permissions; the previous site is kept") from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return tuple(written)


def recover_swap(output: Path) -> list[Path]:
    """Repair or clean what an interrupted render left next to `output`.

    A render killed between moving the old site aside and moving the new one in leaves no
    site at all: the old one is put back. Staging (`.NAME.new-*`) and set-aside
    (`.NAME.old-*`) folders of killed renders are removed, but only those that carry our
    marker, so nothing of anyone else's is ever deleted. Returns what was removed.
    """
    parent = output.parent
    if not parent.is_dir():
        return []
    removed: list[Path] = []
    for leftover in sorted(parent.glob(f".{glob_escape(output.name)}.old-*")):
        kept = leftover / "site"
        if leftover.is_symlink() or kept.is_symlink() or not _is_real_file(kept / MARKER):
            continue
        if not os.path.lexists(output):
            os.rename(kept, output)  # the swap stopped half-way: the previous site comes back
        shutil.rmtree(leftover, ignore_errors=True)
        removed.append(leftover)
    for leftover in sorted(parent.glob(f".{glob_escape(output.name)}.new-*")):
        if not leftover.is_symlink() and _is_real_file(leftover / MARKER):
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


def _swap(staging: Path, output: Path) -> None:
    """Put the new site in place; the old one is moved aside first and removed last."""
    os.chmod(staging, 0o755)
    if not output.exists():
        os.rename(staging, output)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    os.rename(output, aside / "site")
    try:
        os.rename(staging, output)
    except OSError:
        os.rename(aside / "site", output)
        raise
    shutil.rmtree(aside, ignore_errors=True)
