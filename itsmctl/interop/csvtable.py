"""Read a CSV list export (ServiceNow's "Export > CSV") with line numbers, bounded.

Headers are matched the way ServiceNow writes them: field names (`support_group`) or
labels (`Support group`), case and spacing aside. A missing column is a finding at the
header line; a row keeps the line it starts on, so every later finding points at it. A
column named twice (`name` and `Name`, a field name and its label) is a finding and the file
is not read: which one a spreadsheet shows and which one an import takes would be a silent
choice, as a duplicate key in YAML would.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from itsmctl.findings import Finding, Severity
from itsmctl.sources import SourceFile, read_source

MAX_BYTES = 32 * 1024 * 1024
MAX_ROWS = 200_000
MAX_FIELD = 65_536


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    values: Mapping[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


@dataclass
class Table:
    source: SourceFile
    columns: tuple[str, ...] = ()
    rows: list[Row] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def finding(self, rule: str, message: str, line: int, hint: str = "",
                severity: Severity = Severity.ERROR) -> Finding:
        return Finding(rule, severity, message, self.source.label, line, 1, hint=hint)


def normal(header: str) -> str:
    return "_".join(header.strip().lower().replace(".", " . ").split()).replace("_._", ".")


def read_table(path: Path, required: tuple[str, ...],
               aliases: Mapping[str, str] | None = None) -> Table:
    """The rows of the CSV at `path`, with findings for what is unreadable or missing."""
    label = path.as_posix()
    source = read_source(path, path.name, label, path.resolve().parent, MAX_BYTES)
    table = Table(source)
    if source.error:
        table.findings.append(table.finding("import-csv-unreadable", source.error, 1))
        return table
    try:
        text = source.bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        table.findings.append(table.finding("import-csv-unreadable",
                                            f"not UTF-8 (byte {exc.start})", 1,
                                            "export the list as CSV in UTF-8"))
        return table
    _parse(table, text, required, aliases or {})
    return table


def _parse(table: Table, text: str, required: tuple[str, ...],
           aliases: Mapping[str, str]) -> None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            table.findings.append(table.finding("import-csv-missing-column", "the file is empty",
                                                1))
            return
        table.columns = tuple(aliases.get(normal(h), normal(h)) for h in header)
        twice = _named_twice(header, table.columns)
        if twice:
            table.findings.append(table.finding(
                "import-csv-duplicate-column", f"{twice}; the file was not read", 1,
                "export the list with each column once"))
            table.columns = ()
            return
        missing = [c for c in required if c not in table.columns]
        for column in missing:
            table.findings.append(table.finding(
                "import-csv-missing-column", f"column {column!r} is missing", 1,
                "export the list with this column (list view > Configure > List layout)"))
        start = reader.line_num + 1
        for record in reader:
            if len(table.rows) >= MAX_ROWS:
                table.findings.append(table.finding("import-csv-too-large",
                                                    f"more than {MAX_ROWS} rows; the rest "
                                                    "were not read", start))
                return
            if any(len(v) > MAX_FIELD for v in record):
                table.findings.append(table.finding("import-csv-bad-row",
                                                    f"a value is over {MAX_FIELD} characters; "
                                                    "row skipped", start))
            elif record and any(v.strip() for v in record):
                table.rows.append(Row(start, dict(zip(table.columns, record, strict=False))))
            start = reader.line_num + 1
    except csv.Error as exc:
        table.findings.append(table.finding("import-csv-unreadable", f"not valid CSV: {exc}",
                                            reader.line_num or 1))


def _named_twice(header: list[str], columns: tuple[str, ...]) -> str:
    """"columns 1 'name' and 8 'Name' are both name", or "" when no column is named twice
    (unnamed columns, from trailing commas, are never read and may repeat)."""
    first: dict[str, int] = {}
    for index, column in enumerate(columns):
        if column in first:
            earlier = first[column]
            return (f"columns {earlier + 1} {header[earlier]!r} and {index + 1}"
                    f" {header[index]!r} are both {column}")
        if column:
            first[column] = index
    return ""
