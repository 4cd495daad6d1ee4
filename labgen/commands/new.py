"""``labgen new``: scaffold a chapter spec from the master list, with TODO markers to fill."""

from __future__ import annotations

import os

import click

from labgen.atomic import write_atomic
from labgen.book import UnknownChapterError, resolve
from labgen.config import set_option
from labgen.errors import LabgenError, UsageError
from labgen.spec.scaffold import scaffold_spec
from labgen.spec.schema import SCHEMA_FILE, schema_text
from labgen.spec.workspace import open_workspace


@click.command()
@click.argument("address")
@set_option
def new(address: str, overrides: tuple[str, ...]) -> None:
    """Create the spec of a chapter (ch07, v2ch05, a slug) with TODO markers to fill in.

    Refuses to overwrite an existing spec. Also writes the JSON Schema next to the volume
    folders when it is missing, so the spec's modeline resolves in editors.
    """
    try:
        chapter = resolve(address)
    except UnknownChapterError as error:
        raise UsageError(str(error)) from None
    workspace = open_workspace(overrides)
    path = workspace.spec_path(chapter)
    registries = workspace.registries()
    text = scaffold_spec(chapter, registries, workspace.index().written_before(chapter))
    try:
        write_atomic(path, text.encode("utf-8"), overwrite=False)
    except FileExistsError:
        what = "already exists"
        if path.is_symlink() and not path.exists():
            what = f"is a symbolic link to {os.readlink(path)}, which does not exist; remove it"
        raise LabgenError(f"{workspace.relative(path)} {what}; refusing to overwrite it") from None
    except OSError as error:
        raise LabgenError(f"cannot write {workspace.relative(path)}: {error.strerror}") from None
    schema = workspace.chapters_dir / SCHEMA_FILE
    if not schema.exists():
        try:
            write_atomic(schema, schema_text(registries).encode("utf-8"))
        except OSError as error:  # the spec is written; the schema only helps editors
            click.echo(f"warning: cannot write {workspace.relative(schema)}: {error}", err=True)
    click.echo(f"created {workspace.relative(path)}: replace every TODO, then run")
    click.echo(f"  labgen validate {chapter.key}")
