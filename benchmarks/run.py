"""The benchmark runner: itsmctl against the parse floor and check-jsonschema, on the same files.

    python3 benchmarks/run.py                 # 1,000 and 10,000 services
    python3 benchmarks/run.py --large         # then 100,000 beside 10,000 (large.py)
    python3 benchmarks/run.py --sizes 2000    # any sizes
    python3 benchmarks/run.py --gate --sizes 10000   # the pull-request gate only (gate_bench.py)

Every figure is the best of `--repeat` runs (3 by default) of a whole child process, so
interpreter start-up counts for every tool alike; peak memory is the child's maximum RSS
(`os.wait4`; Linux counts the runner's memory it was forked from, so the runner stays small and
says how small). Ratios compare figures of the same run on the same files: the machine is
shared, so absolute times are only context. Writes benchmarks/RESULTS.md (the part between
the markers; the optimisation log below them is kept) and benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import FOLDERS, TODAY  # noqa: E402 - after the sys.path line above
from results_file import write_section  # noqa: E402

SCHEMAS = REPO / "schemas"
SCHEMA_OF = {  # folder written by generate.py -> the schema of its kind
    FOLDERS["Team"]: "team.schema.json", FOLDERS["Service"]: "service.schema.json",
    FOLDERS["BusinessCalendar"]: "business-calendar.schema.json", FOLDERS["SLA"]: "sla.schema.json",
    FOLDERS["RACI"]: "raci.schema.json", FOLDERS["ChangeModel"]: "change-model.schema.json",
    FOLDERS["ServiceCatalog"]: "service-catalog.schema.json",
}
START, END = "<!-- results:start -->", "<!-- results:end -->"
PARSE_FLOOR = """
import sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
count = 0
for path in sorted(root.rglob("*.yaml")):
    if path.name != ".itsmctl.yaml":
        for _ in yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader):
            count += 1
print(count)
"""


@dataclass
class Measure:
    """Best wall time and the peak RSS of one measured command (or a sum of several)."""

    seconds: float | None = None
    peak_mb: float | None = None
    cpu_seconds: float | None = None  # user + system time of the child: less hurt by a busy box
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def with_bytecode() -> None:
    """Run every child as an installed itsmctl runs: with its modules' bytecode compiled. A
    shell that sets PYTHONDONTWRITEBYTECODE (some sandboxes and CI images do) made each
    measured run compile every module from source again (about 0.05-0.1 s CPU a run, which
    weighs on the short ones: start-up, warm runs)."""
    import compileall

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(REPO / "itsmctl"), quiet=1)


def run_once(cmd: Sequence[str], cwd: Path | None = None) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS in MB, exit code and CPU seconds of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:4])}... exited {proc.returncode}: {err[-2000:]!r}")
    return seconds, usage.ru_maxrss / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


LONG = 120.0  # a measurement longer than this is not repeated: noise is small beside it
SHORT = 5.0  # one shorter than this is repeated 5 times: a burst of load weighs more on it


def best_of(repeat: int, cmds: Sequence[Sequence[str]], cwd: Path | None = None) -> Measure:
    """Best-of-N of the summed wall time of `cmds`; peak memory is the largest child's."""
    best: float | None = None
    best_cpu = 0.0
    peak, codes, runs = 0.0, set(), 0
    while (runs < repeat and (best is None or best < LONG)) or (
            best is not None and best < SHORT and runs < max(repeat, 5)):
        total = cpu = 0.0
        for cmd in cmds:
            seconds, mb, code, used = run_once(cmd, cwd)
            total, cpu = total + seconds, cpu + used
            peak = max(peak, mb)
            codes.add(code)
        best_cpu = cpu if best is None else min(best_cpu, cpu)
        best = total if best is None else min(best, total)
        runs += 1
    return Measure(best, round(peak, 1), round(best_cpu, 3),
                   extra={"exit_codes": sorted(codes), "runs": runs})


def once(cmd: Sequence[str], cwd: Path | None = None) -> Measure:
    """One run of `cmd`, never repeated: for runs that depend on a prepared cache state, where
    best_of's repetitions would find what the first one wrote (the result memo)."""
    seconds, mb, code, used = run_once(cmd, cwd)
    return Measure(seconds, round(mb, 1), round(used, 3), extra={"exit_codes": [code], "runs": 1})


def fastest(measures: Sequence[Measure]) -> Measure:
    """The fastest of runs each measured from its own prepared state (`once`)."""
    return min(measures, key=lambda m: m.seconds or 0.0)


