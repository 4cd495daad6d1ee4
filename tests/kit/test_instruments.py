"""Pareto curve, P99 histogram, roofline and metric cards, read from their rendered specs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labs.core.components import MetricCards, P99Histogram, ParetoCurve, Roofline
from labs.core.format import format_in, format_quantity
from labs.core.pareto import pareto_front
from labs.core.roofline import achieved_performance
from mlsys import Engine, Models, Systems, ureg
from mlsys.applications import Applications
from mlsys.personas import Personas
from mlsys.simulations import ServingSimulation

# -- Pareto -----------------------------------------------------------------------------------


def dominates(a, b):
    return a[0] <= b[0] and a[1] <= b[1] and (a[0] < b[0] or a[1] < b[1])


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=40))
def test_frontier_is_exactly_the_undominated_points(points):
    front = pareto_front(
        [float(x) for x, _ in points],
        [float(y) for _, y in points],
        minimize_x=True,
        minimize_y=True,
    )
    for point, on in zip(points, front, strict=True):
        beaten = any(dominates(other, point) for other in points)
        assert on == (not beaten)


def test_frontier_respects_direction():
    # Lower latency and higher throughput are better: (1, 10) beats (2, 5).
    assert pareto_front([1.0, 2.0], [10.0, 5.0], minimize_x=True, minimize_y=False) == [True, False]
    assert pareto_front([1.0, 2.0], [10.0, 5.0], minimize_x=True, minimize_y=True) == [True, True]


def test_pareto_curve_marks_frontier_infeasible_and_design(vega_specs, layer_data, visible_text):
    batches = [1, 2, 4, 8, 16, 32, 64, 128]
    sweep = Engine.sweep(
        model=Models.Llama3_70B, system=Systems.H100, batch_size=batches, precision="fp8"
    )
    design = Engine.solve(
        model=Models.Llama3_70B, system=Systems.H100, batch_size=8, precision="fp8"
    )
    card = ParetoCurve(sweep, x="latency", y="throughput", design=design)
    (spec,) = vega_specs(card)
    rows = [row for layer in layer_data(spec) for row in layer]
    points = {row["batch_size"]: row["kind"] for row in rows if "kind" in row}
    for batch, fits in zip(batches, sweep.feasible, strict=True):
        if not fits:
            assert points[float(batch)] == "Does not fit in memory"
        else:
            assert points[float(batch)] in ("Pareto frontier", "Beaten on both axes")
    assert any(row.get("label") == "Your design" for row in rows)
    text = visible_text(card)
    assert (
        f"Your design: {format_quantity(design.latency)}, {format_quantity(design.throughput)}"
        in text
    )


def test_pareto_curve_names_a_field_it_cannot_plot():
    sweep = Engine.sweep(model=Models.ResNet50, system=Systems.H100, batch_size=[1, 2])
    with pytest.raises(ValueError, match="'speed' is not a field"):
        ParetoCurve(sweep, x="speed", y="throughput")


# -- P99 histogram ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def serving():
    return ServingSimulation(Applications.AutoDrive, Personas.EdgeGuardian).evaluate({"rate": 800})


def test_histogram_has_p50_p99_markers_and_the_slo_line(
    serving, vega_specs, layer_data, visible_text
):
    slo = Applications.AutoDrive.slo
    card = P99Histogram(serving, slo=slo)
    (spec,) = vega_specs(card)
    bars, rules, _ = layer_data(spec)
    assert sum(row["count"] for row in bars) == len(serving.performance.latency_samples_ms)
    markers = {row["marker"]: row for row in rules}
    assert set(markers) == {"P50", "P99", "SLO"}
    p99 = serving.performance.latency_p99
    assert markers["P99"]["x"] == pytest.approx(p99.to("ms").magnitude)
    assert markers["SLO"]["x"] == pytest.approx(slo.to("ms").magnitude)
    text = visible_text(card)
    assert f"P99: {format_in(p99, 'ms')}" in text
    assert "The tail meets the SLO" in text


def test_histogram_from_plain_samples_reports_a_missed_slo(visible_text):
    samples = [ureg.Quantity(1.0 + 19.0 * i / 499, "ms") for i in range(500)]
    card = P99Histogram(
        samples,
        p50=ureg.Quantity(10.0, "ms"),
        p99=ureg.Quantity(19.8, "ms"),
        slo=ureg.Quantity(15.0, "ms"),
    )
    text = visible_text(card)
    assert "P99: 19.8 ms" in text
    assert "misses the SLO" in text


def test_overloaded_node_says_so(visible_text):
    overloaded = ServingSimulation(Applications.AutoDrive, Personas.EdgeGuardian).evaluate(
        {"rate": 5000}
    )
    assert overloaded.performance.latency_samples_ms == ()
    text = visible_text(P99Histogram(overloaded, slo=Applications.AutoDrive.slo))
    assert "overloaded" in text
    assert "misses the SLO" in text


# -- Roofline ---------------------------------------------------------------------------------


def test_roofline_plots_the_ridge_and_the_workload(
    resnet_profile, vega_specs, layer_data, visible_text
):
    card = Roofline(resnet_profile)
    (spec,) = vega_specs(card)
    roof, ridge, points, _ = layer_data(spec)
    system, precision = resnet_profile.system, resnet_profile.precision
    assert ridge[0]["intensity"] == pytest.approx(system.ridge_point(precision).magnitude)
    assert max(row["performance"] for row in roof) == pytest.approx(
        system.peak(precision).magnitude
    )
    (point,) = points
    assert point["performance"] == pytest.approx(achieved_performance(resnet_profile).magnitude)
    assert point["performance"] <= system.peak(precision).magnitude
    text = visible_text(card)
    assert f"Ridge point: {format_quantity(system.ridge_point(precision))}" in text


def test_roofline_of_a_system_alone():
    card = Roofline(Systems.JetsonAGXOrin)
    assert 'data-instrument="roofline"' in card.text


# -- Metric cards -----------------------------------------------------------------------------


def test_metric_cards_show_values_with_units(resnet_profile, visible_text):
    text = visible_text(MetricCards(resnet_profile))
    assert f"Latency {format_quantity(resnet_profile.latency)}" in text
    assert f"Throughput {format_quantity(resnet_profile.throughput)}" in text
    assert f"Bound by {resnet_profile.bottleneck}" in text
    fit = f"{format_quantity(resnet_profile.memory_footprint)} of {format_quantity(resnet_profile.memory_capacity)}"
    assert f"Fits in memory {fit}" in text


def test_metric_cards_from_a_mapping_and_a_simulation(serving, visible_text):
    text = visible_text(MetricCards({"Deadline <b>": ureg.Quantity(10, "ms"), "Fleet": 10_000}))
    assert "Deadline <b> 10 ms" in text
    assert "Fleet 10,000" in text
    from_ledger = visible_text(MetricCards(serving, fields=["performance.latency_p99"]))
    assert format_quantity(serving.performance.latency_p99) in from_ledger
