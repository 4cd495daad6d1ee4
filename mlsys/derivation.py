"""How a number was computed: the formula and the variable values behind each profile field.

The engine attaches a ``Math`` to every profile so a lab's MathPeek shows exactly the formula
and values that produced the number on screen (one source of truth).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from mlsys.units import Quantity


@dataclass(frozen=True)
class Variable:
    """One input of a formula: its LaTeX symbol, a plain description and its value with units."""

    symbol: str
    description: str
    value: Quantity


@dataclass(frozen=True)
class Derivation:
    """A computed quantity: ``formula`` is LaTeX (``result_symbol = ...``), ``result`` its value."""

    name: str
    formula: str
    variables: tuple[Variable, ...]
    result: Quantity

    def __iter__(self) -> Iterator[Variable]:
        return iter(self.variables)


class Math(Mapping[str, Derivation]):
    """The derivations of one profile, keyed by field name (``latency``, ``energy``, ...)."""

    def __init__(self, derivations: Mapping[str, Derivation]) -> None:
        self._derivations = dict(derivations)

    def __getitem__(self, key: str) -> Derivation:
        try:
            return self._derivations[key]
        except KeyError:
            raise KeyError(f"no derivation for '{key}'; known: {', '.join(self)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._derivations)

    def __len__(self) -> int:
        return len(self._derivations)

    def __repr__(self) -> str:
        return f"Math({', '.join(self)})"
