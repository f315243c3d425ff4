"""Property: diff's findings diff is exactly the difference of two validate runs.

Random sequences of edits of the example catalog (lower or raise an SLA, harden or soften a
dependency, add a dependency that may close a cycle, retire a service, point an owner at a
missing team, break a file's YAML, copy a file under a new name, delete a file) are committed
one by one to a real temporary repository. For two commits of the sequence, `diff`'s new and
fixed findings must equal, as multisets of fingerprints, HEAD's validate findings minus
BASE's and the reverse; and the entities it reports changed must be the entities that differ.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itsmctl.diff import diff_refs
from itsmctl.validate import ValidationResult, validate_path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = date(2026, 11, 23)
SERVICES = sorted(p.stem for p in (EXAMPLES / "services").glob("*.yaml"))
SLAS = sorted(p.relative_to(EXAMPLES).as_posix() for p in (EXAMPLES / "slas").glob("*.yaml"))
FILES = sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.yaml")
               if p.parent.name != "policies")

Edit = Callable[[Path], None]


def _sub(rel: str, pattern: str, replacement: str) -> Edit:
    def apply(root: Path) -> None:
        path = root / rel
        if path.exists():
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(pattern, replacement, text, count=1), encoding="utf-8")
    return apply


def _availability(rel: str, value: str) -> Edit:
    return _sub(rel, r"(?m)^  availability: [0-9.]+$", f"  availability: {value}")


def _flip(service: str, index: int) -> Edit:
    def apply(root: Path) -> None:
        path = root / "services" / f"{service}.yaml"
        if not path.exists():
            return
        text = path.read_text(encoding="utf-8")
        found = list(re.finditer(r"type: (hard|soft)\}", text))
        if found:
            m = found[index % len(found)]
            other = "soft" if m[1] == "hard" else "hard"
            path.write_text(text[:m.start(1)] + other + text[m.end(1):], encoding="utf-8")
    return apply


def _depend(service: str, target: str, kind: str) -> Edit:
    return _sub(f"services/{service}.yaml", r"(?m)^  dependencies:\n",
                f"  dependencies:\n    - {{service: {target}, type: {kind}}}\n")


def _break(rel: str) -> Edit:
    def apply(root: Path) -> None:
        path = root / rel
        if path.exists():
            path.write_text(path.read_text(encoding="utf-8") + "\n  : [broken\n", encoding="utf-8")
    return apply


def _copy(rel: str) -> Edit:
    def apply(root: Path) -> None:
        if (root / rel).exists():
            shutil.copyfile(root / rel, root / rel.replace(".yaml", "-copy.yaml"))
    return apply


def _delete(rel: str) -> Edit:
    def apply(root: Path) -> None:
        (root / rel).unlink(missing_ok=True)
    return apply


EDITS = st.one_of(
    st.builds(_availability, st.sampled_from(SLAS),
              st.sampled_from(["99.0", "99.5", "99.9", "99.95", "99.99", "99.999"])),
    st.builds(_flip, st.sampled_from(SERVICES), st.integers(0, 5)),
    st.builds(_depend, st.sampled_from(SERVICES), st.sampled_from(SERVICES),
              st.sampled_from(["hard", "soft"])),
    st.builds(lambda s: _sub(f"services/{s}.yaml", r"lifecycle: \w+", "lifecycle: retired"),
              st.sampled_from(SERVICES)),
    st.builds(lambda s: _sub(f"services/{s}.yaml", r"owner: [\w-]+", "owner: nobody"),
              st.sampled_from(SERVICES)),
    st.builds(_break, st.sampled_from(FILES)),
    st.builds(_copy, st.sampled_from(FILES)),
    st.builds(_delete, st.sampled_from(FILES)),
)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


def _fingerprints(result: ValidationResult) -> Counter[str]:
    return Counter(f.fingerprint for f in result.findings)


@pytest.mark.slow
@settings(max_examples=6)
@given(edits=st.lists(EDITS, min_size=1, max_size=4), pick=st.integers(0, 3))
def test_diff_equals_the_difference_of_two_validate_runs(
        edits: list[Edit], pick: int, isolated_git: None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(EXAMPLES, root)
        _git(root, "init", "-q", "-b", "main")
        commits: list[tuple[str, ValidationResult]] = []
        for edit in [lambda root: None, *edits]:
            edit(root)
            _git(root, "add", "-A")
            _git(root, "commit", "-q", "--allow-empty", "-m", "edit")
            commits.append((_git(root, "rev-parse", "HEAD"),
                            validate_path(root, today=TODAY, display_root="")))
        (base, before), (head, after) = commits[pick % len(commits)], commits[-1]
        result = diff_refs(root, base, head, today=TODAY)
        assert Counter(f.fingerprint for f in result.new_findings) == \
            _fingerprints(after) - _fingerprints(before)
        assert Counter(f.fingerprint for f in result.fixed_findings) == \
            _fingerprints(before) - _fingerprints(after)
        differ = {str(e.ref) for e in after.catalog} ^ {str(e.ref) for e in before.catalog}
        differ |= {str(e.ref) for e in after.catalog
                   if (old := before.catalog.get(e.ref)) is not None and old.data != e.data}
        reported = {c.ref for c in result.changes} | {
            f"{c.kind}:{c.renamed_from}" for c in result.changes if c.renamed_from}
        assert differ <= reported
