"""Print pip constraints pinning each dependency of pyproject.toml to its lowest allowed version.

The `mindeps` CI job installs with them (`pip install -c constraints.txt -e '.[test]'`) and runs
the fast suite, so a lower bound we declare is one we test. Only [project] dependencies are
pinned by default (what users install); `--extra NAME` pins an optional group too. A
requirement without a lower bound (`tzdata`) is left free: there is no lowest version to test.

Usage: python3 .ci/mindeps.py [--extra NAME]... [PYPROJECT] > constraints.txt
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

# PEP 508, as far as a pyproject of ours uses it: name, [extras], specifiers, ; marker
_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<specs>[^;]*?)\s*"
    r"(?:;\s*(?P<marker>.+))?$")
_SPEC = re.compile(r"^(?P<op>~=|==|>=|<=|!=|>|<|===)\s*(?P<version>[^\s,]+)$")


def lowest(requirement: str) -> str | None:
    """`jsonschema>=4.18` -> `jsonschema==4.18`; None when nothing bounds it from below.

    `>=X`, `~=X` and `==X` (not a wildcard) give X; `>X` has no lowest version to name, so it
    is refused rather than guessed.
    """
    match = _REQUIREMENT.match(requirement)
    if match is None:
        raise ValueError(f"cannot read the requirement {requirement!r}")
    name, marker = match["name"], match["marker"]
    floor = None
    for spec in filter(None, (s.strip() for s in match["specs"].split(","))):
        found = _SPEC.match(spec)
        if found is None:
            raise ValueError(f"cannot read {spec!r} in {requirement!r}")
        op, version = found["op"], found["version"]
        if op in (">=", "~=") or (op in ("==", "===") and "*" not in version):
            floor = version
        elif op == ">":
            raise ValueError(f"{requirement!r}: `>` names no lowest version; use `>=`")
    if floor is None:
        return None
    return f"{name}=={floor}" + (f" ; {marker}" if marker else "")


def constraints(pyproject: Path, extras: list[str]) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise ValueError(f"pyproject.toml has no optional dependency group {extra!r}")
        requirements += optional[extra]
    pins = (lowest(r) for r in requirements)
    return sorted({p for p in pins if p is not None}, key=str.lower)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pyproject", nargs="?", type=Path,
                        default=Path(__file__).resolve().parents[1] / "pyproject.toml")
    parser.add_argument("--extra", action="append", default=[], help="pin this group too")
    args = parser.parse_args(argv)
    try:
        lines = constraints(args.pyproject, args.extra)
    except (OSError, ValueError, KeyError, tomllib.TOMLDecodeError) as error:
        print(f"mindeps: {error}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
