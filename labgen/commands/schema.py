"""``labgen schema``: the JSON Schema of chapter specs (print, write, or check the project's)."""

from __future__ import annotations

import click

from labgen.atomic import write_atomic
from labgen.config import set_option
from labgen.errors import LabgenError, UsageError
from labgen.spec.schema import SCHEMA_FILE, schema_text
from labgen.spec.workspace import Workspace, open_workspace


@click.command()
@click.option(
    "--write", is_flag=True, help=f"Write it to <chapters>/{SCHEMA_FILE} (the specs' modeline)."
)
@click.option("--check", is_flag=True, help=f"Exit 1 when <chapters>/{SCHEMA_FILE} is stale.")
@set_option
def schema(write: bool, check: bool, overrides: tuple[str, ...]) -> None:
    """Print the JSON Schema of chapter specs (editors use it through the specs' modeline)."""
    try:
        workspace: Workspace | None = open_workspace(overrides)
    except UsageError:
        if write or check or overrides:
            raise
        workspace = None  # outside a project the schema knows the built-in instruments only
    text = schema_text(workspace.registries() if workspace is not None else None)
    if workspace is None or not (write or check):
        click.echo(text, nl=False)
        return
    path = workspace.chapters_dir / SCHEMA_FILE
    shown = workspace.relative(path)
    if check:
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            raise LabgenError(f"{shown} is out of date; run `labgen schema --write`")
        click.echo(f"{shown} is up to date")
        return
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as error:
        raise LabgenError(f"cannot write {shown}: {error.strerror or error}") from None
    click.echo(f"wrote {shown}")
