"""How every command reports spec problems: the same stream, the same summary, and what a
broken neighbour spec means for the chapters the command was asked about.

Problems are the command's report, so they go to stdout, one ``path:line:col: message`` a line
(as ``labgen check`` prints its findings); the one-line summary is the error on stderr.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import click

from labgen.errors import LabgenError, Location
from labgen.spec.diagnostics import SpecProblem
from labgen.spec.index import SpecIndex


def spec_summary(problems: Sequence[SpecProblem], specs: int) -> str:
    """``found 2 problems in 1 of 3 specs``: the problems, and how many specs they are in."""
    count = "problem" if len(problems) == 1 else "problems"
    invalid = len({problem.path for problem in problems})
    noun = "spec" if specs == 1 else "specs"
    return f"found {len(problems)} {count} in {invalid} of {specs} {noun}"


def print_problems(problems: Iterable[SpecProblem]) -> None:
    """Each problem on its own line of stdout."""
    for problem in problems:
        click.echo(str(problem))


def fail_on_problems(
    problems: Sequence[SpecProblem], specs: int, consequence: str | None = None
) -> None:
    """Raise the summary as a LabgenError (exit 1) when there are problems."""
    if problems:
        ending = f"; {consequence}" if consequence else ""
        raise LabgenError(spec_summary(problems, specs) + ending)


def warn_unreadable_neighbours(
    index: SpecIndex, targets: Iterable[Path], shown: Callable[[Path], str]
) -> None:
    """On stderr, one warning per spec the command was not asked about that could not be read:
    its ledger writes are unknown, so the chapters after it may report reads of them."""
    chosen = {Path(target).absolute() for target in targets}
    for path, (line, column, reason) in sorted(index.unreadable.items()):
        if Path(path).absolute() in chosen:
            continue  # the command reports its own specs' problems in full
        click.echo(
            f"warning: {Location(shown(path), line, column)}: {reason} (another chapter's "
            "spec: the ledger keys it writes are unknown to the chapters after it)",
            err=True,
        )
