"""Hostile files named on the command line: `render --pull-requests FILE`, `measure --records
DIR`'s mapping, the importers' inputs and output folders. Each is bounded in time (a named
pipe never blocks), refused as a usage error (exit 2) and never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE = Path(__file__).resolve().parent / "corpus" / "base"
TICKETS = (EXAMPLES / "records" / "tickets.csv").read_text(encoding="utf-8").splitlines()[:4]
TABLE = "{" + ", ".join(f"k{i}: v" for i in range(200)) + "}"
posix_only = pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "mkfifo"),
                                reason="POSIX named pipes")


@posix_only
def test_a_pull_request_file_that_is_a_named_pipe_is_refused_not_waited_on(
        tmp_path: Path, watchdog: None) -> None:
    """`open()` of a FIFO blocks until a writer comes: `render --pull-requests pipe` hung for
    ever before the 'not a regular file' check could run."""
    from itsmctl.errors import ItsmctlError
    from itsmctl.site.pullrequests import read_pull_requests

    os.mkfifo(tmp_path / "prs.json")
    with pytest.raises(ItsmctlError, match="is not a regular file"):
        read_pull_requests(tmp_path / "prs.json")


@pytest.mark.parametrize(("mapping", "message"), [
    # 200 aliases of a 200-entry value map: 40,000 entries from 5 KB (a 42 KB one took 243 MB)
    ("values:\n  a0: &t " + TABLE + "\n" + "".join(f"  a{i}: *t\n" for i in range(1, 200)),
     "not a usable mapping: aliases expand to more than 10000 nodes"),
    ("columns: {x: " + "[" * 5000 + "]" * 5000 + "}\n",  # was a RecursionError (exit 3)
     "mapping.yaml:1: not a usable mapping: nesting is deeper than 64 levels"),
    ("a: !!python/object/apply:os.system [x]\n", "tag '!!python/object/apply:os.system'"),
    ('timestampFormat: "%d.%m. %d"\n',  # strptime raised re.error on every row (exit 3)
     "timestampFormat '%d.%m. %d' is not a strptime format (redefinition of group name"),
    ('timestampFormat: "%Q"\n', "timestampFormat '%Q' is not a strptime format"),
    ('timestampFormat: "' + "%d" * 1000 + '"\n', "timestampFormat is longer than 200 characters"),
], ids=["alias-bomb", "deep", "tag", "directive-twice", "bad-directive", "long-format"])
def test_a_hostile_mapping_yaml_is_a_usage_error(tmp_path: Path, mapping: str,
                                                 message: str) -> None:
    """mapping.yaml was read with yaml.safe_load, not the catalog's loader: no bound on what
    aliases expand to, nesting deep enough for a RecursionError; and its strptime format was
    first tried on a row, where a directive written twice is a re.error."""
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "tickets.csv").write_text("\n".join(TICKETS) + "\n", encoding="utf-8")
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    result = run_cli("measure", str(EXAMPLES), "--records", str(folder))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


BACKSTAGE = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: "web\\n", description: hello}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
"""


