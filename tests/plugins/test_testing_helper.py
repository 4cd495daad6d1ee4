"""labgen.testing (assert_examples, the labgen_rule_examples fixture) and ``labgen test-rules``."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import libcst as cst
import pytest

from labgen.checking import Check, Invalid, Valid
from labgen.checks import builtin_checks
from labgen.commands.test_rules import chosen_rules
from labgen.testing import assert_examples, describe_failures, rule_failures

from .conftest import REPO, Result

Run = Callable[..., Result]
DOC = """Flags print().

## What it does
Reports print calls.
## Why is this bad
Printed text never reaches the lab.
## Example
`print(1)`
## Use instead
`MetricCards(kat1_profile)`
"""


class NoPrint(Check):
    __doc__ = DOC
    code, name = "TST001", "no-print"
    VALID = ("x = 1\n", "def show(print):\n    print(1)\n")
    INVALID = (Invalid("print(1)\nprint(2)\n", count=2), "say = print\nsay(1)\n")

    def visit_Call(self, node: cst.Call) -> None:
        if self.qualified_name(node.func) == "builtins.print":
            self.report(node, "print() never reaches the lab")


class Overeager(NoPrint):
    """Flags every call (its VALID examples catch it)."""

    code = "TST002"

    def visit_Call(self, node: cst.Call) -> None:
        self.report(node, "a call")


class Crashy(NoPrint):
    """Crashes on every call."""

    code = "TST003"

    def visit_Call(self, node: cst.Call) -> None:
        raise KeyError("kaboom")


class Undocumented(NoPrint):
    """Has no examples."""

    code = "TST004"
    VALID = ()
    INVALID = ()


def test_a_correct_check_passes() -> None:
    assert rule_failures(NoPrint, instruments=()) == []
    assert_examples(NoPrint)


def test_a_check_flagging_a_valid_example_fails_with_the_example_shown() -> None:
    with pytest.raises(AssertionError) as raised:
        assert_examples(Overeager)
    message = str(raised.value)
    assert message.startswith("Overeager (TST002 no-print): 1 of 4 examples misbehave\n")
    assert message.endswith(
        "  VALID[1] at generated_labs/vol1/lab_02_ml_systems.py:\n"
        "    flagged: 2:5 a call\n"
        "        1 | def show(print):\n"
        "        2 |     print(1)"
    )
    # Its INVALID examples are flagged as often as they must be.
    assert "INVALID" not in message


def test_a_wrong_count_is_reported() -> None:
    class Once(NoPrint):
        """Reports only the first print of a file."""

        code = "TST005"

        def visit_Call(self, node: cst.Call) -> None:
            if not self.diagnostics:
                super().visit_Call(node)

    [failure] = rule_failures(Once, instruments=())
    assert (failure.kind, failure.index) == ("INVALID", 0)
    assert failure.problem == "flagged 1 times, expected 2: 1:1 print() never reaches the lab"


def test_a_crashing_check_fails_with_the_crash_not_a_silent_pass() -> None:
    failures = rule_failures(Crashy, instruments=())
    # The VALID example without calls passes; every example with a call reports the crash.
    assert [(f.kind, f.index) for f in failures] == [("VALID", 1), ("INVALID", 0), ("INVALID", 1)]
    assert all(
        re.match(
            r"crashed: check TST003 \(no-print, from .*\) crashed: KeyError: 'kaboom'", f.problem
        )
        for f in failures
    )
    assert "crashed: check TST003" in describe_failures(Crashy, failures)


def test_a_check_without_examples_fails() -> None:
    [failure] = rule_failures(Undocumented, instruments=())
    assert failure.problem == "the check has no examples"


def test_chapter_placed_examples_see_the_instruments_given() -> None:
    from labgen.checks.instrument_gating import InstrumentGating

    assert rule_failures(InstrumentGating) == []
    # Without the registry's instruments, no INVALID example is flagged any more.
    failures = rule_failures(InstrumentGating, instruments=())
    assert len(failures) == len(InstrumentGating.INVALID)
    assert {(f.kind, f.problem) for f in failures} == {("INVALID", "not flagged")}


def test_chosen_rules_take_codes_prefixes_and_names() -> None:
    checks = tuple(builtin_checks())
    assert [c.code for c in chosen_rules(checks, ("LAB00", "palette", "LAB005"))] == [
        "LAB000",
        "LAB001",
        "LAB002",
        "LAB003",
        "LAB004",
        "LAB005",
        "LAB006",
        "LAB007",
        "LAB008",
        "LAB009",
        "LAB012",
    ]
    assert chosen_rules(checks, ()) == list(checks)


def test_labgen_test_rules_passes_on_the_builtins(book: Path, run_cli: Run) -> None:
    result = run_cli("test-rules", "LAB005", "waterfall-overhead")
    assert (result.code, result.out) == (
        0,
        "ok     LAB005 math-peek (1 valid, 1 invalid)\n"
        "ok     LAB006 waterfall-overhead (1 valid, 2 invalid)\n"
        "2 rules: 2 passed, 0 failed\n",
    )
    unknown = run_cli("test-rules", "mathpeek")
    assert unknown.code == 2
    assert unknown.err == (
        "error: no rule 'mathpeek'; did you mean math-peek? (see `labgen rule --all`)\n"
    )


def test_labgen_test_rules_fails_with_exit_1_on_a_misbehaving_plugin_rule(
    book: Path, project_plugins: Callable[..., None], run_cli: Run
) -> None:
    project_plugins(
        eager_rules=f"""
        import libcst as cst
        from labgen import Check, hookimpl

        class Overeager(Check):
            __doc__ = {DOC!r}
            code, name = "EAGER001", "overeager"
            VALID = ("x = f()\\n",)
            INVALID = ("print(1)\\n",)

            def visit_Call(self, node: cst.Call) -> None:
                self.report(node, "a call")

        @hookimpl
        def labgen_checks():
            return [Overeager]
        """
    )
    result = run_cli("test-rules", "EAGER", "LAB012")
    assert result.code == 1
    assert result.out == (
        "FAILED EAGER001 overeager (1 valid, 1 invalid)\n"
        "Overeager (EAGER001 overeager): 1 of 2 examples misbehave\n"
        "  VALID[0] at generated_labs/vol1/lab_02_ml_systems.py:\n"
        "    flagged: 1:5 a call\n"
        "        1 | x = f()\n"
        "ok     LAB012 palette (2 valid, 2 invalid)\n"
        "2 rules: 1 passed, 1 failed\n"
    )
    assert result.err == "error: 1 of 2 rules have examples that misbehave\n"


def test_the_pytest_fixture_is_offered_by_labgen_s_pytest_plugin(tmp_path: Path) -> None:
    (tmp_path / "test_rule.py").write_text(
        textwrap.dedent(
            '''
            import libcst as cst
            from labgen import Check


            class Loud(Check):
                """Flags every call, also in its VALID example."""

                code, name = "LOUD001", "loud"
                VALID = ("f()\\n",)
                INVALID = ("g()\\n",)

                def visit_Call(self, node: cst.Call) -> None:
                    self.report(node, "a call")


            def test_loud(labgen_rule_examples):
                labgen_rule_examples(Loud)
            '''
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "AssertionError: Loud (LOUD001 loud): 1 of 2 examples misbehave" in done.stdout
    assert "VALID[0] at generated_labs/vol1/lab_02_ml_systems.py:" in done.stdout
    assert "1 failed" in done.stdout


def test_the_pytest_plugin_is_registered_as_an_entry_point() -> None:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["pytest11"] == {"labgen": "labgen.testing"}


def test_valid_and_invalid_are_exported_for_plugin_authors() -> None:
    assert Valid("x")
    assert Invalid("x", count=1).count == 1
