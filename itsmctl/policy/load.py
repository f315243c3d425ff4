"""Read a catalog's policies and scorecards: the config's `policies:`/`scorecards:` and the
Policy/Scorecard documents of its `policyFiles`. Every problem is a ConfigError with file:line.

Requirements are checked against the JSON Schema 2020-12 metaschema and compiled once here;
a validation run then only evaluates them.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itsmctl.config import Config
from itsmctl.errors import ConfigError
from itsmctl.findings import JsonPath, Severity
from itsmctl.limits import DEFAULT_LIMITS
from itsmctl.loader import blob_id
from itsmctl.locate import Locator
from itsmctl.policy.custom_rule import Policy, via_fields
from itsmctl.policy.cycles import ref_cycle
from itsmctl.policy.gate import Criteria, Gate, Required, Stage
from itsmctl.policy.scorecard import Level, Scorecard
from itsmctl.policy.selector import Selector, SelectorError, parse_selector
from itsmctl.rules.registry import Rule
from itsmctl.sources import SourceFile, directory_sources
from itsmctl.yamlload import parse_source

if TYPE_CHECKING:
    from itsmctl.git import Repo

PolicyReader = Callable[[tuple[str, ...]], list[SourceFile]]
# schemas.SCHEMA_BASE + the policy: its relative $refs reach the built-in schemas
_BASE_URI = "https://itsmctl.io/schemas/v1/policy-{id}.json"


@dataclass(frozen=True)
class PolicySet:
    """A catalog's own rules and scorecards, for one run."""

    policies: tuple[Policy, ...] = ()
    scorecards: tuple[Scorecard, ...] = ()
    gates: tuple[Gate, ...] = ()
    inputs: tuple[tuple[str, str, str, str], ...] = field(default=(), compare=False)
    """The policy files read, in order: (label, path from the catalog root, read error,
    content hash), for the result memo's key and to tell the same files read again."""

    @property
    def names(self) -> tuple[tuple[str, ...], ...]:
        """The ids of the policies, scorecards and gates (with `inputs`, what tells two sets
        read under one config apart: an empty set from a caller that skipped them)."""
        return (tuple(p.id for p in self.policies),
                tuple(c.name for c in self.scorecards), tuple(g.name for g in self.gates))

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Policies and gates as rules (gates as errors: see `rules_on` for `enableOn`)."""
        return tuple(p.rule for p in self.policies) + tuple(g.rule() for g in self.gates)

    def rules_on(self, today: date) -> tuple[Rule, ...]:
        """The rules of a run on `today`: a gate warns before its `enableOn` date."""
        return tuple(p.rule for p in self.policies) + tuple(g.rule(today) for g in self.gates)

    def relabelled(self, labels: Mapping[str, str]) -> PolicySet:
        """This set as reading the same files under other labels (`labels`: old -> new) builds
        it: only where an item was defined (`origin`, `file:line`) and `inputs` name a file
        by its label; the rest is the files' content and their path from the catalog root
        (`defined_in`). Items of the config itself keep their origin."""

        def moved(origin: str) -> str:
            label, colon, line = origin.rpartition(":")
            return f"{labels[label]}{colon}{line}" if colon and label in labels else origin

        return replace(
            self, policies=tuple(replace(p, origin=moved(p.origin)) for p in self.policies),
            scorecards=tuple(replace(c, origin=moved(c.origin)) for c in self.scorecards),
            gates=tuple(replace(g, origin=moved(g.origin)) for g in self.gates),
            inputs=tuple((labels.get(label, label), rel, error, content)
                         for label, rel, error, content in self.inputs))


def disk_reader(root: Path, display_root: str = "") -> PolicyReader:
    """Policy files from a catalog folder on disk (globs relative to `root`)."""

    def read(patterns: tuple[str, ...]) -> list[SourceFile]:
        label = "" if display_root in ("", ".") else display_root.rstrip("/")
        # a linked folder out of the catalog is the catalog's finding, not a config error
        return directory_sources(root, patterns, (), label, DEFAULT_LIMITS.max_file_size,
                                 links=False)

    return read


def git_reader(repo: Repo, sha: str | None, prefix: str) -> PolicyReader:
    """Policy files from one side of a diff: a commit, or the working tree (`sha` None);
    globs relative to the catalog folder `prefix` (repository-relative)."""
    from itsmctl import gitsources

    def read(patterns: tuple[str, ...]) -> list[SourceFile]:
        return gitsources.matching_sources(repo, sha, prefix, patterns)

    return read


def load_policies(config: Config, reader: PolicyReader | None = None) -> PolicySet:
    """The config's policy set; `reader` supplies policy files (default: next to the config).
    Locations in the config come from the bytes it was parsed from (`config.source`), never
    from reading the file again."""
    patterns = tuple(config.raw.get("policyFiles", ()))
    if not (patterns or config.raw.get("policies") or config.raw.get("scorecards")):
        return PolicySet()
    builder = _Builder()
    config_source = config.source or SourceFile(Path(config.file).name, config.file, data=b"")
    for index, raw in enumerate(config.raw.get("policies", [])):
        where = _Where(builder.locator, config_source, 0, ("policies", index))
        builder.policy(raw["id"], raw, where, where.at("id"))
    for index, raw in enumerate(config.raw.get("scorecards", [])):
        where = _Where(builder.locator, config_source, 0, ("scorecards", index))
        builder.scorecard(raw["name"], raw.get("title", ""), raw, where, where.at("name"))
    inputs = []
    if patterns:
        location = _Where(builder.locator, config_source, 0, ()).at("policyFiles")
        for source in _policy_sources(config, patterns, reader, location):
            builder.file(source)
            content = "" if source.error else source.blob or blob_id(source.bytes())
            inputs.append((source.label, source.rel, source.error, content))
    return replace(builder.finish(), inputs=tuple(inputs))


def _policy_sources(config: Config, patterns: tuple[str, ...], reader: PolicyReader | None,
                    location: str) -> list[SourceFile]:
    if reader is None:
        root = Path(config.file).parent
        if not root.is_dir():
            raise ConfigError("policyFiles cannot be read without the catalog folder",
                              "pass a reader to load_policies()", location)
        reader = disk_reader(root, root.as_posix())
    sources = reader(patterns)
    if not sources:
        raise ConfigError(f"policyFiles {list(patterns)} match no file",
                          "globs are relative to the catalog root, e.g. policies/*.yaml",
                          location)
    return sources


@dataclass
class _Where:
    """A place in a YAML document, turned into `file:line` only when needed."""

    locator: Locator
    source: SourceFile
    doc: int
    base: JsonPath

    def at(self, *path: str | int) -> str:
        line, _ = self.locator.position(self.source, self.doc, self.base + path)
        return f"{self.source.label}:{line or 1}"

    def relative(self, location: str) -> str:
        """`location` from the catalog root (`policies/a.yaml:3`), whatever the spelling of
        the catalog's path: docs and site pages that show it must not depend on it."""
        label, rel = self.source.label, self.source.rel
        return rel + location[len(label):] if location.startswith(label + ":") else location


