"""The energy_bar instrument: its unlock chapter, component and template macro."""

from __future__ import annotations

from importlib.resources import files

from labgen.instruments import Instrument

ENERGY_BAR = Instrument(
    id="energy_bar",
    # Chapter 12 (benchmarking) is where the book measures energy next to latency.
    unlock_chapter=12,
    component="labgen_example_plugin.components.EnergyBar",
    macro="instrument_energy_bar",
    title="Energy bar",
    chart=True,  # a chart card: labgen's math-peek rule wants a MathPeek beside it
    template=files("labgen_example_plugin").joinpath("templates/energy_bar.j2").read_text("utf-8"),
)
