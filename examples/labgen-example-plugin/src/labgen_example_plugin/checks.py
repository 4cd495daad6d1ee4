"""EXA001 todo-in-text: a TODO or FIXME left in text a student reads."""

from __future__ import annotations

import re

import libcst as cst
from labgen import Check
from labgen.checking import Invalid, Valid

#: The markers of unfinished text: whole upper-case words, so "todos" or "Todo list" pass.
MARKER = re.compile(r"\b(TODO|FIXME)\b")


class TodoInText(Check):
    """Lab text still says TODO or FIXME.

    ## What it does
    Reports every string literal (plain or f-string) of a lab that contains the word `TODO` or
    `FIXME` in capitals. Comments are not lab text and are not judged.

    ## Why is this bad
    Strings are what students read: a prompt, a title, a briefing. A marker left in one ships an
    unfinished lab, and it usually comes from a spec field someone meant to come back to.

    ## Example
    ```python
    SafeMarkdown("## KAT 1: TODO pick a title")
    ```

    ## Use instead
    ```python
    SafeMarkdown("## KAT 1: The memory wall")
    ```
    """

    code = "EXA001"
    name = "todo-in-text"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(SafeMarkdown):
                # TODO: a comment is for authors, not lab text
                SafeMarkdown("## KAT 1: The memory wall (todos are done)")
                return
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(SafeMarkdown):
                SafeMarkdown("## KAT 1: TODO pick a title")
                return
            """,
            count=1,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(kat1_profile, mo):
                mo.md(f"FIXME explain {kat1_profile.latency}" "TODO and this")
                return
            """,
            count=2,
        ),
    )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._judge(node, node.value)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self._judge(node, node.value)

    def _judge(self, node: cst.CSTNode, text: str) -> None:
        found = MARKER.search(text)
        if found:
            self.report(node, f"`{found.group(1)}` left in lab text: finish the text in the spec")
