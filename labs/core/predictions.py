"""Predict before you see (guide section 4): the prediction inputs, the lock that keeps a KAT
closed until a prediction is given, and the verdict comparing the prediction with the engine."""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.cards import fit_text
from labs.core.format import format_in, format_quantity, readable, unit_text
from labs.core.markdown import SafeMarkdown, render_safe_html, safe_label
from mlsys import Quantity, compare_prediction, ureg
from mlsys.ledger import PredictionRecord

#: What a locked KAT says (guide section 6.2).
#: No emoji: a glyph that needs an optional font renders as a box where none is installed.
LOCK_MESSAGE = "Enter your prediction above to unlock this task."

# "12", "12 ms", "3.5e-3 s", "80 GB", "1,000 tokens/s" (thousands separators are dropped first).
_NUMBER_WITH_UNIT = re.compile(
    r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ]+(?:\s*/\s*[A-Za-zµμ]+)?)?\s*"
)


#: marimo's label attribute of an element built without a label (``build_ui_plugin``).
_NO_LABEL = "data-label='null'"


def _reader_text(prompt: str) -> str:
    """``prompt`` (spec Markdown) as plain words for a screen reader: tags dropped, entities
    read, and no ``<`` or ``&`` that an HTML parser could take for markup (marimo renders the
    same string as the element's label)."""
    text = html.unescape(re.sub(r"<[^>]*>", " ", render_safe_html(prompt)))
    words = " ".join(re.sub(r"\|\|[()\[\]]", " ", text).split())  # LaTeX: its source
    return re.sub(r"([<&])(?=\S)", r"\1 ", words)


def _label_attribute(text: str) -> str:
    """``data-label='...'`` holding ``text`` the way marimo writes its attributes (JSON, HTML
    escaped, no literal ``<``/``>``, backslash and dollar escaped for Markdown)."""
    encoded = json.dumps(text).replace(">", "\\u003e").replace("<", "\\u003c")
    escaped = html.escape(encoded).replace("\\", "&#92;").replace("$", "&#36;")
    return f"data-label='{escaped}'"


class NumberPrediction(mo.ui.number):
    """A number input that starts *empty* (``value`` None) so the lock holds until the student
    types; bounded to ``[start, stop]`` in ``unit``. ``quantity`` is the value with its unit.

    On the page it reads as its prompt, then a box sized to a number with the unit right beside
    it ("[ 12.5 ] ms"), at a phone's width as on a desktop. marimo's number input has no suffix,
    so the unit is the kit's; the input's name for screen readers is the prompt in plain words
    with the unit (marimo would read its label's HTML source out), kept out of sight."""

    def __init__(
        self, prompt: str, low: float, high: float, unit: str, step: float | None = None
    ) -> None:
        if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
            raise ValueError(f"low, high: expected finite low < high, got {low!r}, {high!r}")
        try:
            ureg.Unit(unit)
        except Exception as error:  # pint raises several types; name the argument instead
            raise ValueError(f"unit: {unit!r} is not a unit mlsys knows") from error
        self.start, self.stop, self.step = low, high, step
        self.unit = unit
        #: The unit as the student reads it beside the box ("FLOP/B", "ms"); nothing for a
        #: plain count or ratio (a student would read "dimensionless" as a unit to type).
        plain = ureg.Unit(unit) == ureg.dimensionless
        self.unit_shown = "" if plain else (unit_text(Quantity(1.0, unit)) or unit)
        self._prompt_html = SafeMarkdown(prompt).text
        answer_in = "a plain number" if plain else self.unit_shown
        self._reader_label = f"{_reader_text(prompt)} (answer in {answer_in})"
        # mo.ui.number fills an empty value with `start`, which would unlock every KAT at once;
        # so build the same element with no initial value (the args are mo.ui.number's own).
        # No label: `text` writes the prompt beside the element and the plain reader label in.
        super(mo.ui.number, self).__init__(
            component_name=mo.ui.number._name,
            initial_value=None,
            label=None,
            on_change=None,
            args={
                "start": low,
                "stop": high,
                "step": step,
                # Commit on Enter or leaving the box, not per keystroke: the first value
                # committed is the prediction that gets locked.
                "debounce": True,
                # Full width of its box (``lg-number-box``), which is sized to a number.
                "full-width": True,
                "disabled": False,
            },
        )

    @property
    def text(self) -> str:
        """The HTML on the page: the prompt, then the input with its unit beside it."""
        element = super().text.replace(_NO_LABEL, _label_attribute(self._reader_label), 1)
        hide_label = style.hidden_part_style("[data-number-field]", "marimo-number", "label")
        return (
            f"<div data-number-field {style.attrs('lg-number-field')}>{hide_label}"
            f"<div {style.attrs('lg-prompt')}>{self._prompt_html}</div>"
            f"<div {style.attrs('lg-number-row')}>"
            f"<div {style.attrs('lg-number-box')}>{element}</div>"
            f"<span data-unit {style.attrs('lg-unit')}>{html.escape(self.unit_shown)}</span>"
            "</div></div>"
        )

    @property
    def quantity(self) -> Quantity | None:
        """The prediction with its unit, or None while empty."""
        value = self.value
        return None if value is None else Quantity(float(value), self.unit)


