"""LAB000 syntax-error: a file that cannot be parsed."""

from __future__ import annotations

from labgen.checking.check import Check
from labgen.checking.diagnostics import SYNTAX_ERROR
from labgen.checking.examples import Invalid, Valid


class SyntaxErrorRule(Check):
    """A file that is not valid Python (or not UTF-8) is reported once, where parsing stopped.

    ## What it does
    Reports a lab that Python cannot parse, with the line and column where the parser gave up.
    No other rule runs on such a file, and no comment can silence this one.

    ## Why is this bad
    marimo cannot load a notebook that does not parse, so the student sees an error page
    instead of a lab. Every other rule needs the syntax tree, so nothing else can be judged.

    ## Example
    ```python
    @app.cell
    def _(mo):
        mo.md("unclosed"
        return
    ```

    ## Use instead
    ```python
    @app.cell
    def _(mo):
        mo.md("closed")
        return
    ```
    """

    code, name = SYNTAX_ERROR

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import marimo as mo

                return (mo,)
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
                mo.md("unclosed"
                return
            """,
            count=1,
        ),
        Invalid("def broken(:\n    pass\n", count=1),
    )
