"""The one gateway to git: the only module that imports GitPython (lazily, inside functions).

Everything reads git objects directly (`ls-tree`, `cat-file`, `diff-tree`, `grep`): nothing is
checked out. A ref the user gave (on the command line or as `settings.defaultBranch`) is
checked once, by `check_ref`, where it enters the core and before any repository is opened:
`diff_refs` (diff, check), the site's `prepare` (render --ref/--since), `diff/base.py` (the
configured default branch). Every ref then reaches git after `--end-of-options`, so even one
that was never checked cannot be read as an option.

It knows git, not the catalog: which files are catalog files, which is the config file and
what a size limit is live in `gitsources.py`, which builds SourceFiles from what this lists.

Functions (all small; `Repo` is `git.Repo`):
    open_repo(path) -> Repo                         the repository containing `path`
    check_ref(text)                                 refuse empty / option-like refs (where a
                                                    user's ref enters, once)
    resolve_commit(repo, ref) -> sha                once per ref and repository handle;
                                                    unknown ref / shallow clone -> ItsmctlError
    head_commit(repo) -> sha; is_shallow(repo); has_commits(repo)
    merge_base(repo, a, b) -> sha
    origin_head(repo) -> ref | None; ref_exists(repo, ref) -> bool
    working_dir(repo); catalog_prefix(repo, catalog_root) -> str  ("" = the repository root)
    repo_path(prefix, rel) -> str                   a catalog-relative path, repository-relative
    list_files(repo, sha, prefix[, rels])           [TreeFile] under the catalog folder at a commit
    worktree_paths(repo, prefix)                    the working tree's files (not ignored)
    uncommitted_paths(repo, prefix)                 files that differ from HEAD (ignored too)
    commit_parents(repo, sha); is_ancestor(repo, a, b)
    read_blob(repo, sha) -> bytes; read_blobs(repo, shas) -> {sha: bytes} (one batch)
    changed_paths(repo, base, head, prefix)         catalog-relative paths a tree diff reports
    grep_words(repo, sha | None, prefix, words)     which files contain which fixed strings
    file_history / file_changes / commits_between / first_parent_commits
                                                    `git log` for the site's history pages
    blob_sizes(repo, shas)                          sizes before reading (`cat-file --batch-check`)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from itsmctl.errors import ItsmctlError

if TYPE_CHECKING:
    import git as gitpython

    Repo = gitpython.Repo  # the type other modules name as itsmctl.git.Repo

SHALLOW_HINT = ("this is a shallow clone without that history: fetch it (GitHub Actions:"
                " `actions/checkout` with `fetch-depth: 0`; locally: `git fetch --unshallow`)")
_SYMLINK_MODE = "120000"


@dataclass(frozen=True, slots=True)
class TreeFile:
    """One entry of `git ls-tree -r -l`: catalog-relative path, blob id, size and mode."""

    rel: str
    sha: str
    size: int
    mode: str

    @property
    def is_link(self) -> bool:
        """A symbolic link (its blob is the target's path, never followed in a ref)."""
        return self.mode == _SYMLINK_MODE


def open_repo(path: Path) -> Repo:
    """The repository that contains `path` (a catalog folder may be a sub-folder)."""
    import git

    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ItsmctlError(
            f"{path} is not inside a git repository",
            hint="run itsmctl in a clone of the catalog repository (`git clone ...`)",
        ) from None
    # we only read: do not let `git status`-like commands refresh .git/index behind the user
    repo.git.update_environment(GIT_OPTIONAL_LOCKS="0")
    return repo


def check_ref(ref: str) -> None:
    """Refuse refs that git could read as an option (`--output=x`), before anything runs."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise ItsmctlError(
            f"{ref!r} is not a valid git ref" + (": it looks like an option" if ref[:1] == "-"
                                                  else ""),
            hint="pass a branch, tag or commit such as `origin/main`, `v1.2` or `HEAD~1`",
        )


def is_shallow(repo: Repo) -> bool:
    return _git(repo, "rev-parse", "--is-shallow-repository") == "true"


_RESOLVED = "_itsmctl_resolved"  # a handle's {ref: sha}: see resolve_commit


def resolve_commit(repo: Repo, ref: str) -> str:
    """The commit sha a ref names; an unknown ref is a usage error with a useful hint.

    Resolved once per ref and repository handle: a run's later questions about the same ref
    are answered from memory (the same commit all through the run). A user's ref was checked
    (`check_ref`) where it entered; `--end-of-options` keeps any ref text from being an option."""
    # kept on the handle itself (handles compare equal by git folder, so no shared table):
    # a later `open_repo` starts afresh and sees commits made since
    known: dict[str, str] = repo.__dict__.setdefault(_RESOLVED, {})
    if ref in known:
        return known[ref]
    sha = _try_git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options",
                   f"{ref}^{{commit}}")
    if not sha:
        raise ItsmctlError(f"unknown git ref {ref!r}", hint=_unknown_ref_hint(repo, ref))
    known[ref] = sha
    return sha


def _unknown_ref_hint(repo: Repo, ref: str) -> str:
    import difflib

    if is_shallow(repo):
        return SHALLOW_HINT
    names = (_try_git(repo, "for-each-ref", "--format=%(refname:short)") or "").split()
    close = difflib.get_close_matches(ref, names, n=3)
    if close:
        return "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
    return "list branches with `git branch -a`; fetch the base branch first if it is remote"


def merge_base(repo: Repo, a: str, b: str) -> str:
    """The best common ancestor of two commits (shas from `resolve_commit`)."""
    sha = _try_git(repo, "merge-base", a, b)
    if sha:
        return sha.split()[0]
    hint = (SHALLOW_HINT if is_shallow(repo)
            else "pass BASE explicitly: `itsmctl diff <base> [head]`")
    raise ItsmctlError(f"commits {a[:12]} and {b[:12]} have no common history", hint=hint)


def origin_head(repo: Repo) -> str | None:
    """`origin/<branch>` that the remote's HEAD names (the hosting's default branch), if set."""
    return _try_git(repo, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD") or None


def ref_exists(repo: Repo, ref: str) -> bool:
    """Whether `ref` (short or full: `main`, `refs/heads/main`) names a commit."""
    return bool(_try_git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options",
                         f"{ref}^{{commit}}"))


def head_commit(repo: Repo) -> str:
    """HEAD's sha; a repository without commits cannot be diffed."""
    sha = _try_git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if not sha:
        raise ItsmctlError("the repository has no commits yet",
                           hint="commit the catalog first, then diff against that commit")
    return sha


