"""The dependency graph picture: layers by depth, cycle-safe, same bytes whatever the file order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from itsmctl.config import Config
from itsmctl.loader import load_directory
from itsmctl.model import Ref
from itsmctl.site.graph import NODE_H, layout, svg

WriteCatalog = Callable[[dict[str, str]], Path]


def service(name: str, *needs: str) -> str:
    deps = "".join(f"\n    - {{service: {n}, type: hard}}" for n in needs)
    return (f"apiVersion: itsmctl.io/v1\nkind: Service\nmetadata: {{name: {name}}}\n"
            f"spec:\n  type: technical\n  lifecycle: design\n  tier: 3\n"
            f"  dependencies:{deps or ' []'}\n")


def graph_of(root: Path):  # type: ignore[no-untyped-def]
    return layout(load_directory(root, Config(), "").catalog, broken=set())


def test_each_service_sits_above_its_deepest_dependency(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"s.yaml": "---\n".join([
        service("app", "api", "db"), service("api", "db"), service("db"), service("tool")])})
    nodes = {n.ref.name: n for n in graph_of(root).nodes}
    assert {name: n.layer for name, n in nodes.items()} == {"db": 0, "tool": 0, "api": 1, "app": 2}
    assert nodes["app"].y < nodes["api"].y < nodes["db"].y
    assert nodes["db"].y == nodes["tool"].y


def test_a_dependency_cycle_still_draws(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"s.yaml": "---\n".join([
        service("a", "b"), service("b", "c"), service("c", "a"), service("d", "d")])})
    graph = graph_of(root)
    assert sorted(n.ref.name for n in graph.nodes) == ["a", "b", "c", "d"]
    assert len(graph.edges) == 3  # the self-dependency is not drawn
    assert graph.height >= 3 * NODE_H


def test_same_picture_whatever_the_order_of_files(write_catalog: WriteCatalog,
                                                  tmp_path: Path) -> None:
    docs = [service("web", "api"), service("api", "db", "cache"), service("db"),
            service("cache"), service("batch", "db")]
    first = write_catalog({"s.yaml": "---\n".join(docs)})
    second = tmp_path / "other"
    second.mkdir()
    for index, doc in enumerate(reversed(docs)):
        (second / f"{index}.yaml").write_text(doc)
    assert svg(graph_of(first)) == svg(graph_of(second))


def test_broken_services_are_marked(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"s.yaml": service("web")})
    catalog = load_directory(root, Config(), "").catalog
    picture = svg(layout(catalog, broken={Ref("Service", "web")}))
    assert 'stroke="#b00020"' in picture and "web (web): has errors" in picture
