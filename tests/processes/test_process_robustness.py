"""Process rules, spec readers and diff detectors never crash on any shape of Process data:
bad data is the schema's finding (random specs through the real pipeline)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsmctl.config import Config
from itsmctl.loader import load_sources
from itsmctl.processes.spec import escalation, kpis
from itsmctl.sources import SourceFile
from itsmctl.validate import check_loaded

KEYS = ("process", "owner", "raci", "scope", "review", "priorityMatrix", "impact", "urgency",
        "priorities", "level", "priority", "escalation", "at", "of", "type", "to", "kpis",
        "name", "metric", "statistic", "target", "op", "value", "select", "exercises",
        "cadence", "lastExercise", "changeModels", "rollbackPlanRequired", "domain", "labels")
WORDS = ("incident", "major-incident", "release", "P1", "P3", "P9", "mttr", "csat", "high",
         "low", "50%", "120%", "x%", "4h", "95%", "25.00 EUR", "<=", ">", "median", "rate",
         "resolution", "role:x", "2026-01-01", "13w", "")

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 200),
                    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(WORDS))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS + WORDS), inner,
                                                 max_size=5)), max_leaves=12)
processes = st.fixed_dictionaries({
    "apiVersion": st.just("itsmctl.io/v1"), "kind": st.just("Process"),
    "metadata": st.fixed_dictionaries({"name": st.sampled_from(("a", "b"))}),
    "spec": st.dictionaries(st.sampled_from(KEYS), values, max_size=7),
})


@pytest.mark.slow
@settings(max_examples=80, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(processes, min_size=1, max_size=3))
def test_process_rules_survive_any_shape(documents: list[dict[str, Any]]) -> None:
    text = yaml.safe_dump_all(documents, sort_keys=False)
    source = SourceFile(rel="random.yaml", label="random.yaml", data=text.encode())
    config = Config()
    loaded = load_sources([source], config.limits)
    result = check_loaded(loaded, config, today=date(2026, 11, 23))
    assert all(f.rule != "internal-error" for f in result.findings)
    for entity in loaded.catalog.of_kind("Process"):
        kpis(entity)
        escalation(entity)
