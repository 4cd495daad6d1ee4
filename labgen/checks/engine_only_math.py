"""LAB001 engine-only-math: no arithmetic in labs; every number comes from mlsys."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.context import FileContext
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
#: Calls that make a filesystem path or URL, which ``/`` joins.
PATH_MAKERS: frozenset[str] = frozenset(
    {
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PurePosixPath",
        "pathlib.PureWindowsPath",
        "marimo.notebook_dir",
        "marimo.notebook_location",
    }
)
#: Calls whose result is text.
_TEXT_MAKERS = frozenset({"builtins.str", "builtins.repr", "builtins.format"})
#: How many ``x = ...`` assignments are followed to learn what a name holds.
_MAX_HOPS = 4


class _Operands:
    """What an operand of ``+ * / %`` holds, judged from its code: text, a sequence, a path."""

    def __init__(self, context: FileContext) -> None:
        self._context = context

    def builds_value(self, node: cst.BinaryOperation) -> bool:
        """``"a" + b``, ``"%s" % x``, ``"-" * 3``, ``[a] + rest``, ``Path(...) / "x"``:
        building text, sequences or paths, not computing a number."""
        left, right = node.left, node.right
        if isinstance(node.operator, cst.Modulo):
            return self.is_text(left)
        if isinstance(node.operator, cst.Add | cst.Multiply):
            return any(self.is_text(side) or self.is_sequence(side) for side in (left, right))
        if isinstance(node.operator, cst.Divide):
            return self.is_text(right) or self.is_path(left)
        return False

    def is_text(self, node: cst.BaseExpression, hops: int = 0) -> bool:
        """Whether ``node`` holds a string."""
        if is_text(node):
            return True
        if isinstance(node, cst.Call):
            return not _TEXT_MAKERS.isdisjoint(self._context.qualified_names(node.func))
        return self._held(node, hops, self.is_text)

    def is_sequence(self, node: cst.BaseExpression, hops: int = 0) -> bool:
        """Whether ``node`` holds a list or tuple written in the lab."""
        return isinstance(node, _SEQUENCES) or self._held(node, hops, self.is_sequence)

    def is_path(self, node: cst.BaseExpression, hops: int = 0) -> bool:
        """Whether ``node`` holds a path: ``Path(...)``, a join of one, or its ``.parent``,
        ``.parents[2]`` or ``.resolve()``."""
        while isinstance(node, cst.Attribute | cst.Subscript | cst.Call):
            if isinstance(node, cst.Call):
                if not PATH_MAKERS.isdisjoint(self._context.qualified_names(node.func)):
                    return True
                node = node.func
            else:
                node = node.value
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            return self.is_path(node.left, hops)
        return self._held(node, hops, self.is_path)

    def _held(self, node: cst.BaseExpression, hops: int, test: Callable[..., bool]) -> bool:
        """Whether every value assigned to the name ``node`` passes ``test``."""
        if not isinstance(node, cst.Name) or hops >= _MAX_HOPS:
            return False
        values = self._context.names.bound_values(node)
        return bool(values) and all(test(value, hops + 1) for value in values)


class EngineOnlyMath(Check):
    """A lab computes a number itself instead of asking mlsys.

    ## What it does
    Flags arithmetic written in a lab: binary arithmetic operators (`+ - * / // % ** @`),
    augmented assignments (`+=` ...), negating a value, and calls into `math`, `numpy`,
    `statistics` (and friends) or the built-ins `sum`, `pow`, `divmod`, `abs`, `round`.
    Building text (`"a" + name`, `"%s" % x`), lists and tuples (`[a] + rest`, `items += [x]`)
    and paths (`Path(__file__).parent / "data"`, `root / "src"`) is not arithmetic: operands
    are judged from the code, following a name to the value assigned to it.
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
                _rows += ["dispatch"]
                mo.md("%s bars" % len(_rows))
                _offset = -1
                return
            """
        ),
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import sys
                from pathlib import Path

                if sys.platform != "emscripten":
                    _root = Path(__file__).resolve().parents[2]
                    _src = _root / "src"
                    _wheels = _root.parent / "wheels" / "mlsys.whl"
                    sys.path.insert(0, str(_src) + ":" + str(_wheels))
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

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._operands = _Operands(context)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        symbol = _ARITHMETIC.get(type(node.operator))
        if symbol is None or self._operands.builds_value(node):
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
        if symbol is None or self._operands.is_text(node.value):
            return
        if isinstance(node.operator, cst.AddAssign) and self._operands.is_sequence(node.value):
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
