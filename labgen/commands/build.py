"""``labgen build``: render chapter specs into marimo labs."""

from __future__ import annotations

import sys

import click

from labgen.commands.targets import render_chosen
from labgen.config import set_option
from labgen.errors import LabgenError
from labgen.plugins import PluginChoice, plugin_options
from labgen.rendering.pipeline import WriteStoppedError, diff, write
from labgen.spec.workspace import Workspace, open_workspace


@click.command()
@click.argument("addresses", nargs=-1)
@click.option("--all", "build_all", is_flag=True, help="Build every chapter that has a spec.")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; report labs that differ from their spec (with a diff) and exit 1.",
)
@plugin_options
@set_option
def build(
    addresses: tuple[str, ...],
    build_all: bool,
    check: bool,
    plugin_choice: PluginChoice,
    overrides: tuple[str, ...],
) -> None:
    """Build the labs of chapter ADDRESSES (ch05, v2ch05, nn_compute, v2:dist_train) or --all.

    Every spec is validated first; nothing is written unless every requested lab renders, and
    each lab is written atomically. Exit codes: 0 built (or up to date), 1 invalid spec or
    out-of-date lab under --check, 2 usage error or a plugin that fails.
    """
    workspace = open_workspace(overrides)
    result = render_chosen(
        workspace, addresses, build_all, plugin_choice, "build", "no lab was written"
    )
    if check:
        for item, lab in result.changed:
            shown = workspace.relative(item.lab_path)
            click.echo(f"{shown}: out of date with {workspace.relative(item.spec_path)}", err=True)
            sys.stdout.write(diff(item, lab, shown))
        if result.changed:
            raise LabgenError(
                f"{len(result.changed)} of {len(result.rendered)} lab(s) out of date; run `labgen build`"
            )
        click.echo(f"{len(result.rendered)} lab(s) up to date.")
        return
    try:
        written = write(result)
    except WriteStoppedError as stopped:
        raise _stopped_error(stopped, workspace) from None
    for path in written:
        click.echo(f"built {workspace.relative(path)}")
    unchanged = len(result.rendered) - len(written)
    if unchanged:
        click.echo(f"{unchanged} lab(s) already up to date")


def _stopped_error(stopped: WriteStoppedError, workspace: Workspace) -> LabgenError:
    """One line: why writing stopped, which labs were already replaced, which kept their
    content. Exit 130 for Ctrl-C (as the shell reports it), 1 for a file that cannot be
    written."""
    target = workspace.relative(stopped.stopped_at)
    if isinstance(stopped.cause, KeyboardInterrupt):
        why, code = f"interrupted while writing {target}", 130
    else:
        reason = getattr(stopped.cause, "strerror", None) or stopped.cause
        why, code = f"cannot write {target}: {reason}", 1
    done = ", ".join(workspace.relative(path) for path in stopped.written)
    already = f"already written: {done}" if done else "no lab was written"
    return LabgenError(f"{why} (it keeps its old content; {already})", code=code)
