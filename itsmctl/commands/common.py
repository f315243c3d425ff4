"""Options and output plumbing shared by commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from itsmctl.atomic import write_text_atomic
from itsmctl.visible import encode

if TYPE_CHECKING:
    from itsmctl.measure.run import MeasureOptions
    from itsmctl.parsecache import ParseCache


class DateType(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-11-23", param, ctx)


AUTO_FORMAT = "auto"
AUTO_HELP = " auto: github (annotations) when GITHUB_ACTIONS=true, else text."


def format_option(choices: tuple[str, ...] | list[str], help: str = "Report format.",
                  default: str | None = "text",
                  auto: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """`-f/--format`, the same spelling in every command; the command says which formats.

    `auto` adds the choice `auto` (see `resolve_format`) for commands that offer `github`."""
    names = [*choices, AUTO_FORMAT] if auto else list(choices)
    return click.option("-f", "--format", "fmt", type=click.Choice(names), default=default,
                        show_default=default is not None, help=help + (AUTO_HELP if auto else ""))


def resolve_format(fmt: str, environ: Mapping[str, str] | None = None) -> str:
    """The format `auto` stands for: GitHub annotations on a GitHub Actions runner (which sets
    GITHUB_ACTIONS=true), plain text anywhere else. Any other format is itself."""
    if fmt != AUTO_FORMAT:
        return fmt
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"


def report_output_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """`-o/--output FILE`: the report goes to a file, written atomically, not to stdout."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write the report to a file (atomically) instead of stdout.")(func)


def today_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--today", type=DateType(), envvar="ITSMCTL_TODAY", show_envvar=True,
        help="The date time-dependent rules use (review overdue, waiver expiry); default: today.",
    )(func)


def color_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--color", type=click.Choice(["auto", "always", "never"]), default="auto",
        show_default=True, help="Colour text output (auto: on a terminal, unless NO_COLOR is set).",
    )(func)


def use_color(choice: str, output: Path | None) -> bool:
    if choice != "auto":
        return choice == "always"
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def emit(text: str, output: Path | None) -> None:
    """Write a report to stdout, or atomically to a file."""
    if output is None:
        # colour was decided by the reporter already; stop click from second-guessing it
        click.echo(encode(text), nl=False, color=True)
    else:
        write_text_atomic(output, text)


def cache_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--no-cache`: parse every file afresh and leave the persistent parse cache alone."""
    return click.option(
        "--no-cache", is_flag=True,
        help="Do not read or write the parse cache (default: $ITSMCTL_CACHE_DIR, else"
             " $XDG_CACHE_HOME/itsmctl or ~/.cache/itsmctl).",
    )(func)


def open_cache(no_cache: bool) -> ParseCache | None:
    """The persistent parse cache a command uses, resolved once at the command boundary."""
    if no_cache:
        return None
    from itsmctl.parsecache import ParseCache, default_directory, max_bytes_from

    return ParseCache(default_directory(), max_bytes_from())


_REMEASURE = ("Records folder (as for measure): re-measure the changed SLAs on it under BASE"
              " and HEAD.")


def records_options(func: Callable[..., Any] | None = None, *, help: str = _REMEASURE
                    ) -> Callable[..., Any]:
    """`--records DIR`, `--assume-tz`, `--max-bad-rows`: every command that reads records takes
    the same three, so a bad-rows hint holds wherever it is shown (diff, check, render;
    docs/measure.md). `@records_options(help=...)` words --records for the command."""
    if func is None:
        return lambda f: records_options(f, help=help)
    for option in reversed((
        click.option("--records", "records", type=click.Path(file_okay=False, path_type=Path),
                     help=help),
        click.option("--assume-tz", metavar="ZONE",
                     help="With --records: zone of timestamps written without a UTC offset."),
        click.option("--max-bad-rows", type=click.IntRange(min=0), default=0, show_default=True,
                     help="With --records: unreadable record rows tolerated."),
    )):
        func = option(func)
    return func


def records_measure(records: Path | None, assume_tz: str | None,
                    max_bad_rows: int) -> MeasureOptions | None:
    """What `records_options` asked for, as the measure options of the diff (None: off)."""
    if records is None:
        return None
    from itsmctl.measure.run import MeasureOptions

    return MeasureOptions(records, assume_tz, max_bad_rows=max_bad_rows,
                          records_label=click.format_filename(records))
