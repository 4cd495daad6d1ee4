"""LAB002 magic-constant: hardware figures written into a lab instead of read from mlsys."""

from __future__ import annotations

import re

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.context import FileContext
from labgen.checking.examples import Invalid, Valid
from labgen.checks._lab import (
    CONTROL_MODULES,
    PREDICTION_INPUT,
    UREG,
    dotted,
    is_number,
    literal,
)

#: Calls that make a pint quantity (or unit) from what they are given.
QUANTITY_MAKERS: frozenset[str] = frozenset(
    {
        UREG,
        f"{UREG}.Quantity",
        f"{UREG}.parse_expression",
        f"{UREG}.Measurement",
        "mlsys.Quantity",
        "pint.Quantity",
    }
)
#: Words that make a name a physical hardware figure (matched against ``_``-separated parts).
PHYSICS_WORDS: frozenset[str] = frozenset(
    {
        "bandwidth", "bw", "flops", "flop", "tflops", "gflops", "tops", "macs",
        "watt", "watts", "power", "tdp", "joule", "joules", "energy",
        "ram", "sram", "dram", "hbm", "memory", "mem", "capacity",
        "clock", "frequency", "hz", "mhz", "ghz", "gbps", "tbps", "peak",
    }
)  # fmt: skip
#: A literal of this size or more is a hardware figure whatever it is called.
LARGE = 1e6
#: Rates written in text: "3.35 TB/s", "989 TFLOPS", "275 TOPS".
RATE_IN_TEXT = re.compile(
    r"\b\d[\d,.]*\s*(?:[kKMGTPE]i?)?(?:B/s|bit/s|bps|FLOP/s|FLOPS|FLOPs|OPS)\b"
)


#: Calls whose numeric arguments are the bounds of an input, not figures.
_INPUT_MAKERS = (PREDICTION_INPUT, *CONTROL_MODULES)


def _physical_name(name: str) -> bool:
    return any(part in PHYSICS_WORDS for part in name.lower().split("_"))


