"""How the kit writes a number with its unit for a student: "3.21 ms", "80 GB", "989 TFLOP/s".

Display only: values are converted between units of the same quantity and rounded to a few
significant figures; nothing here computes physics.
"""

from __future__ import annotations

import bisect
import functools
import math
from typing import Any

from pint.util import infer_base_unit

from mlsys import Quantity, ureg

#: Significant figures shown by default.
SIGNIFICANT = 3

#: Durations of a second or more: the unit a duration below each bound (in seconds) is shown
#: in, so no duration reads as a 7-digit count of seconds ("21.6 days", not "1,865,111 s").
#: Under a second, an SI prefix of the second (ms, µs, ns), never of a day or an hour.
TIME_UNITS: tuple[tuple[float, str], ...] = (
    (120.0, "second"),
    (120.0 * 60.0, "minute"),
    (48.0 * 3600.0, "hour"),
    (math.inf, "day"),
)

#: Numbers of a billion and more are written in words ("70.6 billion parameters", "15
#: trillion tokens"), up to a thousand trillion.
LARGE_WORDS: tuple[tuple[float, str], ...] = ((1e12, "trillion"), (1e9, "billion"))

#: Amounts of money and counts that keep their unit (samples, tokens) at or above each bound
#: are written in words: "12.6 million USD", "35.8 million samples/s".
MONEY_SCALES: tuple[tuple[float, str], ...] = (*LARGE_WORDS, (1e6, "million"))

#: Unit symbols pint writes that a student reads better spelled out.
_UNIT_WORDS = {"d": "days", "dollar": "USD", "a": "years"}

# Counts read badly with SI prefixes ("1.2 ksamples/s"); these dimensions keep their unit and get
# thousands separators instead.
_UNPREFIXED_DIMENSIONS = ("[sample]", "[currency]")


def format_number(value: float, significant: int = SIGNIFICANT) -> str:
    """``value`` rounded to ``significant`` figures without an exponent where that reads well:
    ``1234.5 -> "1,235"``, ``0.01234 -> "0.0123"``, ``7.06e10 -> "70.6 billion"``; tiny or
    huger values fall back to ``1.2e-07``."""
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"  # a saturated queue's wait, a run that never ends
    if not math.isfinite(value):
        return str(value)
    if value == 0.0:
        return "0"
    magnitude = abs(value)
    for bound, word in LARGE_WORDS:
        if bound <= magnitude < bound * 1000:
            return f"{format_number(value / bound, significant)} {word}"
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
    return _unit_text(quantity.units)


@functools.lru_cache(maxsize=1024)
def _unit_text(units: Any) -> str:
    # pint's unit formatting is slow and a lab formats the same few units on every redraw.
    text = f"{units:~P}".replace("flop", "FLOP")
    if text in _UNIT_WORDS:
        return _UNIT_WORDS[text]
    # Money in a compound unit: "USD/h", not "dollar/h".
    return "/".join("USD" if part == "dollar" else part for part in text.split("/"))


def _is_plain(quantity: Quantity) -> bool:
    # byte is dimensionless in pint; only a unit that is literally "dimensionless" is plain.
    return _kind(quantity.units)[0]


@functools.lru_cache(maxsize=1024)
def _kind(units: Any) -> tuple[bool, bool, bool, bool]:
    """What ``readable`` asks of a unit: (plain, kept unprefixed, a time, a ratio)."""
    one = Quantity(1.0, units)
    dimensions = str(one.dimensionality)
    return (
        str(units) == "dimensionless",
        any(dimension in dimensions for dimension in _UNPREFIXED_DIMENSIONS),
        one.check("[time]"),
        "/" in _unit_text(units),
    )


@functools.lru_cache(maxsize=256)
def _per_time(units: Any) -> bool:
    return Quantity(1.0, units).check("1/[time]")


@functools.lru_cache(maxsize=256)
def _is_money(units: Any) -> bool:
    return Quantity(1.0, units).check("[currency]")


def readable_time(quantity: Quantity) -> Quantity:
    """A duration in the unit it reads best in (``TIME_UNITS``): "4.43 ms", "90 s", "30 min",
    "5.2 h", "21.6 days"; below a second an SI prefix of the second, never "2.97 µd"."""
    seconds = quantity.to("second")
    size = abs(seconds.magnitude)
    if not math.isfinite(size):
        return quantity
    if size == 0.0:
        return quantity
    if size < 1.0:
        return to_compact(seconds)
    unit = next(unit for bound, unit in TIME_UNITS if size < bound)
    return seconds.to(unit)


@functools.lru_cache(maxsize=256)
def _is_mass(units: Any) -> bool:
    return Quantity(1.0, units).check("[mass]")


def readable_mass(quantity: Quantity) -> Quantity:
    """A mass (carbon, mostly) in tonnes from a tonne up ("426 t", "1,628 t"), in kilograms
    from a kilogram, in prefixed grams below ("57.1 g", "3.2 mg"): never "57.1 µt". Tonnes
    take no prefix: pint reads "kt" as a knot."""
    kilograms = quantity.to("kg")
    size = abs(kilograms.magnitude)
    if not math.isfinite(size) or size == 0.0:
        return quantity
    if size >= 1000.0:
        return kilograms.to("t")
    if size >= 1.0:
        return kilograms
    return to_compact(kilograms.to("g"))


