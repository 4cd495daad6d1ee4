"""Predict before you see (guide section 4): the prediction inputs, the lock that keeps a KAT
closed until a prediction is given, and the verdict comparing the prediction with the engine."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.format import format_quantity
from labs.core.markdown import safe_label
from mlsys import Quantity, compare_prediction, ureg

#: What a locked KAT says (guide section 6.2).
LOCK_MESSAGE = "⚠️ Enter your prediction above to unlock this task."

# "12", "12 ms", "3.5e-3 s", "80 GB", "1,000 tokens/s" (thousands separators are dropped first).
_NUMBER_WITH_UNIT = re.compile(
    r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ]+(?:\s*/\s*[A-Za-zµμ]+)?)?\s*"
)


class NumberPrediction(mo.ui.number):
    """A number input that starts *empty* (``value`` None) so the lock holds until the student
    types; bounded to ``[start, stop]`` in ``unit``. ``quantity`` is the value with its unit."""

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
        # mo.ui.number fills an empty value with `start`, which would unlock every KAT at once;
        # so build the same element with no initial value (the args are mo.ui.number's own).
        super(mo.ui.number, self).__init__(
            component_name=mo.ui.number._name,
            initial_value=None,
            label=safe_label(f"{prompt} ({unit})"),
            on_change=None,
            args={
                "start": low,
                "stop": high,
                "step": step,
                "debounce": False,
                "full-width": False,
                "disabled": False,
            },
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


def locked_view(message: str = LOCK_MESSAGE) -> mo.Html:
    """The locked look of a KAT: the message, sharp, over a blurred task that cannot be used."""
    skeleton = "".join(
        f'<div class="lg-skeleton-bar" style="{style.css("lg-skeleton-bar")} width: {width}%;"></div>'
        for width in (80, 55, 92, 35)
    )
    return mo.Html(
        f'<div data-lock="locked" {style.attrs("lg-lock")}>'
        f'<div role="status" {style.attrs("lg-lock-message")}>{html.escape(message)}</div>'
        f'<div aria-hidden="true" {style.attrs("lg-locked")}>{skeleton}</div>'
        "</div>"
    )


def PredictionLock(prediction: Any) -> Any:
    """The guide's lock: stops the cell (``mo.stop``) with the locked look and ``LOCK_MESSAGE``
    while ``prediction`` (an element from ``PredictionInput`` or a plain value) is empty, so
    nothing downstream runs or shows. Once given, returns the prediction's value."""
    mo.stop(is_empty(prediction), locked_view())
    return prediction_value(prediction)


def _predicted_quantity(prediction: Any, actual: Any) -> Any:
    if isinstance(prediction, NumberPrediction):
        return prediction.quantity
    value = prediction_value(prediction)
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
    return mo.Html(f'<div data-verdict="{kind}" {style.attrs(name)}>{body}</div>')


def PredictionComparison(prediction: Any, actual: Any) -> mo.Html:
    """The prediction next to the engine's answer and how far off it was.

    Numbers (a ``NumberPrediction``, a quantity, or text such as "12 ms") are compared with
    ``mlsys.compare_prediction``: "off by 2.5x (too low)" or "within 4 % of the engine".
    Choices are compared by equality. Free text that is not a quantity is shown next to the
    engine's value without a verdict.
    """
    predicted = _predicted_quantity(prediction, actual)
    shown_actual = html.escape(format_quantity(actual))
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
            f"You predicted <strong>{html.escape(format_quantity(comparison.predicted))}</strong>; "
            f"the engine says <strong>{shown_actual}</strong>: "
            f"<strong>{html.escape(comparison.text)}</strong>."
        )
        return _verdict(comparison.close, body)
    if isinstance(predicted, str) and not isinstance(actual, str):
        return _verdict(
            None,
            f"You predicted <strong>{html.escape(predicted)}</strong>; the engine says "
            f"<strong>{shown_actual}</strong>.",
        )
    match = predicted == actual
    mark = "✓ matches" if match else "✗ differs from"
    return _verdict(
        match,
        f"You predicted <strong>{html.escape(str(predicted))}</strong>, which {mark} the "
        f"engine's answer <strong>{shown_actual}</strong>.",
    )
