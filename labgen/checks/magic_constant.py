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
    argument,
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
        "clock", "frequency", "hz", "mhz", "ghz", "gbps", "tbps", "peak", "speed",
    }
)  # fmt: skip
#: A literal of this size or more is a hardware figure whatever it is called (unless it is a
#: unit-conversion factor or a budget).
LARGE = 1e6
#: Words that make a name a non-physical budget (money, not hardware): ``BUDGET_USD``.
BUDGET_WORDS: frozenset[str] = frozenset(
    {"budget", "cost", "costs", "price", "prices", "usd", "dollar", "dollars", "eur", "spend"}
)
#: Names of workload sizes (a run of 15 trillion tokens), which are not hardware figures.
WORKLOAD_WORDS: frozenset[str] = frozenset({"tokens", "samples", "steps", "epochs"})
#: A hardware figure stated in text: "H100 (80 GB)", "900 GB/s", "700 W".
FIGURE_IN_TEXT = re.compile(
    r"\b\d[\d,.]*\s*(?:[kKMGTPE]i?B|[kKMGTP]?(?:B/s|FLOP/s|FLOPS|OPS)|[kMG]?W|[kMG]Hz)\b"
)
#: Keywords of chart calls whose text annotates a line or point drawn at ``x=``/``y=``.
ANNOTATION_KEYWORDS = ("annotation_text", "annotation", "text", "label", "name")
#: Rates written in text: "3.35 TB/s", "989 TFLOPS", "275 TOPS".
RATE_IN_TEXT = re.compile(
    r"\b\d[\d,.]*\s*(?:[kKMGTPE]i?)?(?:B/s|bit/s|bps|FLOP/s|FLOPS|FLOPs|OPS)\b"
)


#: Calls whose numeric arguments are the bounds of an input, not figures.
_INPUT_MAKERS = (PREDICTION_INPUT, *CONTROL_MODULES)


def _physical_name(name: str) -> bool:
    parts = name.lower().split("_")
    return any(part in PHYSICS_WORDS for part in parts) and not _budget_name(name)


def _budget_name(name: str) -> bool:
    # A budget or a workload size (tokens to train on) is the lab's choice, not hardware.
    words = BUDGET_WORDS | WORKLOAD_WORDS
    return any(part in words for part in name.lower().split("_"))


def is_conversion_factor(value: float) -> bool:
    """Whether ``value`` is a unit-conversion factor (a power of 10 or of 1024, such as 1e9 or
    1024**2) rather than a measured figure."""
    for base in (10, 1024):
        power = 1
        while power < abs(value):
            power *= base
        if power == abs(value):
            return True
    return False


