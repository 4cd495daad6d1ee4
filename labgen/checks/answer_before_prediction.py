"""LAB018 answer-before-prediction: text shown before a prediction is made gives its answer."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import libcst as cst

from labgen.checking.cells import Cell
from labgen.checking.check import Check
from labgen.checking.context import FileContext
from labgen.checking.examples import Invalid, Valid
from labgen.checks._flow import is_prediction, prediction_maker, values_of
from labgen.checks._lab import (
    KAT_NAME,
    PREDICTION_COMPARISON,
    PREDICTION_INPUT,
    PREDICTION_LOCK,
    argument,
    base_name,
    literal,
)
from labgen.checks._spec_answers import spec_answers

#: A number with the unit or suffix that makes it a claim: "~23%", "10x", "4.5 ms", "80 GB".
CLAIM = re.compile(
    r"(?<![\w.\-–])(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>%|x\b|×|ms\b|us\b|µs\b|s\b|[kMGT]B\b"
    r"|[kMGT]B/s\b|W\b|kW\b|TFLOPS\b|FLOPs\b)"
)
#: The unit of a number an answer check compares with: any unit the text gives it.
ANY_UNIT = "*"
#: Words of the feedback a lab gives a right answer.
_RIGHT = re.compile(r"\bcorrect\b|\bright\b|\bexactly\b", re.IGNORECASE)
#: A number with a unit word after it ("141 GFLOP", "0.5 FLOP/byte", "2.1 GB"): compared with a
#: number answer in any unit of the same dimension.
AMOUNT = re.compile(
    r"(?<![\w.\-–])(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*|-)"
    r"(?P<unit>%|[A-Za-zµ]+(?:/[A-Za-zµ]+)?)(?![\w/])"
)
#: marimo's widgets whose first argument is the options to choose from.
_CHOOSERS = ("radio", "dropdown", "multiselect")
#: How close a number in the text must be to a number answer to state it (a rounded "140 GFLOP"
#: states 140.7 GFLOP; "100 GFLOP" does not).
SAME_WITHIN = 0.01


@dataclass(frozen=True)
class Answer:
    """The answer of one prediction, as the code that judges it knows it."""

    prediction: str
    #: The option the student must pick (its label), or None for a number.
    label: str | None
    #: The claims that give the answer away ("23%"), as (number, unit) pairs.
    claims: tuple[tuple[str, str], ...]
    #: A number answer with its unit (an ``mlsys.Quantity``): any number in the text within
    #: 1 % of it, in a unit of the same dimension, states it.
    amount: Any = None
    #: The track this answer is for (None: every track); text written for another track
    #: (under another track's key) does not give it away.
    track: str | None = None
    #: ``amount`` as (magnitude in base units, dimension), converted once.
    base: tuple[float, str] | None = dataclasses.field(init=False, default=None, compare=False)

    def __post_init__(self) -> None:
        if self.amount is not None:
            object.__setattr__(self, "base", _in_base(self.amount))


class _Text:
    """A text of the lab that a student may read, with the numbers it states (found once)."""

    def __init__(self, node: cst.CSTNode, source: str, track: str | None) -> None:
        self.node = node
        self.track = track  # the track it is written for (None: every track)
        self._claims = [
            (m.span(), (_number(m["number"]), _unit(m["unit"])), m.group())
            for m in CLAIM.finditer(source)
        ]
        self._amounts = [
            (m.span(), m["number"], m["unit"], m.group()) for m in AMOUNT.finditer(source)
        ]

    def statements(self, answer: Answer) -> Iterator[tuple[tuple[int, int], str]]:
        """Where the text states ``answer``: (span in its source, the words that state it)."""
        claimed: set[int] = set()
        for span, claim, words in self._claims:
            if claim in answer.claims or (claim[0], ANY_UNIT) in answer.claims:
                claimed.add(span[0])
                yield span, words
        if answer.amount is None or not self._amounts:
            return
        for span, number, unit, words in self._amounts:
            if span[0] not in claimed and _states(number, unit, answer.base):
                yield span, words


class AnswerBeforePrediction(Check):
    """Text a student can read before making a prediction states that prediction's answer.

    ## What it does
    Finds each prediction widget (a `mo.ui.radio`/`mo.ui.dropdown` or `PredictionInput`
    whose name says it is a prediction) and reads its answer:

    - in a hand-written lab, from the code that judges it: the option value compared in the
      branch that says "Correct" (or shows a `kind="success"` callout; the branch may test a
      saved comparison, `_correct = p.value == "48gb"` then `if _correct:`), and that
      option's label in the widget's `options`; or the number an answer check compares the
      prediction with (`abs(p.value - 12) <= 2`);
    - from what the lab hands its verdict, `PredictionComparison(kat1_locked, "16x")`: the
      right option, for every track or per track (`{"cloud_titan": "~4x", ...}[track]`), or a
      literal number with its `unit=`;
    - in a generated lab, from the spec its header names (`# Generated by labgen ... from
      chapters/vol1/ch05_nn_compute.yaml (sha256 ...)`), when that file under the project
      root still has that hash: each KAT's right option, and each number answer solved by
      the engine the way `labgen validate` solves it, on every track and every way the lab
      starts (with no ledger, or the Expert Preset's).

    It then reports text in the cells that do not depend on the prediction (they show before
    the student answers: the header, the briefing, the widget's own cell with its question;
    not the widget's options) that states the answer: the right option's first number with
    its unit ("~23%", "10x", "4 ms"; not part of a range such as "4-10x"), also said in
    another unit ("~9 seconds" or "9-second" for "~9,000 ms"); or, for a number answer, any
    number whose unit has the answer's dimension and that is within 1 % of it ("161 GFLOP"
    or "0.16 TFLOP" for 160.6 GFLOP: a student who typed it would be judged right). Text written for one track (under its key
    in a per-track mapping) is compared only with that track's answer. The finding is at the
    line and column where the text says it; in a generated lab, change the spec's text.

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
                part_a_prediction
                return (part_a_prediction,)


            @app.cell
            def _(mo, part_a_prediction):
                mo.stop(part_a_prediction.value is None)
                _correct = part_a_prediction.value == "23pct"
                if _correct:
                    _verdict = mo.callout(mo.md("**Correct.** About 23% of the time."), kind="success")
                else:
                    _verdict = mo.callout(mo.md("It is about 23%."), kind="warn")
                _verdict
                return
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
                    PredictionComparison,
                    PredictionInput,
                    PredictionLock,
                    TrackSelector,
                )

                return PredictionComparison, PredictionInput, PredictionLock, TrackSelector, mo

            @app.cell
            def _(TrackSelector):
                track_selector = TrackSelector()
                lab_tracks = {
                    "cloud_titan": {"briefing": "Your node serves one request at a time."},
                    "tiny_pioneer": {"briefing": "A GPU batch of 16 gives ~4x; your MCU differs."},
                }
                track_selector
                return lab_tracks, track_selector


            @app.cell
            def _(lab_tracks, mo, track_selector):
                mo.md(lab_tracks[track_selector.value]["briefing"])
                return


            @app.cell
            def _(PredictionInput, mo):
                kat1_prediction = PredictionInput.choice(
                    "Batch 16 requests. How much more throughput?", ["2x", "~4x", "16x"]
                )
                mo.vstack([kat1_prediction])
                return (kat1_prediction,)


            @app.cell
            def _(PredictionLock, kat1_prediction):
                kat1_locked = PredictionLock(kat1_prediction)
                return (kat1_locked,)


            @app.cell
            def _(PredictionComparison, kat1_locked, mo, track_selector):
                mo.vstack(
                    [
                        PredictionComparison(
                            kat1_locked,
                            {"cloud_titan": "~4x", "tiny_pioneer": "2x"}[track_selector.value],
                        ),
                        mo.md("Batching 16 requests gave ~4x: the memory bar still binds."),
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
                mo.vstack([part_a_prediction, mo.md("Hint: it is above 20%, near 23 %.")])
                return (part_a_prediction,)


            @app.cell
            def _(mo, part_a_prediction):
                _verdict = None
                if part_a_prediction.value == "23pct":
                    _verdict = mo.callout(mo.md("**Correct.**"), kind="success")
                _verdict
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
                part_d_prediction = mo.ui.number(start=0, stop=100, label="Memory (GB)")
                mo.vstack(
                    [
                        mo.md("An 8-layer model needs 12 GB to train: predict how much it needs."),
                        part_d_prediction,
                    ]
                )
                return (part_d_prediction,)


            @app.cell
            def _(mo, part_d_prediction):
                _verdict = None
                if abs(part_d_prediction.value - 12) <= 2:
                    _verdict = mo.callout(mo.md("**Correct.**"), kind="success")
                _verdict
                return
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
                    PredictionComparison,
                    PredictionInput,
                    PredictionLock,
                    TrackSelector,
                )

                return PredictionComparison, PredictionInput, PredictionLock, TrackSelector, mo

            @app.cell
            def _(TrackSelector):
                track_selector = TrackSelector()
                lab_tracks = {
                    "cloud_titan": {"briefing": "Batching 16 requests gives ~4x the throughput."},
                    "tiny_pioneer": {"briefing": "Your microcontroller runs one frame at a time."},
                }
                track_selector
                return lab_tracks, track_selector


            @app.cell
            def _(lab_tracks, mo, track_selector):
                mo.md(lab_tracks[track_selector.value]["briefing"])
                return


            @app.cell
            def _(PredictionInput, mo):
                kat1_prediction = PredictionInput.choice(
                    "Batch 16 requests. How much more throughput?", ["2x", "~4x", "16x"]
                )
                kat2_prediction = PredictionInput.number(
                    "The model needs 12.1 GB. How much memory does training it need?",
                    low=1.0,
                    high=1000.0,
                    unit="GB",
                )
                mo.vstack([kat1_prediction, kat2_prediction])
                return kat1_prediction, kat2_prediction


            @app.cell
            def _(PredictionLock, kat1_prediction, kat2_prediction):
                kat1_locked = PredictionLock(kat1_prediction)
                kat2_locked = PredictionLock(kat2_prediction)
                return kat1_locked, kat2_locked


            @app.cell
            def _(PredictionComparison, kat1_locked, kat2_locked, mo, track_selector):
                mo.vstack(
                    [
                        PredictionComparison(
                            kat1_locked,
                            {"cloud_titan": "~4x", "tiny_pioneer": "2x"}[track_selector.value],
                        ),
                        PredictionComparison(kat2_locked, 12, unit="GB"),
                    ]
                )
                return
            """,
            count=2,
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
        answers = list(_answers(self.context, self._ifs, self._options))
        answers += _compared_answers(self.context, self._options)
        from_spec = self._spec_answers()
        if from_spec:  # the spec knows every answer of the KATs it has
            answers = [a for a in answers if a.prediction not in {s.prediction for s in from_spec}]
            answers += from_spec
        if not answers:
            return
        tracks = {answer.track for answer in answers} - {None}
        texts = self._readable_texts(tracks)
        for answer in answers:
            definers = self.dataflow.definers.get(answer.prediction, [])
            hidden = set().union(*(self.dataflow.descendants(cell) for cell in definers))
            for cell in self.cells:
                if cell not in hidden and cell.kind == "cell":
                    for text in texts.get(cell, ()):
                        self._leaks(text, answer)

    def _spec_answers(self) -> list[Answer]:
        """The answers the lab's spec gives (a generated lab under a project root), for the
        predictions named ``kat<N>_prediction`` that the lab makes."""
        root = self.context.environment.root
        if root is None or not self._options:
            return []
        by_kat = {}
        for name in self._options:
            match = KAT_NAME.match(name)
            if match and name.endswith("_prediction"):
                by_kat[int(match["number"])] = name
        found = []
        for known in spec_answers(root, self.context.source, self.instruments):
            prediction = by_kat.get(known.kat)
            if prediction is None:
                continue
            if isinstance(known.value, str):
                answer = _option_answer(prediction, known.value, known.track)
                if answer is not None:
                    found.append(answer)
            elif _usable_amount(known.value):
                found.append(Answer(prediction, None, (), amount=known.value, track=known.track))
        return found

    def _readable_texts(self, tracks: set[str]) -> dict[Cell, list[_Text]]:
        """Each cell's texts that may state an answer (read once for every answer): not a
        widget's options, and holding a number."""
        found: dict[Cell, list[_Text]] = {}
        for cell, nodes in self._texts.items():
            for node in nodes:
                source = self.context.module.code_for_node(node)
                if not any(c.isdigit() for c in source) or self._among_options(node):
                    continue
                track = _track_of(self.context, node, tracks) if tracks else None
                found.setdefault(cell, []).append(_Text(node, source, track))
        return found

    def _leaks(self, text: _Text, answer: Answer) -> None:
        if answer.track is not None and text.track not in (None, answer.track):
            return  # written for another track, whose answer differs
        for span, stated in text.statements(answer):
            shown = f" (option {answer.label!r})" if answer.label else f" ({stated})"
            track = f" on the {answer.track} track" if answer.track else ""
            self.report_in_text(
                text.node,
                *span,
                f"this text shows before `{answer.prediction}` is answered and states "
                f"its answer{track}{shown}: say it after the prediction, in a cell that "
                "depends on it",
            )

    def _among_options(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` is in the options of a prediction widget (an option may hold the
        answer; its question and label may not)."""
        below: cst.CSTNode = node
        for ancestor in self.context.ancestry(node):
            if isinstance(ancestor, cst.Call) and prediction_maker(self.context, ancestor):
                return below is _options_argument(self.context, ancestor)
            below = ancestor
        return False


def _options_argument(context: FileContext, call: cst.Call) -> cst.Arg | None:
    """The argument holding a prediction widget's options: ``PredictionInput.choice(prompt,
    options)``, ``mo.ui.radio(options, ...)``."""
    names = context.qualified_names(call.func)
    if f"{PREDICTION_INPUT}.choice" in names:
        return argument(call, 1, "options")
    if any(name.rpartition(".")[2] in _CHOOSERS for name in names):
        return argument(call, 0, "options")
    return None  # a number or text input has a question and no options


def _track_of(context: FileContext, node: cst.CSTNode, tracks: set[str]) -> str | None:
    """The track ``node``'s text is written for: the key of the per-track entry it sits in
    (``{"cloud_titan": "..."}``), or None for text every track reads."""
    for ancestor in context.ancestry(node):
        if isinstance(ancestor, cst.DictElement):
            key = literal(ancestor.key)
            if isinstance(key, str) and key in tracks:
                return key
    return None


def _usable_amount(value: Any) -> bool:
    magnitude = getattr(value, "magnitude", None)
    return isinstance(magnitude, int | float) and math.isfinite(magnitude) and magnitude != 0


def _states(number: str, unit: str, amount: tuple[float, str]) -> bool:
    """Whether ``number`` ``unit`` (words of a text) is the answer ``amount`` (its magnitude in
    base units and its dimension, from :func:`_in_base`) within 1 %."""
    base = _base_of(unit)
    if base is None or base[1] != amount[1]:
        return False
    said = float(number.replace(",", "")) * base[0]
    return math.isclose(said, amount[0], rel_tol=SAME_WITHIN)


@lru_cache(maxsize=512)
def _base_of(word: str) -> tuple[float, str] | None:
    """What one ``word`` (a unit's name) is in base units: (factor, dimension); None for a
    word that names no unit of mlsys's registry (most words)."""
    unit = _unit_named(word)
    if unit is None:
        return None
    try:
        return _in_base(1.0 * unit)
    except Exception:  # pint's offset and context errors: no plain factor
        return None


def _in_base(quantity: Any) -> tuple[float, str]:
    """``quantity`` as (magnitude in base units, dimension), for comparing with floats."""
    base = quantity.to_base_units()
    return float(base.magnitude), str(base.dimensionality)


@lru_cache(maxsize=512)
def _unit_named(word: str) -> Any:
    """The unit ``word`` names in mlsys's registry, or None (most words name none)."""
    from mlsys import ureg

    try:
        return ureg.Unit(word)
    except Exception:  # pint raises several kinds of errors for words that are not units
        return None


def _compared_answers(context: FileContext, options: dict[str, dict[str, object]]) -> list[Answer]:
    """The answers a lab hands its verdict (``PredictionComparison(locked, answer, unit=)``),
    when the code holds them: a choice's right option, for every track or per track
    (``{"cloud_titan": "...", ...}[track]``), or a literal number with its unit."""
    found: list[Answer] = []
    for cell in context.cells:
        for call in context.calls.get(cell, ()):
            if PREDICTION_COMPARISON not in context.qualified_names(call.func):
                continue
            judged = argument(call, 0, "prediction")
            actual = argument(call, 1, "actual")
            if judged is None or actual is None:
                continue
            prediction = _locked_prediction(context, cell, judged.value, options)
            if prediction is None:
                continue
            for track, value in _per_track(actual.value):
                if isinstance(value, str):
                    answer = _option_answer(prediction, value, track)
                    if answer is not None:
                        found.append(answer)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    unit = literal(arg.value) if (arg := argument(call, None, "unit")) else None
                    amount = _amount(value, unit)
                    if amount is not None:
                        found.append(Answer(prediction, None, (), amount=amount, track=track))
    return found


def _locked_prediction(
    context: FileContext,
    cell: Cell,
    node: cst.BaseExpression,
    options: dict[str, dict[str, object]],
) -> str | None:
    """The prediction ``node`` holds: the prediction itself or ``PredictionLock(prediction)``."""
    name = base_name(node)
    if name in options:
        return name
    if name is None:
        return None
    for value in values_of(context, cell, name):
        if isinstance(value, cst.Call) and PREDICTION_LOCK in context.qualified_names(value.func):
            locked = argument(value, 0, "prediction")
            found = base_name(locked.value) if locked else None
            if found in options:
                return found
    return None


def _per_track(node: cst.BaseExpression) -> Iterator[tuple[str | None, object]]:
    """``(None, value)`` for a literal, ``(track, value)`` for each entry of a per-track
    mapping (``{...}`` or ``{...}[track_selector.value]``)."""
    if isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = literal(element.key)
                if isinstance(key, str):
                    yield key, literal(element.value)
        return
    yield None, literal(node)


def _amount(value: float, unit: object) -> Any:
    if not isinstance(unit, str) or value == 0:
        return None
    parsed = _unit_named(unit)
    return None if parsed is None else value * parsed


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
        if isinstance(value, int | float) and not isinstance(value, bool) and label is None:
            yield Answer(prediction, None, ((_number(str(value)), ANY_UNIT),))
            continue
        answer = _option_answer(prediction, label if label is not None else str(value), None)
        if answer is not None:
            # Without the option's label, the compared value itself is the claim ("23pct").
            yield answer if label is not None else dataclasses.replace(answer, label=None)


def _prediction_options(context: FileContext) -> dict[str, dict[str, object]]:
    """Prediction global -> {option label: option value} (empty for a free number)."""
    found: dict[str, dict[str, object]] = {}
    for cell in context.cells:
        for name in cell.defs:
            for value in cell.values.get(name, ()):
                if not (prediction_maker(context, value) and is_prediction(context, cell, name)):
                    continue
                assert isinstance(value, cst.Call)
                arg = _options_argument(context, value)
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
    hops: int = 0,
) -> tuple[str, object] | None:
    """(prediction, compared value) for ``p.value == "x"``, ``_pred == "x"`` (``_pred`` being
    ``p.value``), ``p.value in ("x", "y")`` (the first) or, for a number,
    ``abs(p.value - 8) <= 1``, a name bound to one (``_correct = p.value == "x"``, then
    ``if _correct:``) or an ``and`` of such tests (the right-hand one first); else None."""
    if isinstance(test, cst.Name) and hops < 3:
        for value in context.names.bound_values(test):
            found = _judged(context, cell, value, options, hops + 1)
            if found is not None:
                return found
        return None
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        # `if _close and p.value == "x":` praises "x" (the most specific test judges).
        for part in (test.right, test.left):
            found = _judged(context, cell, part, options, hops)
            if found is not None:
                return found
        return None
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


def _option_answer(prediction: str, label: str, track: str | None) -> Answer | None:
    """The answer whose right option reads ``label``: its claim ("~11,000 ms"), also matched in
    any unit of its dimension ("11 seconds"); None when the option claims no number."""
    claims = _claims(label)
    if not claims:
        return None
    number, unit = claims[0]
    return Answer(prediction, label, claims, amount=_amount(float(number), unit), track=track)


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
