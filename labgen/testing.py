"""Test helpers for labgen plugin authors, and the pytest plugin that offers them as a fixture.

A check documents itself with ``VALID`` and ``INVALID`` examples; these helpers run them::

    from labgen.testing import assert_examples

    def test_examples():
        assert_examples(NoTodo)

or, through the pytest plugin labgen installs (entry point ``pytest11``), with the fixture::

    def test_examples(labgen_rule_examples):
        labgen_rule_examples(NoTodo)

``labgen test-rules`` runs the same for every loaded rule from the command line. Importing this
module is cheap (pytest loads it in every session): LibCST and the checks load on first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labgen.checking.check import Check
    from labgen.checking.testing import ExampleFailure
    from labgen.instruments import Instrument

try:  # the fixture exists where pytest does; the helpers work without it
    import pytest
except ImportError:  # pragma: no cover - labgen test-rules without pytest installed
    pytest = None  # type: ignore[assignment]


def installed_instruments() -> tuple[Instrument, ...]:
    """Every instrument of labgen and the installed plugins (what a real run sees)."""
    from labgen.spec.registries import plugin_instruments

    return plugin_instruments()


def rule_failures(
    check: type[Check],
    *,
    companions: Sequence[type[Check]] = (),
    instruments: Sequence[Instrument] | None = None,
) -> list[ExampleFailure]:
    """The examples of ``check`` that misbehave: a VALID example it flags, an INVALID one it
    does not flag (or flags another number of times than the example's ``count``), a fix that
    does not give the example's ``fixed`` source, an example on which the check crashes, or no
    example at all. ``companions`` run beside it as in a real run; ``instruments`` default to
    labgen's and the installed plugins'."""
    from labgen.checking.examples import as_example
    from labgen.checking.testing import ExampleFailure, check_source, example_failures

    if not check.VALID and not check.INVALID:
        return [ExampleFailure(check.code, "VALID", 0, "the check has no examples", as_example(""))]
    instruments = installed_instruments() if instruments is None else tuple(instruments)
    checks = [check, *(c for c in companions if c is not check)]
    crashed: list[ExampleFailure] = []
    for kind, items in (("VALID", check.VALID), ("INVALID", check.INVALID)):
        for index, item in enumerate(items):
            example = as_example(item)
            found = check_source(example.source, checks, path=example.path, instruments=instruments)
            # A crash is an internal-error diagnostic that names the check.
            crashes = [d for d in found if _is_crash_of(check, d.code, d.message)]
            if crashes:
                problem = "crashed: " + "; ".join(d.message for d in crashes)
                crashed.append(ExampleFailure(check.code, kind, index, problem, example))
    seen = {(f.kind, f.index) for f in crashed}
    others = [
        f for f in example_failures(check, checks, instruments) if (f.kind, f.index) not in seen
    ]
    return sorted([*crashed, *others], key=lambda f: (f.kind != "VALID", f.index))


def _is_crash_of(check: type[Check], code: str, message: str) -> bool:
    from labgen.checking.diagnostics import INTERNAL_ERROR

    crash = re.match(rf"check {re.escape(check.code)} \(", message)
    return code == INTERNAL_ERROR[0] and crash is not None


def describe_failures(check: type[Check], failures: Sequence[ExampleFailure]) -> str:
    """A report of ``failures`` that says which example, what went wrong, and shows the
    example's source with line numbers (the lines diagnostics point at)."""
    total = len(check.VALID) + len(check.INVALID)
    lines = [
        f"{check.__qualname__} ({check.code} {check.name}): "
        f"{len(failures)} of {total} examples misbehave"
    ]
    for failure in failures:
        lines.append(f"  {failure.kind}[{failure.index}] at {failure.example.path}:")
        lines += [f"    {line}" for line in failure.problem.splitlines() or [""]]
        source = failure.example.source.splitlines()
        lines += [f"      {number:>3} | {text}" for number, text in enumerate(source, start=1)]
    return "\n".join(lines)


def assert_examples(
    check: type[Check],
    *,
    companions: Sequence[type[Check]] = (),
    instruments: Sequence[Instrument] | None = None,
) -> None:
    """Run ``check``'s VALID and INVALID examples; raise AssertionError describing every one
    that misbehaves (see :func:`rule_failures` for what counts and the arguments)."""
    failures = rule_failures(check, companions=companions, instruments=instruments)
    if failures:
        raise AssertionError(describe_failures(check, failures))


if pytest is not None:

    @pytest.fixture
    def labgen_rule_examples() -> Callable[..., None]:
        """:func:`assert_examples`: ``labgen_rule_examples(MyCheck)`` fails the test with a
        description of every VALID or INVALID example of ``MyCheck`` that misbehaves."""
        return assert_examples
