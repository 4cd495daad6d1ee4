"""How far a student's prediction landed from the engine's answer ("off by 3.2x")."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mlsys.units import Quantity

#: Predictions within this fraction of the engine's value count as right.
CLOSE_ENOUGH = 0.10


@dataclass(frozen=True)
class Comparison:
    """A prediction against the engine's value: ``ratio`` = predicted / actual (dimensionless),
    ``factor`` = how many times off (>= 1), ``text`` the sentence a lab shows."""

    predicted: Quantity
    actual: Quantity
    ratio: float
    factor: float
    close: bool
    text: str


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def factor_text(factor: float) -> str:
    """How many times off, readably: "2.5x", "38x", "4,200x", "2.1 × 10⁸ times"."""
    # Judge the boundaries by the rounded value, so 9.99999 reads "10x", never "10.0x".
    if round(factor, 1) < 10:
        return f"{factor:.1f}x"
    if round(factor) < 100_000:
        return f"{factor:,.0f}x"
    exponent = math.floor(math.log10(factor))
    if round(factor / 10**exponent, 1) >= 10:
        exponent += 1
    return f"{factor / 10**exponent:.1f} × 10{str(exponent).translate(_SUPERSCRIPT)} times"


def compare_prediction(predicted: Any, actual: Any, unit: str | None = None) -> Comparison:
    """Compare ``predicted`` with ``actual``.

    Both may be pint quantities (converted to ``actual``'s unit, ValueError when incompatible) or
    plain numbers in ``unit``. A prediction within 10 % reads "within N % of the engine"; otherwise
    "off by N.Nx (too high)" or "(too low)".
    """
    actual_q = actual if isinstance(actual, Quantity) else Quantity(actual, unit or "dimensionless")
    if isinstance(predicted, Quantity):
        try:
            predicted_q = predicted.to(actual_q.units)
        except Exception as error:  # pint's DimensionalityError: say it in the student's words
            raise ValueError(
                f"predicted: {predicted.units} cannot be compared with {actual_q.units}"
            ) from error
    else:
        predicted_q = (
            Quantity(float(predicted), unit) if unit else Quantity(float(predicted), actual_q.units)
        )
        predicted_q = predicted_q.to(actual_q.units)
    p, a = float(predicted_q.magnitude), float(actual_q.magnitude)
    if not (math.isfinite(p) and math.isfinite(a)) or a == 0.0:
        raise ValueError("actual: cannot compare against zero or a non-finite value")
    if p <= 0.0 or a < 0.0:
        raise ValueError(f"predicted: must be positive to compare on a ratio scale, got {p:g}")
    ratio = p / a
    factor = max(ratio, 1.0 / ratio)
    close = abs(ratio - 1.0) <= CLOSE_ENOUGH
    if close:
        text = f"within {abs(ratio - 1.0) * 100:.0f} % of the engine"
    else:
        direction = "too high" if ratio > 1.0 else "too low"
        text = f"off by {factor_text(factor)} ({direction})"
    return Comparison(predicted_q, actual_q, ratio, factor, close, text)
