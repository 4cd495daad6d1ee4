"""LAB008 instrument-gating: only instruments the lab's chapter has unlocked."""

from __future__ import annotations

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid
from labgen.checks._lab import short


class InstrumentGating(Check):
    """A lab uses an instrument its chapter has not unlocked yet.

    ## What it does
    Takes the lab's chapter from its folder and file name (`vol1/lab_02_ml_systems.py` is
    Volume 1, chapter 2) and reports every call to an instrument component whose unlock
    chapter comes later, according to the instrument registry (`labgen.instruments` and the
    instruments plugins add). Volume 2 labs have every Volume 1 instrument. Files outside
    `vol1/`/`vol2/` have no chapter and are not judged.

    ## Why is this bad
    Progressive disclosure (guide section 2): a lab never hands the student a tool the book has
    not introduced yet. Lab 2 has only the waterfall; the Pareto curve arrives in chapter 9 and
    the P99 histogram in chapter 13.

    ## Example
    ```python
    # generated_labs/vol1/lab_02_ml_systems.py
    @app.cell
    def _(MathPeek, ParetoCurve, kat1_sweep, mo):
        mo.vstack([ParetoCurve(kat1_sweep), MathPeek(kat1_sweep.math)])
        return
    ```

    ## Use instead
    ```python
    # generated_labs/vol1/lab_02_ml_systems.py
    @app.cell
    def _(LatencyWaterfall, MathPeek, kat1_profile, mo):
        mo.vstack([LatencyWaterfall(kat1_profile), MathPeek(kat1_profile.math)])
        return
    ```
    """

    code = "LAB008"
    name = "instrument-gating"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core.components import LatencyWaterfall, MathPeek

                return (LatencyWaterfall, MathPeek)


            @app.cell
            def _(LatencyWaterfall, MathPeek, kat1_profile, mo):
                mo.vstack([LatencyWaterfall(kat1_profile), MathPeek(kat1_profile.math)])
                return
            """
        ),
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core import components as kit

                return (kit,)


            @app.cell
            def _(kit, kat1_sweep):
                kit.ParetoCurve(kat1_sweep)
                return
            """,
            path="generated_labs/vol2/lab_05_dist_train.py",
        ),
    )
    INVALID = (
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core import components as kit

                return (kit,)


            @app.cell
            def _(kit, kat1_sweep, kat2_serving):
                kit.ParetoCurve(kat1_sweep)
                kit.P99Histogram(kat2_serving)
                return
            """,
            count=2,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        chapter = self.chapter
        if chapter is None:
            return
        for name in self.qualified_names(node.func):
            instrument = self.context.instrument_components.get(name)
            if instrument is not None and not instrument.unlocked_in(chapter):
                self.report(
                    node,
                    f"`{short(name)}` ({instrument.id}) unlocks in Volume "
                    f"{instrument.unlock_volume} chapter {instrument.unlock_chapter}; this is the "
                    f"lab of {chapter} and must not use it yet",
                )
                return
