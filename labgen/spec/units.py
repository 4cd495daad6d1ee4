"""Reading a unit a spec names ("ms", "GB/s", "sample/s") through mlsys.ureg, safely.

pint evaluates a unit string as an arithmetic expression, so hostile text reaches its
tokenizer and evaluator: ``"1/0"`` divides by zero, ``"foo("`` ends the token stream, 3,000
parentheses overflow the stack. Text is screened first (length, characters, nesting), and
whatever pint still raises means the same thing: a unit the registry cannot read.
"""

from __future__ import annotations

import re
from typing import Any

import mlsys

#: Longest unit text read (the longest real one, "token/s/W", is far shorter).
MAX_UNIT_LENGTH = 64
#: Deepest parentheses in a unit ("(J/s)/W" needs one level).
MAX_UNIT_NESTING = 4
#: Characters a unit may be written with: names, digits for powers, and the operators.
_UNIT_TEXT = re.compile(r"^[A-Za-z0-9_ ./*^()\-µμΩ°%]+$")


def _screen(text: str) -> bool:
    if not text.strip() or len(text) > MAX_UNIT_LENGTH or not _UNIT_TEXT.match(text):
        return False
    if "__" in text:
        return False
    depth = 0
    for character in text:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if not 0 <= depth <= MAX_UNIT_NESTING:
            return False
    return depth == 0


def parse_unit(text: str) -> Any | None:
    """The pint unit ``text`` names in mlsys.ureg, or None when the registry cannot read it."""
    if not isinstance(text, str) or not _screen(text):
        return None
    try:
        unit = mlsys.ureg.parse_units(text)
    except Exception:  # pint's parser raises many kinds (ZeroDivisionError, TokenError, ...)
        return None
    return unit if isinstance(unit, mlsys.ureg.Unit) else None


def unit_problem(text: str) -> str | None:
    """Why ``text`` is not a unit, or None when it is one."""
    if parse_unit(text) is None:
        shown = text if len(text) <= 40 else text[:37] + "..."
        return f"unknown unit {shown!r} (units are read by mlsys.ureg, e.g. ms, GB, sample/s)"
    return None
