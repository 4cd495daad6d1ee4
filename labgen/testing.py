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
from pathlib import Path
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


def registered_checks(start: Path | None = None) -> tuple[list[type[Check]], list[str]]:
    """Every check a ``labgen check`` run from ``start`` would load (labgen's, the installed
    plugins', the project's own), and the failures of plugins that could not load."""
    from labgen.config import load_config
    from labgen.plugins import PluginError, plugins_for
    from labgen.project import ProjectNotFoundError, find_project

    try:
        project = find_project(start)
    except ProjectNotFoundError:
        project = None
    plugins = plugins_for(project, load_config(project))
    try:
        checks = list(plugins.checks)
    except PluginError as error:
        return [], [str(error)]
    return checks, [failure.message for failure in plugins.failures]


if pytest is not None:

    @pytest.fixture
    def labgen_rule_examples() -> Callable[..., None]:
        """:func:`assert_examples`: ``labgen_rule_examples(MyCheck)`` fails the test with a
        description of every VALID or INVALID example of ``MyCheck`` that misbehaves."""
        return assert_examples

    class RuleExamples(pytest.Item):
        """The VALID and INVALID examples of one registered check, as one test."""

        def __init__(self, *, check: type[Check], **kwargs: object) -> None:
            super().__init__(**kwargs)  # type: ignore[arg-type]
            self.check = check

        def runtest(self) -> None:
            """Run the check's examples; fail with the description of every misbehaving one."""
            assert_examples(self.check)

        def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:  # type: ignore[no-untyped-def, override]
            """The examples' own description, without pytest's traceback of labgen."""
            if isinstance(excinfo.value, AssertionError):
                return str(excinfo.value)
            return str(super().repr_failure(excinfo))

        def reportinfo(self) -> tuple[Path, int | None, str]:
            """Where the check is defined, for pytest's report."""
            return self.path, None, f"examples of {self.check.code} ({self.check.name})"

    class PluginLoadFailure(pytest.Item):
        """A plugin that could not load: its checks' examples cannot run, which is a failure."""

        def __init__(self, *, message: str, **kwargs: object) -> None:
            super().__init__(**kwargs)  # type: ignore[arg-type]
            self.message = message

        def runtest(self) -> None:
            """Fail with the plugin's failure."""
            raise AssertionError(self.message)

        def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:  # type: ignore[no-untyped-def, override]
            """The failure in one line."""
            return self.message

    def pytest_addoption(parser: pytest.Parser) -> None:
        """``--labgen-examples``: collect every registered check's examples as tests."""
        parser.getgroup("labgen").addoption(
            "--labgen-examples",
            action="store_true",
            default=False,
            help="Also run the VALID/INVALID examples of every check labgen loads (its own, "
            "installed plugins' and the project's), one test per check.",
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Add the examples' tests first, so that ``-k`` and markers select among them too."""
        if not config.getoption("labgen_examples"):
            return
        checks, failures = registered_checks(config.rootpath)
        for message in failures:
            items.append(
                PluginLoadFailure.from_parent(session, name="labgen-plugins", message=message)
            )
        for check in checks:
            items.append(
                RuleExamples.from_parent(
                    session, name=f"labgen-examples[{check.code}-{check.name}]", check=check
                )
            )
