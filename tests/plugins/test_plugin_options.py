"""``--no-plugins`` and ``-p no:NAME`` mean the same on every command that loads plugins, and
``labgen plugins`` lists what is loaded."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from labgen.cli import COMMANDS, LazyGroup, cli
from labgen.plugins import PluginChoice, Plugins, load_plugins, plugins_for

from .conftest import LAB12, Result

Run = Callable[..., Result]

#: Every command that loads plugins.
PLUGIN_COMMANDS = ("check", "build", "validate", "plugins", "rule", "test-rules")

DEMO = '''
import libcst as cst
from labgen import Check, hookimpl


class NoPrint(Check):
    """A lab calls print().

    ## What it does
    Reports print calls.
    ## Why is this bad
    Printed text never reaches the lab.
    ## Example
    `print(1)`
    ## Use instead
    `MetricCards(kat1_profile)`
    """

    code, name = "DEMO001", "no-print"
    VALID = ("x = 1\\n",)
    INVALID = ("print(1)\\n",)

    def visit_Call(self, node: cst.Call) -> None:
        if self.qualified_name(node.func) == "builtins.print":
            self.report(node, "print() never reaches the lab")


@hookimpl
def labgen_checks():
    return [NoPrint]
'''


def _command(name: str) -> click.Command:
    command = LazyGroup.get_command(cli, click.Context(cli), name)
    assert command is not None
    return command


@pytest.mark.parametrize("name", PLUGIN_COMMANDS)
def test_every_plugin_command_has_the_same_two_options(name: str) -> None:
    assert name in COMMANDS
    options = {p.name: p for p in _command(name).params if isinstance(p, click.Option)}
    assert options["no_plugins"].opts == ["--no-plugins"]
    assert options["no_plugins"].is_flag
    assert options["blocked_plugins"].opts == ["-p"]
    assert options["blocked_plugins"].multiple
    # One helper made them: the same help text on every command.
    assert (
        options["blocked_plugins"].help
        == "Do not load plugin NAME (see `labgen plugins`). Repeatable."
    )


@pytest.mark.parametrize("name", PLUGIN_COMMANDS)
def test_a_p_value_without_no_is_a_usage_error(name: str, book: Path, run_cli: Run) -> None:
    result = run_cli(name, "-p", "example")
    assert result.code == 2
    assert "Invalid value for '-p': 'example': expected no:NAME" in result.err


@pytest.mark.parametrize("name", PLUGIN_COMMANDS)
def test_p_no_with_an_unknown_name_is_a_usage_error(name: str, book: Path, run_cli: Run) -> None:
    args = {"build": ["ch12"], "rule": ["--all"], "check": ["chapters"]}.get(name, [])
    result = run_cli(name, *args, "-p", "no:labgen.check")
    assert result.code == 2
    assert result.err == (
        "error: -p no:labgen.check: no plugin is named 'labgen.check'; did you mean "
        "'labgen.checks'?\n"
    )


def test_p_no_turns_one_project_plugin_off_everywhere(
    book: Path, project_plugins: Callable[..., None], run_cli: Run
) -> None:
    assert run_cli("build", "ch12").code == 0
    project_plugins(demo_checks=DEMO)
    lab = book / LAB12
    lab.write_text(lab.read_text(encoding="utf-8") + "print(1)\n", encoding="utf-8")
    on = json.loads(run_cli("check", LAB12.as_posix(), "--output-format", "json").out)
    assert [d["code"] for d in on] == ["DEMO001"]
    for options in (["-p", "no:demo_checks"], ["--no-plugins"]):
        assert run_cli("check", LAB12.as_posix(), *options).code == 0
        assert run_cli("rule", "DEMO001", *options).code == 2
        assert run_cli("test-rules", "DEMO001", *options).code == 2
        names = [row["name"] for row in json.loads(run_cli("plugins", "--json", *options).out)]
        assert names == ["labgen.checks", "labgen.reporters"]
    assert run_cli("rule", "DEMO001").code == 0
    assert run_cli("test-rules", "DEMO001").out.startswith("ok     DEMO001 no-print")


def test_blocking_a_builtin_removes_its_hooks(book: Path, run_cli: Run) -> None:
    result = run_cli("plugins", "--json", "-p", "no:labgen.reporters")
    assert [row["name"] for row in json.loads(result.out)] == ["labgen.checks"]
    check = run_cli("check", "chapters", "-p", "no:labgen.reporters")
    assert check.code == 2
    assert check.err == "error: unknown output format 'full' (known: )\n"


def test_labgen_plugins_text_lists_hooks_and_what_they_add(
    book: Path, project_plugins: Callable[..., None], run_cli: Run
) -> None:
    project_plugins(demo_checks=DEMO)
    result = run_cli("plugins")
    assert result.code == 0
    blocks = result.out.rstrip("\n").split("\n\n")
    assert blocks[0].startswith(
        "labgen.checks (labgen 0.1.0; built-in, labgen.checks)\n"
        "  hooks: labgen_checks, labgen_instruments\n"
        "  rules: LAB000 syntax-error, LAB001 engine-only-math,"
    )
    # Wrapping never splits "CODE name".
    rules = blocks[0].split("  rules: ", 1)[1].split("  instruments:")[0]
    for item in rules.replace("\n    ", " ").split(", "):
        assert item.count(" ") == 1, item
    assert blocks[1] == (
        "labgen.reporters (labgen 0.1.0; built-in, labgen.checking.reporters)\n"
        "  hooks: labgen_output_formats\n"
        "  output formats: concise, full, github, json, sarif"
    )
    assert blocks[2] == (
        "demo_checks (project, demo_checks)\n  hooks: labgen_checks\n  rules: DEMO001 no-print"
    )


def test_plugin_choice_reaches_the_loader(book: Path) -> None:
    plugins = plugins_for(None, None, PluginChoice(enabled=True, blocked=("labgen.reporters",)))
    assert [i.name for i in plugins.infos][:1] == ["labgen.checks"]
    assert "labgen.reporters" not in [i.name for i in plugins.infos]
    with pytest.raises(Exception, match="no plugin is named 'nope'"):
        plugins_for(None, None, PluginChoice(blocked=("nope",)))


def test_the_cache_fingerprint_follows_a_plugin_s_source(book: Path) -> None:
    module = book / "stamped_plugin.py"
    module.write_text("X = 1\n", encoding="utf-8")

    def fingerprint() -> list[tuple[str, str]]:
        plugins: Plugins = load_plugins(
            entry_points=False, project_modules=["stamped_plugin"], root=book
        )
        return plugins.fingerprint()

    try:
        before = fingerprint()
        module.write_text("X = 22\n", encoding="utf-8")  # another size: another stamp
        sys.modules.pop("stamped_plugin")
        assert fingerprint() != before
        assert [name for name, _ in before] == [
            "labgen.checks",
            "labgen.reporters",
            "stamped_plugin",
        ]
    finally:
        sys.modules.pop("stamped_plugin", None)
