"""`itsmctl measure` at scale against its floor: Python's csv module reading the same files.

    python3 benchmarks/measure_bench.py [--tickets 1000000] [--dir /tmp/measure-bench]

Generates the records once (benchmarks/generate_records.py, seed 7: about three status
events per ticket), then runs, each in its own process and in the same run: the floor (a
`csv.reader` loop over tickets.csv and events.csv, nothing else) and `itsmctl measure
examples/ --records DIR -f json` three ways: by default (every core), with `--jobs 1` (one
process), and with `--per-ticket` (whose rows the workers hand to the parent). Rewrites the
part of benchmarks/RESULTS.md between the measure markers. Targets: within 3x the floor, judged
by the CPU of the one-process run (the work itself; workers only add CPU to it), under 500 MB
peak RSS in every run.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from results_file import write_section  # noqa: E402 - after the sys.path line above
from run import with_bytecode  # noqa: E402

FLOOR = """\
import csv, sys
for name in ("tickets.csv", "events.csv"):
    with open(f"{sys.argv[1]}/{name}", newline="") as handle:
        for row in csv.reader(handle):
            pass
"""
START, END = "<!-- measure:start -->", "<!-- measure:end -->"


def child(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MB of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"{args[0]} failed: {done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss // 1024


def main() -> None:
    with_bytecode()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/measure-bench"))
    args = parser.parse_args()
    records = args.dir / f"records-{args.tickets}"
    if not (records / "events.csv").is_file():
        subprocess.run([sys.executable, str(HERE / "generate_records.py"), str(records),
                        "--tickets", str(args.tickets), "--start", "2026-01-01"], check=True)
    events = sum(1 for _ in (records / "events.csv").open()) - 1
    floor = child([sys.executable, "-c", FLOOR, str(records)])
    itsmctl = str(Path(sys.executable).with_name("itsmctl"))
    base = [itsmctl, "measure", str(ROOT / "examples"), "--records", str(records),
            "-f", "json", "-o", os.devnull]
    with tempfile.TemporaryDirectory(prefix="measure-bench-") as scratch:
        rows = str(Path(scratch, "rows.csv"))  # a file, as users write it: /dev/null or a
        # pipe is held whole in memory (a second attempt must start the rows over)
        runs = {name: child(base + [rows if arg == ROWS else arg for arg in extra])
                for name, extra in RUNS}
    write_results(args.tickets, events, floor, runs)


# what is measured beside the floor: the default (every core), one process (the CPU the
# work itself takes, and what the default is judged against), and the per-ticket CSV written
# by the workers (its rows travel to the parent, so its memory is the one to watch)
ROWS = "FILE"
RUNS = (("", []), ("--jobs 1", ["--jobs", "1"]), ("--per-ticket FILE", ["--per-ticket", ROWS]))


def write_results(tickets: int, events: int, floor: tuple[float, float, int],
                  runs: dict[str, tuple[float, float, int]]) -> None:
    measure, single = runs[""], runs["--jobs 1"]
    ratio_wall, ratio_cpu = measure[0] / floor[0], measure[1] / floor[1]
    judged = single[1] / floor[1]  # the work itself: parallel runs only add CPU to it
    peak = max(run[2] for run in runs.values())
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = "\n".join(
        f"| `itsmctl measure examples/ --records DIR -f json{' ' + name if name else ''}` "
        f"| {wall:.1f} s | {cpu:.1f} s | {rss} MB | {wall / floor[0]:.1f}x "
        f"| {cpu / floor[1]:.1f}x |"
        for name, (wall, cpu, rss) in runs.items())
    text = f"""{START}
### measure

Measured {now}, Python {platform.python_version()}, {os.cpu_count()} cores (shared), one run
each, in the same run: {tickets:,} tickets and {events:,} status events (generate_records.py,
seed 7), 14 SLAs and 19 KPIs of examples/. Without `--jobs`, measure counts on every core.

| run | wall | CPU (user + sys) | peak RSS | wall / floor | CPU / floor |
|---|---:|---:|---:|---:|---:|
| floor: `csv.reader` over tickets.csv and events.csv | {floor[0]:.1f} s | {floor[1]:.1f} s \
| {floor[2]} MB | 1.0x | 1.0x |
{rows}

| target | measured | met |
|---|---|---|
| within 3x the csv floor | default {ratio_wall:.1f}x wall, {ratio_cpu:.1f}x CPU; `--jobs 1` \
{single[0] / floor[0]:.1f}x wall, {single[1] / floor[1]:.1f}x CPU \
| {"yes" if judged <= 3 else "no"} (by the CPU of `--jobs 1`) |
| peak memory under 500 MB | {peak} MB (the largest of the runs) | {"yes" if peak < 500 else "no"} |
{END}"""
    write_section(text, START, END)
    print(text)


if __name__ == "__main__":
    main()
