"""Hostile configuration (cases.yaml entries with `config: true`) and catalog-supplied regexes.

A pull request writes `.itsmctl.yaml` too: a config of the wrong shape, absurd limits or a
policy that refers to itself is a configuration error (exit 2) with its line, never a crash.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_hostile_corpus import ALL_CASES, BASE, CORPUS

from tests.conftest import Invoke, run_cli

CONFIG_CASES = [case for case in ALL_CASES if case.get("config")]


def run_with_config(config: bytes, tmp_path: Path, command: str = "validate") -> Any:
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    (root / ".itsmctl.yaml").write_bytes(config)
    result = run_cli(command, str(root))
    assert "internal error" not in result.output and "Traceback" not in result.output
    return result


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c["path"] for c in CONFIG_CASES])
def test_config_case(case: dict[str, Any], tmp_path: Path) -> None:
    result = run_with_config((CORPUS / case["path"]).read_bytes(), tmp_path,
                             case.get("command", "validate"))
    assert result.exit_code == case["exit"], result.output
    assert not list(tmp_path.glob("outside-site*")) and not Path(
        "/tmp/itsmctl-outside-site").exists()  # nothing written outside the catalog
    if "error" in case:
        assert case["error"] in result.output
        assert ".itsmctl.yaml:" in result.output  # the error says where


POLICY = """policies:
  - id: slow-pattern
    description: titles are letters
    select: {kind: Service}
    require: {properties: {metadata: {properties: {title: {pattern: "^(a|aa)+$"}}}}}
"""


def test_a_catastrophic_policy_pattern_times_out_as_a_finding(tmp_path: Path,
                                                              invoke: Invoke) -> None:
    """`^(a|aa)+$` on 60 letters and a `!` backtracks ~10**12 steps: it is stopped at the
    time bound, reported as a finding at the value, and not run again for the next entity."""
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    service = root / "services" / "kubernetes-platform.yaml"
    text = service.read_text().replace("title: Kubernetes Platform", f"title: {'a' * 60}!")
    service.write_text(text)
    (root / "services" / "copy.yaml").write_text(
        text.replace("name: kubernetes-platform", "name: copy-platform"))
    (root / ".itsmctl.yaml").write_text(POLICY)
    result = invoke("validate", str(root))
    assert result.exit_code == 1, result.output
    assert result.output.count("pattern '^(a|aa)+$' took longer than 0.5 s") == 2
    assert "slow-pattern" in result.output and "5:10" in result.output


def test_patterns_just_under_the_timeout_cost_the_run_a_bounded_time(tmp_path: Path,
                                                                     invoke: Invoke) -> None:
    """`^(a|aa)+$` on 28 letters and a `b` takes about 0.4 s, under the 0.5 s timeout: each
    of 30 services cost that (a 1 MiB file of such values, hours). The run's matching time is
    bounded: past a second's grace the pattern is too slow, each value still a finding."""
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    service = (root / "services" / "kubernetes-platform.yaml").read_text()
    for i in range(30):
        (root / "services" / f"slow-{i}.yaml").write_text(service.replace(
            "name: kubernetes-platform", f"name: slow-{i}").replace(
            "title: Kubernetes Platform", f"title: {'a' * 28}b{'b' * i}"))
    (root / ".itsmctl.yaml").write_text(POLICY)
    result = invoke("validate", str(root))
    slow = [line for line in result.output.splitlines() if "slow-pattern" in line]
    assert len(slow) == 31, result.output  # every slow-i and kubernetes-platform's title
    ran = [line for line in slow if "spent the run's" not in line and "took longer" not in line]
    assert len(ran) <= 12, ran  # kubernetes-platform's, and those the grace had time for


def test_many_catastrophic_patterns_cost_the_run_a_bounded_time(tmp_path: Path,
                                                                invoke: Invoke) -> None:
    """Each pattern timed out once at 0.5 s, so 60 of them in one config took 30 s (a 1 MiB
    config holds 30,000: four hours). Past the run's grace the next ones are cut early."""
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    service = root / "services" / "kubernetes-platform.yaml"
    service.write_text(service.read_text().replace("title: Kubernetes Platform",
                                                   f"title: {'a' * 60}!"))
    (root / ".itsmctl.yaml").write_text("policies:\n" + "".join(
        f"  - id: slow-{i}\n    description: titles are letters\n"
        "    select: {kind: Service}\n    require: {properties: {metadata: {properties: "
        f'{{title: {{pattern: "^(a|aa)+$|z{i}"}}}}}}}}}}\n' for i in range(60)))
    result = invoke("validate", str(root))
    assert len(set(re.findall(r"slow-\d+\b", result.output))) == 60  # each one a finding
    assert result.output.count("took longer than 0.5 s") <= 3, result.output
    assert result.output.count("spent the run's matching time before") >= 57