class PredictionInput:
    """The three ways a student states a prediction. Each returns a marimo UI element whose
    ``value`` is empty (``""`` or None) until the student answers."""

    @staticmethod
    def text(prompt: str, *, placeholder: str = "Type your prediction") -> mo.ui.text:
        """A free-text prediction (``value``: str, "" while empty). ``prompt`` is spec Markdown."""
        return mo.ui.text(placeholder=placeholder, label=safe_label(prompt), full_width=True)

    @staticmethod
    def choice(prompt: str, options: Sequence[str] | Mapping[str, Any]) -> mo.ui.radio:
        """A multiple-choice prediction, nothing chosen at first (``value`` None until chosen).

        ``options`` are the labels shown, or a mapping of label to the value returned.
        """
        if not options:
            raise ValueError("options: a choice needs at least one option")
        return mo.ui.radio(options=options, value=None, label=safe_label(prompt))

    @staticmethod
    def number(
        prompt: str, low: float, high: float, unit: str, *, step: float | None = None
    ) -> NumberPrediction:
        """A numeric prediction in ``unit`` (a pint unit string such as "ms", "GB", "W") between
        ``low`` and ``high``; empty (``value`` None) until typed. ``.quantity`` adds the unit."""
        return NumberPrediction(prompt, low, high, unit, step)


def prediction_value(prediction: Any) -> Any:
    """The value of a prediction element (or the prediction itself when it is a plain value)."""
    # marimo UI elements are Html objects with a value; plain values are used as they are.
    is_element = isinstance(prediction, mo.Html) and hasattr(prediction, "value")
    return prediction.value if is_element else prediction


def is_empty(prediction: Any) -> bool:
    """Whether no prediction has been given: None, blank text, NaN, an empty selection, or a
    number outside a ``NumberPrediction``'s range."""
    value = prediction_value(prediction)
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, Sequence | Mapping) and not value:
        return True
    if isinstance(prediction, NumberPrediction):
        return not prediction.start <= value <= prediction.stop
    return False


def locked_view(
    message: str = LOCK_MESSAGE, *, refused: bool = False, label: str | None = None
) -> mo.Html:
    """The locked look of a KAT: the message, sharp, over a blurred task that cannot be used
    (``refused``: the message says why a typed number was not taken, in the refusal colour;
    ``label`` names the locked step, "KAT 2 · Step 4 of 4: Reflect", so locks tell apart)."""
    skeleton = "".join(
        f'<div class="lg-skeleton-bar" style="{style.css("lg-skeleton-bar")} width: {width}%;"></div>'
        for width in (80, 55, 92, 35)
    )
    kind = "lg-lock-refusal" if refused else "lg-lock-message"
    eyebrow = f"<div {style.attrs('lg-eyebrow')}>{html.escape(label)}</div>" if label else ""
    return mo.Html(
        f'<div data-lock="locked" {style.attrs("lg-lock")}>{eyebrow}'
        f'<div role="status" {style.attrs(kind)}>{html.escape(message)}</div>'
        f'<div aria-hidden="true" {style.attrs("lg-locked")}>{skeleton}</div>'
        "</div>"
    )


def _refusal(prediction: Any) -> str | None:
    """Why a typed number is not taken, in the student's words (it is never clamped)."""
    if not isinstance(prediction, NumberPrediction) or prediction.value is None:
        return None
    value = prediction.value
    if prediction.start <= value <= prediction.stop:
        return None
    return (
        f"{value:g} {prediction.unit} is outside what this question accepts "
        f"({prediction.start:g} to {prediction.stop:g} {prediction.unit}): check the unit and "
        "type your prediction again."
    )