@dataclass
class _Builder:
    locator: Locator = field(default_factory=lambda: Locator(DEFAULT_LIMITS))  # as file() parses
    policies: list[Policy] = field(default_factory=list)
    scorecards: list[tuple[Scorecard, _Where]] = field(default_factory=list)
    gates: list[tuple[Gate, _Where]] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)

    def file(self, source: SourceFile) -> None:
        from itsmctl.schemas import describe_error, validator_for

        parsed = parse_source(source, DEFAULT_LIMITS)
        if parsed.findings:
            first = parsed.findings[0]
            raise ConfigError(first.message, first.hint, f"{source.label}:{first.line or 1}")
        for document in parsed.documents:
            where = _Where(self.locator, source, document.index, ())
            errors = sorted(validator_for("policy.schema.json").iter_errors(document.data),
                            key=lambda e: list(map(str, e.absolute_path)))
            if errors:
                message, hint = describe_error(errors[0])
                raise ConfigError(message, hint, where.at(*_error_path(errors[0])))
            data, spec = document.data, document.data["spec"]
            name, location = data["metadata"]["name"], where.at("metadata", "name")
            spec_where = _Where(self.locator, source, document.index, ("spec",))
            if data["kind"] == "Policy":
                self.policy(name, spec, spec_where, location)
            elif data["kind"] == "Gate":
                self.gate(name, spec, spec_where, location)
            else:
                self.scorecard(name, data["metadata"].get("title", ""), spec, spec_where,
                               location)

    def _claim(self, kind: str, name: str, location: str) -> None:
        key = f"{kind}:{name}"
        if key in self.seen:
            raise ConfigError(f"{kind} {name!r} is defined twice",
                              f"first defined at {self.seen[key]}; ids must be unique", location)
        self.seen[key] = location

    def policy(self, rule_id: str, raw: dict[str, Any], where: _Where, location: str) -> None:
        from itsmctl.rules import get_rule

        if get_rule(rule_id) is not None:
            raise ConfigError(f"policy id {rule_id!r} is the id of a built-in rule",
                              "choose another id (`itsmctl rules` lists the built-in ones)",
                              location)
        self._claim("policy", rule_id, location)
        selector = _selector(raw["select"], where, None)
        via = raw.get("via", "")
        if via:
            _check_via(via, selector.kinds, where)
        self.policies.append(Policy(
            id=rule_id, severity=Severity.parse(raw.get("severity", "error")),
            description=raw["description"], selector=selector, require=raw["require"],
            validator=_compile(rule_id, raw["require"], where), via=via,
            message=raw.get("message", ""), hint=raw.get("hint", ""), origin=location,
            defined_in=where.relative(location),
            definition={k: v for k, v in raw.items() if k != "id"}))

    def scorecard(self, name: str, title: str, raw: dict[str, Any], where: _Where,
                  location: str) -> None:
        self._claim("scorecard", name, location)
        levels: list[Level] = []
        for index, level in enumerate(raw["levels"]):
            if any(lv.name == level["name"] for lv in levels):
                raise ConfigError(f"scorecard {name!r} has two levels named {level['name']!r}",
                                  "level names are unique", where.at("levels", index, "name"))
            levels.append(Level(level["name"], tuple(level["rules"])))
        selector = _selector(raw.get("select", {}), where, ("Service",))
        definition = {"title": title or name,
                      **{k: v for k, v in raw.items() if k not in ("name", "title")}}
        self.scorecards.append((Scorecard(name, title or name, selector, tuple(levels),
                                          location, definition), where))

    def gate(self, name: str, raw: dict[str, Any], where: _Where, location: str) -> None:
        from itsmctl.durations import parse_date, parse_duration
        from itsmctl.rules import get_rule

        if get_rule(name) is not None:
            raise ConfigError(f"gate {name!r} has the id of a built-in rule",
                              "choose another name: findings carry it as their rule id",
                              location)
        self._claim("policy", name, location)
        stages = []
        for stage, body in raw["stages"].items():
            def criteria(part: str, body: dict[str, Any] = body) -> Criteria:
                data = body.get(part, {})
                return Criteria(tuple(data.get("rules", ())), tuple(
                    Required(e["name"], parse_duration(e["maxAge"]) if "maxAge" in e else None)
                    for e in data.get("evidence", ())))
            stages.append(Stage(stage, criteria("entry"), criteria("exit"),
                                tuple(body.get("approvers", ())), body.get("skippable", True)))
        selector = _selector(raw.get("select", {}), where, ("Service",))
        self.gates.append((Gate(name, raw.get("description", ""), selector, tuple(stages),
                                parse_date(raw.get("enableOn")), location,
                                {k: v for k, v in raw.items()}, where.relative(location)), where))

    def finish(self) -> PolicySet:
        from itsmctl.rules import all_rules

        known = sorted({*(r.id for r in all_rules(p.rule for p in self.policies)),
                        *(g.name for g, _ in self.gates)})
        for gate, where in self.gates:
            for stage, body in gate.definition["stages"].items():
                for part in ("entry", "exit"):
                    for position, rule_id in enumerate(body.get(part, {}).get("rules", ())):
                        if rule_id not in known or rule_id == gate.name:
                            close = difflib.get_close_matches(rule_id, known, n=1)
                            raise ConfigError(
                                f"gate {gate.name!r} names unknown rule {rule_id!r}",
                                f"did you mean {close[0]!r}?" if close
                                else "run `itsmctl rules`",
                                where.at("stages", stage, part, "rules", position))
        for card, where in self.scorecards:
            for index, level in enumerate(card.levels):
                for position, rule_id in enumerate(level.rules):
                    if rule_id not in known:
                        close = difflib.get_close_matches(rule_id, known, n=1)
                        raise ConfigError(
                            f"scorecard {card.name!r} names unknown rule {rule_id!r}",
                            f"did you mean {close[0]!r}?" if close else "run `itsmctl rules`",
                            where.at("levels", index, "rules", position))
        return PolicySet(tuple(self.policies), tuple(card for card, _ in self.scorecards),
                         tuple(gate for gate, _ in self.gates))


