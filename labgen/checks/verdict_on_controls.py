"""LAB019 verdict-on-controls: a prediction is judged at its question's configuration, not at
whatever the controls show."""

from __future__ import annotations

import libcst as cst

from labgen.checking.cells import Cell
from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid
from labgen.checking.names import canonical
from labgen.checks._flow import values_of
from labgen.checks._lab import (
    MO_UI,
    PREDICTION_COMPARISON,
    PREDICTION_INPUT,
    TRACK_SELECTOR,
    argument,
    base_name,
)

#: How many assignments back the rule follows a value (cells chain a few at most).
MAX_DEPTH = 8

#: What makes a control whose ``.value`` is the student's current setting.
ENGINE_CONTROLS = canonical("labs.core.controls.EngineControls")


class VerdictOnControls(Check):
    """A prediction's verdict compares with a number that follows the lab's controls.

    ## What it does
    For every `PredictionComparison(prediction, answer)`, follows the names in `answer` back
    through the assignments of the lab, across cells, and reports the verdict when the answer
    depends on the value of a control (a marimo input such as a slider or dropdown, or the
    kit's `EngineControls`). The prediction itself and the track selector are not controls:
    a question may differ per track.

    ## Why is this bad
    The question a student answered was about one configuration. When the verdict reads the
    live controls, a right prediction turns red the moment the student explores, and a wrong
    one can turn green by accident; the verdict then judges the sliders, not the student. The
    answer must be computed once, at the question's stated configuration.

    ## Example
    ```python
    @app.cell
    def _(Engine, PredictionComparison, kat1_batch, kat1_prediction, lab_model, lab_system):
        kat1_profile = Engine.solve(model=lab_model, system=lab_system, batch_size=kat1_batch.value)
        PredictionComparison(kat1_prediction, kat1_profile.latency)
        return
    ```

    ## Use instead
    ```python
    @app.cell
    def _(Engine, PredictionComparison, kat1_prediction, lab_model, lab_system):
        kat1_expected = Engine.solve(model=lab_model, system=lab_system, batch_size=1)
        PredictionComparison(kat1_prediction, kat1_expected.latency)
        return
    ```
    """

    code = "LAB019"
    name = "verdict-on-controls"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import marimo as mo

                from labs.core.components import PredictionComparison, PredictionInput
                from mlsys import Engine, Models, Systems

                lab_model, lab_system = Models.ResNet50, Systems.H100
                return Engine, PredictionComparison, PredictionInput, lab_model, lab_system, mo


            @app.cell
            def _(PredictionInput, mo):
                kat1_prediction = PredictionInput.number("Latency?", low=0.1, high=100.0, unit="ms")
                kat1_batch = mo.ui.slider(1, 64, value=1, label="Batch size")
                mo.vstack([kat1_prediction, kat1_batch])
                return kat1_batch, kat1_prediction


            @app.cell
            def _(Engine, PredictionComparison, kat1_batch, kat1_prediction, lab_model, lab_system):
                kat1_profile = Engine.solve(
                    model=lab_model, system=lab_system, batch_size=kat1_batch.value
                )
                kat1_expected = Engine.solve(model=lab_model, system=lab_system, batch_size=1)
                PredictionComparison(kat1_prediction, kat1_expected.latency)
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

                from labs.core.components import PredictionComparison, PredictionInput
                from mlsys import Engine, Models, Systems

                lab_model, lab_system = Models.ResNet50, Systems.H100
                return Engine, PredictionComparison, PredictionInput, lab_model, lab_system, mo


            @app.cell
            def _(PredictionInput, mo):
                kat1_prediction = PredictionInput.number("Latency?", low=0.1, high=100.0, unit="ms")
                kat1_batch = mo.ui.slider(1, 64, value=1, label="Batch size")
                mo.vstack([kat1_prediction, kat1_batch])
                return kat1_batch, kat1_prediction


            @app.cell
            def _(Engine, kat1_batch, lab_model, lab_system):
                kat1_inputs = {"batch_size": kat1_batch.value}
                return (kat1_inputs,)


            @app.cell
            def _(Engine, PredictionComparison, kat1_inputs, kat1_prediction, lab_model, lab_system):
                kat1_profile = Engine.solve(model=lab_model, system=lab_system, **kat1_inputs)
                PredictionComparison(kat1_prediction, kat1_profile.latency)
                return (kat1_profile,)
            """,
            count=1,
        ),
    )

    def leave_Module(self, original_node: cst.Module) -> None:
        for cell in self.cells:
            for call in self.context.calls.get(cell, ()):
                if PREDICTION_COMPARISON not in self.context.qualified_names(call.func):
                    continue
                answer = argument(call, 1, "actual")
                if answer is None:
                    continue
                judged = argument(call, 0, "prediction")
                own = {base_name(judged.value)} if judged is not None else set()
                control = self._control_behind(cell, answer.value, own - {None}, 0)
                if control is not None:
                    self.report(
                        answer.value,
                        "the verdict compares the prediction with a number that follows the "
                        f"control `{control}`: a right prediction turns wrong as soon as the "
                        "student explores; judge it at the question's configuration (e.g. "
                        "`stated_profile(...)`)",
                    )

    def _control_behind(
        self, cell: Cell, node: cst.BaseExpression, seen: set[str], depth: int
    ) -> str | None:
        """The control whose value ``node`` depends on, or None."""
        if depth > MAX_DEPTH:
            return None
        for found in _names_in(node):
            name = found.value
            if name in seen:
                continue
            seen.add(name)
            values = list(values_of(self.context, cell, name))
            if any(self._makes_prediction(value) for value in values):
                continue
            for value in values:
                if self._is_control(value):
                    if self._value_read(node, name):
                        return name
                    continue
                deeper = self._control_behind(cell, value, seen, depth + 1)
                if deeper is not None:
                    return deeper
        return None

    def _makes_prediction(self, value: cst.BaseExpression) -> bool:
        if not isinstance(value, cst.Call):
            return False
        names = self.context.qualified_names(value.func)
        return any(n == PREDICTION_INPUT or n.startswith(PREDICTION_INPUT + ".") for n in names)

    def _is_control(self, value: cst.BaseExpression) -> bool:
        if not isinstance(value, cst.Call):
            return False
        names = self.context.qualified_names(value.func)
        if TRACK_SELECTOR in names:
            return False
        return ENGINE_CONTROLS in names or any(n.startswith(MO_UI + ".") for n in names)

    @staticmethod
    def _value_read(node: cst.BaseExpression, name: str) -> bool:
        """Whether ``node`` reads ``name.value`` (a control's current setting)."""
        for attribute in _attributes_in(node):
            base = attribute.value
            if (
                isinstance(base, cst.Name)
                and base.value == name
                and attribute.attr.value == "value"
            ):
                return True
        return False


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    found: list[cst.Name] = []

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)  # the base, not the attribute's own name
            return False

    node.visit(_Collect())
    return found


def _attributes_in(node: cst.CSTNode) -> list[cst.Attribute]:
    found: list[cst.Attribute] = []

    class _Collect(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            found.append(node)

    node.visit(_Collect())
    return found