class MagicConstant(Check):
    """A physical constant (bandwidth, FLOP rate, power, memory size) is typed into the lab.

    ## What it does
    Flags numbers that are hardware figures written by hand:
    * a pint quantity made from a literal: `ureg.Quantity(3.35, "TB/s")`, `ureg("700 W")`,
      `80 * ureg.GB` (followed through any alias of `mlsys.ureg`);
    * a number bound to a name, keyword or dictionary key that names a physical figure
      (`bandwidth`, `peak_flops`, `tdp_watts`, `sram_kb`, `clock_ghz` ...);
    * any literal of a million or more, except the bounds of an input (`PredictionInput`,
      `mo.ui` and `labs.core.controls` widgets);
    * a bandwidth or compute rate written in text ("3.35 TB/s", "989 TFLOPS").

    ## Why is this bad
    The registries in mlsys carry every hardware number with its source. A figure typed into
    a lab has no source, silently disagrees with the engine (which computes with the registry
    value), and goes stale when the registry is corrected.

    ## Example
    ```python
    @app.cell
    def _(ureg):
        h100_bandwidth = ureg.Quantity(3.35, "TB/s")
        return (h100_bandwidth,)
    ```

    ## Use instead
    ```python
    @app.cell
    def _(Systems):
        h100_bandwidth = Systems.H100.memory_bandwidth
        return (h100_bandwidth,)
    ```
    """

    code = "LAB002"
    name = "magic-constant"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(Systems, mo):
                kat1_bandwidth = Systems.H100.memory_bandwidth
                kat1_batch_size = mo.ui.slider(1, 256, value=8, label="Batch size")
                mo.md(f"The H100 streams {kat1_bandwidth:~P} from HBM.")
                return (kat1_bandwidth, kat1_batch_size)
            """
        ),
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core.components import PredictionInput

                return (PredictionInput,)


            @app.cell
            def _(PredictionInput):
                kat1_prediction = PredictionInput.number("Latency?", low=0.01, high=1000.0, unit="ms")
                kat2_prediction = PredictionInput.number("Tokens?", low=1.0, high=1e7, unit="token")
                return (kat1_prediction, kat2_prediction)
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
                from mlsys import ureg as u

                return (u,)


            @app.cell
            def _(u):
                h100_bandwidth = u.Quantity(3.35, "TB/s")
                h100_memory = 80 * u.GB
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
                lab_hardware = {"peak_flops": 989e12, "tdp": 700}
                lab_clock_ghz = 1.98
                return
            """,
            count=3,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                mo.md("The H100 streams 3.35 TB/s and peaks at 989 TFLOPS.")
                lab_tokens = 50_000_000
                return
            """,
            count=2,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # Literals reported as named figures are not reported again as large numbers.
        self._reported: set[cst.CSTNode] = set()

    def visit_Call(self, node: cst.Call) -> None:
        names = self.qualified_names(node.func)
        if names.isdisjoint(QUANTITY_MAKERS):
            return
        for arg in node.args:
            value = literal(arg.value)
            if is_number(arg.value) or (isinstance(value, str) and re.search(r"\d", value)):
                self.report(
                    node,
                    f"`{dotted(node.func)}(...)` makes a quantity from a literal: read the "
                    "figure from the mlsys registries instead",
                )
                return

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if not isinstance(node.operator, cst.Multiply | cst.Divide):
            return
        for number, unit in ((node.left, node.right), (node.right, node.left)):
            if is_number(number) and self._is_unit(unit):
                self.report(
                    node,
                    f"`{dotted(unit)}` times a literal makes a hand-written quantity: read the "
                    "figure from the mlsys registries instead",
                )
                return

    def _is_unit(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Call):
            node = node.func
        return any(n.startswith(UREG + ".") or n == UREG for n in self.qualified_names(node))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._named(target.target.value, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None:
            self._named(node.target.value, node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._named(node.keyword.value, node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = literal(node.key)
        if isinstance(key, str):
            self._named(key, node.value)

    def _named(self, name: str, value: cst.BaseExpression) -> None:
        if is_number(value) and _physical_name(name):
            self.report(
                value,
                f"`{name}` is given a hand-written figure "
                f"({self.context.module.code_for_node(value)}): read it from the "
                "mlsys registries (Systems, Models) instead",
            )
            self._reported.add(value)

    def visit_Integer(self, node: cst.Integer) -> None:
        self._large(node)

    def visit_Float(self, node: cst.Float) -> None:
        self._large(node)

    def _large(self, node: cst.Integer | cst.Float) -> None:
        value = literal(node)
        if (
            isinstance(value, int | float)
            and abs(value) >= LARGE
            and node not in self._reported
            and not self._bounds_an_input(node)
        ):
            self.report(
                node,
                f"{node.value} looks like a hardware figure: read it from the mlsys registries",
            )

    def _bounds_an_input(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` is an argument of a call that makes an input (the range a student
        may type or slide through is not a hardware figure)."""
        for ancestor in self.context.ancestry(node):
            if isinstance(ancestor, cst.Call):
                names = self.context.raw_qualified_names(ancestor.func) | self.qualified_names(
                    ancestor.func
                )
                return any(name.startswith(prefix) for name in names for prefix in _INPUT_MAKERS)
            if isinstance(ancestor, cst.BaseStatement):
                return False
        return False

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = literal(node)
        if isinstance(value, str):
            self._text(node, value)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self._text(node, node.value)

    def _text(self, node: cst.CSTNode, text: str) -> None:
        match = RATE_IN_TEXT.search(text)
        if match:
            self.report(
                node,
                f"text states a hardware rate ({match.group(0)!r}): format the registry value "
                'instead (e.g. f"{Systems.H100.memory_bandwidth:~P}")',
            )
