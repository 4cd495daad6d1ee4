"""How the kit writes a number with its unit for a student: "3.21 ms", "80 GB", "989 TFLOP/s".

Display only: values are converted between units of the same quantity and rounded to a few
significant figures; nothing here computes physics.
"""

from __future__ import annotations

import math
from typing import Any

from mlsys import Quantity

#: Significant figures shown by default.
SIGNIFICANT = 3

# Counts read badly with SI prefixes ("1.2 ksamples/s"); these dimensions keep their unit and get
# thousands separators instead.
_UNPREFIXED_DIMENSIONS = ("[sample]", "[currency]")


def format_number(value: float, significant: int = SIGNIFICANT) -> str:
    """``value`` rounded to ``significant`` figures without an exponent where that reads well:
    ``1234.5 -> "1,235"``, ``0.01234 -> "0.0123"``; tiny or huge values fall back to ``1.2e-07``."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == 0.0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 10 ** (significant + 6) or magnitude < 1e-4:
        return f"{value:.{significant}g}"
    if magnitude >= 10 ** (significant - 1):
        return f"{value:,.0f}"
    decimals = significant - 1 - math.floor(math.log10(magnitude))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def unit_text(quantity: Any) -> str:
    """The unit of ``quantity`` as a student reads it ("ms", "GB", "TFLOP/s"); "" when it has none."""
    if not isinstance(quantity, Quantity) or _is_plain(quantity):
        return ""
    return f"{quantity.units:~P}".replace("flop", "FLOP")


def _is_plain(quantity: Quantity) -> bool:
    # byte is dimensionless in pint; only a unit that is literally "dimensionless" is plain.
    return str(quantity.units) == "dimensionless"


def readable(quantity: Any) -> Any:
    """``quantity`` in the unit a student reads most easily: an SI prefix that keeps the number
    between 1 and 1000 (never beyond seconds for times), counts and money unprefixed."""
    if not isinstance(quantity, Quantity) or _is_plain(quantity):
        return quantity
    dimensions = str(quantity.dimensionality)
    if any(dimension in dimensions for dimension in _UNPREFIXED_DIMENSIONS):
        return quantity
    if quantity.check("[time]") and abs(quantity.to("second").magnitude) >= 1.0:
        return quantity.to("second")
    if quantity.magnitude == 0:
        return quantity
    compact = quantity.to_compact()
    # A ratio below its unit reads better plain ("0.5 FLOP/B", not "500 mFLOP/B").
    if "/" in f"{quantity.units:~P}" and abs(compact.magnitude) >= abs(quantity.magnitude) > 1e-3:
        return quantity
    return compact


def split_quantity(quantity: Any, significant: int = SIGNIFICANT) -> tuple[str, str]:
    """``(number, unit)`` as two strings, after choosing a readable unit (see ``readable``).

    Plain numbers and booleans give an empty unit; strings pass through unchanged.
    """
    if isinstance(quantity, bool):
        return ("yes" if quantity else "no"), ""
    if isinstance(quantity, str):
        return quantity, ""
    if isinstance(quantity, Quantity):
        shown = readable(quantity)
        return format_number(shown.magnitude, significant), unit_text(shown)
    return format_number(quantity, significant), ""


def format_quantity(quantity: Any, significant: int = SIGNIFICANT) -> str:
    """``quantity`` as one string, number and unit: "3.21 ms", "0.5", "80 GB"."""
    number, unit = split_quantity(quantity, significant)
    return f"{number} {unit}" if unit else number


def format_in(quantity: Quantity, unit: Any, significant: int = SIGNIFICANT) -> str:
    """``quantity`` converted to ``unit`` (for values that share one axis), with that unit."""
    converted = quantity.to(unit)
    return f"{format_number(converted.magnitude, significant)} {unit_text(converted)}"
