"""A finished ``labgen check`` run as output formats see it: the data, no formatting.

Formatters (labgen's in ``labgen.checking.reporters`` and plugins' through the
``labgen_output_formats`` hook) take a :class:`Report`; this module depends on nothing but the
diagnostics, so the hook specifications can name it without importing any formatter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from labgen.checking.diagnostics import Diagnostic


@dataclass(frozen=True)
class RuleDoc:
    """What a report may say about a rule."""

    code: str
    name: str
    summary: str
    documentation: str
    fixable: bool = False


@dataclass
class Report:
    """A finished run, as formatters see it."""

    diagnostics: Sequence[Diagnostic]
    files: int
    fixed: int = 0
    #: Shown file name -> its text (for source context).
    sources: Mapping[str, str] = field(default_factory=dict)
    #: Every rule's documentation, loaded on demand (only SARIF needs it).
    rule_docs: Callable[[], Sequence[RuleDoc]] = lambda: ()
