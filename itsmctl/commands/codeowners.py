"""`itsmctl codeowners`: write (or check) the GitHub CODEOWNERS file of the catalog."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command("codeowners")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the file here (atomically) instead of standard output, e.g."
                   " .github/CODEOWNERS.")
@click.option("--check", "check_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Compare with this committed CODEOWNERS; exit 1 listing the differences.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: .itsmctl.yaml at the catalog root).")
@click.pass_context
def command(ctx: click.Context, path: Path, output: Path | None, check_file: Path | None,
            config_file: Path | None) -> None:
    """A GitHub CODEOWNERS file from the catalog in PATH.

    Entity files are owned by the GitHub team of their service's owner (a service's SLA
    and RACI files too); the config, policy files, workflows, shared entities and the
    CODEOWNERS file itself by the owner of the change process. With branch protection's
    "require review from code owners" GitHub enforces it. Exits 0, 1 when --check finds the
    committed file stale, 2 on a usage or environment problem.
    """
    from itsmctl.atomic import write_text_atomic
    from itsmctl.codeowners import DEFAULT_FILE, catalog_codeowners, stale_lines
    from itsmctl.errors import ItsmctlError
    from itsmctl.runcontext import resolve_context

    if output is not None and check_file is not None:
        raise ItsmctlError("-o and --check contradict each other", "pass one of them")
    context = resolve_context(path, config_file=config_file, read_policies=False)
    target = output or check_file
    result = catalog_codeowners(context, _repo_rel(path, target) if target else DEFAULT_FILE)
    for note in result.notes:
        click.echo(f"itsmctl codeowners: note: {note}", err=True)
    if check_file is not None:
        try:
            committed = check_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ItsmctlError(f"cannot read {check_file}: {exc}",
                               "write it first: itsmctl codeowners -o " + str(check_file)) from exc
        differences = stale_lines(committed, result)
        if differences:
            click.echo(f"{check_file} is stale: {len(differences)} line(s) differ")
            for line in differences:
                click.echo(f"  {line}")
            click.echo(f"regenerate it: itsmctl codeowners {path} -o {check_file}")
            ctx.exit(1)
        click.echo(f"{check_file} is up to date ({len(result.lines)} paths)")
        return
    if output is None:
        click.echo(result.text, nl=False)
        return
    write_text_atomic(output, result.text)
    click.echo(f"wrote {output} ({len(result.lines)} paths)", err=True)


def _repo_rel(catalog: Path, file: Path) -> str:
    """`file` relative to the repository root of the catalog (the path CODEOWNERS shows)."""
    from itsmctl import git
    from itsmctl.codeowners import DEFAULT_FILE
    from itsmctl.errors import ItsmctlError

    try:
        top = git.working_dir(git.open_repo(catalog)).resolve()
    except ItsmctlError:
        top = catalog.resolve()
    target = Path(os.path.abspath(file))
    # written outside the repository (a preview): it will be committed at the usual place
    return target.relative_to(top).as_posix() if target.is_relative_to(top) else DEFAULT_FILE
