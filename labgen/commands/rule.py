"""``labgen rule``: the documentation of a check (What it does / Why is this bad / ...)."""

from __future__ import annotations

import difflib
import json

import click

from labgen.errors import UsageError
from labgen.plugins import PluginChoice, plugin_options


@click.command(name="rule")
@click.argument("rule", required=False)
@click.option("--all", "show_all", is_flag=True, help="Document every rule, in code order.")
@click.option(
    "--output-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Markdown-like text, or JSON objects with code, name, summary, fixable, plugin, doc.",
)
@plugin_options
def rule(rule: str | None, show_all: bool, output_format: str, plugin_choice: PluginChoice) -> None:
    """Print the documentation of RULE (a code such as LAB005 or a name such as math-peek)."""
    from labgen.config import load_config
    from labgen.plugins import plugins_for
    from labgen.project import ProjectNotFoundError, find_project

    if bool(rule) == show_all:
        raise UsageError("name one rule (labgen rule LAB005) or pass --all")
    try:
        project = find_project()
    except ProjectNotFoundError:
        project = None
    config = load_config(project)
    plugins = plugins_for(project, config, plugin_choice)
    checks = plugins.checks
    if show_all:
        chosen = list(checks)
    else:
        wanted = rule.strip()  # type: ignore[union-attr]
        chosen = [c for c in checks if wanted.upper() == c.code or wanted.lower() == c.name]
        if not chosen:
            known = [c.code for c in checks] + [c.name for c in checks]
            close = difflib.get_close_matches(wanted, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise UsageError(f"no rule {wanted!r}{hint} (see `labgen rule --all`)")
    if output_format == "json":
        data = [
            {
                "code": c.code,
                "name": c.name,
                "summary": c.summary(),
                "fixable": c.fixable,
                "plugin": plugins.plugin_of(c),
                "doc": c.documentation(),
            }
            for c in chosen
        ]
        click.echo(json.dumps(data if show_all else data[0], indent=2, ensure_ascii=False))
        return
    blocks = []
    for check in chosen:
        fix = (
            "Fix: some findings have a safe fix (`labgen check --fix`)."
            if check.fixable
            else ("Fix: none (the change needs a person).")
        )
        blocks.append(f"# {check.name} ({check.code})\n\n{check.documentation()}\n\n{fix}\n")
    click.echo("\n".join(blocks), nl=False)
