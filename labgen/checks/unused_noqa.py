"""LAB100 unused-noqa: suppression comments that suppress nothing."""

from __future__ import annotations

from labgen.checking.check import Check
from labgen.checking.diagnostics import UNUSED_NOQA
from labgen.checking.examples import Invalid, Valid


class UnusedNoqa(Check):
    """A ``# noqa`` comment names a labgen rule that reported nothing there.

    ## What it does
    After every rule has run, looks at each suppression comment (`# noqa: LAB001` on a line,
    on a cell's `@app.cell` line, or `# labgen: noqa: LAB001` for the file) and reports the
    codes that silenced nothing, and labgen-looking codes that name no rule. Codes of other
    tools (`E501` for ruff) and bare `# noqa` comments are left alone. A comment that lists
    `LAB100` itself is never reported.

    ## Why is this bad
    A stale suppression hides the next real problem on that line or cell: once a lab is fixed,
    its `noqa` should go, or a later edit that breaks the rule again passes unnoticed.

    ## Example
    ```python
    @app.cell
    def _(mo):
        mo.md("No arithmetic here")  # noqa: LAB001
        return
    ```

    ## Use instead
    ```python
    @app.cell
    def _(mo):
        mo.md("No arithmetic here")
        return
    ```
    The fix (`labgen check --fix`) removes the stale codes, or the whole comment.
    """

    code, name = UNUSED_NOQA
    fixable = True

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                mo.md("No arithmetic here")  # noqa: E501
                return
            """
        ),
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(kat1_profile):
                kat1_total = kat1_profile.latency * 2  # noqa: LAB001
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
            def _(mo):
                mo.md("No arithmetic here")  # noqa: LAB001
                return
            """,
            count=1,
            fixed="""
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                mo.md("No arithmetic here")
                return
            """,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(kat1_profile):
                kat1_total = kat1_profile.latency * 2  # noqa: LAB001, LAB012
                return
            """,
            count=1,
            fixed="""
            import marimo

            app = marimo.App()


            @app.cell
            def _(kat1_profile):
                kat1_total = kat1_profile.latency * 2  # noqa: LAB001
                return
            """,
        ),
        Invalid(
            """
            # labgen: noqa: LAB077
            import marimo

            app = marimo.App()
            """,
            count=1,
        ),
    )
