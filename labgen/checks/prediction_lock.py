"""LAB007 prediction-lock: nothing is revealed before its prediction is given."""

from __future__ import annotations

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid
from labgen.checks._flow import engine_result_names, locks, reveal
from labgen.checks._lab import kat_numbers


class PredictionLockRule(Check):
    """A cell shows an engine result or an instrument without being locked behind a prediction.

    ## What it does
    Finds the locks of the lab: `PredictionLock(p)`, or `mo.stop(...)` on an empty prediction
    (`p.value == ""`, `p.value is None`, `not p.value`), where `p` is a prediction
    (`PredictionInput`, a marimo input, or a name saying so). Then every cell that reveals
    something (draws an instrument, a MathPeek or a prediction comparison, or displays an
    engine result) must be that lock's cell or downstream of it in marimo's dataflow. A cell
    that belongs to KAT *n* (it defines or reads `katn_*` globals) needs the lock of KAT *n*'s
    own prediction.

    ## Why is this bad
    The pedagogical gearbox (guide section 4) is predict, then act, then observe. When the
    chart is visible before the student commits to a number, the prediction is copied rather
    than made, and the lab teaches nothing.

    ## Example
    ```python
    @app.cell
    def _(PredictionInput):
        kat1_prediction = PredictionInput.number("Latency?", low=0.1, high=100.0, unit="ms")
        kat1_prediction
        return (kat1_prediction,)

    @app.cell
    def _(Engine, LatencyWaterfall, MathPeek, lab_model, lab_system, mo):
        kat1_profile = Engine.solve(model=lab_model, system=lab_system)
        mo.vstack([LatencyWaterfall(kat1_profile), MathPeek(kat1_profile.math)])
        return (kat1_profile,)
    ```

    ## Use instead
    ```python
    @app.cell
    def _(Engine, LatencyWaterfall, MathPeek, PredictionLock, kat1_prediction, lab_model, lab_system, mo):
        PredictionLock(kat1_prediction)
        kat1_profile = Engine.solve(model=lab_model, system=lab_system)
        mo.vstack([LatencyWaterfall(kat1_profile), MathPeek(kat1_profile.math)])
        return (kat1_profile,)
    ```
    """

    code = "LAB007"
    name = "prediction-lock"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import marimo as mo

                from labs.core.components import (
                    LatencyWaterfall, MathPeek, MetricCards, PredictionInput, PredictionLock,
                )
                from mlsys import Engine, Models, Systems

                lab_model, lab_system = Models.ResNet50, Systems.H100
                return (
                    Engine, LatencyWaterfall, MathPeek, MetricCards, PredictionInput,
                    PredictionLock, lab_model, lab_system, mo,
                )


            @app.cell
            def _(PredictionInput):
                kat1_prediction = PredictionInput.number("Latency?", low=0.1, high=100.0, unit="ms")
                kat1_prediction
                return (kat1_prediction,)


            @app.cell
            def _(PredictionLock, kat1_prediction, mo):
                PredictionLock(kat1_prediction)
                kat1_batch_size = mo.ui.slider(1, 64, value=1, label="Batch size")
                kat1_batch_size
                return (kat1_batch_size,)


            @app.cell
            def _(Engine, LatencyWaterfall, MathPeek, kat1_batch_size, lab_model, lab_system, mo):
                kat1_profile = Engine.solve(
                    model=lab_model, system=lab_system, batch_size=kat1_batch_size.value
                )
                mo.vstack([LatencyWaterfall(kat1_profile), MathPeek(kat1_profile.math)])
                return (kat1_profile,)
            """
        ),
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import marimo as mo

                from labs.core.components import (
                    LatencyWaterfall, MathPeek, MetricCards, PredictionInput, PredictionLock,
                )
                from mlsys import Engine, Models, Systems

                lab_model, lab_system = Models.ResNet50, Systems.H100
                return (
                    Engine, LatencyWaterfall, MathPeek, MetricCards, PredictionInput,
                    PredictionLock, lab_model, lab_system, mo,
                )


            @app.cell
            def _(mo):
                kat1_prediction = mo.ui.text(label="Which term dominates?")
                kat1_prediction
                return (kat1_prediction,)


            @app.cell
            def _(Engine, MetricCards, kat1_prediction, lab_model, lab_system, mo):
                mo.stop(kat1_prediction.value == "", mo.md("Enter your prediction first."))
                kat1_profile = Engine.solve(model=lab_model, system=lab_system)
                MetricCards(kat1_profile)
                return (kat1_profile,)
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
                import marimo as mo

                from labs.core.components import (
                    LatencyWaterfall, MathPeek, MetricCards, PredictionInput, PredictionLock,
                )
                from mlsys import Engine, Models, Systems

                lab_model, lab_system = Models.ResNet50, Systems.H100
                return (
                    Engine, LatencyWaterfall, MathPeek, MetricCards, PredictionInput,
                    PredictionLock, lab_model, lab_system, mo,
                )


            @app.cell
            def _(PredictionInput):
                kat1_prediction = PredictionInput.number("Latency?", low=0.1, high=100.0, unit="ms")
                kat1_prediction
                return (kat1_prediction,)


            @app.cell
            def _(Engine, LatencyWaterfall, MathPeek, lab_model, lab_system, mo):
                kat1_profile = Engine.solve(model=lab_model, system=lab_system)
                mo.vstack([LatencyWaterfall(kat1_profile), MathPeek(kat1_profile.math)])
                return (kat1_profile,)
            """,
            count=1,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import marimo as mo

                from labs.core.components import (
                    LatencyWaterfall, MathPeek, MetricCards, PredictionInput, PredictionLock,
                )
                from mlsys import Engine, Models, Systems

                lab_model, lab_system = Models.ResNet50, Systems.H100
                return (
                    Engine, LatencyWaterfall, MathPeek, MetricCards, PredictionInput,
                    PredictionLock, lab_model, lab_system, mo,
                )


            @app.cell
            def _(PredictionLock, kat1_prediction, mo):
                PredictionLock(kat1_prediction)
                kat1_batch_size = mo.ui.slider(1, 64)
                return (kat1_batch_size,)


            @app.cell
            def _(Engine, MetricCards, kat1_batch_size, kat2_choice, lab_model, lab_system):
                kat2_profile = Engine.solve(model=lab_model, system=lab_system, batch_size=kat1_batch_size.value)
                MetricCards(kat2_profile)
                return (kat2_profile,)
            """,
            count=1,
        ),
    )

    def leave_Module(self, original_node: cst.Module) -> None:
        found = locks(self.context)
        results = engine_result_names(self.context)
        for cell in self.cells:
            if cell.kind != "cell":
                continue
            node = reveal(self.context, cell, results)
            if node is None:
                continue
            upstream = {cell, *self.dataflow.ancestors(cell)}
            guarding = [lock for lock in found if lock.cell in upstream]
            needed = sorted(kat_numbers(cell.defs | cell.refs))
            if not needed:
                if not guarding:
                    self.report(
                        node,
                        "this cell reveals a result but no prediction lock is upstream of it: "
                        "put it downstream of `PredictionLock(<prediction>)`",
                    )
                continue
            for number in needed:
                prefix = f"kat{number}_"
                if not any(lock.prediction.startswith(prefix) for lock in guarding):
                    self.report(
                        node,
                        f"this cell of KAT {number} reveals a result before KAT {number}'s "
                        f"prediction: put it downstream of `PredictionLock({prefix}prediction)`",
                    )
