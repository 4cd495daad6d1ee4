"""``labgen test-rules``: run the VALID and INVALID examples of rules, built-in and plugins'."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import click

from labgen.config import set_option
from labgen.errors import LabgenError, UsageError
from labgen.plugins import PluginChoice, plugin_options

if TYPE_CHECKING:
    from labgen.checking.check import Check


def chosen_rules(checks: tuple[type[Check], ...], wanted: tuple[str, ...]) -> list[type[Check]]:
    """The checks named by ``wanted`` (codes such as LAB005, code prefixes such as EXA, or names
    such as math-peek), in code order; all of them when ``wanted`` is empty."""
    if not wanted:
        return list(checks)
    chosen: dict[str, type[Check]] = {}
    for word in wanted:
        matches = [c for c in checks if c.code.startswith(word.upper()) or c.name == word.lower()]
        if not matches:
            known = [c.code for c in checks] + [c.name for c in checks]
            close = difflib.get_close_matches(word, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise UsageError(f"no rule {word!r}{hint} (see `labgen rule --all`)")
        chosen.update((c.code, c) for c in matches)
    return [chosen[code] for code in sorted(chosen)]


@click.command(name="test-rules")
@click.argument("rules", nargs=-1, metavar="[CODE...]")
@plugin_options
@set_option
def test_rules(
    rules: tuple[str, ...], plugin_choice: PluginChoice, overrides: tuple[str, ...]
) -> None:
    """Run the VALID and INVALID examples of the rules CODE (codes, code prefixes or names;
    default: every rule of labgen and the loaded plugins), as plugin authors' tests do with
    `labgen.testing.assert_examples`.

    Exit codes: 0 every example behaves, 1 some example misbehaves, 2 usage error or a plugin
    that fails to load.
    """
    from labgen.config import load_config
    from labgen.plugins import plugins_for
    from labgen.project import ProjectNotFoundError, find_project
    from labgen.testing import describe_failures, rule_failures

    try:
        project = find_project()
    except ProjectNotFoundError:
        project = None
    config = load_config(project, overrides)
    plugins = plugins_for(project, config, plugin_choice)
    plugins.configure(config)
    checks = plugins.checks
    instruments = plugins.instruments
    # Said first: a rule asked for by name may be missing because its plugin failed.
    for failure in plugins.failures:
        click.echo(f"error: {failure.message}", err=True)
    chosen = chosen_rules(checks, rules)
    failed = 0
    for check in chosen:
        failures = rule_failures(check, companions=checks, instruments=instruments)
        counts = f"{len(check.VALID)} valid, {len(check.INVALID)} invalid"
        if failures:
            failed += 1
            click.echo(f"FAILED {check.code} {check.name} ({counts})")
            click.echo(describe_failures(check, failures))
        else:
            click.echo(f"ok     {check.code} {check.name} ({counts})")
    passed = len(chosen) - failed
    noun = "rule" if len(chosen) == 1 else "rules"
    click.echo(f"{len(chosen)} {noun}: {passed} passed, {failed} failed")
    if plugins.failures:
        raise LabgenError(
            f"{len(plugins.failures)} plugin failure(s); their rules were not tested", code=2
        )
    if failed:
        raise LabgenError(f"{failed} of {len(chosen)} rules have examples that misbehave")