def itsmctl() -> list[str]:
    """The console script pip installed beside this interpreter, as a user's shell runs it.
    Not the first `itsmctl` on PATH: a version manager's shim there (pyenv's is a bash script
    that runs `pyenv exec`) added about 0.2 s to every measured run, start-up included."""
    beside = Path(sys.executable).with_name("itsmctl")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("itsmctl")
    return [found] if found else [sys.executable, "-m", "itsmctl"]


def has_command(name: str) -> bool:
    result = subprocess.run([*itsmctl(), name, "--help"], capture_output=True, check=False)
    return result.returncode == 0


def catalog_files(root: Path) -> dict[str, list[str]]:
    return {folder: sorted(f"{folder}/{p.name}" for p in (root / folder).glob("*.yaml"))
            for folder in SCHEMA_OF}


def peer_commands(root: Path) -> list[list[str]]:
    """One check-jsonschema process per kind; the schemas carry no $id, so their relative
    $refs resolve to the schema files beside them, on disk."""
    exe = shutil.which("check-jsonschema") or "check-jsonschema"
    cmds = []
    for folder, files in catalog_files(root).items():
        schema = SCHEMAS / SCHEMA_OF[folder]
        for chunk in _chunks(files, ARGS_LIMIT):
            cmds.append([exe, "--schemafile", str(schema), *chunk])
    return cmds


ARGS_LIMIT = 1_500_000  # bytes of file names per process: Linux allows about 2 MB of arguments


def _chunks(files: list[str], limit: int) -> list[list[str]]:
    """Split a kind's files only when one command line could not hold them (50,000 services)."""
    out: list[list[str]] = []
    size = limit
    for name in files:
        if size + len(name) + 1 > limit:
            out.append([])
            size = 0
        out[-1].append(name)
        size += len(name) + 1
    return out


def measure_size(count: int, work: Path, seed: int, repeat: int) -> dict[str, Any]:
    root = work / f"catalog-{count}"
    # in a child: generating in this process would grow it, and a child's peak RSS starts at
    # its parent's (the memory it was forked from counts until exec)
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(root), "--services",
                    str(count), "--seed", str(seed)], check=True, stderr=subprocess.DEVNULL)
    files = sum(len(v) for v in catalog_files(root).values())
    today = TODAY.isoformat()
    row: dict[str, Any] = {"services": count, "entities": files, "files": files}
    validate = best_of(repeat, [[*itsmctl(), "validate", str(root), "--today", today,
                                 "--no-cache"]])
    if validate.extra["exit_codes"] != [0]:
        validate.note = "the generated catalog has findings: see `itsmctl validate`"
    row["validate"] = validate
    row["parse_floor"] = best_of(repeat, [[sys.executable, "-c", PARSE_FLOOR, str(root)]])
    peer = best_of(repeat, peer_commands(root), cwd=root)
    peer.note = f"{len(peer_commands(root))} processes (one per kind), summed"
    row["check_jsonschema"] = peer
    row["diff"] = measure_diff(root, repeat)
    row["check"] = measure_check(root, repeat)
    row["render"] = measure_render(root, work / f"site-{count}", repeat)
    return row


def git(root: Path, *args: str) -> None:
    """A git command in the catalog's repository; never git's automatic maintenance, which a
    commit of 6,700 or more loose objects starts behind it (see make_change)."""
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com",
                    "-c", "commit.gpgsign=false", "-c", "gc.auto=0", "-c",
                    "maintenance.auto=false", *args], cwd=root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure_diff(root: Path, repeat: int) -> Measure:
    """A pull request that changes one service: the catalog committed on main, one commit on
    a branch that edits one service's description and budget; `itsmctl diff main change`."""
    if not has_command("diff"):
        return Measure(note="pending: `itsmctl diff` does not exist yet")
    service = make_change(root)
    measure = tolerant(repeat, [[*itsmctl(), "diff", "main", "change", "-C", str(root),
                                 "--today", TODAY.isoformat(), "--no-cache"]])
    measure.note = measure.note or f"changes {service}"
    return measure


