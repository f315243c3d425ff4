"""`check`, `render` and `score` load each side once: one parse per catalog file and side, one
validation of it, one repository handle per run."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

import itsmctl.config
import itsmctl.git
import itsmctl.parallelparse
import itsmctl.policy.load
import itsmctl.runcontext
from tests.gitops.conftest import Git, Invoke

EDITED = "slas/checkout-sla.yaml"


@pytest.fixture
def example_repo(tmp_path: Path, examples_dir: Path, run_git: Git, invoke: Invoke) -> Path:
    """The example catalog with its site committed on main, and one SLA edited on a branch."""
    repo = tmp_path / "repo"
    shutil.copytree(examples_dir, repo)
    assert invoke("render", str(repo), "--no-history", "-o", str(repo / "site")).exit_code == 0
    run_git(repo, "init", "-q", "-b", "main")
    run_git(repo, "add", "-A")
    run_git(repo, "add", "-f", "site")
    run_git(repo, "commit", "-q", "-m", "The catalog and its site")
    sla = repo / EDITED
    sla.write_text(sla.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    return repo


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each file is parsed: catalog files (parallelparse), policy files and the
    config (each parsed where it is read), by label."""
    counts: Counter[str] = Counter()
    for module in (itsmctl.parallelparse, itsmctl.policy.load, itsmctl.config):
        real = module.parse_source

        def counting(source, limits, real=real):  # type: ignore[no-untyped-def]
            counts[source.label] += 1
            return real(source, limits)

        monkeypatch.setattr(module, "parse_source", counting)
    return counts


def catalog_files(repo: Path) -> set[str]:
    return {p.relative_to(repo).as_posix() for p in repo.rglob("*.yaml")
            if p.relative_to(repo).parts[0] not in ("site", "policies", ".itsmctl.yaml")}


def relative(parsed: Counter[str], repo: Path) -> Counter[str]:
    """The parses by file relative to `repo`, however the command labelled them."""
    prefix = f"{repo.as_posix()}/"
    out: Counter[str] = Counter()
    for label, n in parsed.items():
        out[label.removeprefix(prefix)] += n
    return out


def catalog_parses(parsed: Counter[str], repo: Path) -> Counter[str]:
    files = catalog_files(repo)
    return Counter({rel: n for rel, n in relative(parsed, repo).items() if rel in files})


def test_check_parses_each_file_once_per_side(example_repo: Path, invoke: Invoke,
                                              parsed: Counter[str]) -> None:
    result = invoke("check", str(example_repo), "--base", "main", "--no-cache")
    assert result.exit_code == 0 and "is up to date" in result.output, result.output
    # the edited file has different bytes on each side: one parse per side; others once
    assert catalog_parses(parsed, example_repo) == Counter(
        {f: 2 if f == EDITED else 1 for f in catalog_files(example_repo)})


def test_check_opens_the_repository_once(example_repo: Path, invoke: Invoke,
                                         opened: list[Path]) -> None:
    """One handle for the whole run, so each ref is resolved once (git.resolve_commit)."""
    result = invoke("check", str(example_repo), "--base", "main", "--no-cache")
    assert result.exit_code == 0 and "is up to date" in result.output, result.output
    assert opened == [example_repo]


def test_render_since_checks_each_ref_once(example_repo: Path, invoke: Invoke, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = itsmctl.git.check_ref

    def counting(ref: str) -> None:
        checked.append(ref)
        real(ref)

    monkeypatch.setattr(itsmctl.git, "check_ref", counting)
    result = invoke("render", str(example_repo), "--since", "main", "--no-history",
                    "-o", str(tmp_path / "site"), "--no-cache")
    assert result.exit_code == 0, result.output
    assert checked == ["main"]
    assert (tmp_path / "site" / "changes.html").is_file()



ONCE_EACH = {".itsmctl.yaml": 1, "policies/larkspur.yaml": 1}


@pytest.mark.parametrize("args", [("render", "--no-history"), ("score",)],
                         ids=["render", "score"])
def test_render_and_score_parse_each_file_once(example_repo: Path, invoke: Invoke,
                                               parsed: Counter[str], tmp_path: Path,
                                               args: tuple[str, ...]) -> None:
    out = ("-o", str(tmp_path / "site")) if args[0] == "render" else ()
    result = invoke(args[0], str(example_repo), *args[1:], *out, "--no-cache")
    assert result.exit_code == 0, result.output
    # the catalog, its config and its policy file, each parsed once
    assert relative(parsed, example_repo) == Counter(
        {**dict.fromkeys(catalog_files(example_repo), 1), **ONCE_EACH})


def test_render_since_parses_each_catalog_file_once_per_side(
        example_repo: Path, invoke: Invoke, parsed: Counter[str], tmp_path: Path) -> None:
    result = invoke("render", str(example_repo), "--since", "main", "--no-history",
                    "-o", str(tmp_path / "site"), "--no-cache")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "changes.html").is_file()
    # both sides of the changes page: the edited file once per side, the others once
    assert catalog_parses(parsed, example_repo) == Counter(
        {f: 2 if f == EDITED else 1 for f in catalog_files(example_repo)})


