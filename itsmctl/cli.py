"""The command line: a click group that loads each command lazily and handles every error once.

Exit codes: 0 clean, 1 findings at or above the failing severity, 2 usage or environment
error, 3 internal error (a bug: one line with what a report needs, the traceback only with
--debug or ITSMCTL_DEBUG=1), 130 interrupted.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from itsmctl import __version__
from itsmctl.errors import ItsmctlError
from itsmctl.visible import visible

BUG_URL = "https://github.com/itsmctl/itsmctl/issues"
INTERNAL_ERROR = 3

# command name -> module in itsmctl.commands exposing `command`; imported only when used
COMMANDS = {
    "cache": "cache",
    "check": "check",
    "codeowners": "codeowners",
    "diff": "diff",
    "export": "export_cmd",
    "import": "import_cmd",
    "init": "init",
    "measure": "measure",
    "metrics": "metrics",
    "render": "render",
    "rules": "rules",
    "schema": "schema",
    "score": "score",
    "validate": "validate",
}


class ItsmctlGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"itsmctl.commands.{COMMANDS[name]}")
        return module.command  # type: ignore[no-any-return]

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ItsmctlError as error:
            report_error(error)
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Terminated:
            click.echo("itsmctl: terminated", err=True)
            ctx.exit(143)
        except KeyboardInterrupt:
            click.echo("itsmctl: interrupted", err=True)
            ctx.exit(130)
        except Exception as error:  # the one place that catches everything
            # imported here: `itsmctl --version` and every clean run start without them
            # (importlib.metadata and traceback, about 20 ms of each start-up)
            import traceback

            from itsmctl.bugreport import environment

            if _debug(ctx):
                traceback.print_exc()
            click.echo(
                f"itsmctl: internal error ({_one_line(error)}). This is a bug:"
                f" please report it at {BUG_URL} with this line and the output of the same"
                f" command run with --debug. [{environment()};"
                f" command: {ctx.invoked_subcommand or '?'}]", err=True)
            ctx.exit(INTERNAL_ERROR)


def _debug(ctx: click.Context) -> bool:
    flag = os.environ.get("ITSMCTL_DEBUG", "").strip().lower()
    return bool((ctx.obj or {}).get("debug")) or flag not in ("", "0", "false", "no", "off")


def _one_line(error: BaseException) -> str:
    """The error in one short line: its text may quote hostile input, newlines included."""
    text = visible(" ".join(str(error).split()))
    text = text if len(text) <= 200 else text[:199] + "…"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def report_error(error: ItsmctlError) -> None:
    """The usage error and its hint, hidden characters escaped (visible.py): a message may
    quote a record file name, a ref or a config value, NUL, ESC and U+202E included."""
    click.echo(f"itsmctl: error: {visible(str(error), lines=True)}", err=True)
    if error.hint:
        click.echo(f"  hint: {visible(error.hint, lines=True)}", err=True)


@click.group(cls=ItsmctlGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="itsmctl")
@click.option("--debug", is_flag=True, help="Show full tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """IT service management as code: validate, diff and render a catalog kept in git."""
    ctx.obj = {"debug": debug}
    patterns = sys.modules.get("itsmctl.patterns")  # loaded by an earlier run in this process
    if patterns is not None:
        patterns.reset()  # each command is a run: its own time bound for catalog patterns


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled or timed out, `kill`): the run stops as on Ctrl-C, so
    every `finally` runs: temporary files are removed and worker processes stopped."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    sys.exit(cli.main(prog_name="itsmctl"))
