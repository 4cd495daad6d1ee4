"""The ``labgen`` command line.

Each command lives in its own module under ``labgen.commands`` and is imported only when it runs,
so ``labgen --help`` stays fast and one broken command cannot take the others down.
"""

from __future__ import annotations

import importlib
import sys

import click

from labgen import __version__
from labgen.checking.barrier import user_interrupts
from labgen.errors import LabgenError

#: command name -> "module:attribute" of its click command, in help order.
COMMANDS: dict[str, str] = {
    "build": "labgen.commands.build:build",
    "check": "labgen.commands.check:check",
    "validate": "labgen.commands.validate:validate",
    "export": "labgen.commands.export:export",
    "list": "labgen.commands.listing:list_chapters",
    "new": "labgen.commands.new:new",
    "new-check": "labgen.commands.new_check:new_check",
    "schema": "labgen.commands.schema:schema",
    "config": "labgen.commands.config:config",
    "rule": "labgen.commands.rule:rule",
    "plugins": "labgen.commands.plugins:plugins",
    "test-rules": "labgen.commands.test_rules:test_rules",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            return _not_built(cmd_name)
        return getattr(module, attribute)


def _not_built(name: str) -> click.Command:
    @click.command(
        name=name, help=f"(not built yet) {name}", context_settings={"ignore_unknown_options": True}
    )
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def placeholder(args: tuple[str, ...]) -> None:
        raise LabgenError(f"labgen {name} is not built yet", code=2)

    return placeholder


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="labgen")
def cli() -> None:
    """Turn chapter specs into marimo labs, and prove every lab obeys the lab guide."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning LabgenError into one line on stderr and its exit code."""
    try:
        # Without standalone mode click returns a command's exit code (ctx.exit(n)) instead of
        # exiting; pass it on. The user's Ctrl-C is told apart from a KeyboardInterrupt a
        # plugin raises (labgen.checking.barrier) for the whole command.
        with user_interrupts():
            code = cli.main(args=argv, prog_name="labgen", standalone_mode=False)
    except LabgenError as error:
        click.echo(f"error: {error}", err=True)
        return error.code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as error:
        error.show()
        return 2 if isinstance(error, click.UsageError) else error.exit_code
    except KeyboardInterrupt:
        return 130
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
