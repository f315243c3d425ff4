"""`itsmctl measure` at scale against its floor: Python's csv module reading the same files.

    python3 benchmarks/measure_bench.py [--tickets 1000000] [--dir /tmp/measure-bench]

Generates the records once (benchmarks/generate_records.py, seed 7: about three status
events per ticket), then runs, each in its own process and in the same run: the floor (a
`csv.reader` loop over tickets.csv and events.csv, nothing else) and `itsmctl measure
examples/ --records DIR -f json`. Rewrites the part of benchmarks/RESULTS.md between the
measure markers. Targets: within 3x the floor, under 500 MB peak RSS.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import with_bytecode  # noqa: E402 - after the sys.path line above

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
    measure = child([itsmctl, "measure", str(ROOT / "examples"), "--records", str(records),
                     "-f", "json", "-o", os.devnull])
    write_results(args.tickets, events, floor, measure)


def write_results(tickets: int, events: int, floor: tuple[float, float, int],
                  measure: tuple[float, float, int]) -> None:
    ratio_wall, ratio_cpu = measure[0] / floor[0], measure[1] / floor[1]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = f"""{START}
### measure

Measured {now}, Python {platform.python_version()}, {os.cpu_count()} cores (shared), one run
each, in the same run: {tickets:,} tickets and {events:,} status events (generate_records.py,
seed 7), 14 SLAs and 19 KPIs of examples/.

| run | wall | CPU (user + sys) | peak RSS |
|---|---:|---:|---:|
| floor: `csv.reader` over tickets.csv and events.csv | {floor[0]:.1f} s | {floor[1]:.1f} s \
| {floor[2]} MB |
| `itsmctl measure examples/ --records DIR -f json` | {measure[0]:.1f} s | {measure[1]:.1f} s \
| {measure[2]} MB |

| target | measured | met |
|---|---|---|
| within 3x the csv floor | {ratio_wall:.1f}x wall, {ratio_cpu:.1f}x CPU \
| {"yes" if ratio_cpu <= 3 else "no"} |
| peak memory under 500 MB | {measure[2]} MB | {"yes" if measure[2] < 500 else "no"} |
{END}"""
    results = HERE / "RESULTS.md"
    current = results.read_text()
    if START in current:
        current = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: text, current,
                         flags=re.DOTALL)
    else:
        marker = "<!-- results:end -->"
        current = current.replace(marker, marker + "\n\n" + text, 1)
    results.write_text(current)
    print(text)


if __name__ == "__main__":
    main()
