"""The hooks a labgen plugin can implement (pluggy, project name ``labgen``).

A plugin is a module (or object) with functions decorated ``@hookimpl`` and named like the
specifications below. labgen finds plugins through the ``labgen`` entry-point group::

    [project.entry-points.labgen]
    my_checks = "my_package.labgen_plugin"

and registers its own built-ins through the very same hooks. Every hook is called without
positional arguments; implementations may accept fewer parameters than the specification.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from labgen.checking.check import Check
    from labgen.checking.report import Report
    from labgen.config import Config
    from labgen.instruments import Instrument

#: The pluggy project name every labgen hook is registered under.
PROJECT_NAME = "labgen"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

#: An output format: turns a finished check run into the text printed on stdout.
Formatter = Callable[["Report"], str]


@hookspec
def labgen_checks() -> Sequence[type[Check]]:
    """Return the check classes this plugin provides.

    Each class subclasses ``labgen.Check`` and has a unique ``code`` (letters then digits, such
    as ``DEMO001``), a kebab-case ``name``, a docstring with the sections *What it does*, *Why is
    this bad*, *Example* and *Use instead*, and ``VALID``/``INVALID`` examples. Two plugins
    claiming one code is an error at startup. Called once per run, after ``labgen_configure``.
    """


@hookspec
def labgen_instruments() -> Sequence[Instrument]:
    """Return the instruments this plugin adds (``labgen.instruments.Instrument`` objects).

    An instrument has an ``id``, the chapter that unlocks it (``unlock_chapter`` and
    ``unlock_volume``), the dotted import path of its ``component``, the Jinja2 ``macro`` that
    renders its cell, and whether it is a ``chart`` (charts need a MathPeek beside them).
    Checks such as ``instrument-gating`` and ``math-peek`` read every plugin's instruments.
    """


@hookspec
def labgen_configure(config: Config) -> None:
    """Receive the effective configuration before any work starts.

    ``config`` is the layered labgen configuration (``[tool.labgen]`` < ``LABGEN_*`` <
    ``--set``); its ``check`` attribute is a ``labgen.checking.settings.CheckSettings``. Plugins
    read their own settings from it (it is frozen).
    """


@hookspec
def labgen_output_formats() -> Mapping[str, Formatter]:
    """Return output formats for ``labgen check --output-format NAME``: name -> formatter.

    A formatter is called with a ``labgen.checking.report.Report`` (diagnostics, files checked,
    rule documentation) and returns the complete text to print. Names must be unique across
    plugins; labgen's own are ``full``, ``concise``, ``json``, ``sarif`` and ``github``.
    """
