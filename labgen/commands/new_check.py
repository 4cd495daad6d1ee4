"""``labgen new-check``: scaffold a plugin package with one working check and its test."""

from __future__ import annotations

from pathlib import Path

import click

from labgen.atomic import write_atomic
from labgen.errors import LabgenError, UsageError
from labgen.plugin_scaffold import plugin_files, scaffold_problem


@click.command(name="new-check")
@click.argument("code")
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where to create the package (default: ./labgen-NAME).",
)
def new_check(code: str, name: str, folder: Path | None) -> None:
    """Create a plugin package whose check CODE (such as NOP001) is called NAME (kebab-case).

    The check works from the start (it reports calls to breakpoint()) and its test passes;
    change both into your rule (docs/writing-checks.md). Refuses to overwrite any file.
    """
    problem = scaffold_problem(code, name)
    if problem:
        raise UsageError(problem)
    folder = folder or Path(f"labgen-{name}")
    files = plugin_files(code, name)
    existing = [file for file in files if (folder / file).exists()]
    if existing:
        raise LabgenError(f"{folder / existing[0]} already exists; refusing to overwrite it")
    for file, text in files.items():
        try:
            write_atomic(folder / file, text.encode("utf-8"), overwrite=False)
        except OSError as error:
            raise LabgenError(f"cannot write {folder / file}: {error.strerror}") from None
    click.echo(f"created {folder}/ with {', '.join(files)}; next:")
    click.echo(f"  cd {folder} && pip install -e . && pytest -q")
