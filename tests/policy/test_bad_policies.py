"""Bad policies and scorecards stop the run with a configuration error at file:line (exit 2).

Each case marks the line the error must point at with `# <-`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Invoke

HEADER = "apiVersion: itsmctl.io/v1\nkind: Config\n"

POLICY = """
  - id: {id}
    description: Production services link a runbook.
    select:
      kind: Service
      spec.lifecycle: operational
    require:
      properties:
        spec: {{required: [links]}}
"""

FILE_POLICY = """\
apiVersion: itsmctl.io/v1
kind: Policy
metadata:
  name: {id}
spec:
  description: Production services link a runbook.
  select: {{kind: Service}}
  require: {{required: [spec]}}
"""

GATE = """\
apiVersion: itsmctl.io/v1
kind: Gate
metadata: {name: readiness}
spec:
  stages:
    operational:
      entry: {evidence: [{name: load-test}]}
      skippable: false
"""

CASES = {
    "fragment-fails-metaschema": ("""
        policies:
          - id: p1
            description: x
            select: {kind: Service}
            require:
              properties:
                spec: {type: strin}   # <-
        """, {}, "`require` is not a valid JSON Schema (draft 2020-12): 'strin' is not valid"),
    "fragment-wrong-keyword-type": ("""
        policies:
          - id: p1
            description: x
            select: {kind: SLA}
            require:
              properties:
                spec:
                  properties:
                    availability: {minimum: high}   # <-
        """, {}, "'high' is not of type 'number'"),
    "fragment-unknown-keyword": ("""
        policies:
          - id: p1
            description: x
            select: {kind: SLA}
            require:
              properties:
                spec:
                  properties:
                    availability: {minimun: 99.9}   # <-
        """, {}, "`require` uses 'minimun', which is not a JSON Schema keyword"),
    "fragment-unknown-keyword-in-a-policy-file": ("policyFiles: [policies/*.yaml]\n", {
        "policies/a.yaml": FILE_POLICY.format(id="p1").replace(
            "require: {required: [spec]}",
            "require:\n    allOf:\n      - {required: [spec]}\n"
            "      - properties:\n          spec: {requird: [owner]}   # <-")},
        "`require` uses 'requird'"),
    "gate-unknown-field": ("policyFiles: [policies/*.yaml]\n", {
        "policies/a.yaml": GATE.replace("skippable: false", "skipable: false   # <-")},
        "spec.stages.operational: unknown field 'skipable'"),
    "fragment-dangling-ref": ("""
        policies:
          - id: p1
            description: x
            select: {kind: Service}
            require:
              properties:
                spec: {$ref: "#/$defs/nothing"}   # <-
        """, {}, "policy 'p1': $ref '#/$defs/nothing' does not resolve"),
    "unknown-selector-field": ("""
        policies:
          - id: p1
            description: x
            select:
              kind: Service
              spec.teir: 1   # <-
            require: {}
        """, {}, "unknown selector field 'spec.teir' for Service"),
    "selector-field-outside-spec-and-metadata": ("""
        policies:
          - id: p1
            description: x
            select:
              kind: Service
              tier: 1   # <-
            require: {}
        """, {}, "unknown selector field 'tier'"),
    "unknown-label-condition-operator": ("""
        policies:
          - id: p1
            description: x
            select:
              kind: Service
              labels: {domain: {oneOf: [commerce]}}   # <-
            require: {}
        """, {}, "labels.domain"),
    "via-not-a-reference": ("""
        policies:
          - id: p1
            description: x
            select: {kind: Service}
            via: spec.tier   # <-
            require: {}
        """, {}, "via 'spec.tier' is not a reference field of Service"),
    "duplicate-id": ("policies:" + POLICY.format(id="p1") + POLICY.format(id="p1").replace(
        "id: p1", "id: p1   # <-"), {}, "policy 'p1' is defined twice"),
    "duplicate-id-across-files": ("policies:" + POLICY.format(id="p1")
                                  + "policyFiles: [policies/*.yaml]\n",
                                  {"policies/a.yaml": FILE_POLICY.format(id="p1").replace(
                                      "name: p1", "name: p1   # <-")},
                                  "policy 'p1' is defined twice"),
    "id-of-a-builtin-rule": ("policies:" + POLICY.format(id="schema").replace(
        "id: schema", "id: schema   # <-"), {}, "policy id 'schema' is the id of a built-in"),
    "scorecard-unknown-rule": ("policies:" + POLICY.format(id="p1") + textwrap.dedent("""
        scorecards:
          - name: maturity
            levels:
              - {name: bronze, rules: [schema]}
              - name: silver
                rules:
                  - p1
                  - p2   # <-
        """), {}, "scorecard 'maturity' names unknown rule 'p2'"),
    "scorecard-duplicate-level": ("""
        scorecards:
          - name: maturity
            levels:
              - {name: bronze, rules: [schema]}
              - {name: bronze, rules: [schema]}   # <-
        """, {}, "scorecard 'maturity' has two levels named 'bronze'"),
    "inline-policy-bad-severity": ("policies:" + POLICY.format(id="p1").replace(
        "    description:", "    severity: fatal   # <-\n    description:"), {},
        "'fatal' is not one of"),
    "policy-file-missing-description": ("policyFiles: [policies/*.yaml]\n", {
        "policies/a.yaml": FILE_POLICY.format(id="p1").replace(
            "  description: Production services link a runbook.\n", "").replace(
            "spec:\n", "spec:   # <-\n")}, "required field 'description' is missing"),
    "policy-file-wrong-kind": ("policyFiles: [policies/*.yaml]\n", {
        "policies/a.yaml": FILE_POLICY.format(id="p1").replace(
            "kind: Policy", "kind: Service   # <-")}, "'Service' is not one of: Policy"),
    "policy-file-yaml-error": ("policyFiles: [policies/*.yaml]\n", {
        "policies/a.yaml": "apiVersion: itsmctl.io/v1\nkind: Policy\nmetadata: {name: p1\n"
                           "spec: {}   # <-\n"}, "YAML syntax error"),
    "policy-files-match-nothing": ("policyFiles: [policy/*.yaml]   # <-\n", {},
                                   "policyFiles ['policy/*.yaml'] match no file"),
}


def _marked(root: Path) -> str:
    for path in sorted(root.rglob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.endswith("# <-"):
                return f"{path.as_posix()}:{number}"
    raise AssertionError("no marked line")


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_policy_is_a_config_error_at_its_line(
        name: str, write_catalog: Callable[[dict[str, str]], Path], invoke: Invoke) -> None:
    config, files, message = CASES[name]
    root = write_catalog({".itsmctl.yaml": HEADER + textwrap.dedent(config), **files,
                          "services/x.yaml": "apiVersion: itsmctl.io/v1\n"})
    result = invoke("validate", str(root))
    assert result.exit_code == 2, result.output
    first = result.output.splitlines()[0]
    assert first.startswith(f"itsmctl: error: {_marked(root)}: "), first
    assert message in first
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("name", "guess"), [
    ("fragment-unknown-keyword", "did you mean 'minimum'?"),
    ("fragment-unknown-keyword-in-a-policy-file", "did you mean 'required'?"),
    ("gate-unknown-field", "did you mean 'skippable'?")])
def test_a_typo_in_a_policy_suggests_the_closest_keyword(
        name: str, guess: str, write_catalog: Callable[[dict[str, str]], Path],
        invoke: Invoke) -> None:
    config, files, _ = CASES[name]
    root = write_catalog({".itsmctl.yaml": HEADER + textwrap.dedent(config), **files,
                          "services/x.yaml": "apiVersion: itsmctl.io/v1\n"})
    result = invoke("validate", str(root))
    assert result.exit_code == 2
    assert f"hint: {guess}" in result.output


def test_extension_annotations_and_property_names_are_not_keywords(
        write_catalog: Callable[[dict[str, str]], Path], invoke: Invoke) -> None:
    """`x-` keys are annotations, and names under `properties` are field names: no error."""
    root = write_catalog({".itsmctl.yaml": HEADER + textwrap.dedent("""
        policies:
          - id: p1
            description: x
            select: {kind: Service}
            require:
              x-owner: governance team
              properties:
                minimun: {type: string}
                spec: {required: [owner]}
        """), "services/x.yaml": "apiVersion: itsmctl.io/v1\n"})
    result = invoke("validate", str(root))
    assert result.exit_code != 2, result.output
