"""The plugin crash barrier, complete: whatever a plugin does, the run reports it on one line
naming the plugin, exits 2, keeps every other check's findings, and JSON stays JSON (issue 18,
items 12-18)."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

LAB = """import marimo

app = marimo.App()


@app.cell
def _():
    x = f(1)
    return (x,)
"""

CHECK = '''
import sys

from labgen import Check, hookimpl


class Bad(Check):
    """Misbehaves on purpose.

    ## What it does
    Nothing useful.
    ## Why is this bad
    It is a test.
    ## Example
    Any lab.
    ## Use instead
    Nothing.
    """

    code, name = "BAD001", "bad"
    VALID = ("x = 1\\n",)
    INVALID = ("f()\\n",)

    def visit_Call(self, node):
        {visit}

    @classmethod
    def prepare(cls):
        {prepare}

    @classmethod
    def check_tree(cls, tree):
        {check_tree}


@hookimpl
def labgen_checks():
    return {checks}
'''


def plugin(
    visit: str = "self.report(node, 'a call')",
    prepare: str = "pass",
    check_tree: str = "return ()",
    checks: str = "[Bad]",
    extra: str = "",
) -> str:
    """The source of a plugin module with one check, misbehaving where told."""
    source = CHECK.format(visit=visit, prepare=prepare, check_tree=check_tree, checks=checks)
    return source + textwrap.dedent(extra)


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Path]]:
    """A project with one lab; ``book(name=source, ...)`` adds project plugin modules."""
    root = tmp_path / "book"
    (root / "generated_labs").mkdir(parents=True)
    (root / "generated_labs" / "lab.py").write_text(LAB)
    (root / "pyproject.toml").write_text("[tool.labgen]\n")
    monkeypatch.chdir(root)
    names: list[str] = []

    def add(**modules: str) -> Path:
        for name, source in modules.items():
            (root / f"{name}.py").write_text(source)
            names.append(name)
        listed = ", ".join(f'"{name}"' for name in names)
        (root / "pyproject.toml").write_text(f"[tool.labgen]\nplugins = [{listed}]\n")
        return root

    yield add
    for name in names:
        sys.modules.pop(name, None)


def _json_check(labgen, *args: str) -> tuple[int, list[dict], str]:
    result = labgen("check", "generated_labs/lab.py", "--output-format", "json", *args)
    return result.code, json.loads(result.out), result.err


def _codes(found: list[dict]) -> set[str]:
    return {d["code"] for d in found}


def _failure(found: list[dict]) -> str:
    failures = [d["message"] for d in found if d["code"] == "LAB999"]
    assert len(failures) == 1, found
    return failures[0]


@pytest.mark.parametrize(
    ("visit", "says"),
    [
        ("sys.exit(0)", "crashed: SystemExit: 0"),
        ("raise KeyboardInterrupt", "crashed: KeyboardInterrupt"),
        ("raise SystemExit('helper gave up')", "crashed: SystemExit: helper gave up"),
    ],
)
def test_a_check_that_exits_or_interrupts_is_contained(book, labgen, visit: str, says: str):
    book(bad_plugin=plugin(visit=visit))
    code, found, _ = _json_check(labgen)
    assert code == 2
    assert "LAB004" in _codes(found)  # the built-in findings are all there
    message = _failure(found)
    assert "check BAD001 (bad, from bad_plugin)" in message
    assert says in message
    assert "plugin 'bad_plugin'; turn it off with `-p no:bad_plugin`" in message


def test_a_check_whose_prepare_raises_is_named(book, labgen) -> None:
    book(bad_plugin=plugin(prepare="raise RuntimeError('no model weights')"))
    code, found, _ = _json_check(labgen)
    assert code == 2
    assert "LAB004" in _codes(found)
    assert "BAD001" not in _codes(found)
    assert _failure(found) == (
        "prepare() of check BAD001 (bad, plugin 'bad_plugin') crashed: RuntimeError: no model "
        "weights; turn it off with `-p no:bad_plugin` or `--ignore BAD001`"
    )


def test_a_check_whose_check_tree_raises_is_named(book, labgen) -> None:
    book(bad_plugin=plugin(check_tree="raise ValueError('no tree')"))
    result = labgen("check", "--output-format", "json")
    found = json.loads(result.out)
    assert result.code == 2
    assert {"LAB004", "BAD001"} <= _codes(found)
    assert _failure(found).startswith(
        "check_tree() of check BAD001 (bad, plugin 'bad_plugin') crashed: ValueError: no tree"
    )


@pytest.mark.parametrize(
    ("checks", "says"),
    [
        ("42", "hook labgen_checks of plugin 'bad_plugin' returned 42, not a list of Check"),
        ("'BAD001'", "returned 'BAD001', not a list of Check classes"),
    ],
)
def test_a_checks_hook_returning_garbage_is_contained(book, labgen, checks: str, says: str):
    book(bad_plugin=plugin(checks=checks))
    code, found, _ = _json_check(labgen)
    assert code == 2
    assert "LAB004" in _codes(found)
    assert says in _failure(found)
    listed = labgen("plugins")
    assert listed.code == 2
    assert says in listed.out
    assert "labgen.checks" in listed.out


FORMATS = """
@hookimpl
def labgen_output_formats():
    return {formats}


