"""LAB018 answer-before-prediction: text shown before a prediction is made gives its answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from labgen.checking.cells import Cell
from labgen.checking.check import Check
from labgen.checking.context import FileContext
from labgen.checking.examples import Invalid, Valid
from labgen.checks._flow import is_prediction, prediction_maker
from labgen.checks._lab import argument, base_name, literal

#: A number with the unit or suffix that makes it a claim: "~23%", "10x", "4.5 ms", "80 GB".
CLAIM = re.compile(
    r"(?<![\w.\-–])(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>%|x\b|×|ms\b|us\b|µs\b|s\b|[kMGT]B\b"
    r"|[kMGT]B/s\b|W\b|kW\b|TFLOPS\b|FLOPs\b)"
)
#: The unit of a number an answer check compares with: any unit the text gives it.
ANY_UNIT = "*"
#: Words of the feedback a lab gives a right answer.
_RIGHT = re.compile(r"\bcorrect\b|\bright\b|\bexactly\b", re.IGNORECASE)


@dataclass(frozen=True)
class Answer:
    """The answer of one prediction, as the code that judges it knows it."""

    prediction: str
    #: The option the student must pick (its label), or None for a number.
    label: str | None
    #: The claims that give the answer away ("23%"), as (number, unit) pairs.
    claims: tuple[tuple[str, str], ...]


class AnswerBeforePrediction(Check):
    """Text a student can read before making a prediction states that prediction's answer.

    ## What it does
    Finds each prediction widget (a `mo.ui.radio`/`mo.ui.dropdown` or `PredictionInput`
    whose name says it is a prediction) and reads its answer from the code that judges it:
    the option value compared in the branch that says "Correct" (or shows a `kind="success"`
    callout), and that option's label in the widget's `options`; or the number an answer
    check compares the prediction with. It then reports text in the cells that do not depend
    on the prediction (they show before the student answers: the header, the briefing, the
    widget's own cell) that states the answer's claim: the right option's first number with
    its unit ("~23%", "10x", "4 ms"; not part of a range such as "4-10x"), at the line and
    column where the text says it.

    ## Why is this bad
    A prediction is worth asking only when the student commits before seeing the answer. A
    briefing that says "Sigmoid costs ~23% of the time on the phone" above a question whose
    right option is "~23%" turns the prediction into reading comprehension; the book's labs
    shipped this more than once.

    ## Example
    ```python
    @app.cell
    def _(mo):
        mo.md("You will see why Sigmoid costs ~23% of inference time on the phone.")
        return


    @app.cell
    def _(mo):
        part_a_prediction = mo.ui.radio(options={"A) ~5%": "5pct", "B) ~23%": "23pct"})
        return (part_a_prediction,)
    ```

    ## Use instead
    ```python
    @app.cell
    def _(mo):
        mo.md("You will measure what the activations cost on the phone.")
        return
    ```
    State the number after the prediction: in a cell that reads the prediction and stops
    until it is made.
    """

    code = "LAB018"
    name = "answer-before-prediction"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import marimo as mo

                return (mo,)


            @app.cell
            def _(mo):
                mo.md("You will measure what the activations cost on the phone.")
                return


            @app.cell
            def _(mo):
                part_a_prediction = mo.ui.radio(
                    options={"A) ~5% (small)": "5pct", "B) ~23% (significant)": "23pct"},
                    label="What share of the time goes to activations?",
                )
                return (part_a_prediction,)


            @app.cell
            def _(mo, part_a_prediction):
                mo.stop(part_a_prediction.value is None)
                _pred = part_a_prediction.value
                if _pred == "23pct":
                    mo.callout(mo.md("**Correct.** About 23% of the time."), kind="success")
                else:
                    mo.callout(mo.md("It is about 23%."), kind="warn")
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
                import marimo as mo

                return (mo,)


            @app.cell
            def _(mo):
                mo.Html(
                    '''
                <div>
                    <p>You will see why Sigmoid costs ~23% of the time on the phone.</p>
                </div>
                '''
                )
                return


            @app.cell
            def _(mo):
                part_a_prediction = mo.ui.radio(
                    options={"A) ~5% (small)": "5pct", "B) ~23% (significant)": "23pct"},
                    label="What share of the time goes to activations?",
                )
                mo.md("Hint: it is above 20%, near 23 %.")
                return (part_a_prediction,)


            @app.cell
            def _(mo, part_a_prediction):
                if part_a_prediction.value == "23pct":
                    mo.callout(mo.md("**Correct.**"), kind="success")
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
                import marimo as mo

                return (mo,)


            @app.cell
            def _(mo):
                mo.md("An 8-layer model needs 12 GB to train: predict how much it needs.")
                part_d_prediction = mo.ui.number(start=0, stop=100, label="Memory (GB)")
                return (part_d_prediction,)


            @app.cell
            def _(mo, part_d_prediction):
                if abs(part_d_prediction.value - 12) <= 2:
                    mo.callout(mo.md("**Correct.**"), kind="success")
                return
            """,
            count=1,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._options = _prediction_options(context)
        self._cell: Cell | None = None  # the cell being walked
        self._ifs: list[tuple[Cell, cst.If]] = []
        self._texts: dict[Cell, list[cst.CSTNode]] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        cell = self.context.cell_for_node(node)
        if cell is not None:
            self._cell = cell

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        if self.context.cell_for_node(original_node) is not None:
            self._cell = None

    def visit_If(self, node: cst.If) -> None:
        if self._options and self._cell is not None:
            self._ifs.append((self._cell, node))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self._options and self._cell is not None:
            self._texts.setdefault(self._cell, []).append(node)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self.visit_SimpleString(node)  # type: ignore[arg-type]

    def leave_Module(self, original_node: cst.Module) -> None:
        for answer in _answers(self.context, self._ifs, self._options):
            definers = self.dataflow.definers.get(answer.prediction, [])
            hidden = set().union(*(self.dataflow.descendants(cell) for cell in definers))
            for cell in self.cells:
                if cell not in hidden and cell.kind == "cell":
                    self._leaks(cell, answer)

    def _leaks(self, cell: Cell, answer: Answer) -> None:
        for node in self._texts.get(cell, ()):
            if self._inside_prediction_maker(node):
                continue
            source = self.context.module.code_for_node(node)
            for match in CLAIM.finditer(source):
                claim = (_number(match["number"]), _unit(match["unit"]))
                if claim in answer.claims or (claim[0], ANY_UNIT) in answer.claims:
                    shown = f" (option {answer.label!r})" if answer.label else ""
                    self.report_in_text(
                        node,
                        *match.span(),
                        f"this text shows before `{answer.prediction}` is answered and states "
                        f"its answer{shown}: say it after the prediction, in a cell that "
                        "depends on it",
                    )

    def _inside_prediction_maker(self, node: cst.CSTNode) -> bool:
        for ancestor in self.context.ancestry(node):
            if isinstance(ancestor, cst.Call) and prediction_maker(self.context, ancestor):
                return True
        return False


def _answers(
    context: FileContext,
    ifs: list[tuple[Cell, cst.If]],
    options: dict[str, dict[str, object]],
) -> Iterator[Answer]:
    """The answer of every prediction that one of ``ifs`` judges."""
    seen = set()
    for cell, node in ifs:
        if not _praises(context, node.body):
            continue
        judged = _judged(context, cell, node.test, options)
        if judged is None or judged in seen:
            continue
        seen.add(judged)
        prediction, value = judged
        label = next(
            (text for text, option in options[prediction].items() if option == value), None
        )
        if label is not None:
            claims = _claims(label)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            claims = ((_number(str(value)), ANY_UNIT),)
        else:
            claims = _claims(str(value))
        if claims:
            yield Answer(prediction, label, claims)


def _prediction_options(context: FileContext) -> dict[str, dict[str, object]]:
    """Prediction global -> {option label: option value} (empty for a free number)."""
    found: dict[str, dict[str, object]] = {}
    for cell in context.cells:
        for name in cell.defs:
            for value in cell.values.get(name, ()):
                if not (prediction_maker(context, value) and is_prediction(context, cell, name)):
                    continue
                assert isinstance(value, cst.Call)
                arg = argument(value, 0, "options")
                found[name] = _option_table(arg.value if arg else None)
    return found


def _option_table(node: cst.BaseExpression | None) -> dict[str, object]:
    table: dict[str, object] = {}
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = literal(element.key)
                if isinstance(key, str):
                    table[key] = literal(element.value)
    elif isinstance(node, cst.List | cst.Tuple):
        for element in node.elements:
            text = literal(element.value)
            if isinstance(text, str):
                table[text] = text
    return table


def _praises(context: FileContext, block: cst.CSTNode) -> bool:
    text = context.module.code_for_node(block)
    return bool(_RIGHT.search(text)) or 'kind="success"' in text or "kind='success'" in text


def _judged(
    context: FileContext,
    cell: Cell,
    test: cst.BaseExpression,
    options: dict[str, dict[str, object]],
) -> tuple[str, object] | None:
    """(prediction, compared value) for ``p.value == "x"``, ``_pred == "x"`` (``_pred`` being
    ``p.value``), ``p.value in ("x", "y")`` (the first) or, for a number,
    ``abs(p.value - 8) <= 1``; else None."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    comparison = test.comparisons[0]
    distance = _distance_from(test.left)
    if distance is not None:
        guess, target = distance
        prediction = _prediction_of(context, cell, guess, options)
        return (prediction, target) if prediction else None
    if not isinstance(comparison.operator, cst.Equal | cst.In):
        return None
    right = comparison.comparator
    if isinstance(comparison.operator, cst.In) and isinstance(right, cst.Tuple | cst.List):
        right = right.elements[0].value if right.elements else right
    value = literal(right)
    if value is None or not isinstance(value, str | int | float):
        return None
    prediction = _prediction_of(context, cell, test.left, options)
    return (prediction, value) if prediction else None


def _distance_from(node: cst.BaseExpression) -> tuple[cst.BaseExpression, float] | None:
    """``(guess, 8)`` for ``abs(guess - 8)`` or ``abs(8 - guess)``, else None."""
    if not (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "abs"
        and len(node.args) == 1
    ):
        return None
    inner = node.args[0].value
    if not (isinstance(inner, cst.BinaryOperation) and isinstance(inner.operator, cst.Subtract)):
        return None
    for guess, target in ((inner.left, inner.right), (inner.right, inner.left)):
        value = literal(target)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return guess, value
    return None


def _prediction_of(
    context: FileContext,
    cell: Cell,
    node: cst.BaseExpression,
    options: dict[str, dict[str, object]],
    hops: int = 0,
) -> str | None:
    name = base_name(node)
    if name in options:
        return name
    if isinstance(node, cst.Name) and hops < 3:
        for value in context.names.bound_values(node):
            found = _prediction_of(context, cell, value, options, hops + 1)
            if found:
                return found
    return None


def _claims(text: str) -> tuple[tuple[str, str], ...]:
    """The claim an option makes: its first number with a unit ("~200 MB (4x)" claims
    200 MB; the aside in brackets is not the answer)."""
    match = CLAIM.search(text)
    return ((_number(match["number"]), _unit(match["unit"])),) if match else ()


def _number(text: str) -> str:
    """A number as compared: ``1,000`` and ``1000`` alike, ``23.0`` as ``23``."""
    value = float(text.replace(",", ""))
    return f"{value:g}"


def _unit(text: str) -> str:
    return "x" if text in ("x", "×") else text