def settings_parses(parsed: Counter[str], repo: Path) -> Counter[str]:
    """The parses of the config and the policy file, however the command labelled them."""
    return Counter({rel: n for rel, n in relative(parsed, repo).items() if rel in ONCE_EACH})


@pytest.mark.parametrize("site", [(), ("--no-site",)], ids=["committed site", "no site"])
def test_check_parses_the_config_and_policies_once_per_side(
        example_repo: Path, invoke: Invoke, parsed: Counter[str],
        site: tuple[str, ...]) -> None:
    """HEAD's config and policies come from the run (not read again through git, nor by the
    committed site's render); BASE's are read once."""
    result = invoke("check", str(example_repo), "--base", "main", "--no-cache", *site)
    assert result.exit_code == 0, result.output
    assert ("is up to date" in result.output) == (not site), result.output
    assert settings_parses(parsed, example_repo) == Counter(
        {".itsmctl.yaml": 2, "policies/larkspur.yaml": 2})


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each validation of a loaded catalog (rules run, graded, waived), by the day judged."""
    import itsmctl.validate

    days: list[str] = []
    real = itsmctl.validate.check_loaded

    def counting(loaded, config, **options):  # type: ignore[no-untyped-def]
        days.append(str(options.get("today")))
        return real(loaded, config, **options)

    monkeypatch.setattr(itsmctl.validate, "check_loaded", counting)
    return days


def test_check_shows_its_own_validation_on_the_committed_site(
        example_repo: Path, invoke: Invoke, validations: list[str]) -> None:
    """On the day the site records (2026-11-23, the tests' --today), the site check shows
    the validation `check` reports (HEAD's) instead of validating the catalog again; without
    --today the site is judged as of its day, the rest as of the clock: one more validation,
    of the same load."""
    result = invoke("check", str(example_repo), "--base", "main", "--no-cache")
    assert result.exit_code == 0 and "is up to date" in result.output, result.output
    assert validations == ["2026-11-23", "2026-11-23"]  # HEAD, then BASE; the site none
    validations.clear()
    result = invoke("check", str(example_repo), "--base", "main", "--no-cache",
                    env={"ITSMCTL_TODAY": None})
    assert result.exit_code == 0 and "is up to date" in result.output, result.output
    clock = str(itsmctl.runcontext.clock_today())
    assert validations == [clock, clock, "2026-11-23"]


def test_render_since_parses_the_config_and_policies_once_per_side(
        example_repo: Path, invoke: Invoke, parsed: Counter[str], tmp_path: Path) -> None:
    """The config and the policy file once per side: the changes page's diff takes HEAD's
    policies from the run (read from disk, labelled from the catalog folder as spelled),
    under git's labels, instead of reading them again through git."""
    result = invoke("render", str(example_repo), "--since", "main", "--no-history",
                    "-o", str(tmp_path / "site"), "--no-cache")
    assert result.exit_code == 0, result.output
    assert settings_parses(parsed, example_repo) == Counter(
        {".itsmctl.yaml": 2, "policies/larkspur.yaml": 2})


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Each repository handle opened (git.open_repo), by the path asked for."""
    paths: list[Path] = []
    real = itsmctl.git.open_repo

    def counting(path):  # type: ignore[no-untyped-def]
        paths.append(path)
        return real(path)

    monkeypatch.setattr(itsmctl.git, "open_repo", counting)
    return paths


@pytest.mark.parametrize("args", [("--since", "main"), ("--ref", "main"), ()],
                         ids=["since with history", "ref with history", "history"])
def test_render_opens_the_repository_once(example_repo: Path, invoke: Invoke, tmp_path: Path,
                                          opened: list[Path], args: tuple[str, ...]) -> None:
    """One handle for the catalog, its history, the provenance and the changes page."""
    result = invoke("render", str(example_repo), *args, "-o", str(tmp_path / "site"),
                    "--no-cache")
    assert result.exit_code == 0, result.output
    assert opened == [example_repo]


def test_render_outside_git_looks_for_a_repository_once(
        tmp_path: Path, examples_dir: Path, invoke: Invoke, opened: list[Path]) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(examples_dir, catalog)
    result = invoke("render", str(catalog), "-o", str(tmp_path / "site"), "--no-cache")
    assert result.exit_code == 0, result.output
    assert opened == [catalog]  # history and provenance both go without, from one look
