"""Findings raised while reading files and envelopes: documented here like every other rule."""

from __future__ import annotations

from itsmctl.findings import Severity
from itsmctl.rules.registry import builtin_rule

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741 - short, as in the docs table

builtin_rule("yaml-syntax", E, "yaml", """The file is not well-formed YAML.

Parsing stops at the first syntax error of a file; its earlier documents are still checked,
and so is every other file. Tabs used for indentation are the most common cause.""")
builtin_rule("yaml-duplicate-key", E, "yaml", """A mapping sets the same key twice.

PyYAML silently keeps the last value and other parsers keep the first: the meaning of the
file would depend on the tool reading it. The first value is kept for the other checks.""")
builtin_rule("yaml-tag", E, "yaml", """A value carries a YAML tag other than plain data.

Tags such as `!!python/object/apply` can execute code in unsafe loaders; itsmctl never
constructs them, and rejects the document so that no tool downstream does either.""")
builtin_rule("yaml-complex-key", E, "yaml", """A mapping key is a list or a mapping.

Catalog keys are strings; a complex key cannot be represented in JSON.""")
builtin_rule("yaml-alias-limit", E, "yaml", """Aliases expand to more nodes than allowed.

Bounds "billion laughs" alias bombs. The limit is `settings.maxAliasExpansion`
(10,000 nodes by default), per file: summed over its documents.""")
builtin_rule("yaml-too-deep", E, "yaml", """The document is nested deeper than allowed.

Entities are a few levels deep; the limit (`settings.maxDepth`, 64 by default) stops
hostile input from exhausting the stack.""")
builtin_rule("file-encoding", E, "yaml", """The file is not UTF-8.

A UTF-8 byte-order mark is accepted; other encodings are not.""")
builtin_rule("file-too-large", E, "yaml", """The file is larger than `settings.maxFileSize`.

The default limit is 1 MiB; a catalog file of that size is almost always a mistake.""")
builtin_rule("file-unreadable", E, "yaml", """The file cannot be read.

Permissions, a file deleted during the run, or a symbolic link that points outside the
catalog root (never followed).""")
builtin_rule("envelope", E, "schema", """A document is not a mapping with the entity envelope.

Every document is one entity: `apiVersion`, `kind`, `metadata`, `spec`.""")
builtin_rule("unknown-api-version", E, "schema",
             """The document's apiVersion is not one itsmctl knows.

The supported version is `itsmctl.io/v1`.""")
builtin_rule("unknown-kind", E, "schema", """The document's kind is not a catalog kind.

Kinds: Team, Service, BusinessCalendar, SLA, RACI, ChangeModel, ServiceCatalog, Process
(exact case).""")
builtin_rule("duplicate-name", E, "reference", """Two entities of the same kind share a name.

Names are unique per kind, because references name entities by kind and name. Every
definition is reported, each at its own file and line, and none of them is used: references
to the name resolve to nothing (no `ref-unresolved` is added for them), and no rule, policy
or approval reads either copy. Otherwise whichever file sorts first would silently stand for
the entity, and a pull request could shadow a service by adding a second one.""")
builtin_rule("waiver-expired", E, "waiver", """A waiver's expiry date has passed.

The waived rule applies again (its findings come back), and the expired waiver is itself an
error: renew it with a new reason and date, or fix what it waived.""")
builtin_rule("waiver-unknown-rule", E, "waiver", """A waiver names a rule that does not exist.

Check `itsmctl rules` for the ids.""")
builtin_rule("waiver-unused", I, "waiver", """A waiver suppresses nothing.

The entity now satisfies the rule, so the waiver can be removed.""")