def make_change(root: Path) -> str:
    """Commit the catalog on main and, on branch `change` (checked out), one commit editing
    one service's description and budget; the edited file's name."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "catalog")
    git(root, "checkout", "-q", "-b", "change")
    service = sorted((root / FOLDERS["Service"]).glob("*.yaml"))[len(SCHEMA_OF)]
    text = service.read_text(encoding="utf-8")
    text = text.replace("monthlyBudget: ", "monthlyBudget: 1", 1).replace(
        "description: ", "description: Re-platformed. ", 1)
    service.write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "change one service")
    # Packed before anything is measured, as a CI clone is. Left to itself, the first commit
    # of 10,000 services' 24,790 loose objects started `git gc --auto` in the background:
    # run.py's one diff sample ran beside it and read loose objects (1.69x validate, where
    # gate_bench's diff, measured after the cold validates, read 1.35x).
    git(root, "gc", "-q")
    return service.name


def measure_check(root: Path, repeat: int) -> Measure:
    """`itsmctl check --base main --no-site` on the branch of `measure_diff` (HEAD: the
    working tree): validate + the exact diff against main, as CI runs it."""
    if not has_command("check"):
        return Measure(note="pending: `itsmctl check` does not exist yet")
    measure = tolerant(repeat, [[*itsmctl(), "check", str(root), "--base", "main", "--no-site",
                                 "-f", "text", "--today", TODAY.isoformat(), "--no-cache"]])
    return measure


def tolerant(repeat: int, cmds: Sequence[Sequence[str]]) -> Measure:
    """best_of for the other commands: one that crashes is reported, the run goes on."""
    try:
        return best_of(repeat, cmds)
    except RuntimeError as error:
        return Measure(note=f"failed: {str(error)[:300]}")


def measure_render(root: Path, site: Path, repeat: int) -> Measure:
    """`itsmctl render --no-history` (git history per page is a separate cost)."""
    if not has_command("render"):
        return Measure(note="pending: `itsmctl render` does not exist yet")
    command = [*itsmctl(), "render", str(root), "-o", str(site), "--no-history", "--today",
               TODAY.isoformat(), "--no-cache"]
    runs: list[Measure] = []
    try:
        # each run into a fresh folder, as the table says: a repetition into the last run's
        # site would also replace its files (25,000 at 10,000 services)
        while len(runs) < repeat and not (runs and (runs[-1].seconds or 0) >= LONG):
            shutil.rmtree(site, ignore_errors=True)
            runs.append(once(command))
    except RuntimeError as error:
        return Measure(note=f"failed: {str(error)[:300]}")
    measure = fastest(runs)
    measure.peak_mb = max(m.peak_mb or 0.0 for m in runs)
    measure.cpu_seconds = min(m.cpu_seconds or 0.0 for m in runs)
    measure.extra = {"exit_codes": sorted({c for m in runs for c in m.extra["exit_codes"]}),
                     "runs": len(runs)}
    pages = sum(1 for _ in site.rglob("*.html"))
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    if measure.seconds:
        measure.extra |= {"pages": pages, "pages_per_second": round(pages / measure.seconds, 1),
                          "site_mb": round(size / 1_000_000, 1)}
    shutil.rmtree(site, ignore_errors=True)
    return measure


def measure_startup(repeat: int) -> dict[str, Measure]:
    version = best_of(max(repeat, 10), [[*itsmctl(), "--version"]])
    bare = best_of(max(repeat, 10), [[sys.executable, "-c", "pass"]])  # the issue's yardstick
    examples = best_of(max(repeat, 5), [[*itsmctl(), "validate", str(REPO / "examples"),
                                         "--today", TODAY.isoformat()]])
    return {"version": version, "bare_python": bare, "validate_examples": examples}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import yaml

    def version_of(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
            return out.splitlines()[-1] if out else "?"
        except OSError:
            return "not installed"

    return {
        "cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(),
        "python": platform.python_version(), "libyaml": bool(yaml.__with_libyaml__),
        "itsmctl": version_of([*itsmctl(), "--version"]),
        "check_jsonschema": version_of(["check-jsonschema", "--version"]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def ratio(a: Measure, b: Measure) -> float | None:
    if a.seconds is None or b.seconds is None or b.seconds == 0:
        return None
    return round(a.seconds / b.seconds, 2)


def cpu_ratio(a: Measure, b: Measure) -> float | None:
    if not a.cpu_seconds or not b.cpu_seconds:
        return None
    return round(a.cpu_seconds / b.cpu_seconds, 2)


def fmt_s(m: Measure) -> str:
    return "—" if m.seconds is None else f"{m.seconds:.2f} s"


def fmt_mb(m: Measure) -> str:
    return "—" if m.peak_mb is None else f"{m.peak_mb:.0f} MB"


HEADER = ("| services | entities (files) | validate | peak RSS | parse floor | check-jsonschema"
          " | peer / validate | validate / floor | diff (1 service) | check (1 service) | render |")


def markdown(info: dict[str, Any], rows: list[dict[str, Any]], startup: dict[str, Measure]) -> str:
    lines = [
        (f"Measured {info['date']} on {info['cpu']}, {info['cores']} cores, Python"
         f" {info['python']}, libyaml {'present' if info['libyaml'] else 'absent'}, {info['os']};"
         f" {info['itsmctl']}, {info['check_jsonschema']}. Best of 3 runs (of 5 under"
         f" {SHORT:.0f} s, once over {LONG:.0f} s); peak RSS of the child process (at least"
         f" the runner's {info['runner_rss_mb']:.0f} MB, which a child starts from)."),
        "",
        HEADER,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in rows:
        v, f, p = r["validate"], r["parse_floor"], r["check_jsonschema"]
        lines.append(
            f"| {r['services']:,} | {r['entities']:,} ({r['files']:,}) | {fmt_s(v)} | {fmt_mb(v)} |"
            f" {fmt_s(f)} | {fmt_s(p)} | {_x(ratio(p, v))} | {_x(ratio(v, f))} |"
            f" {_cell(r['diff'])} | {_cell(r.get('check', Measure()))} | {_cell(r['render'])} |")
    lines += ["", "CPU time (user + system) of the same runs, which a busy machine disturbs"
              " less: " + "; ".join(
        f"{r['services']:,}: validate {r['validate'].cpu_seconds:.2f} s, floor"
        f" {r['parse_floor'].cpu_seconds:.2f} s, check-jsonschema"
        f" {r['check_jsonschema'].cpu_seconds:.2f} s (peer / validate"
        f" {_x(cpu_ratio(r['check_jsonschema'], r['validate']))}, validate / floor"
        f" {_x(cpu_ratio(r['validate'], r['parse_floor']))})" for r in rows) + "."]
    lines += ["", "Render beside validate (same catalog, same run; the issue's target is 1.5x at"
              " 10,000): " + "; ".join(
        f"{r['services']:,}: render / validate {_x2(ratio(r['render'], r['validate']))} wall,"
        f" {_x2(cpu_ratio(r['render'], r['validate']))} CPU" for r in rows) + "."]
    lines += [
        "",
        (f"Start-up: `itsmctl --version` {_ms(startup['version'])}, a bare `python3 -c pass`"
         f" {_ms(startup['bare_python'])} (the same interpreter);"
         f" `itsmctl validate examples/` {_ms(startup['validate_examples'])}"
         f" (peak RSS {fmt_mb(startup['validate_examples'])})."),
        "",
        *targets(rows, startup),
        "",
        ("check-jsonschema runs once per kind (7 processes: each folder against its kind's"
         " schema, its relative `$ref`s resolved from the schema files on disk), times"
         " summed; it does schema work only, itsmctl also does references, rules and line"
         " mapping. The parse floor is one Python process that loads the same files with"
         " `yaml.load_all(..., Loader=yaml.CSafeLoader)` and nothing else. diff: the catalog"
         " committed on `main`, a branch that edits one service, `itsmctl diff main change`."
         " render: `itsmctl render --no-history` into a fresh folder. Every itsmctl command"
         " here runs with `--no-cache` (cold, as the peer and the floor); the cache's figures"
         " are the cache and gate sections. Every benchmark runs its children with"
         " itsmctl's bytecode compiled, as an installed package has it"
         " (PYTHONDONTWRITEBYTECODE is unset)."),
    ]
    notes = [f"{r['services']:,}: {k} {r[k].note}" for r in rows for k in
             ("validate", "diff", "render") if r[k].note and r[k].seconds is None]
    if notes:
        lines += ["", "Notes: " + "; ".join(notes) + "."]
    return "\n".join(lines)


def targets(rows: list[dict[str, Any]], startup: dict[str, Measure]) -> list[str]:
    """The issue's targets, checked against this run (10,000 services when measured)."""
    by_size = {r["services"]: r for r in rows}
    out = ["| target | measured | met |", "|---|---|---|"]

    def add(name: str, value: float | None, text: str, ok: bool) -> None:
        out.append(f"| {name} | {text if value is not None else '—'} |"
                   f" {'—' if value is None else ('yes' if ok else '**no**')} |")

    big = by_size.get(10_000)
    if big:
        peer = ratio(big["check_jsonschema"], big["validate"])
        add("validate 10k: >= 5x faster than check-jsonschema", peer, _x(peer), (peer or 0) >= 5)
        floor = ratio(big["validate"], big["parse_floor"])
        add("validate 10k: within 3x of the parse floor", floor, _x(floor), (floor or 99) <= 3)
        mb = big["validate"].peak_mb
        add("validate 10k: peak memory < 400 MB", mb, fmt_mb(big["validate"]), (mb or 999) < 400)
        # the findings diff is exact (both sides validated in full): ratios to one validate
        diff = ratio(big["diff"], big["validate"])
        add("diff 10k (one service, exact) / validate: <= 1.5x", diff,
            f"{_x2(diff)} ({fmt_s(big['diff'])})", (diff or 99) <= 1.5)
        check = ratio(big["check"], big["validate"])
        add("check 10k (one service) / validate: <= 1.6x", check,
            f"{_x2(check)} ({fmt_s(big['check'])})", (check or 99) <= 1.6)
        render = big["render"].seconds
        add("render 10k: < 30 s", render, fmt_s(big["render"]), (render or 99) < 30)
        beside = ratio(big["render"], big["validate"])
        add("render 10k / validate: <= 1.5x", beside, _x2(beside), (beside or 99) <= 1.5)
    version = startup["version"].seconds
    add("`itsmctl --version` < 200 ms", version, _ms(startup["version"]), (version or 9) < 0.2)
    start = ratio(startup["version"], startup["bare_python"])
    add("`itsmctl --version` within 3x a bare `python3 -c pass`", start, _x2(start),
        (start or 99) <= 3)
    return out


