"""Run checks on snippets: the engine behind the rule examples' tests.

``example_failures(check)`` runs a check's VALID and INVALID examples and says what went wrong
(an empty list means every example behaves); plugin authors and labgen's own test suite use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from labgen.checking.analysis import analyse_source
from labgen.checking.check import Check
from labgen.checking.context import Environment
from labgen.checking.diagnostics import Diagnostic
from labgen.checking.examples import DEFAULT_EXAMPLE_PATH, Example, as_example
from labgen.checking.fixes import apply_fixes
from labgen.checking.tree import TreeContext
from labgen.instruments import BUILTIN_INSTRUMENTS, Instrument

#: Rounds of fix-then-recheck when computing an example's fixed source.
_FIX_ROUNDS = 10


def check_source(
    source: str,
    checks: Sequence[type[Check]],
    *,
    path: str = DEFAULT_EXAMPLE_PATH,
    instruments: Sequence[Instrument] = BUILTIN_INSTRUMENTS,
    root: Path | None = None,
) -> list[Diagnostic]:
    """The diagnostics ``checks`` report on ``source``, as if it lived at ``path`` (relative to
    the project ``root``, whose files a check may read: None for none), with suppression
    comments applied."""
    for check in checks:
        check.prepare()
    environment = Environment(
        instruments=tuple(instruments), rules={c.code: c.name for c in checks}, root=root
    )
    return analyse_source(
        source, relpath=path, display=path, checks=checks, environment=environment
    ).diagnostics


def fix_source(
    source: str,
    checks: Sequence[type[Check]],
    code: str,
    *,
    path: str = DEFAULT_EXAMPLE_PATH,
    instruments: Sequence[Instrument] = BUILTIN_INSTRUMENTS,
) -> str:
    """``source`` after applying the fixes of rule ``code`` until none is left."""
    for _ in range(_FIX_ROUNDS):
        found = [
            d
            for d in check_source(source, checks, path=path, instruments=instruments)
            if d.code == code and d.fix is not None
        ]
        fixed, applied = apply_fixes(source, found)
        if not applied or fixed == source:
            break
        source = fixed
    return source


@dataclass(frozen=True)
class ExampleFailure:
    """One example that did not behave: which, and how."""

    code: str
    kind: str  # "VALID" or "INVALID"
    index: int
    problem: str
    example: Example

    def __str__(self) -> str:
        return f"{self.code} {self.kind}[{self.index}] ({self.example.path}): {self.problem}"


def example_failures(
    check: type[Check],
    companions: Sequence[type[Check]] = (),
    instruments: Sequence[Instrument] = BUILTIN_INSTRUMENTS,
) -> list[ExampleFailure]:
    """Run ``check``'s examples (with ``companions`` running beside it, as in a real run) and
    return the ones that misbehave: a VALID example it flags, an INVALID one it does not flag
    (or flags a different number of times than ``count``), or a fix that does not produce
    ``fixed``."""
    checks = [check, *(c for c in companions if c is not check)]
    failures = []
    for kind, items in (("VALID", check.VALID), ("INVALID", check.INVALID)):
        for index, item in enumerate(items):
            example = as_example(item)
            found = [
                d
                for d in check_source(
                    example.source, checks, path=example.path, instruments=instruments
                )
                if d.code == check.code
            ]
            if example.beside is not None:
                found += tree_findings(check, example.path, example.beside)
            problem = _misbehaviour(kind, example, found)
            if problem is None and kind == "INVALID" and example.fixed_source is not None:
                fixed = fix_source(
                    example.source, checks, check.code, path=example.path, instruments=instruments
                )
                if fixed != example.fixed_source:
                    problem = f"--fix produced:\n{fixed}"
            if problem is not None:
                failures.append(ExampleFailure(check.code, kind, index, problem, example))
    return failures


def tree_findings(check: type[Check], path: str, beside: Sequence[str]) -> list[Diagnostic]:
    """What ``check``'s whole-tree rule reports on the lab at ``path`` (relative to a project
    root) when the project's other labs are ``beside``: the run checks ``path`` alone."""
    root = Path("/")
    tree = TreeContext(
        root=root,
        labs_dir=root / "generated_labs",
        chapters_dir=root / "chapters",
        lab_files=tuple(sorted({path, *beside})),
        spec_files=(),
        cwd=root,
        checked=frozenset({path}),
    )
    return [d for d in check.check_tree(tree) if d.code == check.code]


def _misbehaviour(kind: str, example: Example, found: Sequence[Diagnostic]) -> str | None:
    """What is wrong with what a check reported on one example (None: nothing)."""
    listed = "; ".join(f"{d.line}:{d.column} {d.message}" for d in found)
    if kind == "VALID":
        return f"flagged: {listed}" if found else None
    if not found:
        return "not flagged"
    if example.count is not None and len(found) != example.count:
        return f"flagged {len(found)} times, expected {example.count}: {listed}"
    return None
