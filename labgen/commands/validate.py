"""``labgen validate``: check chapter specs and report every problem at its line and column."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labgen.book import UnknownChapterError, resolve
from labgen.commands.spec_report import (
    fail_on_problems,
    print_problems,
    warn_unreadable_neighbours,
)
from labgen.config import set_option
from labgen.errors import UsageError
from labgen.parallel import map_forked, shared
from labgen.plugins import PluginChoice, plugin_options
from labgen.spec.diagnostics import SpecProblem
from labgen.spec.index import SpecIndex
from labgen.spec.registries import registries_for
from labgen.spec.validate import check_spec_file
from labgen.spec.workspace import Workspace, open_workspace, shown_path


def _targets(paths: tuple[str, ...], workspace: Workspace | None) -> list[Path]:
    """Spec files named by ``paths`` (files, folders searched for *.yaml, chapter addresses),
    or every spec of the project when none is given."""
    if not paths:
        if workspace is None:
            raise UsageError("no labgen project here; name the spec files to validate")
        return workspace.spec_files()
    found: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.yaml") if p.is_file())
        elif path.exists():
            found.append(path)
        elif workspace is not None and not text.endswith((".yaml", ".yml")):
            try:
                chapter = resolve(text)
            except UnknownChapterError as error:
                raise UsageError(f"{text}: no such file, and {error}") from None
            found.append(workspace.spec_path(chapter))
        else:
            raise UsageError(f"{text}: no such file or folder")
    return found


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON list.")
@plugin_options
@set_option
def validate(
    paths: tuple[str, ...], as_json: bool, plugin_choice: PluginChoice, overrides: tuple[str, ...]
) -> None:
    """Validate chapter specs (files, folders or chapter addresses such as ch05).

    With no argument, every spec of the project found from the current directory is checked;
    named files and folders are judged in the project they are in, wherever the command runs.
    Exit code 0 when all are valid, 1 when any has a problem, 2 for usage errors and plugins
    that fail (specs are judged with every plugin's instruments).
    """
    try:
        workspace: Workspace | None = open_workspace(overrides, start=_project_start(paths))
    except UsageError:
        if not paths or overrides:
            raise
        workspace = None
    targets = _targets(paths, workspace)
    index = workspace.index() if workspace is not None else SpecIndex()
    if workspace is not None:
        registries = registries_for(workspace.config, workspace.root, plugin_choice)
    else:
        registries = registries_for(choice=plugin_choice)
    problems: list[SpecProblem] = []
    for found in map_forked(_problems_of, targets, registries=registries, index=index):
        problems += found
    if as_json:
        click.echo(json.dumps([p.to_json() for p in problems], indent=2))
    else:
        print_problems(problems)
        if not problems:
            noun = "spec" if len(targets) == 1 else "specs"
            click.echo(f"All {len(targets)} {noun} valid.")
    warn_unreadable_neighbours(index, targets, shown_path)
    fail_on_problems(problems, len(targets))


def _problems_of(path: Path) -> list[SpecProblem]:
    """The located problems of one spec (run in a worker: see ``labgen.parallel``)."""
    return check_spec_file(
        path, shown=shown_path(path), registries=shared("registries"), index=shared("index")
    ).problems


def _project_start(paths: tuple[str, ...]) -> Path | None:
    """Where to look for the project: from the first file or folder named (a spec belongs to
    the project it is in, wherever the command runs), else from the working folder."""
    for text in paths:
        path = Path(text)
        if path.exists() or path.is_symlink():
            return path.absolute() if path.is_dir() else path.absolute().parent
    return None
