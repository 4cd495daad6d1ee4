"""LAB001 engine-only-math: no arithmetic in labs; every number comes from mlsys."""

from __future__ import annotations

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid
from labgen.checks._lab import dotted, is_number, is_text

#: Binary operators that compute (bitwise ones build sets, dicts and flags instead).
_ARITHMETIC: dict[type[cst.BaseBinaryOp], str] = {
    cst.Add: "+",
    cst.Subtract: "-",
    cst.Multiply: "*",
    cst.Divide: "/",
    cst.FloorDivide: "//",
    cst.Modulo: "%",
    cst.Power: "**",
    cst.MatrixMultiply: "@",
}
_AUGMENTED: dict[type[cst.BaseAugOp], str] = {
    cst.AddAssign: "+=",
    cst.SubtractAssign: "-=",
    cst.MultiplyAssign: "*=",
    cst.DivideAssign: "/=",
    cst.FloorDivideAssign: "//=",
    cst.ModuloAssign: "%=",
    cst.PowerAssign: "**=",
    cst.MatrixMultiplyAssign: "@=",
}
#: Modules whose functions compute numbers.
MATH_MODULES: tuple[str, ...] = (
    "math",
    "cmath",
    "numpy",
    "statistics",
    "scipy",
    "decimal",
    "fractions",
)
#: Built-in functions that compute numbers.
MATH_BUILTINS: frozenset[str] = frozenset(
    f"builtins.{name}" for name in ("sum", "pow", "divmod", "abs", "round")
)
_SEQUENCES = (cst.List, cst.Tuple, cst.ListComp)


def _builds_text_or_sequence(node: cst.BinaryOperation) -> bool:
    """``"a" + b``, ``"%s" % x``, ``"-" * 3``, ``[a] + rest``: building values, not computing."""
    left, right = node.left, node.right
    if isinstance(node.operator, cst.Modulo):
        return is_text(left)
    if isinstance(node.operator, cst.Add | cst.Multiply):
        return any(is_text(side) or isinstance(side, _SEQUENCES) for side in (left, right))
    return False


class EngineOnlyMath(Check):
    """A lab computes a number itself instead of asking mlsys.

    ## What it does
    Flags arithmetic written in a lab: binary arithmetic operators (`+ - * / // % ** @`),
    augmented assignments (`+=` ...), negating a value, and calls into `math`, `numpy`,
    `statistics` (and friends) or the built-ins `sum`, `pow`, `divmod`, `abs`, `round`.
    Building text (`"a" + name`, `"%s" % x`) and lists (`[a] + rest`) is not arithmetic.
    Names are followed through imports and cells, so `import numpy as np` in one cell and
    `np.mean(...)` in another is caught.

    ## Why is this bad
    Every number a student sees must come from the one analytical engine (guide section 5:
    "100% of math must call `mlsys.Engine.solve()`"). A lab that multiplies latencies or divides
    a batch by a time has a second, unreviewed physics model that drifts from mlsys, and the
    MathPeek no longer shows the formula that produced the number.

    ## Example
    ```python
    @app.cell
    def _(kat1_profile, mo):
        mo.md(f"{kat1_profile.latency * 1000} ms")
        return
    ```

    ## Use instead
    ```python
    @app.cell
    def _(kat1_profile, mo):
        mo.md(f"{kat1_profile.latency.to('ms'):~P}")
        return
    ```
    Convert units with pint (`.to(...)`), and ask mlsys for derived quantities (the profile
    carries throughput, energy and the overhead share).
    """

    code = "LAB001"
    name = "engine-only-math"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(Engine, Models, Systems, mo):
                kat1_profile = Engine.solve(model=Models.ResNet50, system=Systems.H100, batch_size=8)
                mo.md("Latency: " + f"{kat1_profile.latency.to('ms'):~P}")
                return (kat1_profile,)
            """
        ),
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                _rows = ["compute"] + ["memory", "overhead"]
                mo.md("%s bars" % len(_rows))
                _offset = -1
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
            def _(kat1_profile, mo):
                mo.md(f"{kat1_profile.latency * 1000} ms")
                return
            """,
            count=1,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(kat1_profile):
                kat1_share = kat1_profile.latency_overhead / kat1_profile.latency * 100
                return (kat1_share,)
            """,
            count=1,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import numpy as np

                return (np,)


            @app.cell
            def _(np, kat1_sweep):
                kat1_mean = np.mean(kat1_sweep.latency)
                kat1_count = 0
                kat1_count += 1
                kat1_flipped = -kat1_mean
                return
            """,
            count=3,
        ),
    )

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        symbol = _ARITHMETIC.get(type(node.operator))
        if symbol is None or _builds_text_or_sequence(node):
            return
        parent = self.parent(node)
        if isinstance(parent, cst.BinaryOperation) and type(parent.operator) in _ARITHMETIC:
            return  # the enclosing expression is reported once
        self.report(
            node,
            f"arithmetic in a lab (`{symbol}`): ask mlsys for the number instead of computing it",
        )

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        symbol = _AUGMENTED.get(type(node.operator))
        if symbol is None or is_text(node.value):
            return
        self.report(node, f"arithmetic in a lab (`{symbol}`): ask mlsys for the number instead")

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        if not isinstance(node.operator, cst.Minus) or is_number(node.expression):
            return
        parent = self.parent(node)
        if isinstance(parent, cst.BinaryOperation) and type(parent.operator) in _ARITHMETIC:
            return
        self.report(node, "arithmetic in a lab (negation): ask mlsys for the number instead")

    def visit_Call(self, node: cst.Call) -> None:
        for name in self.qualified_names(node.func):
            module = name.split(".", 1)[0]
            if module in MATH_MODULES or name in MATH_BUILTINS:
                self.report(
                    node,
                    f"`{dotted(node.func)}(...)` computes in the lab ({name}): every number must "
                    "come from mlsys",
                )
                return
