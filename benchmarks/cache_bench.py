"""The parse cache and the parallel parse, side by side with the parse floor, in one run.

`python3 benchmarks/cache_bench.py --services 10000` generates (or reuses) a catalog and
measures, as child processes, best of `--repeat`: the parse floor (yaml.load_all with
CSafeLoader, one process), validate with --no-cache (cold, parsing on every core), validate
with an empty cache (cold, filling it), validate with the cache warm, and validate after a
one-file edit (warm but one miss). Ratios are to the floor of the same run. It prints a
Markdown section; `--write` replaces the part of benchmarks/RESULTS.md between its markers.
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

from generate import TODAY  # noqa: E402  (the generator beside this file)
from results_file import write_section  # noqa: E402
from run import PARSE_FLOOR, Measure, best_of, fastest, once, with_bytecode  # noqa: E402

START, END = "<!-- cache:start -->", "<!-- cache:end -->"


def validate_command(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "itsmctl", "validate", str(root), "--today",
            TODAY.isoformat(), "-f", "json", *extra]


def measure(root: Path, repeat: int) -> dict[str, Measure]:
    cache = Path(tempfile.mkdtemp(prefix="itsmctl-cache-"))
    os.environ["ITSMCTL_CACHE_DIR"] = str(cache)
    out: dict[str, Measure] = {}
    out["floor"] = best_of(repeat, [[sys.executable, "-c", PARSE_FLOOR, str(root)]])
    out["cold, --no-cache"] = best_of(repeat, [validate_command(root, "--no-cache")])
    cold: list[Measure] = []
    for _ in range(repeat):  # each from an empty cache (a repetition would find it filled)
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(once(validate_command(root)))
    out["cold, filling the cache"] = fastest(cold)
    out["warm"] = best_of(repeat, [validate_command(root)])
    edited = next((root / "services").glob("*.yaml"))
    original = edited.read_text(encoding="utf-8")
    edits: list[Measure] = []
    try:
        for i in range(repeat):
            # a new edit each time, measured once: a second run of the same edit would be a
            # result-memo hit, not the one-file edit. The edit changes data (the description),
            # as a real pull request does, not only a comment
            edited.write_text(_edit_description(original, i), encoding="utf-8")
            edits.append(once(validate_command(root)))
    finally:
        edited.write_text(original, encoding="utf-8")
    out["warm, one file edited"] = fastest(edits)
    shutil.rmtree(cache, ignore_errors=True)
    return out


def _edit_description(text: str, i: int) -> str:
    """`text` with " (edit i)" appended to its metadata description (its first one)."""
    head, found, tail = text.partition("\n  description: ")
    if not found:
        raise SystemExit("cache_bench: the edited service has no description line to change")
    line, _, rest = tail.partition("\n")
    return f"{head}{found}{line} (edit {i})\n{rest}"


def markdown(services: int, rows: dict[str, Measure]) -> str:
    floor = rows["floor"].seconds
    lines = [START, f"Parse cache and parallel parse, {services:,} services, best of the run's"
             f" repeats, {os.cpu_count()} cores (ratios to the floor of the same run):", "",
             "| run | wall | CPU (user+sys, children too) | peak RSS | / floor |",
             "|---|---:|---:|---:|---:|"]
    for name, m in rows.items():
        lines.append(f"| {name} | {m.seconds or 0:.2f} s | {m.cpu_seconds or 0:.2f} s |"
                     f" {m.peak_mb or 0:.0f} MB | {(m.seconds or 0) / (floor or 1):.2f}x |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def main() -> int:
    with_bytecode()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "itsmctl-bench")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    root = args.work / f"catalog-{args.services}"
    if not root.is_dir():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(root), "--services",
                        str(args.services)], check=True, stdout=subprocess.DEVNULL)
    text = markdown(args.services, measure(root, args.repeat))
    print(text)
    if args.write:
        write_section(text, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