def working_dir(repo: Repo) -> Path:
    if repo.working_tree_dir is None:
        raise ItsmctlError("the repository is bare: it has no working tree",
                           hint="pass both BASE and HEAD refs")
    return Path(repo.working_tree_dir)


def catalog_prefix(repo: Repo, catalog_root: Path) -> str:
    """The catalog folder relative to the repository root, posix style ("" for the root)."""
    top = working_dir(repo).resolve()
    root = catalog_root.resolve()
    if not root.is_relative_to(top):
        raise ItsmctlError(f"catalog folder {catalog_root} is outside the repository {top}",
                           hint="pass a catalog folder inside the repository")
    rel = root.relative_to(top).as_posix()
    return "" if rel == "." else rel


def repo_path(prefix: str, rel: str) -> str:
    """A catalog-relative path as the repository names it (what a pull request shows)."""
    return f"{prefix}/{rel}" if prefix else rel


def _strip(prefix: str, path: str) -> str | None:
    """Repo-relative path -> catalog-relative path, None when outside the catalog folder."""
    if not prefix:
        return path
    return path[len(prefix) + 1:] if path.startswith(prefix + "/") else None


def _pathspec(prefix: str) -> list[str]:
    return ["--", prefix] if prefix else []


def list_files(repo: Repo, sha: str, prefix: str,
               rels: Iterable[str] | None = None) -> list[TreeFile]:
    """Every blob under the catalog folder at a commit (submodules are skipped), or only
    the catalog-relative `rels` given (taken literally, never as glob pathspecs)."""
    if rels is None:
        derived = _edited(repo, sha, prefix)
        if derived is not None:
            return _remember(repo, sha, prefix, derived)
        if _SIZES:  # sizes learnt from an earlier listing: the blobs this tree shares with it
            files = _sized(repo, _parse_tree(_git(repo, "ls-tree", "-r", "-z", "--full-tree", sha,
                                                  *_pathspec(prefix), strip=False), prefix))
            if files is not None:
                return _remember(repo, sha, prefix, files)
        return _remember(repo, sha, prefix, _learn(_parse_tree(_git(
            repo, "ls-tree", "-r", "-z", "-l", "--full-tree", sha, *_pathspec(prefix),
            strip=False), prefix)))
    paths = sorted({repo_path(prefix, rel) for rel in rels})
    files = []
    for start in range(0, len(paths), 1000):  # stay far below the command-line limit
        out = _git(repo, "--literal-pathspecs", "ls-tree", "-r", "-z", "-l", "--full-tree", sha,
                   "--", *paths[start:start + 1000], strip=False)
        files += _parse_tree(out, prefix)
    return files  # a few named files: not what tells a later listing its sizes