@dataclass(frozen=True)
class LockedPrediction:
    """A prediction once given: ``first`` is the value committed before the task unlocked (the
    one judged and recorded), ``latest`` what the input holds now, ``unit`` the unit a number
    was typed in (None for choices and text)."""

    first: Any
    latest: Any
    unit: str | None = None

    @property
    def revised(self) -> bool:
        """Whether the student changed the prediction after the task unlocked."""
        return self.latest != self.first


#: Attribute a prediction element keeps its first committed value in (one per element, so a
#: fresh element, as after a track change, starts a fresh prediction).
_FIRST = "_labgen_first_prediction"


def PredictionLock(prediction: Any, *, label: str | None = None) -> LockedPrediction:
    """The guide's lock: stops the cell (``mo.stop``) with the locked look and ``LOCK_MESSAGE``
    while ``prediction`` (an element from ``PredictionInput`` or a plain value) is empty, so
    nothing downstream runs or shows. Once given, returns a ``LockedPrediction``: the first
    committed value stays the judged one, a later change is shown as a revision. ``label``
    names the locked step on the lock ("KAT 1 · Step 2 of 4: Act")."""
    refusal = _refusal(prediction)
    mo.stop(
        is_empty(prediction),
        locked_view(refusal or LOCK_MESSAGE, refused=bool(refusal), label=label),
    )
    value = prediction_value(prediction)
    unit = getattr(prediction, "unit", None)
    if prediction is value or not isinstance(prediction, mo.Html):
        return LockedPrediction(value, value, unit)
    first = getattr(prediction, _FIRST, None)
    if first is None:
        object.__setattr__(prediction, _FIRST, value)
        first = value
    return LockedPrediction(first, value, unit)


def _as_asked(unit: str | None, actual: Any) -> Any:
    """How the verdict writes a number: in the question's ``unit`` when that is a named share
    of one (percent, ppm) and the answer is a plain ratio; else in its most readable unit."""
    if unit and isinstance(actual, Quantity) and actual.dimensionless:
        asked = ureg.Unit(unit)
        if asked.dimensionless and str(asked) != "dimensionless":
            return lambda quantity: format_in(Quantity(quantity).to(asked), asked)
    if isinstance(actual, Quantity) and math.isfinite(actual.magnitude) and actual.magnitude:
        # Both numbers in the unit the answer reads best in: "48 h" beside "40.6 h".
        answer_unit = readable(actual).units

        def same_unit(quantity: Any) -> str:
            if isinstance(quantity, Quantity) and quantity.is_compatible_with(answer_unit):
                converted = quantity.to(answer_unit)
                if 1e-3 <= abs(converted.magnitude) < 1e6:
                    return format_in(converted, answer_unit)
            return format_quantity(quantity)

        return same_unit
    return format_quantity


def _predicted_quantity(prediction: Any, actual: Any, unit: str | None = None) -> Any:
    if isinstance(prediction, NumberPrediction):
        return prediction.quantity
    value = prediction_value(prediction)
    if unit is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return Quantity(float(value), unit)
    if isinstance(value, str) and isinstance(actual, Quantity):
        # Only "number unit" is read as a quantity; pint's own parser would also evaluate
        # expressions such as "2 ** 99999999", which a typo must not be able to trigger.
        match = _NUMBER_WITH_UNIT.fullmatch(value.replace(",", ""))
        if match is None:
            return value
        try:
            parsed = Quantity(float(match.group(1)), match.group(2) or str(actual.units))
        except Exception:  # an unknown unit: free text, shown without a ratio
            return value
        return parsed if parsed.check(actual.dimensionality) else value
    return value


def _verdict(good: bool | None, body: str) -> mo.Html:
    # None: nothing to judge (free text next to a number), shown without a verdict colour.
    kind, name = {
        True: ("close", "lg-verdict-good"),
        False: ("off", "lg-verdict-bad"),
        None: ("none", "lg-card"),
    }[good]
    # A word says right or wrong, so the verdict never rests on colour alone.
    word = {
        True: f"<span {style.attrs('lg-verdict-word-good')}>Close to the engine</span>",
        False: f"<span {style.attrs('lg-verdict-word-bad')}>Off the mark</span>",
        None: "",
    }[good]
    return mo.Html(
        f'<div data-verdict="{kind}" role="status" {style.attrs(name)}>{word}{body}</div>'
    )


def _fit_note(design: Any) -> str:
    if design is None or design.feasible:
        return ""
    return (
        f" <strong>At this configuration the design cannot load: {html.escape(fit_text(design))}"
        "</strong>, so these numbers describe a node that could not run it."
    )


