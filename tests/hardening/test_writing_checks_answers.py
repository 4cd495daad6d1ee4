"""docs/writing-checks.md answers what plugin authors had to guess, and its answers are true."""

from __future__ import annotations

import libcst as cst

from labgen import Check
from labgen.checking.examples import DEFAULT_EXAMPLE_PATH, Valid
from labgen.checking.settings import CheckSettings
from labgen.checking.testing import check_source
from labgen.plugin_policy import RESERVED_PREFIX

from .conftest import REPO

DOC = (REPO / "docs" / "writing-checks.md").read_text(encoding="utf-8")


def test_the_page_answers_every_question_of_issue_18() -> None:
    answers = [
        '"marimo.ui.slider"',  # what qualified_name gives for a module attribute
        DEFAULT_EXAMPLE_PATH,  # where examples run
        "dedented",  # that Valid(...) dedents
        "## What it does`, `## Why is this bad`, `## Example",  # the docstring sections
        f"The `{RESERVED_PREFIX}` prefix is labgen's own",  # the rule-code policy
        "`prepare()` runs once per run",
        "`check_tree(tree)`",
        "report at the part that",  # reporting at a sub-node
        "A fix is a third",
        "--no-build-isolation",
        "helper\npackages included",  # when the cache sees a plugin change
        "labgen new-check",
        "pytest --labgen-examples",
        "numeric_literal(node)",
        "bind_arguments(call, function)",
    ]
    missing = [answer for answer in answers if answer not in DOC]
    assert missing == []


def test_what_the_page_says_of_qualified_names_is_true() -> None:
    seen: dict[str, str | None] = {}

    class Probe(Check):
        """Records what each called name stands for."""

        code, name = "PRB001", "probe"

        def visit_Call(self, node: cst.Call) -> None:
            seen[cst.Module([]).code_for_node(node.func)] = self.qualified_name(node.func)

    source = """
        import marimo as mo
        from marimo import ui


        @app.cell
        def _(helper):
            mo.ui.slider(1, 2)
            ui.slider(1, 2)
            print(1)
            helper()
            return
    """
    check_source(Valid(source).source, [Probe])
    assert seen == {
        "mo.ui.slider": "marimo.ui.slider",
        "ui.slider": "marimo.ui.slider",
        "print": "builtins.print",
        "helper": None,
    }


def test_the_time_budget_the_page_gives_is_the_default() -> None:
    assert CheckSettings().timeout == 10
    assert "the time budget on one file (10 s" in DOC
