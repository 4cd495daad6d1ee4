"""``labgen export``: the labs as a static site that runs in the browser under Pyodide."""

from __future__ import annotations

from pathlib import Path

import click

from labgen.commands.targets import render_chosen
from labgen.config import set_option
from labgen.errors import LabgenError, UsageError
from labgen.export import ExportedLab, export_site
from labgen.plugins import PluginChoice, plugin_options
from labgen.spec.workspace import open_workspace


@click.command()
@click.argument("addresses", nargs=-1)
@click.option("--all", "export_all", is_flag=True, help="Export every chapter that has a spec.")
@click.option(
    "-o",
    "--out",
    "site",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The site folder: volN/<lab>.html pages and wheels/ with labgen's wheel.",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Also put the Pyodide runtime and every package the pages load into the site, so it "
    "runs with no network (downloads once into ~/.cache/labgen from npm and PyPI).",
)
@plugin_options
@set_option
def export(
    addresses: tuple[str, ...],
    export_all: bool,
    site: Path,
    offline: bool,
    plugin_choice: PluginChoice,
    overrides: tuple[str, ...],
) -> None:
    """Export the labs of chapter ADDRESSES (or --all) as WebAssembly pages that run in the
    browser, with the wheel their set-up cell installs (serve the folder over HTTP, e.g.
    `python -m http.server --directory site`). With --offline the site also holds the Pyodide
    runtime and every package, pinned with hashes, and needs no network at all.

    Only labs that are built and up to date with their spec are exported. Nothing in the site
    changes unless every page exported. Exit codes: 0 exported, 1 a lab missing or out of
    date, 2 usage error or a failing tool (pip, marimo).
    """
    workspace = open_workspace(overrides)
    result = render_chosen(
        workspace, addresses, export_all, plugin_choice, "export", "nothing was exported"
    )
    stale = [item for item, _ in result.changed]
    for item in stale:
        state = "missing" if not item.lab_path.is_file() else "out of date with its spec"
        click.echo(f"{workspace.relative(item.lab_path)}: {state}", err=True)
    if stale:
        raise LabgenError(f"{len(stale)} lab(s) not built; run `labgen build` first")
    if site.exists() and not site.is_dir():
        raise UsageError(f"--out {site}: not a folder")
    labs = [
        ExportedLab(item.lab_path, Path(item.lab_path.parent.name) / f"{item.lab_path.stem}.html")
        for item, _, _ in result.rendered
    ]
    wheel = export_site(labs, site, offline=offline)
    click.echo(f"wheel {workspace.relative(wheel)}")
    for lab in labs:
        click.echo(f"exported {workspace.relative(site / lab.page)}")
    click.echo(f"Serve it with: python -m http.server --directory {workspace.relative(site)}")
