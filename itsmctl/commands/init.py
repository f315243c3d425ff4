"""`itsmctl init`: scaffold a catalog repository that validates clean and runs in CI."""

from __future__ import annotations

import shlex
from datetime import date
from pathlib import Path

import click

from itsmctl.commands.common import today_option

NEXT_STEPS = """\
Next steps:
{cd}  {git_init}git add -A && git commit -m "Start the service catalog"
  itsmctl validate            # the starter catalog is clean; edit it to describe your services
  pre-commit install          # optional: validate before every commit
Push to GitHub: pull requests are checked by .github/workflows/itsm-pr.yml, and the
default branch is published to GitHub Pages by .github/workflows/itsm-site.yml
(Settings > Pages > Source: GitHub Actions).
"""


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@today_option
@click.pass_context
def command(ctx: click.Context, directory: Path, force: bool, today: date | None) -> None:
    """Create a catalog repository in DIRECTORY (default: here).

    Writes a config file, one commented example of every kind, the JSON Schemas, GitHub
    workflows (pull-request check with a sticky comment and SARIF; site on GitHub Pages), a
    pre-commit config and a README for catalog editors. Into an existing repository it
    writes only what is missing: existing files are skipped (and listed) unless --force.
    """
    from itsmctl.scaffold import init_catalog

    result = init_catalog(directory, force=force, today=today)
    for rel in result.created:
        click.echo(f"created {rel}")
    for rel in result.overwritten:
        click.echo(f"overwrote {rel}")
    for rel in result.skipped:
        click.echo(f"skipped {rel} (exists; --force overwrites it)")
    here = directory.resolve() == Path.cwd().resolve()
    where = "the current folder" if here else click.format_filename(directory)
    click.echo(f"\nA new service catalog is ready in {where}.")
    click.echo(NEXT_STEPS.format(
        cd="" if here else f"  cd {shlex.quote(click.format_filename(directory))}\n",
        git_init="" if result.in_repository else "git init -b main && "), nl=False)
    ctx.exit(0)