_SIZES: dict[str, int] = {}
"""Blob id -> size, from this process's listings of whole trees. A blob id names its bytes,
so its size is a fact about it, whatever the repository: the second side of a diff lists its
tree without `-l` (which has git read every blob's header, about a third of a second per
5,000 loose objects) and takes the sizes of the blobs both sides share from here."""
_MAX_SIZES = 1 << 20


_LISTED: dict[tuple[str, str], tuple[str, list[TreeFile]]] = {}
"""(git folder, catalog prefix) -> the last whole tree listed there: (commit, its files).
A diff's HEAD mostly edits files of its BASE, so its tree is listed from BASE's listing
and the few entries `git diff-tree` names (`_edited`), not all again."""
_PLAIN_PREFIX = re.compile(r"[A-Za-z0-9._/-]*")
_BLOB_MODES = frozenset({"100644", "100755", _SYMLINK_MODE})


def _remember(repo: Repo, sha: str, prefix: str, files: list[TreeFile]) -> list[TreeFile]:
    _LISTED.clear()  # one listing is what the next side needs; older ones are let go
    _LISTED[(str(repo.git_dir), prefix)] = (sha, files)
    return list(files)


def _edited(repo: Repo, sha: str, prefix: str) -> list[TreeFile] | None:
    """The tree at `sha` from the last one listed in this repository and folder, when the
    two have the very same paths (in the same order: what `ls-tree` would list) and only
    blobs' contents or modes differ: each edited entry takes its new blob, mode and size.
    None (list it in full) when a path is added or removed, an entry is or becomes no blob
    (a submodule), a size is not known, or the prefix is not plain text (`ls-tree` reads its
    paths literally, `diff-tree` as pathspecs: a plain one reads the same either way)."""
    last = _LISTED.get((str(repo.git_dir), prefix))
    if last is None or not _PLAIN_PREFIX.fullmatch(prefix):
        return None
    base, files = last
    if base == sha:
        return list(files)  # a commit's tree never changes
    out = _try_git(repo, "diff-tree", "-r", "-z", "--raw", "--no-renames",
                   "--ignore-submodules=none", base, sha, *_pathspec(prefix), strip=False)
    if out is None:
        return None
    fields = out.split("\0")
    if len(fields) % 2 != 1 or fields[-1]:
        return None  # not the records `-z --raw` writes
    edits: dict[str, tuple[str, str]] = {}  # rel -> (new mode, new blob)
    for meta, path in zip(fields[0:-1:2], fields[1::2], strict=True):
        parts = meta.lstrip(":").split(" ")
        if len(parts) != 5:
            return None
        old_mode, new_mode, _, new_blob, status = parts
        rel = _strip(prefix, path)
        if (rel is None or status not in ("M", "T") or old_mode not in _BLOB_MODES
                or new_mode not in _BLOB_MODES):
            return None
        edits[rel] = (new_mode, new_blob)
    sizes = blob_sizes(repo, [b for _, b in edits.values() if b not in _SIZES])
    derived = []
    for entry in files:
        edit = edits.pop(entry.rel, None)
        if edit is not None:
            size = _SIZES.get(edit[1], sizes.get(edit[1]))
            if size is None:
                return None
            entry = TreeFile(entry.rel, edit[1], size, edit[0])
        derived.append(entry)
    return _learn(derived) if not edits else None


def _learn(files: list[TreeFile]) -> list[TreeFile]:
    if len(_SIZES) + len(files) > _MAX_SIZES:
        _SIZES.clear()
    for entry in files:
        _SIZES[entry.sha] = entry.size
    return files


