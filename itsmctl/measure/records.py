"""Reading records (tickets, status events, outages) row by row, each bad row a RowProblem.

Readers are generators: a run holds the rows it still needs, never a whole file. A row that
cannot be read is yielded as a RowProblem naming its file, line and column, and reading goes
on; a file that lacks a required column stops the run (exit 2) before any row is read.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, TextIO

from itsmctl.errors import ItsmctlError
from itsmctl.measure.mapping import RecordMapping
from itsmctl.measure.recordfile import open_record
from itsmctl.measure.timestamps import TimestampError, iso_reader

TICKET_TYPES = ("incident", "request", "change", "problem")
_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f", ""}
# The longest JSON Lines record read (characters, line end excluded): a longer line is a bad
# row and is skipped without being held, as CSV's 131,072-character field limit does for CSV.
JSONL_LINE_LIMIT = 1 << 20  # 1 MiB
_LINE_END = re.compile("\r\n|\r|\n")
_OPTIONAL = {"channel", "first_contact", "reopened", "csat", "lzs", "outcome", "cost",
             "change_type"}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One row that could not be read: where, which column, and why."""

    file: str
    line: int
    column: int | None
    column_name: str
    message: str

    def __str__(self) -> str:
        where = f" column {self.column_name}" if self.column_name else ""
        return f"{self.file}:{self.line}:{where} {self.message}"


class Ticket:
    """One ticket as read; `statuses` collects its status history (at, status)."""

    __slots__ = (
        "change_type",
        "channel",
        "closed",
        "cost",
        "csat",
        "first_contact",
        "id",
        "line",
        "lzs",
        "opened",
        "outcome",
        "priority",
        "reopened",
        "resolved",
        "responded",
        "service",
        "statuses",
        "type",
    )

    def __init__(self, id: str, type: str, service: str, priority: str, opened: float,
                 line: int, responded: float | None = None, resolved: float | None = None,
                 closed: float | None = None, channel: str = "",
                 first_contact: bool | None = None, reopened: int = 0,
                 csat: float | None = None, lzs: bool | None = None, outcome: str = "",
                 cost: float | None = None, change_type: str = "") -> None:
        self.id, self.type, self.service, self.priority = id, type, service, priority
        self.opened, self.line = opened, line
        self.responded, self.resolved, self.closed = responded, resolved, closed
        self.channel, self.first_contact, self.reopened = channel, first_contact, reopened
        self.csat, self.lzs, self.outcome = csat, lzs, outcome
        self.cost, self.change_type = cost, change_type
        self.statuses: list[tuple[float, str]] = []

    @property
    def stop(self) -> float | None:
        """When the ticket's clocks stop for good: its (last) resolution, else its closure."""
        return self.resolved if self.resolved is not None else self.closed


@dataclass(frozen=True, slots=True)
class Outage:
    service: str
    start: float
    end: float
    weight: float  # 1.0 for a full outage
    planned: bool
    line: int


Parse = Callable[[str], float]


class _Columns:
    """The header of one file resolved against the mapping: field -> column indexes."""

    def __init__(self, label: str, header: list[str], fields: dict[str, tuple[str, ...]],
                 required: tuple[str, ...], constants: dict[str, str]) -> None:
        positions = {name.strip(): i for i, name in enumerate(header)}
        self.label, self.width, self.constants = label, len(header), constants
        self.index: dict[str, list[int]] = {}
        self.names: dict[str, str] = {}
        for name, candidates in fields.items():
            found = [positions[c] for c in candidates if c in positions]
            if found:
                self.index[name] = found
                self.names[name] = header[found[0]]
        self.optional = bool(set(self.index) & _OPTIONAL)
        missing = [f for f in required if f not in self.index and f not in constants]
        if missing:
            wanted = " or ".join(repr(c) for c in fields[missing[0]])
            raise ItsmctlError(
                f"{label} has no column {wanted} (field {missing[0]})",
                "name the export's column in mapping.yaml under columns:, or pick a preset"
                " (docs/measure.md#mappingyaml)")

    def get(self, row: list[str], name: str) -> str:
        for i in self.index.get(name, ()):
            if i < len(row):
                value = row[i].strip()
                if value:
                    return value
        return self.constants.get(name, "")

    def problem(self, line: int, name: str, message: str) -> RowProblem:
        index = self.index.get(name)
        return RowProblem(self.label, line, index[0] + 1 if index else None,
                          self.names.get(name, name), message)


