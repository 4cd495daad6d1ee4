"""Layer 2: the scorecard a fleet simulation returns (``FleetLedger``).

A Volume 1 ``SystemLedger`` describes one node's application; a fleet simulation answers a
different question each time (how long a training run takes, what serving at scale costs), so
its ledger is a named set of results: each a quantity (or a plain number for ratios and counts),
read as an attribute, with the ``math`` behind it and the choices that produced it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from mlsys.derivation import Math


class FleetLedger:
    """Results of one fleet simulation: ``ledger.time_to_train``, ``ledger.math``, ...

    ``simulation`` names what produced it, ``choice`` the inputs, ``metrics()`` every result.
    Reading a result the simulation does not produce raises AttributeError listing those it has.
    """

    __slots__ = ("_math", "_values", "choice", "simulation")

    def __init__(
        self,
        simulation: str,
        choice: Mapping[str, Any],
        values: Mapping[str, Any],
        math: Math | Callable[[], Math],
    ) -> None:
        self.simulation = simulation
        self.choice = MappingProxyType(dict(choice))
        self._values = dict(values)
        # A simulation may pass a function that builds its derivations: they are built on the
        # first read of ``math`` (a proof sweep reads the numbers of thousands of designs and
        # the derivations of a few).
        self._math = math

    @property
    def math(self) -> Math:
        """The derivation of each result, by name."""
        if not isinstance(self._math, Math):
            self._math = self._math()
        return self._math

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(
                f"{self.simulation} has no result {name!r}; it has {', '.join(self._values)}"
            ) from None

    def metrics(self) -> dict[str, Any]:
        """Every result, by name (a copy)."""
        return dict(self._values)

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self._values]

    def __repr__(self) -> str:
        return f"<FleetLedger {self.simulation}: {', '.join(self._values)}>"


__all__ = ["FleetLedger"]