def _sized(repo: Repo, files: list[TreeFile]) -> list[TreeFile] | None:
    """`files` (listed without sizes) with each size, known or asked of git in one batch;
    None when git gives no size for one (a missing object): the caller lists with `-l`, as
    without the memo."""
    sizes = blob_sizes(repo, [f.sha for f in files if f.sha not in _SIZES])
    out = []
    for entry in files:
        size = _SIZES.get(entry.sha, sizes.get(entry.sha))
        if size is None:
            return None
        out.append(TreeFile(entry.rel, entry.sha, size, entry.mode))
    return _learn(out)


def _parse_tree(out: str, prefix: str) -> list[TreeFile]:
    """`ls-tree -r -z` entries, with `-l` or without (size 0)."""
    files = []
    for entry in filter(None, out.split("\0")):
        meta, _, path = entry.partition("\t")
        mode, kind, blob, *size = meta.split()
        rel = _strip(prefix, path)
        if kind == "blob" and rel is not None:
            files.append(TreeFile(rel, blob, int(size[0]) if size and size[0].isdigit() else 0,
                                  mode))
    return files


def link_on_path(repo: Repo, sha: str, path: str) -> str | None:
    """The first folder on repository path `path` (itself included) that is a symbolic link
    at a commit, or None: a link in a ref is never followed, so what lies behind it is not
    that commit's content at `path`."""
    parts = [p for p in path.split("/") if p]
    for depth in range(1, len(parts) + 1):
        here = "/".join(parts[:depth])
        out = _git(repo, "--literal-pathspecs", "ls-tree", "-z", "--full-tree", sha, "--", here,
                   strip=False)
        entry = next(filter(None, out.split("\0")), "")
        if entry.split(" ", 1)[0] == _SYMLINK_MODE:
            return here
        if not entry:
            return None
    return None