class _Bad(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class _CellError(csv.Error):
    """A JSON Lines value that cannot stand for its column (an id that is an array)."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


def _unreadable(label: str, line: int, error: Exception) -> RowProblem:
    if isinstance(error, _CellError):
        return RowProblem(label, line, None, error.column, error.message)
    return RowProblem(label, line, None, "", f"unreadable row: {error}")


def _rows(path: Path, label: str, columns_of: list[str], ids: frozenset[str] = frozenset()
          ) -> Iterator[tuple[int, Any]]:
    """(line, row) of a CSV or JSON Lines file; the header first as line 1 (CSV only).
    `ids`: the JSON keys that hold an id, which must be a string or an integer."""
    handle = io.TextIOWrapper(open_record(path, label), encoding="utf-8-sig", newline="")
    last = 0
    with handle:
        try:
            if path.suffix == ".jsonl":
                yield 1, list(columns_of)
                for last, text in enumerate(_json_lines(handle), 1):
                    if isinstance(text, csv.Error):
                        yield last, text
                    elif text.strip():
                        yield last, _json_row(text, columns_of, ids)
                return
            reader = csv.reader(handle)
            while True:
                try:
                    for row in reader:  # one loop in C until a row fails (then resume)
                        start, last = last + 1, reader.line_num
                        if row:
                            yield start, row
                    return
                except csv.Error as exc:
                    last = reader.line_num
                    yield last, exc
        except UnicodeDecodeError:
            raise ItsmctlError(f"{label}:{_undecodable_line(path, label)}: not UTF-8 text",
                               "export the file as UTF-8") from None


def _undecodable_line(path: Path, label: str) -> int:
    """The line of a record file's first byte that is not UTF-8, read again in pieces of
    64 KiB and counted as the readers count (at LF, CRLF and CR). The text reader decodes 8 KiB
    ahead of the rows: the error said `after line 0` of a bad byte on line 5."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    line, carry = 1, ""
    with open_record(path, label) as raw:
        while chunk := raw.read(1 << 16):
            try:
                text = carry + decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                good = exc.object[:exc.start].decode("utf-8", "replace")
                return line + len(_LINE_END.findall(carry + good))
            carry = "\r" if text.endswith("\r") else ""  # a CRLF may be split between pieces
            line += len(_LINE_END.findall(text[:-1] if carry else text))
    return line


def _json_lines(handle: TextIO) -> Iterator[str | csv.Error]:
    """Each line of a JSON Lines file, one too long an error whose rest is read and dropped
    in pieces, so a 100 MB line is never held whole."""
    cap = JSONL_LINE_LIMIT
    while text := handle.readline(cap + 2):  # + 2: the line's own "\r\n" fits
        if len(text.rstrip("\r\n")) <= cap:
            yield text
            continue
        while not text.endswith(("\n", "\r")) and (text := handle.readline(cap + 2)):
            pass
        yield csv.Error(f"line longer than {cap:,} characters")


_KINDS = {bool: "a boolean", float: "a number with a fraction", list: "an array",
          dict: "an object"}


def _json_row(text: str, columns_of: list[str], ids: frozenset[str]) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return csv.Error(f"not a JSON object: {exc.msg}")
    except RecursionError:  # hostile nesting: a bad row, not a crash
        return csv.Error("not a JSON object: nested too deeply")
    except ValueError as exc:  # e.g. an integer over Python's 4300-digit limit
        return csv.Error(f"not a JSON object: {str(exc).split(';')[0][:120]}")
    if not isinstance(data, dict):
        return csv.Error("not a JSON object")
    for key in ids:
        kind = _KINDS.get(type(data.get(key)))
        if kind is not None:  # str(["x"]) would make the id "['x']"
            return _CellError(key, f"is {kind}, not a string or integer")
    return ["" if data.get(c) is None else _text(data.get(c)) for c in columns_of]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flag(text: str, field: str) -> bool | None:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return None if not lowered else False
    raise _Bad(field, f"{text[:40]!r} is not true or false")


def _number(text: str, field: str, lo: float | None = None, hi: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _Bad(field, f"{text[:40]!r} is not a number") from None
    if (math.isnan(value) or math.isinf(value) or (lo is not None and value < lo)
            or (hi is not None and value > hi)):
        raise _Bad(field, f"{text[:40]!r} is outside {lo:g}-{hi:g}" if lo is not None
                   and hi is not None else f"{text[:40]!r} is not a usable number")
    return value


def _instant(parse: Parse, text: str, field: str) -> float:
    try:
        return parse(text)
    except TimestampError as exc:
        raise _Bad(field, str(exc)) from None


def _header(path: Path, label: str, mapping_fields: dict[str, tuple[str, ...]]
            ) -> tuple[Iterator[tuple[int, Any]], list[str]]:
    wanted = sorted({c for cs in mapping_fields.values() for c in cs})
    rows = _rows(path, label, wanted, frozenset(mapping_fields.get("id", ())))
    first = next(rows, None)
    if first is None or isinstance(first[1], Exception):
        raise ItsmctlError(f"{label} is empty or has no readable header row")
    return rows, first[1]


def read_tickets(path: Path, label: str, mapping: RecordMapping, parse: Parse,
                 problems: list[RowProblem], resolve: Callable[[str], str] | None = None,
                 change_models: dict[str, str] | None = None) -> Iterator[Ticket]:
    """Tickets of a file in file order; unreadable rows go to `problems`.

    `change_models`: catalog ChangeModel names to their `spec.type`, so a change record may
    name its change model (`emergency-change`) where a change type is read.
    """
    from itsmctl.measure.mapping import TICKET_FIELDS

    # a constant wins over a column of the same name unless the mapping names that column
    # (a ServiceNow change export has a `type` column: the change type, not the record type)
    fields = {f: mapping.ticket_columns(f) for f in TICKET_FIELDS
              if f not in mapping.constants or f in mapping.columns}
    rows, header = _header(path, label, fields)
    cols = _Columns(label, header, fields, ("id", "type", "service", "priority", "opened_at"),
                    mapping.constants)
    jsonl = path.suffix == ".jsonl"
    width = cols.width
    reader = _TicketReader(cols, mapping, parse, resolve, change_models or {})
    for line, row in rows:
        if isinstance(row, Exception):
            problems.append(_unreadable(label, line, row))
            continue
        if not jsonl and len(row) != width:
            problems.append(RowProblem(label, line, None, "",
                                       f"row has {len(row)} fields, the header {width}"))
            continue
        try:
            yield reader.ticket(row, line)
        except _Bad as bad:
            problems.append(cols.problem(line, bad.field, bad.message))


_MAIN = ("id", "opened_at", "type", "priority", "service", "responded_at", "resolved_at",
         "closed_at")
_EXTRA = ("channel", "first_contact", "lzs", "outcome", "change_type", "reopened", "csat",
          "cost")


class _TicketReader:
    """One row to a Ticket; column positions are looked up once, not per row."""

    def __init__(self, cols: _Columns, mapping: RecordMapping, parse: Parse,
                 resolve: Callable[[str], str] | None, change_models: dict[str, str]) -> None:
        self.cols, self.mapping, self.parse = cols, mapping, parse
        self.read = iso_reader(parse)
        self.change_models = change_models
        self.resolve = resolve or str
        self.types = mapping.values.get("type", {})
        self.priorities = mapping.values.get("priority", {})
        self.channels = mapping.values.get("channel", {})
        self.outcomes = mapping.values.get("outcome", {})
        self.change_types = mapping.values.get("change_type", {})
        self.single = {name: idx[0] for name, idx in cols.index.items()
                       if len(idx) == 1 and name not in cols.constants}
        self.services: dict[str, str] = {}
        self.main = self._picker(_MAIN)
        self.extra = self._picker(_EXTRA)
        # every field in a column of its own: the sixteen texts in one pick
        self.whole = self._picker(_MAIN + _EXTRA) if cols.optional and self.extra else None
        self.lowered: tuple[dict[str, str], dict[str, str], dict[str, str]] = ({}, {}, {})

    def _picker(self, names: tuple[str, ...]) -> Callable[[list[str]], tuple[str, ...]] | None:
        """One C-level pick of `names` when every field has one column of its own (rows
        reaching here have the header's width), else None: the texts are found by name."""
        if all(n in self.single for n in names):
            return itemgetter(*(self.single[n] for n in names))
        return None

    def cells(self, row: list[str], names: tuple[str, ...],
              pick: Callable[[list[str]], tuple[str, ...]] | None) -> Iterable[str]:
        """The stripped texts of `names` in one row."""
        if pick is not None:
            return map(str.strip, pick(row))
        return [self.text(row, n) for n in names]

    def text(self, row: list[str], name: str) -> str:
        i = self.single.get(name)
        if i is not None:
            return row[i].strip() if i < len(row) else ""
        return self.cols.get(row, name)

    def ticket(self, row: list[str], line: int) -> Ticket:
        """The row's Ticket, built in one call; `_Bad` names the first field that is not
        usable, in the order the fields are read (id, opened_at, the other instants, the
        optional fields)."""
        whole = self.whole
        if whole is not None:
            (ident, opened_text, kind, priority, service, responded, resolved, closed, channel,
             first_contact, lzs, outcome, change_type, reopened, csat, cost) = \
                map(str.strip, whole(row))
        else:
            ident, opened_text, kind, priority, service, responded, resolved, closed = \
                self.cells(row, _MAIN, self.main)
        if not ident:
            raise _Bad("id", "is empty")
        if not opened_text:
            raise _Bad("opened_at", "is empty")
        resolved_service = self.services.get(service)
        if resolved_service is None:
            resolved_service = self.services[service] = self.resolve(service)
        kinds, outcomes, change_types = self.lowered
        lowered = kinds.get(kind)
        if lowered is None:
            lowered = _remember(kinds, kind, self.types.get(kind, kind).lower())
        kind, priority = lowered, self.priorities.get(priority, priority)
        read, name = self.read, "opened_at"
        responded_at = resolved_at = closed_at = None
        try:  # one frame for the four instants; each is checked as soon as it is read
            opened = read(opened_text)
            if responded:
                name = "responded_at"
                if (responded_at := read(responded)) < opened:
                    raise _Bad(name, "is before opened_at")
            if resolved:
                name = "resolved_at"
                if (resolved_at := read(resolved)) < opened:
                    raise _Bad(name, "is before opened_at")
            if closed:
                name = "closed_at"
                if (closed_at := read(closed)) < opened:
                    raise _Bad(name, "is before opened_at")
        except TimestampError as exc:
            raise _Bad(name, str(exc)) from None
        if whole is None:
            if not self.cols.optional:
                return Ticket(ident, kind, resolved_service, priority, opened, line,
                              responded_at, resolved_at, closed_at)
            channel, first_contact, lzs, outcome, change_type, reopened, csat, cost = \
                self.cells(row, _EXTRA, self.extra)
        contact = (_FLAGS[first_contact] if first_contact in _FLAGS
                   else _flag(first_contact, "first_contact"))
        zero_stop = _FLAGS[lzs] if lzs in _FLAGS else _flag(lzs, "lzs")
        lowered = change_types.get(change_type)
        if lowered is None:  # the export's value, else the catalog change model's type
            named = self.change_types.get(change_type, change_type)
            lowered = _remember(change_types, change_type,
                                self.change_models.get(named, named).lower())
        change_type = lowered
        lowered = outcomes.get(outcome)
        if lowered is None:
            lowered = _remember(outcomes, outcome, self.outcomes.get(outcome, outcome).lower())
        times = 0
        if reopened and reopened != "0":
            lowered_times = reopened.lower()
            times = (1 if lowered_times in _TRUE - {"1"} else 0 if lowered_times in _FALSE
                     else int(_number(reopened, "reopened", 0, 1e6)))
        return Ticket(ident, kind, resolved_service, priority, opened, line, responded_at,
                      resolved_at, closed_at, self.channels.get(channel, channel),
                      contact,
                      times, _bounded(csat, "csat", 1, 5) if csat else None,
                      zero_stop, lowered,
                      _bounded(cost, "cost", 0, 1e12) if cost else None,
                      change_type)


def _remember(memo: dict[str, str], text: str, value: str) -> str:
    """`value`, remembered as `text`'s in `memo` while it holds fewer than 1,024 texts: a
    column has a handful of values, and a hostile file cannot grow the memo past that."""
    if len(memo) < 1024:
        memo[text] = value
    return value


# _flag's answers for the texts it lowers to themselves, looked up without a call
_FLAGS: dict[str, bool | None] = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False),
                             "": None}