def readable(quantity: Any) -> Any:
    """``quantity`` in the unit a student reads most easily: an SI prefix that keeps the number
    between 1 and 1000, durations in seconds, minutes, hours or days (``readable_time``), counts
    and money unprefixed (money over a million is written in words by ``split_quantity``)."""
    if not isinstance(quantity, Quantity):
        return quantity
    plain, unprefixed, time, ratio = _kind(quantity.units)
    if unprefixed and _is_money(quantity.units):
        # "13.5 MUSD" in a spec is 13.5 million USD, not "13.5 Mdollar".
        return quantity.to("USD")
    if plain or unprefixed:
        return quantity
    if time:
        return readable_time(quantity)
    if _is_mass(quantity.units):
        return readable_mass(quantity)
    if quantity.magnitude == 0 or _per_time(quantity.units):
        # A rate per hour stays per hour ("0.000853 1/h", not "853 1/Mh").
        return quantity
    compact = to_compact(quantity)
    # A ratio below its unit reads better plain ("0.5 FLOP/B", not "500 mFLOP/B").
    if ratio and abs(compact.magnitude) >= abs(quantity.magnitude) > 1e-3:
        return quantity
    return compact


# --- pint's to_compact, with what depends on the unit alone worked out once per unit ---------
# pint's own scans the registry's prefixes and infers the unprefixed unit on every call (about
# 1 ms each); a math peek asks it a few dozen times per control move.

#: The registry's SI prefixes (powers of ten that are a multiple of one): (powers, names).
_SI_PREFIXES: tuple[tuple[int, ...], tuple[str, ...]] | None = None


def _si_prefixes() -> tuple[tuple[int, ...], tuple[str, ...]]:
    global _SI_PREFIXES
    if _SI_PREFIXES is None:
        found: dict[int, str] = {}
        for prefix in ureg._prefixes.values():  # as pint.facets.plain.qto.to_compact
            try:
                scale = prefix.converter.scale
                log10_scale = int(math.log10(scale))
                if log10_scale == math.log10(scale):
                    found[log10_scale] = prefix.name
            except Exception:
                found[0] = ""
        ordered = sorted(found.items())
        _SI_PREFIXES = (tuple(p for p, _ in ordered), tuple(n for _, n in ordered))
    return _SI_PREFIXES


@functools.lru_cache(maxsize=1024)
def _compact_plan(units: Any) -> tuple[bool, Any, str, float]:
    """Whether the units cancel out (``unitless``: left as they are), the unprefixed units
    ``to_compact`` converts through, and the unit it prefixes with its power (the first of the
    numerator)."""
    one = Quantity(1.0, units)
    if one.unitless:
        return True, None, "", 0.0
    base = infer_base_unit(one, registry=ureg)
    items = list(base.items())
    numerator = [item for item in items if item[1] > 0]
    unit, power = numerator[0] if numerator else items[0]
    return False, base, unit, float(power)


def to_compact(quantity: Quantity) -> Quantity:
    """``quantity.to_compact()``: the same unit and value as pint's (tested over the units the
    kit shows), without its per-call set-up."""
    magnitude = quantity.magnitude
    if not isinstance(magnitude, int | float) or isinstance(magnitude, bool):
        return quantity.to_compact()
    unitless, base, unit, power = _compact_plan(quantity.units)
    if unitless or magnitude == 0 or math.isnan(magnitude) or math.isinf(magnitude):
        return quantity
    in_base = quantity.to(base).magnitude
    if power > 0:
        exponent = math.floor(math.log10(abs(in_base)) / power / 3) * 3
    else:
        exponent = math.ceil(math.log10(abs(in_base)) / power / 3) * 3
    powers, names = _si_prefixes()
    index = bisect.bisect_left(powers, exponent)
    if index >= len(names):
        index = -1
    return quantity.to(base.rename(unit, names[index] + unit))


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
        # Money and counts (samples, tokens) keep their unit: a million and more in words.
        if _kind(shown.units)[1] and math.isfinite(shown.magnitude):
            for bound, word in MONEY_SCALES:
                if abs(shown.magnitude) >= bound:
                    scaled = format_number(shown.magnitude / bound, significant)
                    return scaled, f"{word} {unit_text(shown)}"
        return format_number(shown.magnitude, significant), unit_text(shown)
    return format_number(quantity, significant), ""


def format_quantity(quantity: Any, significant: int = SIGNIFICANT) -> str:
    """``quantity`` as one string, number and unit: "3.21 ms", "0.5", "80 GB", "21.6 days",
    "12.6 million USD"."""
    number, unit = split_quantity(quantity, significant)
    return f"{number} {unit}" if unit else number


def format_in(quantity: Quantity, unit: Any, significant: int = SIGNIFICANT) -> str:
    """``quantity`` converted to ``unit`` (for values that share one axis), with that unit."""
    converted = quantity.to(unit)
    return f"{format_number(converted.magnitude, significant)} {unit_text(converted)}"
