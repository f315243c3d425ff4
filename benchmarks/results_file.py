"""The one writer of benchmarks/RESULTS.md's generated sections.

Each benchmark owns the text between its two markers (`<!-- NAME:start -->` and
`<!-- NAME:end -->`); everything else in the file is written by hand and kept byte for byte.
Every benchmark used to splice its section in its own way, and one of them moved its section
and left a blank line behind on every run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
AFTER = "<!-- results:end -->\n"  # a new section goes after the main results table


def write_section(text: str, start: str, end: str, results: Path = RESULTS) -> None:
    """Put `text` (its own markers included) where the section between `start` and `end`
    stands; a section not there yet goes after the results table (or at the end).

    Written to a temporary file and renamed, so an interrupted run leaves the old file whole.
    """
    text = text.rstrip("\n")
    old = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    head, found, rest = old.partition(start)
    if found and end in rest:
        new = head + text + rest.partition(end)[2]
    elif AFTER in old:
        new = old.replace(AFTER, AFTER + "\n" + text + "\n", 1)
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    handle, temporary = tempfile.mkstemp(dir=results.parent, prefix=".RESULTS-", suffix=".md")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(new)
        os.replace(temporary, results)
    except BaseException:
        os.unlink(temporary)
        raise