def explode(report):
    raise RuntimeError("formatter broke")
"""


def test_a_formats_hook_returning_a_list_is_contained(book, labgen) -> None:
    book(bad_plugin=plugin(extra=FORMATS.format(formats="['explode']")))
    code, found, _ = _json_check(labgen)
    assert code == 2
    assert "LAB004" in _codes(found)
    assert "hook labgen_output_formats of plugin 'bad_plugin' returned ['explode']" in (
        _failure(found)
    )
    assert labgen("plugins").code == 2


def test_a_formatter_that_raises_is_one_line(book, labgen) -> None:
    book(bad_plugin=plugin(extra=FORMATS.format(formats="{'boom': explode}")))
    result = labgen("check", "generated_labs/lab.py", "--output-format", "boom")
    assert result.code == 2
    assert result.err == (
        "error: output format 'boom' of plugin 'bad_plugin' failed: RuntimeError: formatter "
        "broke (choose another with --output-format)\n"
    )


def test_a_check_in_an_endless_loop_is_stopped_and_named(book, labgen) -> None:
    book(bad_plugin=plugin(visit="while True:\n            pass"))
    code, found, _ = _json_check(labgen, "--set", "check.timeout=0.5")
    assert code == 2
    assert "LAB004" in _codes(found)
    message = _failure(found)
    assert "check BAD001 (bad, from bad_plugin) ran past its time budget of 0.5 s" in message
    assert "plugin 'bad_plugin'" in message


def test_what_a_plugin_prints_never_reaches_the_report(book, labgen) -> None:
    book(
        bad_plugin=plugin(
            visit="print('debugging', node)\n        self.report(node, 'a call')",
            prepare="print('preparing')",
        )
    )
    code, found, err = _json_check(labgen)
    assert code == 1
    assert {"LAB004", "BAD001"} <= _codes(found)
    assert "preparing" in err
    assert "debugging" in err


def test_a_check_reporting_something_else_loses_only_its_own_findings(book, labgen) -> None:
    book(bad_plugin=plugin(visit="self.diagnostics.append('a call')"))
    code, found, _ = _json_check(labgen)
    assert code == 2
    assert "LAB004" in _codes(found)
    message = _failure(found)
    assert "check BAD001 (bad, from bad_plugin)" in message
    assert "it reported 'a call', which is not a Diagnostic" in message
    assert "labgen failed" not in message


def test_a_misspelt_hook_is_warned_about(book, labgen) -> None:
    misspelt = plugin().replace("def labgen_checks():", "def labgen_check():")
    book(bad_plugin=misspelt)
    result = labgen("check", "generated_labs/lab.py", "--output-format", "json")
    assert json.loads(result.out)
    assert (
        "warning: plugin 'bad_plugin': labgen_check is not a labgen hook; did you mean "
        "labgen_checks?"
    ) in result.err


def test_an_unmarked_hook_is_warned_about(book, labgen) -> None:
    book(bad_plugin=plugin().replace("@hookimpl\ndef labgen_checks", "def labgen_checks"))
    result = labgen("plugins")
    assert "warning: plugin 'bad_plugin': labgen_checks lacks @hookimpl" in result.err


def test_a_duplicate_code_names_the_way_out_and_plugins_still_lists(book, labgen) -> None:
    book(bad_plugin=plugin(), again_plugin=plugin())
    result = labgen("check", "generated_labs/lab.py")
    assert result.code == 2
    assert "turn one off with `-p no:bad_plugin` or `-p no:again_plugin`" in result.err
    listed = labgen("plugins")
    assert listed.code == 2
    for name in ("labgen.checks", "labgen.reporters", "bad_plugin", "again_plugin"):
        assert name in listed.out
    assert "FAILED: rule code BAD001 is claimed twice" in listed.out
    assert labgen("check", "generated_labs/lab.py", "-p", "no:again_plugin").code == 1
