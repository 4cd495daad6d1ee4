"""``labgen plugins``: every plugin labgen loads, what ships it, and what it adds.

A plugin that fails to import, or whose hook raises, is listed with the failure and the command
exits 2; the other plugins are still listed.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import click

from labgen.config import set_option
from labgen.errors import LabgenError
from labgen.plugins import PluginChoice, PluginError, plugin_options

if TYPE_CHECKING:
    from labgen.plugins import Plugins


@dataclass
class PluginRow:
    """One plugin as listed: where it comes from, its hooks, and what those hooks add."""

    name: str
    distribution: str
    version: str
    origin: str
    module: str
    hooks: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    output_formats: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def plugin_rows(plugins: Plugins) -> list[PluginRow]:
    """A row per registered plugin, then one per plugin that failed to load, in load order.

    Calls every hook once (through the plugin manager's crash barrier), so a hook that raises
    shows up in its plugin's ``errors``, and so does a clash (one rule code or instrument id
    claimed twice) in the rows of the plugins it names.
    """
    # Calling the aggregate hooks first validates the plugin set and records hook failures;
    # a clash is listed against the plugins it names, the listing goes on.
    clashes = []
    for aggregate in ("checks", "instruments", "output_formats"):
        try:
            getattr(plugins, aggregate)
        except PluginError as error:
            clashes.append(str(error))
    rows = {
        info.name: PluginRow(
            info.name,
            info.distribution,
            info.version,
            info.origin,
            info.module,
            plugins.hooks_of(info.name),
        )
        for info in plugins.infos
    }
    for name, checks in plugins.results_by_plugin("labgen_checks"):
        rows[name].rules = [
            f"{getattr(c, 'code', '?')} {getattr(c, 'name', repr(c))}" for c in _listed(checks)
        ]
    for name, instruments in plugins.results_by_plugin("labgen_instruments"):
        rows[name].instruments = [
            f"{getattr(i, 'id', repr(i))} (Volume {getattr(i, 'unlock_volume', '?')} chapter "
            f"{getattr(i, 'unlock_chapter', '?')})"
            for i in _listed(instruments)
        ]
    for name, formats in plugins.results_by_plugin("labgen_output_formats"):
        rows[name].output_formats = sorted(str(f) for f in formats) if _mapping(formats) else []
    for clash in clashes:
        for row in rows.values():
            if f"{row.name!r}" in clash:
                row.errors.append(clash)
    for failure in plugins.failures:
        row = rows.get(failure.plugin)
        if row is None:  # it never registered: it failed to import
            row = rows[failure.plugin] = PluginRow(failure.plugin, "", "", "failed", "")
        row.errors.append(failure.message)
    return list(rows.values())


def _listed(result: object) -> list[object]:
    """A hook's result as a list (nothing when the hook returned something else: that is
    recorded as the plugin's failure)."""
    return list(result) if isinstance(result, list | tuple | set | frozenset) else []


def _mapping(result: object) -> bool:
    return isinstance(result, Mapping)


_NBSP = "\u00a0"


def _text(rows: list[PluginRow]) -> str:
    blocks = []
    for row in rows:
        shipped = " ".join(part for part in (row.distribution, row.version) if part)
        source = f"{row.origin}, {row.module}" if row.module else row.origin
        lines = [f"{row.name} ({shipped}; {source})" if shipped else f"{row.name} ({source})"]
        details = [
            ("hooks", row.hooks),
            ("rules", row.rules),
            ("instruments", row.instruments),
            ("output formats", row.output_formats),
        ]
        for label, items in details:
            if items:
                # No-break spaces keep each item ("LAB005 math-peek") on one line.
                wrapped = textwrap.wrap(
                    ", ".join(item.replace(" ", _NBSP) for item in items),
                    width=100,
                    initial_indent=f"  {label}: ",
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                )
                lines += [line.replace(_NBSP, " ") for line in wrapped]
        lines += [f"  FAILED: {error}" for error in row.errors]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@click.command(name="plugins")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per plugin.")
@plugin_options
@set_option
def plugins(as_json: bool, plugin_choice: PluginChoice, overrides: tuple[str, ...]) -> None:
    """List the plugins labgen loads (built-in, installed and the project's own) with the
    distribution and version that ship each, the hooks it implements and what they add.

    Exit codes: 0 every plugin loads, 2 a plugin failed (it is listed with the reason) or two
    plugins clash.
    """
    from labgen.config import load_config
    from labgen.plugins import plugins_for
    from labgen.project import ProjectNotFoundError, find_project

    try:
        project = find_project()
    except ProjectNotFoundError:
        project = None
    config = load_config(project, overrides)
    loaded = plugins_for(project, config, plugin_choice)
    loaded.configure(config)
    rows = plugin_rows(loaded)
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps([asdict(row) for row in rows], indent=2))
    else:
        click.echo(_text(rows))
    failed = sum(1 for row in rows if row.errors)
    if failed:
        raise LabgenError(f"{failed} plugin(s) failed; see FAILED above", code=2)
