"""The largest catalogs: 100,000 services beside 10,000, in one run (issue 19's `--large`).

`python3 benchmarks/large.py` (or `python3 benchmarks/run.py --large`) generates both
catalogs (or reuses them under `--work`) and measures, as child processes: validate cold
(`--no-cache`, parsing on every core), validate filling an empty cache, and validate warm,
each with the catalog's files in the OS's page cache (read once first: "cold" is the parse
cache's state, not the disk's).
The targets: peak memory under 2.5 GB at 100,000 services on a 2-core runner, and time within
11x the 10,000-service time of the same run (linear). Both sizes are measured the same way,
the best of `--repeat` runs (the filling run once at each size: a second would find the cache
filled). Earlier results compared one 100,000-service run with the best of three at
10,000, which biased the ratio upward: the best of three is the smallest of three draws,
one run a typical one.
It prints a Markdown section; `--write` replaces the part of benchmarks/RESULTS.md between its
markers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cache_bench import validate_command  # noqa: E402
from results_file import write_section  # noqa: E402
from run import Measure, fastest, once, with_bytecode  # noqa: E402

START, END = "<!-- large:start -->", "<!-- large:end -->"
SIZES = (10_000, 100_000)
MEMORY_TARGET_MB = 2.5 * 1024
TIME_TARGET = 11.0


# every file read once, in a child (its memory is not the runner's): see `measure`
READ_ALL = """\
import os, sys
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            handle.read()
"""


def measure(root: Path, repeat: int) -> dict[str, Measure]:
    """Cold without a cache, cold filling one, and warm, for one catalog.

    "Cold" means no parse cache, not a cold disk: the files are read once first, so that
    every run finds them in the OS's page cache, as a CI job does right after its checkout
    wrote them, and as the repeated 10,000-service runs do. Without it the 100,000-service
    cold run, measured first and once, also timed the disk (2026-12-04: 104 s, 18.8x, with
    the filling run that followed it 68 s; 87 s against 65 s after dropping the page cache
    by hand, one run each: listing and reading the 250,000 files took 29 s instead of 7 s).
    """
    subprocess.run([sys.executable, "-c", READ_ALL, str(root)], check=True)
    cache = Path(tempfile.mkdtemp(prefix="itsmctl-cache-"))
    os.environ["ITSMCTL_CACHE_DIR"] = str(cache)
    os.environ["ITSMCTL_CACHE_MAX_MB"] = "4096"  # 250,000 entries must fit, or warm is not warm
    try:
        out = {"cold, --no-cache": best_of_exactly(repeat, validate_command(root, "--no-cache"))}
        shutil.rmtree(cache, ignore_errors=True)
        # once: best_of repeats a run under 5 s, and a repeat finds the cache filled (warm)
        out["cold, filling the cache"] = once(validate_command(root))
        out["warm"] = best_of_exactly(repeat, validate_command(root))
        return out
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def best_of_exactly(repeat: int, cmd: list[str]) -> Measure:
    """The fastest of exactly `repeat` runs (run.best_of repeats short runs more often, which
    would compare a best of five at 10,000 services with a best of three at 100,000), with the
    largest peak memory of them."""
    runs = [once(cmd) for _ in range(repeat)]
    best = fastest(runs)
    best.peak_mb = max(run.peak_mb or 0.0 for run in runs)
    best.extra = {"exit_codes": sorted({c for r in runs for c in r.extra["exit_codes"]}),
                  "runs": repeat}
    return best


def catalog(work: Path, services: int) -> Path:
    root = work / f"catalog-{services}"
    if not root.is_dir():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(root), "--services",
                        str(services)], check=True, stdout=subprocess.DEVNULL)
    return root


def markdown(rows: dict[int, dict[str, Measure]]) -> str:
    (few, small), (many, large) = sorted(rows.items())
    runs = large[next(iter(large))].extra.get("runs", 1)
    lines = [START, f"The largest catalogs, {os.cpu_count()} cores: {many:,} services beside"
             f" {few:,}, in one run; each figure the best of {runs} runs (filling the cache:"
             " one run at each size).", "",
             f"| run | {few:,}: wall | CPU | peak RSS | {many:,}: wall | CPU | peak RSS |"
             f" time {many:,} / {few:,} | memory < 2.5 GB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name, big in large.items():
        base = small[name]
        scale = (big.seconds or 0) / (base.seconds or 1)
        lines.append(
            f"| {name} | {base.seconds or 0:.2f} s | {base.cpu_seconds or 0:.2f} s |"
            f" {base.peak_mb or 0:.0f} MB | {big.seconds or 0:.2f} s | {big.cpu_seconds or 0:.2f} s"
            f" | {big.peak_mb or 0:.0f} MB | {scale:.1f}x"
            f" ({'met' if scale <= TIME_TARGET else 'not met'}, target {TIME_TARGET:.0f}x) |"
            f" {'yes' if (big.peak_mb or 0) < MEMORY_TARGET_MB else 'no'} |")
    codes = {c for r in rows.values() for m in r.values() for c in m.extra.get("exit_codes", [])}
    lines += ["", f"Exit codes seen: {sorted(codes)} (1: the generated catalog has findings)."]
    lines.append(END)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    with_bytecode()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "itsmctl-bench")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--sizes", type=lambda s: tuple(int(x) for x in s.split(",")),
                        default=SIZES, help="the two service counts (a quick try: 200,2000)")
    args = parser.parse_args(argv)
    rows = {}
    for services in args.sizes:
        print(f"measuring {services:,} services ...", file=sys.stderr, flush=True)
        rows[services] = measure(catalog(args.work, services), args.repeat)
    text = markdown(rows)
    print(text)
    if args.write:
        write_section(text, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
