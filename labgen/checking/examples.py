"""VALID and INVALID examples that document a check and that the test suite runs."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

#: Where an example lives unless it says otherwise: a Volume 1 lab of chapter 2.
DEFAULT_EXAMPLE_PATH = "generated_labs/vol1/lab_02_ml_systems.py"


@dataclass(frozen=True)
class Example:
    """A snippet a check must accept (in ``VALID``) or flag (in ``INVALID``).

    ``path`` is where the snippet pretends to live (the chapter comes from it). For an invalid
    example, ``count`` is the exact number of diagnostics expected (None: at least one) and
    ``fixed`` the source after ``labgen check --fix`` (None: not checked). ``beside`` lists
    the other lab files of the snippet's project (paths from the project root), for rules
    that judge labs together (``check_tree``): given, the rule's tree findings on the
    snippet's file count too; None (the default) runs only the per-file rules.
    """

    code: str
    path: str = DEFAULT_EXAMPLE_PATH
    count: int | None = None
    fixed: str | None = None
    beside: tuple[str, ...] | None = None

    @property
    def source(self) -> str:
        """The snippet without its common indentation."""
        return textwrap.dedent(self.code).lstrip("\n")

    @property
    def fixed_source(self) -> str | None:
        """The expected fixed source without its common indentation."""
        return None if self.fixed is None else textwrap.dedent(self.fixed).lstrip("\n")


#: Spelled to read well in rule modules: ``VALID = [Valid(...)]``, ``INVALID = [Invalid(...)]``.
Valid = Example
Invalid = Example


def as_example(item: str | Example) -> Example:
    """Plain strings are examples at the default path."""
    return item if isinstance(item, Example) else Example(item)
