"""The carbon-by-region chart (Volume 2, Lab 15): the same run on every grid, operational carbon
under embodied carbon. Values are checked against the engine (mlsys.FleetReport) and by hand."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import altair as alt
import pytest

from labgen.book import chapter
from labgen.instruments import BUILTIN_INSTRUMENTS
from labgen.rendering.render import KIT_IMPORTS
from labs.core import components, style
from labs.core.carbon import carbon_sweep
from labs.core.configuration import engine_inputs, solve_inputs
from mlsys import FleetReport, Models, Quantity, Systems
from mlsys.constants import GRID_CARBON_INTENSITY

ROOT = Path(__file__).resolve().parents[2]

#: A 64-H100 training run of Llama-3-8B on 20 B tokens in Alberta (670 gCO2/kWh).
TRACK = {
    "model": Models.Llama3_8B,
    "system": Systems.H100,
    "inputs": {
        "dp": 8,
        "tp": 8,
        "batch_size": 256,
        "seq_len": 2048,
        "precision": "fp16",
        "train_tokens": 20_000_000_000,
        "region": "Alberta",
    },
}


def solve(**values):
    return solve_inputs(engine_inputs(TRACK, values, {}))


@pytest.fixture(scope="module")
def report():
    return solve()


def test_it_is_registered_for_volume_2_chapter_15(report):
    instrument = {i.id: i for i in BUILTIN_INSTRUMENTS}["carbon_chart"]
    assert (instrument.unlock_volume, instrument.unlock_chapter) == (2, 15)
    assert instrument.unlocked_in(chapter(2, 15))
    assert not instrument.unlocked_in(chapter(2, 14))
    assert instrument.component == "labs.core.components.CarbonChart"
    assert instrument.sweeps == "region"
    assert components.CarbonChart.__doc__
    assert KIT_IMPORTS["CarbonChart"] == "from labs.core.components import CarbonChart"
    assert KIT_IMPORTS["carbon_sweep"] == "from labs.core.carbon import carbon_sweep"
    macros = (ROOT / "labgen" / "templates" / "instruments.j2").read_text(encoding="utf-8")
    assert f"macro {instrument.macro}(k)" in macros
    for field in instrument.shows:
        assert isinstance(getattr(report, field), Quantity), field
        assert field in report.math, field


def test_every_region_by_hand(report):
    rows = carbon_sweep(report)
    regions = [row["region"] for row in rows if row["part"] == "operational"]
    assert sorted(regions) == sorted(GRID_CARBON_INTENSITY)
    intensities = [GRID_CARBON_INTENSITY[r].value for r in regions]
    assert intensities == sorted(intensities)
    by = {(row["region"], row["part"]): row["tonnes"] for row in rows}
    energy_mwh = report.run_energy.to("MWh").magnitude
    embodied = report.embodied_carbon.to("tonne").magnitude
    # Embodied: 64 devices x 150 kg x the run's hours over a 4-year (35,040 h) life.
    hours = report.time_to_train.to("hour").magnitude
    assert embodied == pytest.approx(64 * 150 * hours / 35_040 / 1e3)
    for region in regions:
        # Operational: facility MWh x 1000 kWh/MWh x gCO2/kWh / 1e6 g per tonne; the embodied
        # carbon does not depend on the grid.
        grid = GRID_CARBON_INTENSITY[region].value
        assert by[(region, "operational")] == pytest.approx(energy_mwh * grid / 1e3)
        assert by[(region, "embodied")] == pytest.approx(embodied)
        other = FleetReport(report.step, replace(report.scenario, region=region))
        total = by[(region, "operational")] + by[(region, "embodied")]
        assert total == pytest.approx(other.carbon.to("tonne").magnitude)
    (design,) = {row["region"] for row in rows if row["design"]}
    assert design == "Alberta"
    alberta = next(r for r in rows if r["design"])
    assert alberta["total"] == pytest.approx(report.carbon.to("tonne").magnitude)


def test_the_card_marks_the_design_region(report, vega_specs, visible_text, chart_colours):
    card = components.CarbonChart(carbon_sweep(report), report)
    (spec,) = vega_specs(card)
    alt.Root.validate(spec)
    assert spec["description"]
    palette = {style.BLUE_LINE, style.RED_LINE, style.GREEN_LINE, style.INK, style.WHITE}
    assert chart_colours(spec["layer"]) <= palette
    (marker,) = spec["layer"][1]["data"]["values"]
    assert marker["region"] == "Alberta"
    # The chart speaks the unit its largest bar reads best in; the marker sits on the bar.
    unit = spec["layer"][0]["encoding"]["y"]["title"].split("(")[1].split(" ")[0]
    assert marker["bar"] == pytest.approx(report.carbon.to(unit).magnitude)
    text = visible_text(card)
    assert "Your region (diamond)" in text
    assert "Alberta, 670 gCO2/kWh" in text
    assert "Quebec" in text


def test_a_run_that_never_ends_says_why(report, visible_text):
    class Endless:
        time_to_train = Quantity(float("inf"), "day")

    assert carbon_sweep(Endless()) == []
    assert "never ends" in visible_text(components.CarbonChart([], report))


def test_it_redraws_fast(report):
    components.CarbonChart(carbon_sweep(report), report)
    start = time.perf_counter()
    other = solve(region="France")
    components.CarbonChart(carbon_sweep(other), other)
    assert time.perf_counter() - start < 0.5


def test_a_small_run_is_drawn_in_grams_not_fractions_of_a_tonne(vega_specs, visible_text):
    # A TinyLSTM trained on 20 billion windows by 16 H100s: grams of CO2, not "148µ" tonnes.
    from labs.core.configuration import engine_inputs, solve_inputs
    from mlsys import Models, Systems

    track = {"model": Models.TinyLSTM, "system": Systems.H100, "inputs": {}}
    values = {"dp": 16, "batch_size": 4096, "precision": "fp8", "train_tokens": 20_000_000_000}
    small = solve_inputs(engine_inputs(track, values, {}))
    card = components.CarbonChart(carbon_sweep(small), small)
    (spec,) = vega_specs(card)
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Carbon of the run (g CO2e)"
    assert spec["layer"][0]["encoding"]["y"]["axis"]["format"] == ",.3~r"  # 500, 1,500: no 5e+2
    text = visible_text(card)
    assert "µt" not in text
    assert " nt" not in text
    assert "Total (g CO2e)" in text


def test_a_large_run_is_drawn_in_tonnes(report, vega_specs):
    # Past a thousand tonnes the chart stays in tonnes: "kt" would be read as a knot.
    big = solve(dp=128, train_tokens=150_000_000_000_000)  # Llama-3-8B on 150T tokens
    assert big.carbon.to("t").magnitude > 1000  # on Alberta's grid
    (spec,) = vega_specs(components.CarbonChart(carbon_sweep(big), big))
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Carbon of the run (t CO2e)"
