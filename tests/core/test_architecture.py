"""The import rules of docs/architecture.md ("Layers"), enforced on every module of itsmctl.

Each module's imports are read with `ast`, function-level imports included (a lazy import is
still a dependency), and checked against the documented table: who may import click,
GitPython, the commands and the reporters; what a reporter may take from the core; and no
cycle among the imports that run (those under `if TYPE_CHECKING:` never do, so they may
point back for an annotation).
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "itsmctl"
DOC = PACKAGE.parent / "docs" / "architecture.md"

INTERFACE = ("itsmctl.cli", "itsmctl.__main__", "itsmctl.commands")
REPORTERS = ("itsmctl.reporters",)
# helpers a reporter may call from the core: formatting only, no catalog logic
REPORTER_HELPERS = ("itsmctl.visible", "itsmctl.atomic", "itsmctl.durations",
                    "itsmctl.errors", "itsmctl.findings")
# functions of other core modules that reporters call, each with the reason it is allowed
REPORTER_EXCEPTIONS = {
    "itsmctl.measure.run.format_value": "how a measured figure is written (CSV and review)",
    "itsmctl.measure.tally.local_time": "a record's time in the report's zone (measure JSON)",
    "itsmctl.rules.all_rules": "SARIF lists the metadata of every rule, not only those found",
    "itsmctl.diff.result.shown_value": "one wording of a changed value, shared with the site",
}


@dataclass(frozen=True)
class Import:
    """One imported name: `target` the module (or module.attribute) named, where it is."""

    module: str
    target: str
    line: int
    typing_only: bool

    def __str__(self) -> str:
        path = _path_of(self.module)
        return f"{path}:{self.line}: {self.module} imports {self.target}"


def _path_of(module: str) -> str:
    rel = Path(*module.split("."))
    package = PACKAGE.parent / rel / "__init__.py"
    return str((package if package.exists() else PACKAGE.parent / rel.with_suffix(".py"))
               .relative_to(PACKAGE.parent))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _typing_blocks(tree: ast.Module) -> set[int]:
    """Ids of the import nodes inside `if TYPE_CHECKING:` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    return inside


def _imports_of(path: Path) -> Iterator[Import]:
    module = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing = _typing_blocks(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno, id(node) in typing)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                package = parts if path.name == "__init__.py" else parts[:-1]
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                yield Import(module, f"{base}.{alias.name}", node.lineno, id(node) in typing)


@cache
def all_imports() -> tuple[Import, ...]:
    return tuple(i for path in sorted(PACKAGE.rglob("*.py")) for i in _imports_of(path))


@cache
def modules() -> frozenset[str]:
    return frozenset(_module_name(path) for path in PACKAGE.rglob("*.py"))


def _module_of(target: str) -> str:
    """The itsmctl module an imported name lives in (`itsmctl.git.Repo` -> `itsmctl.git`)."""
    name = target
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _is_core(module: str) -> bool:
    return not _within(module, INTERFACE + REPORTERS)


def _offences(test: str, found: list[Import]) -> str:
    return f"{test} (see docs/architecture.md, Layers):\n  " + "\n  ".join(map(str, found))


def test_core_never_imports_click_commands_or_reporters() -> None:
    found = [i for i in all_imports() if _is_core(i.module) and not i.typing_only
             and (i.target.split(".")[0] == "click"
                  or _within(_module_of(i.target), INTERFACE + REPORTERS))]
    assert not found, _offences("core modules import the interface or the reporters", found)


def test_only_the_gateway_imports_gitpython() -> None:
    found = [i for i in all_imports() if i.target.split(".")[0] == "git"
             and i.module != "itsmctl.git"]
    assert not found, _offences("only itsmctl/git.py may import GitPython", found)


def test_the_gateway_imports_nothing_of_the_catalog() -> None:
    found = [i for i in all_imports() if i.module == "itsmctl.git"
             and i.target.startswith("itsmctl") and _module_of(i.target) != "itsmctl.errors"]
    assert not found, _offences("itsmctl/git.py is plumbing: of itsmctl only errors", found)


def test_reporters_never_import_click_or_commands() -> None:
    found = [i for i in all_imports() if _within(i.module, REPORTERS)
             and (i.target.split(".")[0] == "click" or _within(_module_of(i.target), INTERFACE))]
    assert not found, _offences("reporters import click or the commands", found)


def _is_function(target: str) -> bool:
    module_name, _, name = target.rpartition(".")
    if _module_of(target) == target:  # a whole module: `from itsmctl import git`
        return True
    obj = getattr(importlib.import_module(module_name), name, None)
    return inspect.isfunction(obj) or inspect.ismodule(obj)


def test_reporters_take_result_types_from_the_core_not_logic() -> None:
    """A reporter imports types and constants of the core (what it renders), and calls only
    formatting helpers; any other core function is core logic in the wrong layer."""
    found = [i for i in all_imports() if _within(i.module, REPORTERS) and not i.typing_only
             and i.target.startswith("itsmctl") and _is_core(_module_of(i.target))
             and not _within(_module_of(i.target), REPORTER_HELPERS)
             and i.target not in REPORTER_EXCEPTIONS and _is_function(i.target)]
    assert not found, _offences("reporters call core logic", found)


def test_site_and_measure_do_not_import_commands() -> None:
    found = [i for i in all_imports() if _within(i.module, ("itsmctl.site", "itsmctl.measure"))
             and _within(_module_of(i.target), INTERFACE)]
    assert not found, _offences("site and measure import the commands", found)


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for i in all_imports():
        target = _module_of(i.target)
        if not i.typing_only and target and target != i.module:
            graph[i.module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            child = next(edges, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle() -> None:
    graph = _graph()
    cycles = _cycles(graph)
    detail = [f"{' <-> '.join(c)}: " + "; ".join(
        str(i) for i in all_imports() if i.module in c and _module_of(i.target) in c
        and _module_of(i.target) != i.module and not i.typing_only) for c in cycles]
    assert not cycles, "import cycles (function-level imports count):\n  " + "\n  ".join(detail)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_documented_table_names_each_layer() -> None:
    section = DOC.read_text(encoding="utf-8").split("## Layers", 1)[1].split("\n## ", 1)[0]
    for layer in ("interface", "reporters", "core", "git gateway", "TYPE_CHECKING"):
        assert layer in section, f"docs/architecture.md (Layers) does not mention {layer!r}"
    for helper in REPORTER_HELPERS:
        assert f"`{helper.removeprefix('itsmctl.')}`" in section, helper