class MagicConstant(Check):
    """A physical constant (bandwidth, FLOP rate, power, memory size) is typed into the lab.

    ## What it does
    Flags numbers that are hardware figures written by hand:
    * a pint quantity made from a literal: `ureg.Quantity(3.35, "TB/s")`, `ureg("700 W")`,
      `80 * ureg.GB` (followed through any alias of `mlsys.ureg`);
    * a number bound to a name, keyword or dictionary key that names a physical figure
      (`bandwidth`, `peak_flops`, `tdp_watts`, `sram_kb`, `clock_ghz`, the speed of light
      in fibre as `FIBER_SPEED_KM_S` ...);
    * the same inside a conditional expression (`clock_ghz = 1.5 if mobile else 2.1` is two
      figures);
    * any literal of a million or more, except the bounds of an input (`PredictionInput`,
      `mo.ui` and `labs.core.controls` widgets), unit-conversion factors (powers of ten and
      of 1024: `1e9`, `1_048_576`), budgets (a name with `budget`, `cost`, `price`,
      `usd` ...: money is not hardware) and workload sizes (`train_tokens`, `samples`,
      `steps`, `epochs`: the run's length is the lab's choice);
    * a chart line drawn at a literal whose annotation states a hardware figure
      (`fig.add_hline(y=80_000, annotation_text="H100 (80 GB)")`);
    * a bandwidth or compute rate written in text ("3.35 TB/s", "989 TFLOPS"), each reported
      at its own line and column, also inside a multi-line string.

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
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(kat1_profile, mo):
                lab_budget_usd = 2_500_000
                lab_flops = kat1_profile.flops.m_as("FLOP") / 1e12
                lab_mib = kat1_profile.memory.m_as("B") / 1_048_576
                mo.md(f"{lab_flops:.1f} TFLOP, {lab_mib:.0f} MiB, within ${lab_budget_usd:,}")
                return
            """
        ),
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                # A workload size (the run's length) is the lab's choice, not a hardware figure.
                active_track = {"inputs": {"dp": 1024, "train_tokens": 15000000000000}}
                return (active_track,)
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
                FIBER_SPEED_KM_S = 200_000  # the speed of light in fibre
                return
            """,
            count=4,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                mo.md("The H100 streams 3.35 TB/s and peaks at 989 TFLOPS.")
                lab_figure = 50_000_000  # large, whatever its name (not a workload size)
                return
            """,
            count=3,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(go, part_a_context):
                _clock_ghz = 1.5 if part_a_context.value == "mobile" else 2.1
                _fig = go.Figure()
                _fig.add_hline(y=80_000, annotation_text="H100 (80 GB)")
                return
            """,
            count=3,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # Literals reported as named figures are not reported again as large numbers.
        self._reported: set[cst.CSTNode] = set()

    def visit_Call(self, node: cst.Call) -> None:
        self._annotated_figure(node)
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
        if _budget_name(name):
            self._reported.update(_numbers_in(value))  # a budget is not hardware
            return
        if not _physical_name(name):
            return
        for number in _numbers_in(value):
            self.report(
                number,
                f"`{name}` is given a hand-written figure "
                f"({self.context.module.code_for_node(number)}): read it from the "
                "mlsys registries (Systems, Models) instead",
            )
            self._reported.add(number)

    def visit_Integer(self, node: cst.Integer) -> None:
        self._large(node)

    def visit_Float(self, node: cst.Float) -> None:
        self._large(node)

    def _large(self, node: cst.Integer | cst.Float) -> None:
        value = literal(node)
        if (
            isinstance(value, int | float)
            and abs(value) >= LARGE
            and not is_conversion_factor(value)
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
        if not RATE_IN_TEXT.search(text):
            return
        for match in RATE_IN_TEXT.finditer(self.context.module.code_for_node(node)):
            self.report_in_text(
                node,
                *match.span(),
                f"text states a hardware rate ({match.group(0)!r}): format the registry value "
                'instead (e.g. f"{Systems.H100.memory_bandwidth:~P}")',
            )

    def _annotated_figure(self, node: cst.Call) -> None:
        """``fig.add_hline(y=80_000, annotation_text="H100 (80 GB)")``: a chart line drawn at a
        hand-written hardware figure, which its annotation names."""
        stated = None
        for keyword in ANNOTATION_KEYWORDS:
            arg = argument(node, None, keyword)
            text = literal(arg.value) if arg is not None else None
            if isinstance(text, str) and FIGURE_IN_TEXT.search(text):
                stated = FIGURE_IN_TEXT.search(text).group(0)  # type: ignore[union-attr]
                break
        if stated is None:
            return
        for keyword in ("x", "y"):
            arg = argument(node, None, keyword)
            if arg is not None and is_number(arg.value) and arg.value not in self._reported:
                self.report(
                    arg.value,
                    f"a chart line at a hand-written hardware figure ({stated!r}): place it at "
                    "the registry value (e.g. Systems.H100.ram) instead",
                )
                self._reported.add(arg.value)


def _numbers_in(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The literal numbers a value may take: itself, or both branches of ``a if c else b``."""
    if isinstance(value, cst.IfExp):
        return _numbers_in(value.body) + _numbers_in(value.orelse)
    return [value] if is_number(value) else []
