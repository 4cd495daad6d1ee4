"""LAB008 instrument-gating: only instruments the lab's chapter has unlocked."""

from __future__ import annotations

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.context import FileContext
from labgen.checking.examples import Invalid, Valid
from labgen.checking.names import canonical
from labgen.checks._lab import base_name, dotted, short


class InstrumentGating(Check):
    """A lab uses an instrument its chapter has not unlocked yet.

    ## What it does
    Takes the lab's chapter from its folder and file name (`vol1/lab_02_ml_systems.py` is
    Volume 1, chapter 2) and reports every place the lab reaches for an instrument component
    whose unlock chapter comes later: its import (under any alias), and every reference to it
    (a call, an alias `Frontier = ParetoCurve`, a use of the alias), according to the instrument registry (`labgen.instruments` and the
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
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core.components import ParetoCurve as Frontier

                return (Frontier,)


            @app.cell
            def _(Frontier, mo):
                lab_chart = Frontier
                mo.vstack([lab_chart])
                return
            """,
            count=3,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._candidates = _kit_bindings(context) if context.chapter is not None else set()

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self.chapter is None or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = dotted(node.module)
        for alias in node.names:
            self._judge(alias, {canonical(f"{module}.{dotted(alias.name)}")})

    def visit_Name(self, node: cst.Name) -> None:
        if node.value not in self._candidates or not self._is_reference(node):
            return
        self._judge(node, self.qualified_names(node))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.chapter is None or base_name(node) not in self._candidates:
            return
        parent = self.parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return  # judged once, as the whole chain
        if not isinstance(parent, cst.ImportAlias | cst.ImportFrom | cst.Import):
            self._judge(node, self.qualified_names(node))

    def _is_reference(self, node: cst.Name) -> bool:
        """Whether ``node`` reads the name (not a parameter, import, assignment target, a
        ``return`` handing it to other cells, or the head of an attribute chain)."""
        parent = self.parent(node)
        if isinstance(
            parent, cst.Param | cst.ImportAlias | cst.AsName | cst.AssignTarget | cst.Attribute
        ):
            return False
        while isinstance(parent, cst.Element | cst.Tuple):
            parent = self.parent(parent)
        return not isinstance(parent, cst.Return)

    def _judge(self, node: cst.CSTNode, names: frozenset[str] | set[str]) -> None:
        chapter = self.chapter
        if chapter is None:
            return
        for name in names:
            instrument = self.context.instrument_components.get(name)
            if instrument is not None and not instrument.unlocked_in(chapter):
                self.report(
                    node,
                    f"`{short(name)}` ({instrument.id}) unlocks in Volume "
                    f"{instrument.unlock_volume} chapter {instrument.unlock_chapter}; this is the "
                    f"lab of {chapter} and must not use it yet",
                )
                return


def _kit_bindings(context: FileContext) -> set[str]:
    """Names that may stand for a kit object: imported from ``labs``, or assigned from such a
    name (``Frontier = ParetoCurve``)."""
    found = {
        bound
        for cell in context.cells
        for bound, target in cell.imports.items()
        if target.startswith("labs")
    }
    assigned = [
        (name, base_name(value))
        for cell in context.cells
        for name, values in cell.values.items()
        for value in values
    ]
    grew = True
    while grew:
        grew = False
        for name, source in assigned:
            if source in found and name not in found:
                found.add(name)
                grew = True
    return found
