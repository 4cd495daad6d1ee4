"""LAB005 math-peek: every cell that shows a chart instrument also shows a MathPeek."""

from __future__ import annotations

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid
from labgen.checks._lab import MATH_PEEK, short


class MathPeekRule(Check):
    """A chart instrument is shown without a MathPeek in the same cell.

    ## What it does
    For every cell that calls a chart instrument (any instrument of the registry marked as a
    chart, built-in or from a plugin: `LatencyWaterfall`, `ParetoCurve`, `P99Histogram`,
    `Roofline` ...), checks that the same cell also calls `labs.core.components.MathPeek`.
    Instruments and MathPeek are recognised by their qualified names, whatever alias a lab
    imports them under.

    ## Why is this bad
    The guide makes the MathPeek mandatory for every chart card (section 6.2): the student must
    be able to open the formula and the variable values that produced the picture. A chart
    alone teaches a shape, not the physics behind it.

    ## Example
    ```python
    @app.cell
    def _(LatencyWaterfall, kat1_profile):
        LatencyWaterfall(kat1_profile)
        return
    ```

    ## Use instead
    ```python
    @app.cell
    def _(LatencyWaterfall, MathPeek, kat1_profile, mo):
        mo.vstack([LatencyWaterfall(kat1_profile), MathPeek(kat1_profile.math)])
        return
    ```
    """

    code = "LAB005"
    name = "math-peek"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core.components import LatencyWaterfall, MathPeek, MetricCards

                return (LatencyWaterfall, MathPeek, MetricCards)


            @app.cell
            def _(LatencyWaterfall, MathPeek, kat1_profile, mo):
                mo.vstack([LatencyWaterfall(kat1_profile), MathPeek(kat1_profile.math)])
                return


            @app.cell
            def _(MetricCards, kat2_profile):
                MetricCards(kat2_profile)
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
            def _():
                from labs.core.components import LatencyWaterfall, MathPeek

                return (LatencyWaterfall, MathPeek)


            @app.cell
            def _(LatencyWaterfall, kat1_profile):
                LatencyWaterfall(kat1_profile)
                return


            @app.cell
            def _(MathPeek, kat1_profile):
                MathPeek(kat1_profile.math)
                return
            """,
            count=1,
        ),
    )

    def leave_Module(self, original_node: cst.Module) -> None:
        charts = {
            name: instrument
            for name, instrument in self.context.instrument_components.items()
            if instrument.chart
        }
        for cell in self.cells:
            shown = [
                (call, name)
                for call in self.context.calls.get(cell, ())
                for name in self.qualified_names(call.func)
                if name in charts
            ]
            if not shown or self.context.calls_to(MATH_PEEK, cells=[cell]):
                continue
            call, name = shown[0]
            self.report(
                call,
                f"`{short(name)}` ({charts[name].title}) is shown without a MathPeek in this "
                "cell: add `MathPeek(<profile>.math)` beside it",
            )
