"""The latency waterfall shows compute, memory, the dispatch tax and the total; the tax is
always drawn, whatever its size."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labs.core.components import OVERHEAD_LABEL, LatencyWaterfall
from labs.core.format import format_in
from labs.core.waterfall import MIN_VISIBLE_FRACTION, waterfall_rows
from mlsys import Engine, Models, Systems, ureg


def fake_profile(compute_ms: float, memory_ms: float, overhead_ms: float) -> SimpleNamespace:
    """A profile-shaped object with the four time fields (as the engine's roofline adds them)."""
    return SimpleNamespace(
        latency_compute=ureg.Quantity(compute_ms, "ms"),
        latency_memory=ureg.Quantity(memory_ms, "ms"),
        latency_overhead=ureg.Quantity(overhead_ms, "ms"),
        latency=ureg.Quantity(max(compute_ms, memory_ms) + overhead_ms, "ms"),
        bottleneck="Compute" if compute_ms >= memory_ms else "Memory",
    )


def test_student_sees_three_segments_and_the_total(
    resnet_profile, vega_specs, layer_data, visible_text
):
    card = LatencyWaterfall(resnet_profile)
    (spec,) = vega_specs(card)
    bars = layer_data(spec)[0]
    assert [row["segment"] for row in bars] == ["Compute", "Memory", OVERHEAD_LABEL, "Total"]
    assert OVERHEAD_LABEL == "Overhead (dispatch tax)"
    unit = bars[-1]["unit"]
    fields = ["latency_compute", "latency_memory", "latency_overhead", "latency"]
    for row, field in zip(bars, fields, strict=True):
        truth = getattr(resnet_profile, field).to(unit).magnitude
        assert row["value"] == pytest.approx(truth)
        assert row["label"] == format_in(getattr(resnet_profile, field), unit)
    text = visible_text(card)
    overhead_text = format_in(resnet_profile.latency_overhead, unit)
    assert f"Overhead (dispatch tax): {overhead_text}" in text
    assert f"{resnet_profile.bottleneck}-bound" in text


def test_overhead_is_stacked_after_the_binding_term(resnet_profile):
    rows = {row["role"]: row for row in waterfall_rows(resnet_profile)}
    binding = max(rows["compute"]["end"], rows["memory"]["end"])
    assert rows["overhead"]["start"] == pytest.approx(binding)
    assert rows["overhead"]["end"] == pytest.approx(rows["total"]["end"])


def test_tiny_overhead_is_still_drawn_and_labelled_with_its_true_value(
    vega_specs, layer_data, visible_text
):
    profile = fake_profile(compute_ms=40.0, memory_ms=25.0, overhead_ms=1e-6)
    card = LatencyWaterfall(profile)
    (spec,) = vega_specs(card)
    overhead = next(row for row in layer_data(spec)[0] if row["segment"] == OVERHEAD_LABEL)
    total = profile.latency.to(overhead["unit"]).magnitude
    assert overhead["end"] - overhead["start"] >= MIN_VISIBLE_FRACTION * total * (1 - 1e-12)
    assert overhead["value"] == pytest.approx(1e-6)
    assert overhead["label"] == format_in(profile.latency_overhead, overhead["unit"])
    text = visible_text(card)
    assert f"Overhead (dispatch tax): {overhead['label']}" in text
    assert "drawn wider than its true" in text


def test_real_profile_with_a_small_tax_keeps_its_bar():
    # Llama-3-8B prefill of a long batch: the tax is a sliver of the total.
    profile = Engine.solve(
        model=Models.Llama3_8B,
        system=Systems.H100,
        batch_size=64,
        precision="fp16",
        phase="prefill",
        runtime="compiled",
    )
    assert profile.latency_overhead / profile.latency < MIN_VISIBLE_FRACTION
    overhead = waterfall_rows(profile)[2]
    assert overhead["end"] > overhead["start"]


def test_no_argument_can_hide_the_overhead():
    parameters = inspect.signature(LatencyWaterfall).parameters
    assert list(parameters) == ["profile", "title"]


@given(
    compute=st.floats(min_value=1e-6, max_value=1e6),
    memory=st.floats(min_value=1e-6, max_value=1e6),
    overhead=st.floats(min_value=0.0, max_value=1e4),
)
def test_overhead_bar_always_visible(compute, memory, overhead):
    rows = waterfall_rows(fake_profile(compute, memory, overhead))
    assert [row["segment"] for row in rows][2] == OVERHEAD_LABEL
    bar = rows[2]
    assert bar["end"] - bar["start"] >= MIN_VISIBLE_FRACTION * rows[3]["value"] * (1 - 1e-9)
    assert bar["end"] - bar["start"] >= bar["value"] * (1 - 1e-9)
    assert bar["label"]  # the true value is always written next to it


def test_a_sweep_is_refused_with_a_pointer_to_the_pareto_curve():
    sweep = Engine.sweep(model=Models.ResNet50, system=Systems.H100, batch_size=[1, 2, 4])
    with pytest.raises(ValueError, match="ParetoCurve"):
        LatencyWaterfall(sweep)


def _altair_waterfall(rows: list[dict], labels: list[str], roles: list[str], unit: str) -> dict:
    """The waterfall as altair builds it (the chart the plain spec was written from)."""
    import altair as alt

    from labs.core.charts import CHART_HEIGHT, finish, palette_scale
    from labs.core.waterfall import LABEL_ROOM, SEGMENTS

    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("segment:N", sort=labels, title=None, axis=alt.Axis(labelLimit=150)),
    )
    bars = base.mark_bar(height=22, cornerRadius=2).encode(
        x=alt.X(
            "start:Q",
            title=f"Time ({unit})",
            scale=alt.Scale(domain=[0, LABEL_ROOM * max(row["end"] for row in rows)], nice=False),
            axis=alt.Axis(tickCount=4),
        ),
        x2="end:Q",
        color=alt.Color("segment:N", scale=palette_scale(roles, labels), legend=None),
        tooltip=[alt.Tooltip("segment:N", title="Segment"), alt.Tooltip("label:N", title="Time")],
    )
    values = base.mark_text(align="left", dx=4).encode(x="end:Q", text="label:N")
    chart = alt.layer(bars, values).properties(
        width="container", height=CHART_HEIGHT * 0.6 * len(rows) / len(SEGMENTS)
    )
    description = "Latency waterfall: " + "; ".join(f"{r['segment']} {r['label']}" for r in rows)
    return finish(chart, description=description).to_dict()


@pytest.mark.parametrize(
    ("model", "system", "batch"),
    [("Llama3_70B", "H100", 1), ("ResNet50", "JetsonAGXOrin", 8), ("TinyLSTM", "STM32H743", 1)],
)
def test_the_plain_spec_is_altairs_chart_and_valid(model, system, batch, vega_specs):
    """The waterfall is written as plain Vega-Lite (fast to redraw); it is the very spec altair
    would build, and it validates against altair's Vega-Lite schema."""
    from labs.core.vega import SpecChart
    from labs.core.waterfall import segments_of

    profile = Engine.solve(
        model=getattr(Models, model), system=getattr(Systems, system), batch_size=batch
    )
    (spec,) = vega_specs(LatencyWaterfall(profile))
    SpecChart(spec).to_dict(validate=True)
    rows = waterfall_rows(profile)
    segments = segments_of(profile)
    reference = _altair_waterfall(
        rows, [label for _, label in segments], [role for role, _ in segments], rows[-1]["unit"]
    )
    assert spec == reference