def _setting_note(judged_at: str | None) -> str:
    if not judged_at:
        return ""
    return (
        f" <span data-judged-at>The engine's answer is for the question's setting "
        f"({html.escape(judged_at)}); the cards and charts follow your controls.</span>"
    )


def PredictionComparison(
    prediction: Any,
    actual: Any,
    *,
    unit: str | None = None,
    design: Any = None,
    judged_at: str | None = None,
) -> mo.Html:
    """The prediction next to the engine's answer and how far off it was.

    ``prediction`` is a ``LockedPrediction`` (its first value is judged; a revision is shown as
    one), a prediction element or a plain value (a plain number is read in ``unit``). Numbers
    are compared with ``mlsys.compare_prediction``: "off by 2.5x (too low)" or "within 4 % of
    the engine". Choices are compared by equality. Free text that is not a quantity is shown
    next to the engine's value without a verdict. ``design`` (the profile the answer comes
    from) adds a warning when that design does not fit its node's memory. ``judged_at`` names
    the question's own setting ("Number format: fp8; Grid region: US average") when it differs
    from where the controls start, so a card showing another value is not read as a
    contradiction. A number predicted is written in the unit the engine's answer reads in
    ("48 h; the engine says 40.6 h", not "2 days").
    """
    if isinstance(prediction, LockedPrediction):
        verdict = PredictionComparison(
            prediction.first,
            actual,
            unit=unit or prediction.unit,
            design=design,
            judged_at=judged_at,
        )
        if not prediction.revised:
            return verdict
        latest = _predicted_quantity(prediction.latest, actual, unit or prediction.unit)
        shown = format_quantity(latest) if isinstance(latest, Quantity) else str(latest)
        note = (
            f"<div data-revision {style.attrs('lg-caption')}>You revised your prediction to "
            f"<strong>{html.escape(shown)}</strong> after the task unlocked; the verdict judges "
            "your first prediction, and the ledger records both.</div>"
        )
        return mo.vstack([verdict, mo.Html(note)])
    predicted = _predicted_quantity(prediction, actual, unit)
    # A share asked in percent is answered in percent ("18.2 %", not "0.182").
    show = _as_asked(unit, actual)
    shown_actual = html.escape(show(actual))
    if is_empty(predicted):
        return _verdict(
            False, f"No prediction given. The engine says <strong>{shown_actual}</strong>."
        )
    if isinstance(actual, Quantity) and isinstance(predicted, Quantity | int | float):
        try:
            comparison = compare_prediction(predicted, actual)
        except ValueError as error:
            return _verdict(False, html.escape(f"Cannot compare: {error}"))
        body = (
            f"You predicted <strong>{html.escape(show(comparison.predicted))}</strong>; "
            f"the engine says <strong>{shown_actual}</strong>: "
            f"<strong>{html.escape(comparison.text)}</strong>.{_fit_note(design)}"
            f"{_setting_note(judged_at)}"
        )
        return _verdict(comparison.close, body)
    if isinstance(predicted, str) and not isinstance(actual, str):
        return _verdict(
            None,
            f"You predicted <strong>{html.escape(predicted)}</strong>; the engine says "
            f"<strong>{shown_actual}</strong>.",
        )
    match = predicted == actual
    mark = "matches" if match else "differs from"  # words: no glyph needing a font
    return _verdict(
        match,
        f"You predicted <strong>{html.escape(str(predicted))}</strong>, which {mark} the "
        f"engine's answer <strong>{shown_actual}</strong>.",
    )


def prediction_record(
    task: str, prediction: Any, answer: Any, *, unit: str | None = None
) -> PredictionRecord | None:
    """The ledger's record of a task's prediction: the first value, the engine's ``answer`` (a
    quantity for numbers, the right option for choices), the ratio and any revision; None for
    free text, which has no answer to record."""
    locked = prediction if isinstance(prediction, LockedPrediction) else None
    first = locked.first if locked else prediction_value(prediction)
    latest = locked.latest if locked else first
    unit = unit or (locked.unit if locked else getattr(prediction, "unit", None))
    if isinstance(answer, Quantity):
        if unit is None or isinstance(first, str):
            return None
        value = answer.to(unit).magnitude
        revised = None if latest == first else float(latest)
        return PredictionRecord.number(task, float(first), float(value), unit, revised)
    if isinstance(answer, str) and isinstance(first, str):
        return PredictionRecord.choice(task, first, answer, None if latest == first else latest)
    return None