def test_a_name_with_a_trailing_newline_is_refused_not_written_into_a_file_name(
        tmp_path: Path) -> None:
    """The importers' checks ended in `$`, which Python matches before a final newline:
    Backstage's `name: "web\\n"` passed as a valid name, was kept as ours and written to
    `services/web\\n.yaml` (and, with the catalog schema's own `$`, validated clean)."""
    from itsmctl.interop.names import to_name

    assert to_name("web\n") == "web"  # folded, as any other character outside the grammar
    (tmp_path / "catalog-info.yaml").write_text(BACKSTAGE, encoding="utf-8")
    result = run_cli("import", "backstage", str(tmp_path / "catalog-info.yaml"),
                     "-o", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    assert "catalog-info.yaml:3: error: Component is not valid: metadata.name must be" \
        in result.output
    assert not [p for p in (tmp_path / "out").rglob("*") if "\n" in p.name]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("pattern", "text", "matches"), [
    ("^[a-z]+$", "web\n", False),  # Python's `$` matched before the final newline
    ("^[a-z]+$", "web", True),
    (r"^a\$$", "a$", True), ("[$]x$", "$x", True), ("[]$]$", "]", True),
    ("^(?=[RACI]{1,4}$)(?!.*(.).*\\1)", "RA\n", False),  # the built-in RACI pattern
    ("(?m)^a$", "a\nb", True),  # multi-line mode asked for: `$` is a line end, as written
])
def test_a_dollar_in_a_pattern_is_the_end_of_the_text_as_json_schema_reads_it(
        pattern: str, text: str, matches: bool) -> None:
    """Built-in schemas, the fast check and catalog policies all read `$` as ECMA-262 does."""
    from itsmctl.patterns import search

    assert search(pattern, text) is matches


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symbolic links")
@pytest.mark.parametrize("link", [".", "teams"])
def test_import_never_writes_through_a_link_in_its_output_folder(tmp_path: Path,
                                                                 link: str) -> None:
    """`init` refused them; `import -o out` wrote `out/teams/team-a.yaml` through
    `out/teams -> /elsewhere` (and into the folder `-o` linked to)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    if link == ".":
        out.symlink_to(outside)
    else:
        out.mkdir()
        (out / link).symlink_to(outside)
    (tmp_path / "catalog-info.yaml").write_text(BACKSTAGE.replace('"web\\n"', "web"),
                                                encoding="utf-8")
    result = run_cli("import", "backstage", str(tmp_path / "catalog-info.yaml"),
                     "-o", str(out))
    assert result.exit_code == 2, result.output
    assert f"refusing to write through links in {out}: {link} -> {outside}" in result.output
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("url", ["https://github.com/acme/\u202ecatalog/pull/1",
                                 "https://github.com/acme/catalog/pull/1\x00",
                                 "https://github.com/acme/\u200bcatalog/pull/1",
                                 "https://github.com/acme/catalog/pull/1\n"])
def test_a_pull_request_link_with_hidden_characters_is_dropped(tmp_path: Path,
                                                               url: str) -> None:
    """Only whitespace and HTML's quote characters were refused: a bidi override, NUL or
    zero-width space stayed in the href (shown escaped, so the link led somewhere else)."""
    from itsmctl.site.pullrequests import read_pull_requests

    plain = "https://github.com/acme/catalog/pull/1"
    (tmp_path / "prs.json").write_text(json.dumps([{"number": 1, "url": url},
                                                   {"number": 2, "url": plain}]))
    first, second = read_pull_requests(tmp_path / "prs.json")
    assert (first.url, second.url) == (None, plain)


def test_a_usage_error_shows_the_hidden_characters_it_quotes(tmp_path: Path) -> None:
    """Usage errors (exit 2) were printed as written: a record file name from mapping.yaml
    reached the terminal or CI log with its NUL, U+202E and ESC (click drops ESC sequences
    only when the output is not a terminal)."""
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "tickets.csv").write_text("\n".join(TICKETS) + "\n", encoding="utf-8")
    (folder / "mapping.yaml").write_text('files: {tickets: "x\\0\\u202e\\x1b[31m"}\n',
                                         encoding="utf-8")
    result = run_cli("measure", str(EXAMPLES), "--records", str(folder))
    assert result.exit_code == 2, result.output
    assert "the records folder has no x\\x00\\u202e\\x1b[31m" in result.output
    assert not {"\0", "\u202e", "\x1b"} & set(result.output)


NESTED = "(" * 3000 + ")" * 3000
UNROLLED = "((a{100}){100}){1000}"  # 22 characters the engine unrolled to 10**7: 1.4 GB


@pytest.mark.parametrize(("rule", "title", "exit_code", "message"), [
    ('pattern: "a{4294967296}"', "x", 2, "`require` is not a valid JSON Schema (draft 2020-12):"
     " 'a{4294967296}' is not a 'regex'"),
    (f'pattern: "{NESTED}"', "x", 2, "(5819 more characters not shown)"),
    ("format: regex", "a{4294967296}", 1, "metadata.title: 'a{4294967296}' is not a valid regex"),
    ("format: regex", NESTED, 1, "is not a valid regex"),
    (f'pattern: "{UNROLLED}"', "x", 2, f"'{UNROLLED}' is not a 'regex'"),
    ("format: regex", UNROLLED, 1, f"metadata.title: '{UNROLLED}' is not a valid regex"),
    ('pattern: "(()){100000}"', "x", 2, "'(()){100000}' is not a 'regex'"),
], ids=["policy-overflow", "policy-nested", "value-overflow", "value-nested",
        "policy-unrolled", "value-unrolled", "policy-empty-groups"])
def test_a_regex_that_python_cannot_compile_is_refused_not_a_crash(
        tmp_path: Path, rule: str, title: str, exit_code: int, message: str) -> None:
    """jsonschema's `regex` format caught re.error only: a policy's pattern with a repeat
    past 2**32 (OverflowError) or 3,000 nested groups (RecursionError), or such a catalog
    value under a policy's `format: regex`, was an internal error (exit 3); counted repeats
    nested in 22 characters took 1.4 GB to compile and ended in MemoryError (exit 3), and a
    repeated empty group costs the square of its count (`(()){5000}`: 2.4 s)."""
    root = tmp_path / "catalog"
    shutil.copytree(BASE, root)
    service = root / "services" / "kubernetes-platform.yaml"
    service.write_text(service.read_text().replace("title: Kubernetes Platform",
                                                   f'title: "{title}"'))
    (root / ".itsmctl.yaml").write_text(
        "policies:\n  - id: p1\n    description: titles\n    select: {kind: Service}\n"
        f"    require: {{properties: {{metadata: {{properties: {{title: {{{rule}}}}}}}}}}}\n")
    result = run_cli("validate", str(root))
    assert result.exit_code == exit_code, result.output
    assert message in result.output
    assert "internal error" not in result.output


@posix_only
@pytest.mark.parametrize("make", ["fifo", "device"])
def test_a_config_that_is_not_a_regular_file_says_so(tmp_path: Path, make: str,
                                                     watchdog: None) -> None:
    """`--config pipe` and `--config /dev/zero` were refused as 'does not exist'."""
    config = tmp_path / "config.yaml"
    if make == "fifo":
        os.mkfifo(config)
    else:
        config = Path("/dev/zero")
    result = run_cli("validate", str(BASE), "--config", str(config))
    assert result.exit_code == 2, result.output
    assert "config file not read: not a regular file (never read)" in result.output


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("rows", [3, 700])  # 700 rows: past the first 64 KiB piece
def test_a_byte_that_is_not_utf8_is_reported_at_its_line(tmp_path: Path, end: str,
                                                         rows: int) -> None:
    """The text reader decodes 8 KiB ahead of the rows: a bad byte on line 5 was reported
    'after line 0', one on line 702 'after line 488'."""
    lines = (EXAMPLES / "records" / "tickets.csv").read_text(encoding="utf-8").splitlines()
    folder = tmp_path / "records"
    folder.mkdir()
    data = end.join(lines[:rows + 1]).encode() + end.encode() + b"X\xff,incident" + end.encode()
    (folder / "tickets.csv").write_bytes(data)
    result = run_cli("measure", str(EXAMPLES), "--records", str(folder))
    assert result.exit_code == 2, result.output
    assert f"tickets.csv:{rows + 2}: not UTF-8 text" in result.output