def _bounded(text: str, field: str, lo: float, hi: float) -> float:
    """_number for a finite range: a NaN or infinity fails the bounds and is refused there."""
    try:
        value = float(text)
    except ValueError:
        return _number(text, field, lo, hi)
    return value if lo <= value <= hi else _number(text, field, lo, hi)



EventRow = tuple[str, float, str, int]  # id, at, status, line


def read_events(path: Path, label: str, mapping: RecordMapping, parse: Parse,
                problems: list[RowProblem]) -> Iterator[EventRow]:
    """Status events as (id, at, status, line) in file order; bad rows go to `problems`."""
    from itsmctl.measure.mapping import EVENT_FIELDS

    fields = {f: mapping.event_column(f) for f in EVENT_FIELDS}
    rows, header = _header(path, label, fields)
    cols = _Columns(label, header, fields, EVENT_FIELDS, {})
    i_id, i_at, i_status = cols.index["id"][0], cols.index["at"][0], cols.index["status"][0]
    width = cols.width
    status_map = mapping.values.get("status", {})
    read = iso_reader(parse)
    for line, row in rows:
        if isinstance(row, Exception) or len(row) != width:
            problems.append(_unreadable(label, line, row) if isinstance(row, Exception) else
                            RowProblem(label, line, None, "",
                                       f"row has {len(row)} fields, the header {width}"))
            continue
        ident, at_text, status = row[i_id].strip(), row[i_at].strip(), row[i_status].strip()
        if not ident or not at_text or not status:
            name = "id" if not ident else "at" if not at_text else "status"
            problems.append(cols.problem(line, name, "is empty"))
            continue
        try:
            at = read(at_text)
        except TimestampError as exc:
            problems.append(cols.problem(line, "at", str(exc)))
            continue
        yield ident, at, status_map.get(status, status), line


