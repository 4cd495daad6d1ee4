"""LAB006 waterfall-overhead: every latency waterfall shows the overhead (dispatch tax)."""

from __future__ import annotations

import re

import libcst as cst

from labgen.checking.cells import Cell
from labgen.checking.check import Check
from labgen.checking.context import FileContext
from labgen.checking.examples import Invalid, Valid
from labgen.checks._lab import literal, remove_argument, short

#: The instrument id whose component draws a latency waterfall.
WATERFALL_ID = "waterfall"
#: The profile fields a latency breakdown is made of.
COMPUTE, MEMORY, OVERHEAD = "latency_compute", "latency_memory", "latency_overhead"
#: Keywords that choose which bars a chart draws.
_SEGMENT_KEYWORDS = frozenset(
    {"segments", "terms", "components", "parts", "bars", "show", "fields"}
)
_HIDING = re.compile(r"^(hide|no|without|drop|skip|exclude)_?overhead$")


class WaterfallOverhead(Check):
    """A latency breakdown leaves out the overhead term (the dispatch tax).

    ## What it does
    Flags a latency waterfall told to drop its overhead bar (`show_overhead=False`,
    `hide_overhead=True`, `segments=["compute", "memory"]` ...), and hand-made waterfalls: a
    cell that reads a profile's `latency_compute` and `latency_memory` but never its
    `latency_overhead`. (Kit cards that list fields by name, such as `MetricCards(fields=...)`,
    are the kit's business, not a waterfall.)

    ## Why is this bad
    The guide requires every waterfall to show the overhead (section 6.2): at batch size 1 the
    dispatch tax often dominates, and that is the lesson of Software 2.0. A breakdown without
    it adds up to less than the latency the student is shown.

    ## Example
    ```python
    @app.cell
    def _(LatencyWaterfall, MathPeek, kat1_profile, mo):
        mo.vstack([LatencyWaterfall(kat1_profile, show_overhead=False), MathPeek(kat1_profile.math)])
        return
    ```

    ## Use instead
    ```python
    @app.cell
    def _(LatencyWaterfall, MathPeek, kat1_profile, mo):
        mo.vstack([LatencyWaterfall(kat1_profile), MathPeek(kat1_profile.math)])
        return
    ```
    `labgen check --fix` removes the keyword that hides the overhead.
    """

    code = "LAB006"
    name = "waterfall-overhead"
    fixable = True

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(LatencyWaterfall, MathPeek, kat1_profile, mo):
                mo.vstack([LatencyWaterfall(kat1_profile, title="Batch 1"), MathPeek(kat1_profile.math)])
                return


            @app.cell
            def _(MetricCards, kat2_profile):
                MetricCards(kat2_profile, fields=["latency_compute", "latency_memory"])
                return


            @app.cell
            def _(kat3_profile, mo):
                mo.ui.table(
                    [
                        {"term": "compute", "time": kat3_profile.latency_compute},
                        {"term": "memory", "time": kat3_profile.latency_memory},
                        {"term": "overhead", "time": kat3_profile.latency_overhead},
                    ]
                )
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
                from labs.core.components import LatencyWaterfall as W

                return (W,)


            @app.cell
            def _(W, kat1_profile):
                W(kat1_profile, show_overhead=False)
                return
            """,
            count=1,
            fixed="""
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core.components import LatencyWaterfall as W

                return (W,)


            @app.cell
            def _(W, kat1_profile):
                W(kat1_profile)
                return
            """,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(kat1_profile, mo):
                mo.ui.table(
                    [
                        {"term": "compute", "time": kat1_profile.latency_compute},
                        {"term": "memory", "time": kat1_profile.latency_memory},
                    ]
                )
                return
            """,
            count=1,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        waterfalls = {
            name
            for name, instrument in self.context.instrument_components.items()
            if instrument.id == WATERFALL_ID
        }
        names = self.qualified_names(node.func)
        if names.isdisjoint(waterfalls):
            return
        component = short(next(iter(names & waterfalls)))
        for arg in node.args:
            if arg.keyword is not None and _hides_overhead(arg.keyword.value, arg.value):
                fix = self.replacement(
                    node,
                    node.with_changes(args=remove_argument(node.args, arg)),
                    f"remove `{arg.keyword.value}=...` so the overhead bar is drawn",
                )
                self.report(
                    arg,
                    f"`{component}(..., {arg.keyword.value}=...)` hides the overhead (dispatch "
                    "tax): every waterfall shows it",
                    fix=fix,
                )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        #: Per cell, where it first reads each latency term.
        self._terms: dict[Cell, dict[str, cst.CSTNode]] = {}

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._term(node, node.attr.value)

    def _term(self, node: cst.CSTNode, field: str) -> None:
        if field in (COMPUTE, MEMORY, OVERHEAD):
            cell = self.cell_of(node)
            if cell is not None:
                self._terms.setdefault(cell, {}).setdefault(field, node)

    def leave_Module(self, original_node: cst.Module) -> None:
        for terms in self._terms.values():
            # One term alone (a verdict judged against the memory term) is no breakdown.
            if OVERHEAD not in terms and COMPUTE in terms and MEMORY in terms:
                first = terms[COMPUTE]
                self.report(
                    first,
                    "latency is broken into compute and memory without `latency_overhead` (the "
                    "dispatch tax): show all three terms",
                )


def _hides_overhead(keyword: str, value: cst.BaseExpression) -> bool:
    setting = literal(value)
    lowered = keyword.lower()
    if _HIDING.match(lowered):
        return bool(setting)
    if "overhead" in lowered:
        return setting in (False, None, 0, "")
    if lowered in _SEGMENT_KEYWORDS and isinstance(value, cst.List | cst.Tuple | cst.Set):
        items = [literal(element.value) for element in value.elements]
        if items and all(isinstance(item, str) for item in items):
            return not any("overhead" in str(item).lower() for item in items)
    return False
