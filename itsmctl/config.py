"""The repository config file (`.itsmctl.yaml`): which files, which rules, which limits."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from itsmctl.errors import ConfigError
from itsmctl.findings import Severity
from itsmctl.globs import matches_any
from itsmctl.limits import DEFAULT_LIMITS, Limits, limits_from_settings
from itsmctl.sources import SourceFile, read_source
from itsmctl.yamlload import parse_source

CONFIG_NAMES = (".itsmctl.yaml", ".itsmctl.yml", "itsmctl.yaml")
DEFAULT_INCLUDE = ("**/*.yaml", "**/*.yml")
DEFAULT_EXCLUDE = ("site/**", "node_modules/**")
OFF = "off"


@dataclass(frozen=True, slots=True)
class Override:
    """Re-grade or switch off rules for part of the tree (e.g. `legacy/**`)."""

    paths: tuple[str, ...]
    rules: Mapping[str, str]


@dataclass(frozen=True)
class Config:
    file: str = ""
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    rules: Mapping[str, str] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    default_branch: str = "main"
    limits: Limits = field(default_factory=Limits)
    site_title: str = "Service catalog"
    site_output: str = "site"
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # role -> its holders
    raw: Mapping[str, Any] = field(default_factory=dict)
    source: SourceFile | None = field(default=None, compare=False, repr=False)

    def severity_for(self, rule: str, default: Severity, rel: str) -> Severity | None:
        """The severity a finding gets at `rel`, or None when the rule is off there."""
        chosen = self.rules.get(rule)
        for override in self.overrides:
            if rule in override.rules and matches_any(rel, override.paths):
                chosen = override.rules[rule]
        if chosen is None:
            return default
        return None if chosen == OFF else Severity.parse(chosen)

    def configured_rule_ids(self) -> set[str]:
        ids = set(self.rules)
        for override in self.overrides:
            ids.update(override.rules)
        return ids


def config_name(present: Callable[[str], bool]) -> str | None:
    """The config file's name: the first of CONFIG_NAMES that is `present` (an entry that
    is not a folder; a link counts, followed or not, and is then refused when read).

    The one rule for disk and git alike, so that `validate` and each side of a diff agree
    on which file is the config (a folder or dangling link named `.itsmctl.yaml` next to a
    real `.itsmctl.yml` is the config, and an error, on both)."""
    return next((name for name in CONFIG_NAMES if present(name)), None)


def find_config(root: Path) -> Path | None:
    """The config file of the catalog folder `root` on disk, None when it has none."""
    def present(name: str) -> bool:
        path = root / name
        return path.is_symlink() or (path.exists() and not path.is_dir())

    name = config_name(present)
    return root / name if name is not None else None


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Read and check the config; any problem is a ConfigError (exit 2) with file:line."""
    path = explicit or find_config(root)
    if path is None:
        return Config()
    if explicit is not None and not os.path.lexists(explicit):  # a pipe or folder: read_source
        raise ConfigError(f"config file {path} does not exist")
    # the catalog's own config is untrusted pull-request content: read it like a catalog file
    # (never through a link out of the catalog); a --config the user names is theirs to choose
    boundary = Path(os.path.realpath(path if explicit else root))
    boundary = boundary.parent if explicit else boundary
    source = read_source(path, path.name, str(path), boundary, DEFAULT_LIMITS.max_file_size)
    if source.error:
        raise ConfigError(f"config file not read: {source.error}", location=str(path),
                          hint="keep .itsmctl.yaml a regular file inside the catalog folder")
    return parse_config(source.bytes(), str(path), path.name)


def parse_config(data: bytes, label: str, rel: str = "") -> Config:
    """Check and read a config's bytes; `label` is how findings name the file, `rel` its
    path from the catalog root (`Config.source` keeps both, and the bytes, for locations)."""
    from itsmctl.schemas import validator_for

    source = SourceFile(rel or label, label, data=data)
    parsed = parse_source(source, DEFAULT_LIMITS)  # settings.* limits the catalog, not itself
    if parsed.findings:
        first = parsed.findings[0]
        raise ConfigError(first.message, first.hint, f"{label}:{first.line or 1}")
    raw = parsed.documents[0].data if parsed.documents else {}
    if not isinstance(raw, dict):
        raise ConfigError("the config file must be a mapping", location=f"{label}:1")
    _unquoted_off(raw)
    errors = sorted(validator_for("config.schema.json").iter_errors(raw), key=lambda e: e.path)
    if errors:
        from itsmctl.schemas import describe_error

        error = errors[0]
        message, hint = describe_error(error)
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            path += tuple(extra[:1])  # point at the unknown key itself
        raise ConfigError(message, hint, config_location(source, path))
    _patterns_inside(raw, source)
    return replace(_from_raw(raw, label), source=source)


def _patterns_inside(raw: dict[str, Any], source: SourceFile) -> None:
    """Globs are relative to the catalog root and stay in it: `../**` or `/etc/**` would
    select nothing (so a config could pass by validating no file) or point outside."""
    lists: list[tuple[tuple[str | int, ...], Any]] = [
        ((key,), raw.get(key)) for key in ("include", "exclude", "policyFiles")]
    lists += [(("overrides", n, "paths"), o.get("paths"))
              for n, o in enumerate(raw.get("overrides") or [])]
    for path, patterns in lists:
        for index, pattern in enumerate(patterns or []):
            text = pattern.strip().removeprefix("./")
            if text.startswith("/") or ".." in text.split("/"):
                raise ConfigError(
                    f"{'.'.join(map(str, path))}: {pattern!r} points outside the catalog folder",
                    "globs are relative to the catalog root, e.g. services/**",
                    config_location(source, (*path, index)))


def config_location(source: SourceFile, path: tuple[str | int, ...]) -> str:
    """`file:line` of a value in the config, for ConfigErrors raised after loading too."""
    from itsmctl.locate import Locator

    line, _ = Locator(DEFAULT_LIMITS).position(source, 0, path)  # as parse_config parsed it
    return f"{source.label}:{line or 1}"


def _unquoted_off(raw: dict[str, Any]) -> None:
    """YAML 1.1 reads a bare `off` as false; in a severity map it can only mean "off"."""
    overrides = raw.get("overrides")  # not yet schema-checked: any shape at all
    maps = [raw.get("rules")] + [o.get("rules") for o in
                                 (overrides if isinstance(overrides, list) else [])
                                 if isinstance(o, dict)]
    for severities in maps:
        if isinstance(severities, dict):
            for rule, value in severities.items():
                if value is False:
                    severities[rule] = OFF


def _from_raw(raw: dict[str, Any], label: str) -> Config:
    settings = raw.get("settings", {})
    site = settings.get("site", {})
    return Config(
        file=label,
        include=tuple(raw.get("include", DEFAULT_INCLUDE)),
        # policy files hold Policy/Scorecard documents, not catalog entities
        exclude=tuple(raw.get("exclude", ())) + tuple(raw.get("policyFiles", ()))
        + DEFAULT_EXCLUDE,
        rules=dict(raw.get("rules", {})),
        overrides=tuple(Override(tuple(o["paths"]), dict(o["rules"]))
                        for o in raw.get("overrides", [])),
        default_branch=settings.get("defaultBranch", "main"),
        limits=limits_from_settings(settings),
        site_title=site.get("title", "Service catalog"),
        site_output=site.get("output", "site"),
        roles={role: tuple(holders) for role, holders in raw.get("roles", {}).items()},
        raw=raw,
    )
