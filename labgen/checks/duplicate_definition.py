"""LAB004 duplicate-definition: one global, one cell; and names that invite collisions."""

from __future__ import annotations

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid

#: Global names too generic for a notebook where every global is shared by all cells.
GENERIC_NAMES: frozenset[str] = frozenset(
    {
        "fig", "figure", "ax", "axes", "chart", "plot", "graph", "df", "data", "table",
        "selected", "selection", "choice", "reflection", "prediction", "profile", "result",
        "results", "output", "out", "value", "values", "val", "res", "tmp", "temp",
        "slider", "text", "model", "system", "config", "params", "answer", "item", "items",
    }
)  # fmt: skip


class DuplicateDefinition(Check):
    """A global is defined in more than one cell, or has a name too generic to stay unique.

    ## What it does
    Reports every cell that defines a global another cell already defines, naming the line of
    the first definition. It also reports globals with generic names (`fig`, `chart`,
    `selected`, `reflection`, `df`, one-letter names ...) that are bound to a value in a cell.
    Imports are exempt from the naming part (`mo`, `np` are conventions).

    ## Why is this bad
    marimo runs a notebook as one dataflow graph in which each global has exactly one defining
    cell; a second definition stops the notebook with an error (guide section 5, "Unique
    Variable Naming"). Generic names are how that happens: the second KAT's author writes `fig`
    again.

    ## Example
    ```python
    @app.cell
    def _(kat1_profile, LatencyWaterfall):
        fig = LatencyWaterfall(kat1_profile)
        return (fig,)

    @app.cell
    def _(kat2_profile, LatencyWaterfall):
        fig = LatencyWaterfall(kat2_profile)
        return (fig,)
    ```

    ## Use instead
    ```python
    @app.cell
    def _(kat1_profile, LatencyWaterfall):
        kat1_waterfall = LatencyWaterfall(kat1_profile)
        return (kat1_waterfall,)

    @app.cell
    def _(kat2_profile, LatencyWaterfall):
        _waterfall = LatencyWaterfall(kat2_profile)  # private to this cell
        return
    ```
    """

    code = "LAB004"
    name = "duplicate-definition"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(LatencyWaterfall, kat1_profile):
                kat1_waterfall = LatencyWaterfall(kat1_profile)
                return (kat1_waterfall,)


            @app.cell
            def _(LatencyWaterfall, kat2_profile):
                _waterfall = LatencyWaterfall(kat2_profile)
                _waterfall
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
            def _(LatencyWaterfall, kat1_profile):
                kat1_chart = LatencyWaterfall(kat1_profile)
                return (kat1_chart,)


            @app.cell
            def _(LatencyWaterfall, kat2_profile):
                kat1_chart = LatencyWaterfall(kat2_profile)
                return (kat1_chart,)
            """,
            count=1,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                selected = mo.ui.dropdown(["fp16", "int8"])
                x = 3
                return (selected, x)
            """,
            count=2,
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        for name, definers in sorted(self.dataflow.definers.items()):
            first = definers[0]
            for later in definers[1:]:
                where = self.position(first.def_nodes[name]).start.line
                self.report(
                    later.def_nodes[name],
                    f"`{name}` is defined in more than one cell (first at line {where}); "
                    "marimo allows one defining cell per global: rename it or make it "
                    f"private (`_{name}`)",
                )
        for cell in self.cells:
            if cell.kind not in ("cell", "setup"):
                continue
            for name in sorted(cell.defs):
                if name in cell.imports:
                    continue
                if name in GENERIC_NAMES or len(name) == 1:
                    self.report(
                        cell.def_nodes[name],
                        f"global `{name}` is not descriptive and invites a second definition: "
                        "name it after its task (`kat1_...`) or make it private "
                        f"(`_{name}`)",
                    )
