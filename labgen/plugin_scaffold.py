"""The files of a new check plugin (``labgen new-check``): a package whose one check works and
whose test passes from the start, for its author to change into the rule they mean.

The check reports calls to ``breakpoint()`` (a real, small rule) so that every part of a check
is there to edit: the documentation sections, the examples, a visitor that follows names
through imports and cells, and the hook that hands the check to labgen.
"""

from __future__ import annotations

import re

from labgen.plugin_policy import CODE_PATTERN, NAME_PATTERN, RESERVED_PREFIX

_PYPROJECT = """\
[build-system]
requires = ["setuptools>=70.1"]
build-backend = "setuptools.build_meta"

[project]
name = "labgen-{name}"
version = "0.1.0"
dependencies = ["labgen"]

[project.entry-points.labgen]
{module} = "{module}"

[tool.setuptools]
py-modules = ["{module}"]
"""

_CHECK = '''\
"""labgen plugin: the {name} rule ({code})."""

import libcst as cst
from labgen import Check, hookimpl


class {cls}(Check):
    """A lab calls breakpoint().

    ## What it does
    Reports calls to the built-in `breakpoint`, however the lab reaches it.
    ## Why is this bad
    A breakpoint stops the lab in the student's browser, where no debugger is attached.
    ## Example
    `breakpoint()`
    ## Use instead
    Nothing: remove the call.
    """

    code, name = "{code}", "{name}"
    VALID = ("x = 1\\n", "def run(breakpoint):\\n    breakpoint()\\n")
    INVALID = ("breakpoint()\\n", "stop = breakpoint\\nstop()\\n")

    def visit_Call(self, node: cst.Call) -> None:
        if self.qualified_name(node.func) == "builtins.breakpoint":
            self.report(node, "breakpoint() stops the lab; remove it")


@hookimpl
def labgen_checks():
    return [{cls}]
'''

_TEST = """\
from {module} import {cls}


def test_examples(labgen_rule_examples):
    labgen_rule_examples({cls})
"""


def scaffold_problem(code: str, name: str) -> str | None:
    """Why ``code`` and ``name`` cannot name a plugin's rule, or None."""
    if not CODE_PATTERN.match(code):
        return f"code {code!r} must be letters then digits, such as NOP001"
    if code.startswith(RESERVED_PREFIX):
        return f"code {code!r}: the {RESERVED_PREFIX} prefix is labgen's own; pick your own"
    if not NAME_PATTERN.match(name):
        return f"name {name!r} must be kebab-case, such as no-breakpoint"
    return None


def plugin_files(code: str, name: str) -> dict[str, str]:
    """File name -> text of a new plugin package with one check (``code``, ``name``)."""
    module = name.replace("-", "_")
    cls = "".join(part.capitalize() for part in re.split(r"[-_]", name))
    fields = {"code": code, "name": name, "module": module, "cls": cls}
    return {
        "pyproject.toml": _PYPROJECT.format(**fields),
        f"{module}.py": _CHECK.format(**fields),
        f"test_{module}.py": _TEST.format(**fields),
    }