def read_blobs(repo: Repo, shas: Iterable[str]) -> dict[str, bytes]:
    """Many blobs' bytes through one `git cat-file --batch` (one round trip per blob through
    the persistent process costs milliseconds each on a busy machine)."""
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    out, data, at = {}, _cat_file(repo, "--batch", wanted), 0
    for sha in wanted:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        if len(header) != 3 or header[1] != b"blob":
            raise ItsmctlError(f"git cat-file: {sha} is not a blob here",
                               hint="check that the repository is intact (`git fsck`)")
        size = int(header[2])
        out[sha] = data[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return out


def write_blob(repo: Repo, sha: str, dest: Path) -> None:
    """One blob's bytes streamed into a new file `dest` (never held in memory: a record file
    at a commit may be large)."""
    import subprocess

    with open(dest, "xb") as out:
        done = subprocess.run(["git", "--git-dir", str(repo.git_dir), "cat-file", "blob", sha],
                              stdout=out, stderr=subprocess.PIPE, check=False)
    if done.returncode != 0:
        raise ItsmctlError(f"git cat-file: {sha} is not a blob here",
                           hint="check that the repository is intact (`git fsck`)")


def _cat_file(repo: Repo, mode: str, shas: list[str]) -> bytes:
    """`git cat-file --batch` or `--batch-check` over `shas`, in one process."""
    import subprocess

    done = subprocess.run(["git", "--git-dir", str(repo.git_dir), "cat-file", mode],
                          input="".join(f"{sha}\n" for sha in shas).encode(),
                          capture_output=True, check=False,
                          env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    if done.returncode != 0:
        raise ItsmctlError(f"git cat-file failed: {done.stderr.decode(errors='replace').strip()}",
                           hint="check that the repository is intact (`git fsck`)")
    return done.stdout


def read_blob(repo: Repo, sha: str) -> bytes:
    """A blob's bytes, through git's persistent `cat-file --batch` process."""
    return repo.odb.stream(bytes.fromhex(sha)).read()  # type: ignore[no-any-return]


def changed_paths(repo: Repo, base: str, head: str | None, prefix: str) -> list[str]:
    """Catalog-relative paths that differ between two commits (head None: the working tree,
    untracked files included). Renames are reported as a deletion plus an addition."""
    if head is None:
        out = _git(repo, "diff", "-z", "--name-only", "--no-renames", "--no-ext-diff", base,
                   *_pathspec(prefix), strip=False)
        out += "\0" + _git(repo, "ls-files", "-z", "--others", "--exclude-standard",
                           *_pathspec(prefix), strip=False)
    else:
        out = _git(repo, "diff-tree", "-r", "-z", "--name-only", "--no-renames", base, head,
                   *_pathspec(prefix), strip=False)
    rels = {_strip(prefix, p) for p in out.split("\0") if p}
    return sorted(r for r in rels if r is not None)


def worktree_paths(repo: Repo, prefix: str) -> set[str]:
    """Catalog-relative paths of the working tree: tracked and untracked, not ignored."""
    out = _git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard",
               *_pathspec(prefix), strip=False)
    return {r for r in (_strip(prefix, p) for p in out.split("\0") if p) if r is not None}


def uncommitted_paths(repo: Repo, prefix: str) -> list[str]:
    """Catalog-relative paths where the working tree differs from HEAD: tracked files
    modified, added or deleted, and untracked files, the ignored ones too (a folder walk
    reads those as well); each path once, renames as a deletion plus an addition."""
    out = _git(repo, "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all",
               "--ignored=traditional", *_pathspec(prefix), strip=False)
    rels = {_strip(prefix, entry[3:]) for entry in out.split("\0") if len(entry) > 3}
    return sorted(r for r in rels if r is not None)


def commit_parents(repo: Repo, sha: str) -> tuple[str, ...]:
    """The parents of a commit (a sha from `resolve_commit`), in order."""
    return tuple(_git(repo, "rev-list", "--parents", "-n", "1", sha).split()[1:])


def is_ancestor(repo: Repo, ancestor: str, sha: str) -> bool:
    """Whether `ancestor` is `sha` or one of its ancestors (False when git knows neither)."""
    return _try_git(repo, "merge-base", "--is-ancestor", ancestor, sha) is not None


def grep_words(repo: Repo, sha: str | None, prefix: str,
               words: Iterable[str]) -> dict[str, set[str]]:
    """Catalog-relative path -> which of `words` it contains as whole words (a fast prefilter:
    callers parse the files to confirm). `sha` None searches the working tree."""
    patterns = sorted(set(words))
    if not patterns:
        return {}
    args = ["grep", "-z", "-o", "-I", "-F", "-w", "--full-name", "--no-color"]
    for word in patterns:
        args += ["-e", word]
    args += [sha] if sha else ["--untracked"]
    out = _git(repo, *args, *_pathspec(prefix), strip=False, no_match_ok=True)
    found: dict[str, set[str]] = {}
    skip = len(sha) + 1 if sha else 0
    # each match is `path NUL word LF`: a path may hold a newline, a word never does, so
    # records are split at the NUL first (splitting lines first hid such files from diff)
    position = 0
    while (nul := out.find("\0", position)) != -1:
        end = out.find("\n", nul)
        end = len(out) if end == -1 else end
        path, word, position = out[position:nul], out[nul + 1:end], end + 1
        rel = _strip(prefix, path[skip:])
        if rel is not None:
            found.setdefault(rel, set()).add(word)
    return found


def _git(repo: Repo, command: str, *args: str, strip: bool = True,
         no_match_ok: bool = False) -> str:
    """Run one git command; a failure is an environment error naming the command.

    `no_match_ok`: exit status 1 with no output means "nothing found" (git grep), not failure.
    """
    import git

    try:
        return str(repo.git.execute(["git", command, *args], strip_newline_in_stdout=strip))
    except git.GitCommandError as error:
        if no_match_ok and error.status == 1 and not (error.stderr or "").strip("' \n"):
            return ""
        message = (error.stderr or "").strip().removeprefix("stderr: ").strip("'\n ")
        raise ItsmctlError(f"git {command} failed: {message or error}",
                           hint="check that the repository is intact (`git fsck`)") from None


def _try_git(repo: Repo, command: str, *args: str, strip: bool = True) -> str | None:
    """Run a git command whose failure means "no" (unknown ref, no match)."""
    import git

    try:
        out = repo.git.execute(["git", command, *args], strip_newline_in_stdout=strip)
    except git.GitCommandError:
        return None
    return str(out)


# --- history for the rendered site's audit trail (used by itsmctl/site/history.py) ---

_LOG_FORMAT = "--format=%x1e%H%x1f%an%x1f%aI%x1f%s"


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """One commit as an audit trail shows it: sha, author, ISO author date, subject."""

    sha: str
    author: str
    date: str
    subject: str


def _log(repo: Repo, revision: str, prefix: str, names: bool) -> list[tuple[CommitInfo, list[str]]]:
    """`git log` of `revision` limited to the catalog folder, newest first, with paths.

    `-z` makes git print paths verbatim and NUL-terminated: without it, git quotes names
    with non-ASCII bytes (`"services/caf\\303\\251.yaml"`) and they match no catalog file.
    Each record is the header, a NUL, then (with names) a newline and NUL-terminated paths.
    """
    args = ["-z", "--no-renames", "--no-color", _LOG_FORMAT] + (["--name-only"] if names else [])
    out = _git(repo, "log", *args, revision, *_pathspec(prefix), strip=False)
    commits = []
    for record in filter(None, out.split("\x1e")):
        header, _, rest = record.partition("\0")
        sha, author, when, subject = (header.split("\x1f") + ["", "", "", ""])[:4]
        names_out = rest.removeprefix("\n").split("\0")
        paths = [r for r in (_strip(prefix, p) for p in names_out if p) if r is not None]
        commits.append((CommitInfo(sha, author, when, subject), paths))
    return commits


def file_history(repo: Repo, sha: str, prefix: str) -> dict[str, list[CommitInfo]]:
    """Catalog-relative path -> the commits up to `sha` that touched it, newest first."""
    history: dict[str, list[CommitInfo]] = {}
    for commit, paths in _log(repo, sha, prefix, names=True):
        for rel in paths:
            history.setdefault(rel, []).append(commit)
    return history


@dataclass(frozen=True, slots=True)
class FileChange:
    """One commit's change to one file: its blob before and after ("" when absent)."""

    commit: CommitInfo
    rel: str
    before: str
    after: str
    order: int  # the commit's place in the log, 0 for the newest


_NO_BLOB = "0" * 40


def file_changes(repo: Repo, sha: str, prefix: str) -> dict[str, list[FileChange]]:
    """Catalog-relative path -> the commits up to `sha` that changed it, newest first, with
    the file's blob ids before and after (`git log --raw`: one process for the whole
    history; merges show no files, the commits of the merged branch do)."""
    out = _git(repo, "log", "-z", "--no-renames", "--no-color", "--raw", "--no-abbrev",
               _LOG_FORMAT, sha, *_pathspec(prefix), strip=False)
    history: dict[str, list[FileChange]] = {}
    for order, record in enumerate(filter(None, out.split("\x1e"))):
        header, _, rest = record.partition("\0")
        commit_sha, author, when, subject = (header.split("\x1f") + ["", "", "", ""])[:4]
        commit = CommitInfo(commit_sha, author, when, subject)
        tokens = rest.removeprefix("\n").split("\0")
        for meta, path in zip(tokens[0::2], tokens[1::2], strict=False):
            fields = meta.lstrip(":").split(" ")
            rel = _strip(prefix, path)
            if len(fields) < 4 or rel is None:
                continue
            before, after = (b if b != _NO_BLOB else "" for b in fields[2:4])
            history.setdefault(rel, []).append(FileChange(commit, rel, before, after, order))
    return history


def blob_sizes(repo: Repo, shas: Iterable[str]) -> dict[str, int]:
    """The sizes of blobs (`git cat-file --batch-check`), to refuse a huge one before reading."""
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    sizes = {}
    for line in _cat_file(repo, "--batch-check", wanted).decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob" and parts[2].isdigit():
            sizes[parts[0]] = int(parts[2])
    return sizes


def commits_between(repo: Repo, base: str, head: str, prefix: str) -> list[CommitInfo]:
    """Commits reachable from `head` but not from `base` that touch the catalog, newest first."""
    return [commit for commit, _ in _log(repo, f"{base}..{head}", prefix, names=False)]


def first_parent_commits(repo: Repo, base: str, head: str,
                         prefix: str) -> list[tuple[CommitInfo, tuple[str, ...]]]:
    """The commits that reached the branch of `head` since `base` (`--first-parent`: merges
    themselves, not the commits of the merged branches) and touch the catalog, newest
    first, each with its parents' shas (a merge has two)."""
    out = _git(repo, "log", "-z", "--first-parent", "--no-color",
               "--format=%x1e%H%x1f%an%x1f%aI%x1f%s%x1f%P", f"{base}..{head}",
               *_pathspec(prefix), strip=False)
    commits = []
    for record in filter(None, out.split("\x1e")):
        header = record.partition("\0")[0].strip("\n")
        sha, author, when, subject, parents = (header.split("\x1f") + [""] * 5)[:5]
        commits.append((CommitInfo(sha, author, when, subject), tuple(parents.split())))
    return commits


def has_commits(repo: Repo) -> bool:
    return bool(_try_git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"))