def read_outages(path: Path, label: str, mapping: RecordMapping, parse: Parse
                 ) -> Iterator[Outage | RowProblem]:
    from itsmctl.measure.mapping import OUTAGE_FIELDS

    fields: dict[str, tuple[str, ...]] = {f: (f,) for f in OUTAGE_FIELDS}
    rows, header = _header(path, label, fields)
    cols = _Columns(label, header, fields, ("service", "start", "end"), {})
    for line, row in rows:
        if isinstance(row, Exception) or len(row) != cols.width:
            yield RowProblem(label, line, None, "", "unreadable row")
            continue
        try:
            yield _outage(cols, row, line, parse)
        except _Bad as bad:
            yield cols.problem(line, bad.field, bad.message)


def _outage(cols: _Columns, row: list[str], line: int, parse: Parse) -> Outage:
    service = cols.get(row, "service")
    if not service:
        raise _Bad("service", "is empty")
    start = _instant(parse, cols.get(row, "start"), "start")
    end = _instant(parse, cols.get(row, "end"), "end")
    if end < start:
        raise _Bad("end", "is before start")
    impact = (cols.get(row, "impact") or "full").lower()
    if impact not in ("full", "partial"):
        raise _Bad("impact", f"{impact[:40]!r} is not full or partial")
    weight = 1.0
    if impact == "partial":
        text = cols.get(row, "weight")
        if not text:
            raise _Bad("weight", "a partial outage needs a weight from 0 to 1")
        weight = _number(text, "weight", 0, 1)
    planned = bool(_flag(cols.get(row, "planned"), "planned"))
    return Outage(service, start, end, weight, planned, line)
