"""The pull-request gate's targets, side by side in one run: cold validate, diff and check.

    python3 benchmarks/gate_bench.py --services 10000 --write   # the issue's size
    python3 benchmarks/run.py --gate --sizes 10000              # the same, from the runner

A generated catalog is committed on `main` and a branch edits one service (as run.py's
diff). Measured as child processes, best of `--repeat`, with a parse cache of this run's own
(ITSMCTL_CACHE_DIR in the work folder, so nothing of yours is read or written):

- the parse floor (yaml.load_all with CSafeLoader, one process);
- `validate --no-cache`, `diff main change --no-cache` and `check --base main --no-site
  --no-cache`: nothing cached, the exact diff validates both sides in full;
- `diff main change` with the cache holding HEAD's parses (one `validate .` on the branch
  first, labels as diff's), so only BASE's version of the edited file is parsed;
- `diff main change` after the default branch's own run (`validate .` on main, as CI runs on a
  push): the cache holds BASE's parses and BASE's result (the result memo), so BASE's rules do
  not run and only HEAD's edited file is parsed.

Targets (issue 12): diff within 1.5x and check within 1.6x of the cold validate, and the
warm diff within 0.6x of the parse floor. Ratios compare figures of the same run (wall and
CPU); the machine is shared, so absolute times are only context. `--write` replaces the
part of benchmarks/RESULTS.md between its gate markers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import TODAY  # noqa: E402  (the generator beside this file)
from results_file import write_section  # noqa: E402
from run import (  # noqa: E402
    PARSE_FLOOR,
    SHORT,
    Measure,
    best_of,
    cpu_ratio,
    fastest,
    fmt_mb,
    fmt_s,
    itsmctl,
    make_change,
    once,
    ratio,
    tolerant,
    with_bytecode,
)

START, END = "<!-- gate:start -->", "<!-- gate:end -->"
TARGETS = (  # (figure, compared with, at most, wording)
    ("diff_cold", "validate_cold", 1.5, "diff (one service, no cache) / validate (no cache)"),
    ("check_cold", "validate_cold", 1.6, "check (one service, no cache) / validate (no cache)"),
    ("diff_main_run", "floor", 0.6, "diff (after main's run: parses and BASE's result) / floor"))


def measure(root: Path, cache: Path, repeat: int) -> dict[str, Measure]:
    """Every figure of the scenario on one catalog (already committed, see make_change)."""
    today = ["--today", TODAY.isoformat()]
    diff = [*itsmctl(), "diff", "main", "change", "-C", str(root), *today]
    check = [*itsmctl(), "check", str(root), "--base", "main", "--no-site", "-f", "text", *today]
    validate = [*itsmctl(), "validate", str(root), *today]
    out = {"floor": best_of(repeat, [[sys.executable, "-c", PARSE_FLOOR, str(root)]]),
           "validate_cold": tolerant(repeat, [[*validate, "--no-cache"]]),
           "diff_cold": tolerant(repeat, [[*diff, "--no-cache"]]),
           "check_cold": tolerant(repeat, [[*check, "--no-cache"]])}
    here = [*itsmctl(), "validate", ".", *today]  # labels as diff's: the same cache entries
    for key, branch in (("diff_warm", "change"), ("diff_main_run", "main")):
        runs = []
        for _ in range(repeat):  # each run from the prepared cache: a repetition would find
            # HEAD's result, which the run before it memoised
            shutil.rmtree(cache, ignore_errors=True)
            subprocess.run(["git", "checkout", "-q", branch], cwd=root, check=True)
            subprocess.run(here, cwd=root, check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            subprocess.run(["git", "checkout", "-q", "change"], cwd=root, check=True)
            runs.append(once(diff))
        out[key] = fastest(runs)
    return out


def markdown(services: int, files: int, found: dict[str, Measure], repeat: int) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"### Pull-request gate, {services:,} services ({files:,} files)", "",
             f"Measured {when}, {os.cpu_count()} cores, best of {repeat} runs of each (of"
             f" {max(repeat, 5)} under {SHORT:.0f} s), in the same run (ratios: wall, and CPU"
             " user + system):", "",
             "| run | wall | CPU | peak RSS |", "|---|---:|---:|---:|"]
    names = {"floor": "parse floor", "validate_cold": "validate --no-cache",
             "diff_cold": "diff main change --no-cache",
             "check_cold": "check --base main --no-site --no-cache",
             "diff_warm": "diff main change, re-run (HEAD's parses and result cached)",
             "diff_main_run": "diff main change, after main's run (parses, BASE's result)"}
    for key, label in names.items():
        m = found[key]
        used = "—" if m.cpu_seconds is None else f"{m.cpu_seconds:.2f} s"
        lines.append(f"| {label} | {fmt_s(m)} | {used} | {fmt_mb(m)} |")
    lines += ["", "| target | wall | CPU | met (wall) |", "|---|---:|---:|---|"]
    for key, base, limit, text in TARGETS:
        wall, cpu = ratio(found[key], found[base]), cpu_ratio(found[key], found[base])
        met = "—" if wall is None else ("yes" if wall <= limit else "**no**")
        lines.append(f"| {text} <= {limit}x | {_x(wall)} | {_x(cpu)} | {met} |")
    notes = [f"{k}: {m.note}" for k, m in found.items() if m.note]
    if notes:
        lines += ["", "Notes: " + "; ".join(notes) + "."]
    return "\n".join(lines)


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def write(section: str) -> None:
    write_section(f"{START}\n{section}\n{END}", START, END)


def main(argv: list[str] | None = None) -> int:
    with_bytecode()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, help="where the catalog goes (default: a temp folder)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="itsmctl-gate-"))
    root, cache = work / f"gate-{args.services}", work / "cache"
    os.environ["ITSMCTL_CACHE_DIR"] = str(cache)  # the children's cache: this run's own
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(root), "--services",
                    str(args.services), "--seed", str(args.seed)], check=True,
                   stderr=subprocess.DEVNULL)
    files = sum(1 for p in root.rglob("*.yaml") if p.name != ".itsmctl.yaml")
    make_change(root)
    print(f"measuring the gate at {args.services:,} services ...", file=sys.stderr, flush=True)
    section = markdown(args.services, files, measure(root, cache, args.repeat), args.repeat)
    print(section)
    if args.write:
        write(section)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
