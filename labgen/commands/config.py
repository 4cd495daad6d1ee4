"""``labgen config``: the effective settings and where each one came from."""

from __future__ import annotations

import json

import click

from labgen.config import set_option
from labgen.spec.workspace import open_workspace


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print {key: {value, source}} as JSON.")
@set_option
def config(as_json: bool, overrides: tuple[str, ...]) -> None:
    """Show the effective settings: pyproject.toml [tool.labgen], then LABGEN_* environment
    variables, then --set, each key with the layer it came from."""
    workspace = open_workspace(overrides)
    effective = workspace.config.effective()
    if as_json:
        data = {
            key: {"value": value, "source": source} for key, (value, source) in effective.items()
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"# project: {workspace.root}")
    width = max(len(f"{key} = {json.dumps(value)}") for key, (value, _) in effective.items())
    for key, (value, source) in effective.items():
        assignment = f"{key} = {json.dumps(value)}"
        click.echo(f"{assignment:<{width}}  # {source}")
