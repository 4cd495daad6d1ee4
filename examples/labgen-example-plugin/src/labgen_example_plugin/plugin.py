"""The plugin's hooks; labgen loads this module through the ``labgen`` entry point."""

from __future__ import annotations

from collections.abc import Sequence

from labgen import hookimpl
from labgen.instruments import Instrument


@hookimpl
def labgen_checks() -> Sequence[type]:
    """The plugin's rules (imported here, so that a run whose files are cached never loads
    LibCST)."""
    from labgen_example_plugin.checks import TodoInText

    return [TodoInText]


@hookimpl
def labgen_instruments() -> Sequence[Instrument]:
    """The plugin's instruments."""
    from labgen_example_plugin.instruments import ENERGY_BAR

    return [ENERGY_BAR]