def _error_path(error: Any) -> JsonPath:
    """Where a schema error points: an unknown field's own line, not its parent's."""
    path: JsonPath = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(str(k) for k in error.instance if k not in allowed)
        return (*path, extra[0]) if extra else path
    return path


def _selector(raw: dict[str, Any], where: _Where, default: tuple[str, ...] | None) -> Selector:
    try:
        return parse_selector(raw, default) if default else parse_selector(raw)
    except SelectorError as error:
        raise ConfigError(str(error), error.hint, where.at("select", *error.key)) from None


def _check_via(via: str, kinds: tuple[str, ...], where: _Where) -> None:
    for kind in kinds:
        fields = via_fields(kind)
        if via not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise ConfigError(f"via {via!r} is not a reference field of {kind}",
                              f"reference fields of {kind}: {known}; narrow select.kind",
                              where.at("via"))


def _compile(rule_id: str, fragment: dict[str, Any], where: _Where) -> Any:
    """Check the fragment against the 2020-12 metaschema and its $refs, then compile it once."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    from itsmctl.formats import format_checker
    from itsmctl.visible import clip

    try:  # our checker: jsonschema's `regex` format raised on `pattern: "a{4294967296}"`
        Draft202012Validator.check_schema(fragment, format_checker=format_checker())
    except SchemaError as error:
        raise ConfigError(
            f"policy {rule_id!r}: `require` is not a valid JSON Schema (draft 2020-12):"
            f" {clip(error.message)}", "see https://json-schema.org/understanding-json-schema/",
            where.at("require", *error.absolute_path)) from None
    _check_keywords(rule_id, fragment, where)
    schema = {"$id": _BASE_URI.format(id=rule_id), **fragment}
    _check_refs(rule_id, schema, where)
    from itsmctl.schemas import compile_schema

    return compile_schema(schema)


# The keywords of JSON Schema 2020-12 (every vocabulary), and `definitions`, which older
# schemas use as a home for $ref targets. The metaschema accepts any other key as an
# annotation, so `minimun: 3` would be a requirement that silently requires nothing.
_SCHEMA_KEYWORDS = frozenset({
    "$schema", "$id", "$anchor", "$dynamicAnchor", "$ref", "$dynamicRef", "$defs", "$comment",
    "$vocabulary", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas",
    "prefixItems", "items", "contains", "properties", "patternProperties",
    "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties",
    "type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
    "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
    "dependentRequired", "format", "contentEncoding", "contentMediaType", "contentSchema",
    "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
    "definitions"})
_ONE_SCHEMA = frozenset({"not", "if", "then", "else", "items", "contains", "propertyNames",
                         "additionalProperties", "unevaluatedItems", "unevaluatedProperties",
                         "contentSchema"})
_SCHEMA_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_MAP = frozenset({"properties", "patternProperties", "$defs", "definitions",
                         "dependentSchemas"})


def _check_keywords(rule_id: str, fragment: Any, where: _Where) -> None:
    """An unknown keyword (a typo such as `minimun`) is a configuration error at its line.

    Only keys in schema position are keywords (not the names under `properties`); `x-`
    keys are the usual extension annotations and pass.
    """
    for path, key in _unknown_keywords(fragment):
        close = difflib.get_close_matches(key, sorted(_SCHEMA_KEYWORDS), n=1)
        raise ConfigError(
            f"policy {rule_id!r}: `require` uses {key!r}, which is not a JSON Schema keyword"
            " (it would require nothing)",
            f"did you mean {close[0]!r}?" if close else
            "see https://json-schema.org/draft/2020-12/json-schema-validation",
            where.at("require", *path, key))


def _unknown_keywords(fragment: Any) -> Iterator[tuple[JsonPath, str]]:
    """(schema path, key) of every unknown keyword, in document order; iterative."""
    stack: list[tuple[Any, JsonPath]] = [(fragment, ())]
    while stack:
        node, path = stack.pop()
        if not isinstance(node, dict):
            continue  # true/false schemas; malformed values are the metaschema's
        children: list[tuple[Any, JsonPath]] = []
        for key, value in node.items():
            if key not in _SCHEMA_KEYWORDS and not str(key).startswith("x-"):
                yield path, str(key)
            elif key in _ONE_SCHEMA:
                children.append((value, (*path, key)))
            elif key in _SCHEMA_LIST and isinstance(value, list):
                children += [(item, (*path, key, i)) for i, item in enumerate(value)]
            elif key in _SCHEMA_MAP and isinstance(value, dict):
                children += [(item, (*path, key, name)) for name, item in value.items()]
        stack.extend(reversed(children))


def _check_refs(rule_id: str, schema: dict[str, Any], where: _Where) -> None:
    from referencing import Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012

    from itsmctl.schemas import shared_registry

    registry = shared_registry().with_resource(schema["$id"], Resource.from_contents(
        schema, default_specification=DRAFT202012))
    resolver = registry.resolver(base_uri=schema["$id"])
    for path, ref in _refs(schema, ()):
        try:
            resolver.lookup(ref)
        except Unresolvable:
            raise ConfigError(f"policy {rule_id!r}: $ref {ref!r} does not resolve",
                              "refer to a $defs entry of the fragment or of a built-in schema,"
                              " e.g. envelope.schema.json#/$defs/uri",
                              where.at("require", *path)) from None
    cycle = ref_cycle(schema, resolver)
    if cycle is not None:
        raise ConfigError(
            f"policy {rule_id!r}: `require` refers back to itself without descending into the"
            " value ($ref/$dynamicRef loop): evaluating it would never end",
            "a recursive schema must step into a property or an item before it refers back",
            where.at("require", *cycle))


def _refs(node: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """Every `$ref`/`$dynamicRef` and where it is; iterative (a fragment may nest deeply)."""
    stack: list[tuple[Any, JsonPath]] = [(node, path)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                    yield path + (key,), value
                else:
                    stack.append((value, path + (key,)))
        elif isinstance(node, list):
            stack.extend((item, path + (index,)) for index, item in enumerate(node))
