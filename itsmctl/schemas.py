"""Built-in JSON Schemas: read as package data, compiled once per kind, errors as findings."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from itsmctl.findings import Finding, JsonPath, Severity
from itsmctl.formats import format_checker

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

    from itsmctl.limits import Limits
    from itsmctl.model import Entity

SCHEMA_FILES = {
    "Team": "team.schema.json",
    "Service": "service.schema.json",
    "BusinessCalendar": "business-calendar.schema.json",
    "SLA": "sla.schema.json",
    "RACI": "raci.schema.json",
    "ChangeModel": "change-model.schema.json",
    "ServiceCatalog": "service-catalog.schema.json",
    "Process": "process.schema.json",
}
SHARED_FILES = ("envelope.schema.json", "entity.schema.json", "config.schema.json",
                "policy.schema.json")


def schema_names() -> list[str]:
    return sorted([*SCHEMA_FILES.values(), *SHARED_FILES])


@cache
def schema_text(filename: str) -> str:
    return (resources.files("itsmctl") / "schemas" / filename).read_text(encoding="utf-8")


SCHEMA_BASE = "https://itsmctl.io/schemas/v1/"


@cache
def load_schema(filename: str) -> dict[str, Any]:
    """A built-in schema, known in process by `SCHEMA_BASE` + its file name.

    The files themselves carry no `$id`: a tool that reads them from disk (check-jsonschema,
    an editor) resolves their relative `$ref`s beside them, with no network; an `$id` would
    send it to the web instead. A policy's `$ref` may still name the full URI.
    """
    return {"$id": SCHEMA_BASE + filename, **json.loads(schema_text(filename))}


@lru_cache(maxsize=1)
def _registry() -> Any:
    from referencing import Registry, Resource

    resources_ = [
        (load_schema(name)["$id"], Resource.from_contents(load_schema(name)))
        for name in schema_names()
    ]
    return Registry().with_resources(resources_)


@cache
def validator_for(filename: str) -> Validator:
    """One compiled validator per schema for the whole run (compiling is the slow part)."""
    return compile_schema(load_schema(filename))


def compile_schema(schema: dict[str, Any]) -> Validator:
    """A validator that may `$ref` the built-in schemas (policies' requirements use it too).

    Its `pattern` and `patternProperties` run with a time bound (patterns.py): a policy's
    requirement is written by a pull request, and may backtrack catastrophically.
    """
    timed = _timed_validator_class()
    return timed(schema, registry=_registry(),
                 format_checker=format_checker())


@cache
def _timed_validator_class() -> Any:
    from jsonschema import Draft202012Validator, validators

    from itsmctl import patterns

    return validators.extend(Draft202012Validator, {
        "pattern": patterns.pattern, "patternProperties": patterns.pattern_properties})


def shared_registry() -> Any:
    """The `referencing` registry holding every built-in schema by its `$id`."""
    return _registry()


@cache
def fast_check(filename: str) -> Callable[[Any], bool] | None:
    """A compiled yes/no check of the schema (fastschema.py); None when it needs jsonschema."""
    from itsmctl.fastschema import compile_documents

    documents = {load_schema(n).get("$id", n): load_schema(n) for n in schema_names()}
    return compile_documents(documents, load_schema(filename).get("$id", filename))


VERDICT_REVISION = 1
"""What `schema_verdict` answers for the same data and schemas changed (the parse cache keys
on it, and on the schemas' text)."""


def prepare_fast_checks() -> None:
    """Compile every kind's fast check now (before forking workers, which then share them)."""
    for filename in SCHEMA_FILES.values():
        fast_check(filename)


def schema_verdict(data: Any) -> str | None:
    """The kind of a document whose schema's fast check accepts it, else None.

    Worked out with the parse (on every core, and stored in the parse cache), so that the
    schema rule skips the check: a document is an entity of kind K exactly when its
    `apiVersion` is ours and its `kind` is K, and the rule checks it against K's schema.
    """
    from itsmctl.model import API_VERSION

    if not isinstance(data, dict) or data.get("apiVersion") != API_VERSION:
        return None
    kind = data.get("kind")
    filename = SCHEMA_FILES.get(kind) if isinstance(kind, str) else None
    check = fast_check(filename) if filename is not None else None
    try:
        return kind if check is not None and check(data) else None
    except RecursionError:
        return None  # the rule checks it again, and meets whatever it meets


def schema_findings(entity: Entity, limits: Limits) -> list[Finding]:
    """Validate one entity against its kind's schema; each error points at its own value
    (`limits`: those its file was parsed under, for the locator).

    Most entities are valid: a fast check answers for them (or answered with the parse:
    `Document.valid_as`), and jsonschema explains the rest.
    """
    if entity.document.valid_as == entity.kind:
        return []
    filename = SCHEMA_FILES[entity.kind]
    check = fast_check(filename)
    if check is not None and check(entity.data):
        return []
    validator = validator_for(filename)
    return [_to_finding(entity, error, limits)
            for error in _leaf_errors(validator, entity.data)]


def _leaf_errors(validator: Validator, data: Any) -> Iterator[ValidationError]:
    for error in validator.iter_errors(data):
        # oneOf/anyOf report the branch errors as context: the deepest one is the useful one
        if error.context and error.validator in ("oneOf", "anyOf"):
            from jsonschema.exceptions import best_match

            yield best_match(error.context) or error
        else:
            yield error


def _to_finding(entity: Entity, error: ValidationError, limits: Limits) -> Finding:
    path: JsonPath = tuple(error.absolute_path)
    message, hint = describe_error(error)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        if extra:
            path = path + (extra[0],)
    finding = entity.finding("schema", message, path, hint, Severity.ERROR)
    odd = odd_character(error)
    if odd is not None:  # point at the look-alike itself, not at the start of the value
        from itsmctl.locate import Locator

        line, column = Locator(limits).character_position(
            entity.document.source, entity.document.index, path, odd)
        finding = finding.at(line, column)
    return finding


def odd_character(error: ValidationError) -> int | None:
    """The offset of the first character that alone makes a text miss its `pattern`: a
    look-alike (U+0430, Cyrillic, for 'a') or an invisible one (U+200B), which no reader can see.

    Only when the text *as it reads* (look-alikes as their ASCII letter, invisible ones
    left out) matches: otherwise something else is wrong and naming a character would
    mislead.
    """
    from itsmctl.patterns import PatternTimeout, search
    from itsmctl.visible import odd_characters, unmasked

    text, pattern = error.instance, error.validator_value
    if error.validator != "pattern" or not isinstance(text, str) or not isinstance(pattern, str):
        return None
    offsets = odd_characters(text[:1000])  # names and references are short; a page is not
    if not offsets:
        return None
    try:
        return offsets[0] if search(pattern, unmasked(text)) else None
    except PatternTimeout:
        return None


def _odd_sentence(text: str, offset: int) -> tuple[str, str]:
    """": character 3 is U+0430 CYRILLIC SMALL LETTER A, which looks like 'a'" and the fix."""
    from itsmctl.visible import character_name, look_alike, odd_characters

    char = text[offset]
    alike = look_alike(char)
    what = f"which looks like {alike!r}" if alike else "which cannot be seen"
    others = len(odd_characters(text[:1000])) - 1
    more = f" (and {others} more such character{'s' if others > 1 else ''})" if others else ""
    fix = f"Type the ASCII {alike!r} instead" if alike else "Delete it"
    return f": character {offset + 1} is {character_name(char)}, {what}{more}", f"{fix}. "


def describe_error(error: ValidationError) -> tuple[str, str]:
    """A sentence a service owner understands, and a hint taken from the schema's own docs."""
    where = _clip(".".join(str(p) for p in error.absolute_path)) or "document"
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = schema.get("description", "") or schema.get("title", "")
    if kind == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else error.message
        sub = schema.get("properties", {}).get(missing, {})
        return f"{where}: required field '{missing}' is missing", sub.get("description", hint)
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        close = difflib.get_close_matches(str(extra[0]), allowed, n=1) if extra else []
        guess = f"did you mean {close[0]!r}? " if close else ""
        return (f"{where}: unknown field {', '.join(_short(e) for e in extra)}",
                f"{guess}allowed fields: {', '.join(allowed)}" if allowed else hint)
    if kind == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        return f"{where}: {_short(error.instance)} is not one of: {options}", hint
    if kind == "const":
        return f"{where}: must be {error.validator_value!r}, not {_short(error.instance)}", hint
    if kind == "pattern":
        odd = odd_character(error)
        sentence, fix = _odd_sentence(error.instance, odd) if odd is not None else ("", "")
        return (f"{where}: {_short(error.instance)} does not have the expected form{sentence}",
                fix + hint)
    if kind == "format":
        return f"{where}: {_short(error.instance)} is not a valid {error.validator_value}", hint
    message = error.message.replace(repr(error.instance), _short(error.instance), 1)
    return f"{where}: {_clip(message, 300)}", hint


def _short(value: Any) -> str:
    """A value as quoted in a message, clipped: catalog text can be 1 MB, and aliases repeat it."""
    return _clip(repr(value))


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
