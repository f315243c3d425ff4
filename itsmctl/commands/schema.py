"""`itsmctl schema`: print or write the JSON Schemas."""

from __future__ import annotations

from pathlib import Path

import click

from itsmctl.commands.common import emit


@click.command("schema")
@click.argument("names", nargs=-1)
@click.option("-d", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the schemas (all, or the NAMES given) into this folder.")
def command(names: tuple[str, ...], output_dir: Path | None) -> None:
    """Print a schema (NAME: a kind such as Service, or a file name), or write them all.

    Without arguments, lists the schemas. Point your editor at them with a modeline:
    `# yaml-language-server: $schema=<path>/entity.schema.json`.
    """
    from itsmctl.schema_export import export_schemas, resolve_schema_name
    from itsmctl.schemas import schema_names, schema_text

    if output_dir is not None:
        for path in export_schemas(output_dir, list(names)):
            click.echo(f"wrote {path}")
    elif names:
        emit("".join(schema_text(resolve_schema_name(n)) for n in names), None)
    else:
        emit("".join(f"{name}\n" for name in schema_names()), None)
