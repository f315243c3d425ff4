"""`export backstage`: descriptors Backstage accepts, and the round trip back through import."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from backstage_schemas import problems
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsmctl.config import Config
from itsmctl.loader import load_directory
from tests.conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(*args: str) -> Result:
    return run_cli(*args)


def descriptors(folder: Path) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("*.yaml"))]


def entities(root: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Services and Teams as our own loader reads them (dates stay strings)."""
    catalog = load_directory(root, Config()).catalog
    return {(e.kind, e.name): {"metadata": e.metadata, "spec": _normal(e.kind, e.spec)}
            for e in catalog if e.kind in ("Service", "Team")}


def _normal(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Equal meaning, equal form: `type: hard` is the default of a dependency."""
    if kind != "Service" or "dependencies" not in spec:
        return spec
    deps = [{"type": "hard", **d} for d in spec["dependencies"]]
    return {**spec, "dependencies": deps}


def round_trip(catalog: Path, work: Path) -> tuple[Path, Path]:
    exported, imported = work / "backstage", work / "again"
    result = run("export", "backstage", str(catalog), "-o", str(exported))
    assert result.exit_code == 0, result.output
    again = run("import", "backstage", str(exported), "-o", str(imported))
    assert again.exit_code == 0, again.output
    return exported, imported


@pytest.fixture(scope="module")
def example_round_trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return round_trip(EXAMPLES, tmp_path_factory.mktemp("rt"))


def test_every_descriptor_is_valid_for_backstage(example_round_trip: tuple[Path, Path]) -> None:
    exported, _ = example_round_trip
    docs = descriptors(exported)
    assert {d["kind"] for d in docs} == {"Location", "Group", "User", "Component", "System",
                                         "Domain"}
    assert {d["metadata"]["name"]: problems(d) for d in docs
            if problems(d)} == {}


def test_location_lists_every_file(example_round_trip: tuple[Path, Path]) -> None:
    exported, _ = example_round_trip
    location = yaml.safe_load((exported / "catalog-info.yaml").read_text())
    files = sorted(p.relative_to(exported).as_posix() for p in exported.rglob("*.yaml")
                   if p.name != "catalog-info.yaml")
    assert location["spec"]["targets"] == [f"./{f}" for f in files]


def test_shapes_of_group_component_and_system(example_round_trip: tuple[Path, Path]) -> None:
    exported, _ = example_round_trip
    group = yaml.safe_load((exported / "groups/payments.yaml").read_text())
    assert group["spec"]["profile"] == {"displayName": "Payments",
                                        "email": "payments@larkspur.example"}
    assert "user:default/lena-hoffmann" in group["spec"]["members"]
    api = yaml.safe_load((exported / "components/payments-api.yaml").read_text())
    assert api["spec"]["owner"] == "group:default/payments"
    assert api["spec"]["lifecycle"] == "production"
    assert api["spec"]["system"] == "system:default/checkout"
    assert "component:default/postgres-platform" in api["spec"]["dependsOn"]
    assert api["metadata"]["annotations"]["itsmctl.io/sla"] == "payments-api-ola"
    assert {"url": "https://wiki.larkspur.example/runbooks/payments-api", "title": "Runbook",
            "type": "runbook"} in api["metadata"]["links"]
    checkout = yaml.safe_load((exported / "systems/checkout.yaml").read_text())
    assert checkout["spec"]["owner"] == "group:default/commerce"
    user = yaml.safe_load((exported / "users/lena-hoffmann.yaml").read_text())
    assert user["spec"]["profile"]["email"] == "lena.hoffmann@larkspur.example"
    assert "group:default/payments" in user["spec"]["memberOf"]


def test_example_catalog_round_trips(example_round_trip: tuple[Path, Path]) -> None:
    _, imported = example_round_trip
    assert entities(imported) == entities(EXAMPLES)


def test_refuses_a_broken_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "cat"
    shutil.copytree(EXAMPLES, catalog)
    (catalog / "services" / "checkout.yaml").write_text("kind: Service\n  bad: [\n")
    result = run("export", "backstage", str(catalog), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "nothing was exported" in result.output
    assert not (tmp_path / "out").exists()


# -- the property: any catalog comes back ---------------------------------------------------

NAMES = st.from_regex(r"^[a-z][a-z0-9-]{0,14}[a-z0-9]$", fullmatch=True)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=24)
KEYS = st.one_of(st.sampled_from(["team", "example.com/owner", "cost centre", "a/b/c", "x"]),
                 st.from_regex(r"^[a-z]{1,8}$", fullmatch=True))
VALUES = st.one_of(st.sampled_from(["gold", "x y", "", "ünïcode", "a-b.c_d"]),
                   st.text(max_size=63))
STAGES = st.sampled_from(["proposed", "design", "transition", "operational", "retiring",
                          "retired"])
DURATIONS = st.sampled_from(["0m", "5m", "15m", "1h", "1h30m", "2d", "26w"])
PEOPLE = [(f"Person {i}", f"p{i}@ex{i % 3}.example", f"person-{i}" if i % 2 else None)
          for i in range(8)] + \
    [("Zoë Öztürk", "zoe@ex0.example", "zoe"), ("Same Local", "p1@other.example", None)]


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    team_names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    service_names = draw(st.lists(NAMES, min_size=1, max_size=6, unique=True))
    docs: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(team_names):
        spec: dict[str, Any] = {"email": f"{name}@teams.example"}
        if draw(st.booleans()):
            spec["chat"] = draw(TEXT)
        if i and draw(st.booleans()):
            spec["parent"] = team_names[draw(st.integers(0, i - 1))]
        if draw(st.booleans()):
            spec["github"] = f"acme/{name}"
        people = draw(st.lists(st.sampled_from(PEOPLE), max_size=4, unique_by=lambda p: p[1]))
        if people:
            spec["members"] = [{"name": n, "email": e, **({"github": g} if g else {}),
                                **({"role": draw(TEXT)} if draw(st.booleans()) else {})}
                               for n, e, g in people]
        if draw(st.booleans()):
            spec["onCall"] = {"schedule": "https://oncall.example/s", "escalation": [
                {"level": 1, "contact": f"{name}-oncall@teams.example", "after": "0m"},
                {"level": 2, "contact": "boss@teams.example", "after": draw(DURATIONS)}]}
        docs[f"teams/{name}.yaml"] = _doc("Team", name, draw, spec)
    for name in service_names:
        others = [s for s in service_names if s != name]
        deps = draw(st.lists(st.sampled_from(others), unique=True, max_size=3)) if others else []
        spec = {"type": draw(st.sampled_from(["business", "technical"])),
                "lifecycle": draw(STAGES), "tier": draw(st.integers(1, 4))}
        if draw(st.booleans()):
            spec["owner"] = draw(st.sampled_from(team_names))
        if deps:
            spec["dependencies"] = [
                {"service": d, **({"type": draw(st.sampled_from(["hard", "soft"]))}
                                  if draw(st.booleans()) else {}),
                 **({"description": draw(TEXT)} if draw(st.booleans()) else {})} for d in deps]
        if draw(st.booleans()):
            spec["sla"] = f"{name}-sla"
            docs[f"slas/{name}-sla.yaml"] = _sla(name)
        if draw(st.booleans()):
            spec["supportCalendar"] = "always-on"
            spec["changeModels"] = draw(st.lists(st.sampled_from(
                ["standard-change", "normal-change"]), unique=True, min_size=1))
        links = draw(st.lists(st.sampled_from(["runbook", "repository", "dashboard",
                                               "knowledgeBase"]), unique=True))
        if links:
            spec["links"] = {k: f"https://{k.lower()}.example/{name}" for k in links}
        if draw(st.booleans()):
            spec["cost"] = {"model": "fixed", "monthlyBudget": draw(st.integers(0, 10**6)),
                            "currency": "EUR"}
            spec["dataClassification"] = draw(st.sampled_from(["public", "restricted"]))
            spec["review"] = {"lastReviewed": "2026-09-01", "interval": draw(DURATIONS)}
        docs[f"services/{name}.yaml"] = _doc("Service", name, draw, spec)
    return docs


def _doc(kind: str, name: str, draw: st.DrawFn, spec: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if draw(st.booleans()):
        meta["title"] = draw(TEXT)
    if draw(st.booleans()):
        meta["description"] = draw(TEXT)
    labels = draw(st.dictionaries(KEYS, VALUES, max_size=3))
    if labels:
        meta["labels"] = labels
    annotations = draw(st.dictionaries(KEYS, TEXT, max_size=3))
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "itsmctl.io/v1", "kind": kind, "metadata": meta, "spec": spec}


def _sla(service: str) -> dict[str, Any]:
    return {"apiVersion": "itsmctl.io/v1", "kind": "SLA", "metadata": {"name": f"{service}-sla"},
            "spec": {"type": "SLA", "service": service, "calendar": "always-on",
                     "measurement": {"period": "monthly", "timezone": "UTC"},
                     "availability": 99.9,
                     "targets": [{"priority": "P1", "response": "15m", "resolution": "4h"}]}}


def write(root: Path, docs: dict[str, dict[str, Any]]) -> None:
    (root / "calendars").mkdir(parents=True)
    shutil.copy(EXAMPLES / "calendars/always-on.yaml", root / "calendars/always-on.yaml")
    for model in ("standard", "normal"):
        docs[f"change-models/{model}-change.yaml"] = {
            "apiVersion": "itsmctl.io/v1", "kind": "ChangeModel",
            "metadata": {"name": f"{model}-change"},
            "spec": {"type": model, "states": ["draft", "implement", "closed"]}}
    for rel, doc in docs.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.mark.slow
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(catalogs())
def test_round_trip_gives_back_every_service_and_team(
        tmp_path_factory: pytest.TempPathFactory, docs: dict[str, dict[str, Any]]) -> None:
    work = tmp_path_factory.mktemp("prop")
    write(work / "catalog", docs)
    exported, imported = round_trip(work / "catalog", work)
    assert [problems(d) for d in descriptors(exported) if problems(d)] == []
    assert entities(imported) == entities(work / "catalog")