def _x2(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}x"


def _ms(m: Measure) -> str:
    return "—" if m.seconds is None else f"{m.seconds * 1000:.0f} ms"


def _cell(m: Measure) -> str:
    if m.seconds is None:
        return m.note.split(":")[0] if m.note else "—"
    text = f"{fmt_s(m)}, {fmt_mb(m)}"
    if "pages_per_second" in m.extra:
        text += f", {m.extra['pages_per_second']:.0f} pages/s"
    if "site_mb" in m.extra:
        text += f", {m.extra['site_mb']:.1f} MB written"
    return text


def write_results(table: str, data: dict[str, Any]) -> None:
    write_section(f"{START}\n{table}\n{END}", START, END)
    (HERE / "results.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    with_bytecode()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1000, 10_000], help="comma-separated service counts")
    parser.add_argument("--large", action="store_true",
                        help="then 100,000 services beside 10,000 (benchmarks/large.py)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, help="where catalogs go (default: a temp folder)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--gate", action="store_true",
                        help="only the pull-request gate: cold validate, diff and check side by"
                             " side, and diff with a warm cache (benchmarks/gate_bench.py)")
    args = parser.parse_args(argv)
    if args.gate:
        import gate_bench

        for count in args.sizes:
            gate_bench.main(["--services", str(count), "--repeat", str(args.repeat),
                             "--seed", str(args.seed)] + ([] if args.no_write else ["--write"])
                            + (["--work", str(args.work)] if args.work else []))
        return 0
    sizes = args.sizes
    work = args.work or Path(tempfile.mkdtemp(prefix="itsmctl-bench-"))
    # every command runs with --no-cache (the peer and the floor have no cache; the cache's
    # own figures are cache_bench's and gate_bench's); a cache of its own all the same, so a
    # command that ignored the flag could not read or fill the user's
    os.environ["ITSMCTL_CACHE_DIR"] = str(work / "cache")
    info = machine()
    rows = []
    for count in sizes:
        print(f"measuring {count:,} services ...", file=sys.stderr, flush=True)
        rows.append(measure_size(count, work, args.seed, args.repeat))
    startup = measure_startup(args.repeat)
    info["runner_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    table = markdown(info, rows, startup)
    print(table)
    if not args.no_write:
        data = {"machine": info, "repeat": args.repeat, "seed": args.seed, "sizes": [
            {k: (asdict(v) if isinstance(v, Measure) else v) for k, v in r.items()} | {
                "peer_over_validate": ratio(r["check_jsonschema"], r["validate"]),
                "validate_over_floor": ratio(r["validate"], r["parse_floor"])} for r in rows],
            "startup": {k: asdict(v) for k, v in startup.items()}}
        write_results(table, data)
    if args.large:
        import large

        large.main(["--repeat", str(args.repeat), "--work", str(work)]
                   + ([] if args.no_write else ["--write"]))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
