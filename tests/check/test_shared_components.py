"""Two instruments may draw one component (the single-node and the fleet latency waterfall are
both ``LatencyWaterfall``): the rules judge the component by the instrument that unlocks first,
whatever order the instruments are registered in."""

from __future__ import annotations

import pytest

from labgen.checking.testing import check_source
from labgen.checks.instrument_gating import InstrumentGating
from labgen.instruments import Instrument

WATERFALL = Instrument(
    "waterfall", 2, "labs.core.components.LatencyWaterfall", "instrument_waterfall", "Waterfall"
)
FLEET = Instrument(
    "fleet_waterfall",
    1,
    "labs.core.components.LatencyWaterfall",
    "instrument_fleet_waterfall",
    "Step waterfall",
    unlock_volume=2,
)

LAB = """
import marimo

app = marimo.App()


@app.cell
def _():
    from labs.core.components import LatencyWaterfall

    return (LatencyWaterfall,)


@app.cell
def _(LatencyWaterfall, kat1_profile):
    LatencyWaterfall(kat1_profile)
    return
"""


@pytest.mark.parametrize("order", [(WATERFALL, FLEET), (FLEET, WATERFALL)], ids=["first", "last"])
def test_a_component_is_usable_from_its_earliest_unlock(order: tuple[Instrument, ...]) -> None:
    chapter_5 = "generated_labs/vol1/lab_05_nn_compute.py"
    assert check_source(LAB, [InstrumentGating], path=chapter_5, instruments=order) == []
    chapter_1 = "generated_labs/vol1/lab_01_ml_intro.py"
    found = check_source(LAB, [InstrumentGating], path=chapter_1, instruments=order)
    assert {d.line for d in found} == {9, 16}  # the import and the call
    assert all("(waterfall) unlocks in Volume 1 chapter 2" in d.message for d in found)
