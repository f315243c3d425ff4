"""The run context: what one command needs, resolved once at the command boundary.

A command turns its options into one `RunContext` (catalog root, config and whether the user
named it, the catalog's own config file, policies, today, limits, the parse memo, the
repository handle) and hands it down; lower layers take what they need from it and never
find, read or consult the config again, nor read the clock. `clock_today` is the one place
the clock is read, so a test sets the day in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from itsmctl.config import Config, find_config, load_config
from itsmctl.errors import ItsmctlError
from itsmctl.limits import Limits

if TYPE_CHECKING:
    from itsmctl.git import Repo
from itsmctl.loader import ParseMemo
from itsmctl.parsecache import ParseCache
from itsmctl.policy import PolicySet, disk_reader, load_policies


def clock_today() -> date:
    """The clock's day: read here only, and only when no --today was given."""
    return date.today()


@dataclass(frozen=True)
class RunContext:
    """One run's inputs. `label` is how file names begin in reports ("" or "." : relative to
    the root); `today_given` says the day came from --today/ITSMCTL_TODAY, not the clock;
    `config_given` that `config` is the user's --config (not the catalog's own file)."""

    root: Path
    label: str
    config: Config
    policies: PolicySet
    today: date
    today_given: bool = False
    memo: ParseMemo = field(default_factory=ParseMemo, compare=False)
    config_given: bool = False
    opened_repo: Repo | None = field(default=None, compare=False, repr=False)

    @property
    def limits(self) -> Limits:
        return self.config.limits

    @property
    def given_config(self) -> Config | None:
        """The user's --config, which judges every side and ref of the run (None: none was
        named, so each git side reads its own config and policies)."""
        return self.config if self.config_given else None

    @cached_property
    def own_config_file(self) -> Path | None:
        """The catalog's own config file at `root` (None: it has none), whatever --config
        names: the file a pull request changes (CODEOWNERS lists it). Found on first use."""
        return find_config(self.root)

    @cached_property
    def _opened(self) -> Repo | ItsmctlError:
        """The one attempt at opening the repository holding `root` (or `opened_repo`, the
        handle the command opened before resolving the run): its handle, or why not."""
        if self.opened_repo is not None:
            return self.opened_repo
        from itsmctl import git

        try:
            return git.open_repo(self.root)
        except ItsmctlError as error:
            return error

    @property
    def repo(self) -> Repo:
        """The run's one handle on the repository holding `root`, opened on first use: the
        git gateway resolves each ref once per handle, so once per run. Outside git: the
        ItsmctlError that says so."""
        opened = self._opened
        if isinstance(opened, ItsmctlError):
            raise ItsmctlError(opened.message, opened.hint, opened.location)
        return opened

    @property
    def git_repo(self) -> Repo | None:
        """The run's handle, or None outside a git repository (asked once per run, like
        `repo`): for what a catalog outside git simply goes without (history, provenance)."""
        opened = self._opened
        return None if isinstance(opened, ItsmctlError) else opened

def resolve_context(root: Path, *, config_file: Path | None = None, today: date | None = None,
                    label: str | None = None, read_policies: bool = True,
                    cache: ParseCache | None = None, read_config: bool = True,
                    repo: Repo | None = None) -> RunContext:
    """Find and read the config and the policy files of the catalog at `root`, once.

    `read_policies` False: the caller reads them its own way (the site, beside the config).
    `cache`: the persistent parse cache the run's memo consults (None: parse everything).
    `read_config` False: only a `config_file` is read (`diff`: each side reads its own
    config otherwise); without one the context's config is the defaults, `config_given` False.
    `repo`: the handle the command already opened (`check`, which names files from the
    repository root), kept as the run's one handle.
    """
    given = config_file is not None
    config = load_config(root, config_file) if read_config or given else Config()
    shown = label if label is not None else str(root)
    policies = load_policies(config, disk_reader(root, shown)) if read_policies else PolicySet()
    return RunContext(root, shown, config, policies, today or clock_today(), today is not None,
                      ParseMemo(cache), given, repo)

