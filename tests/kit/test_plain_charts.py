"""The Pareto curve and the roofline are written as plain Vega-Lite, because they redraw on every
control move and altair took 55-70 ms of CPU to build each. Here each is held equal to the chart
altair builds from the same rows (the altair code they were written from), and valid against
altair's Vega-Lite schema."""

from __future__ import annotations

import altair as alt
import pytest

from labs.core import style
from labs.core.charts import CHART_HEIGHT, finish, palette_scale
from labs.core.components import ParetoCurve, Roofline
from labs.core.controls import sweep_batches
from labs.core.format import readable, unit_text
from labs.core.labels import field_label, spec_title
from labs.core.pareto import _POINT_KINDS, pareto_rows
from labs.core.roofline import MARGIN, achieved_performance, roof_points
from labs.core.vega import SpecChart
from mlsys import Engine, Models, Quantity, Systems

#: (model, system, precision, batch): a memory-bound LLM, a CNN on an edge GPU, an MCU.
DESIGNS = [
    ("Llama3_70B", "H100", "int8", 4),
    ("ResNet50", "JetsonAGXOrin", "int8", 8),
    ("TinyLSTM", "STM32H743", "int8", 1),
]


def _profile(model: str, system: str, precision: str, batch: int):
    return Engine.solve(
        model=getattr(Models, model),
        system=getattr(Systems, system),
        batch_size=batch,
        precision=precision,
    )


def _altair_pareto(sweep, x: str, y: str, design) -> dict:
    rows, x_unit, y_unit = pareto_rows(sweep, x, y)
    x_title = f"{field_label(x)} ({unit_text(Quantity(1, x_unit))})"
    y_title = f"{field_label(y)} ({unit_text(Quantity(1, y_unit))})"
    kinds = [label for _, label in _POINT_KINDS]
    axis = alt.Axis(tickCount=5, labelOverlap="greedy", format="~g")
    x_enc = alt.X("x:Q", title=x_title, scale=alt.Scale(type="log"), axis=axis)
    y_enc = alt.Y("y:Q", title=y_title, scale=alt.Scale(type="log"), axis=axis)
    points = (
        alt.Chart(alt.Data(values=rows))
        .mark_point(size=60, opacity=0.9, filled=True)
        .encode(
            x=x_enc,
            y=y_enc,
            color=alt.Color(
                "kind:N",
                scale=palette_scale([role for role, _ in _POINT_KINDS], kinds),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical"),
            ),
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=["circle", "square", "cross"]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("batch_size:Q", title="Batch size"),
                alt.Tooltip("efficiency:Q", title="Efficiency", format=".2f"),
                alt.Tooltip("x:Q", title=x_title, format=".3~g"),
                alt.Tooltip("y:Q", title=y_title, format=".3~g"),
            ],
        )
    )
    frontier = [row for row in rows if row["kind"] == dict(_POINT_KINDS)["frontier"]]
    line = (
        alt.Chart(alt.Data(values=frontier))
        .mark_line(strokeWidth=2)
        .encode(x=x_enc, y=y_enc, order="x:Q", color=alt.value(style.ROLE["frontier"]))
    )
    dx, dy = getattr(design, x), getattr(design, y)
    mark = {"x": float(dx.to(x_unit).magnitude), "y": float(dy.to(y_unit).magnitude)}
    mark["label"] = "Your design" if design.feasible else "Your design (does not fit)"
    diamond = (
        alt.Chart(alt.Data(values=[mark]))
        .mark_point(shape="diamond", size=220, filled=True, stroke=style.WHITE)
        .encode(x=x_enc, y=y_enc, color=alt.value(style.ROLE["design"]))
    )
    return finish(
        alt.layer(line, points, diamond).properties(width="container", height=CHART_HEIGHT),
        description=f"Pareto curve of {y} against {x}: {len(frontier)} frontier points",
    ).to_dict()


def _altair_roofline(profile) -> dict:
    system, precision = profile.system, profile.precision
    ridge, peak = system.ridge_point(precision), system.peak(precision)
    points = [
        {
            "intensity": float(profile.arithmetic_intensity.to("FLOP/byte").magnitude),
            "performance": float(achieved_performance(profile).magnitude),
            "label": f"{spec_title(profile.model)}, batch {profile.batch_size}",
            "bottleneck": str(profile.bottleneck),
        }
    ]
    intensities = [ridge.magnitude, points[0]["intensity"]]
    roof = roof_points(system, precision, min(intensities) / MARGIN, max(intensities) * MARGIN)
    y_unit = readable(peak).units
    scale = float(Quantity(1, "FLOP/second").to(y_unit).magnitude)
    for row in (*roof, *points):
        row["shown"] = row["performance"] * scale
    axis = alt.Axis(tickCount=4, format="~g", labelOverlap=True, grid=True)
    x_enc = alt.X(
        "intensity:Q", title="Intensity (FLOP/byte)", scale=alt.Scale(type="log"), axis=axis
    )
    y_title = f"Performance ({unit_text(Quantity(1, y_unit))})"
    y_enc = alt.Y("shown:Q", title=y_title, scale=alt.Scale(type="log"), axis=axis)
    right = f"datum.intensity > {ridge.magnitude!r}"
    layers = [
        alt.Chart(alt.Data(values=roof))
        .mark_line(strokeWidth=3, color=style.ROLE["roof"])
        .encode(x=x_enc, y=y_enc),
        alt.Chart(alt.Data(values=[{"intensity": float(ridge.magnitude)}]))
        .mark_rule(strokeDash=[4, 4], color=style.ROLE["ridge"])
        .encode(x="intensity:Q"),
        alt.Chart(alt.Data(values=points))
        .mark_point(filled=True, size=110, color=style.ROLE["point"])
        .encode(
            x=x_enc,
            y=y_enc,
            tooltip=[
                alt.Tooltip("label:N", title="Workload"),
                alt.Tooltip("bottleneck:N", title="Bound by"),
            ],
        ),
        alt.Chart(alt.Data(values=points))
        .mark_text(
            align=alt.ExprRef(f"{right} ? 'right' : 'left'"),
            dx=alt.ExprRef(f"{right} ? -8 : 8"),
            dy=-10,
        )
        .encode(x=x_enc, y=y_enc, text="label:N"),
    ]
    return finish(
        alt.layer(*layers).properties(width="container", height=CHART_HEIGHT),
        description=f"Roofline of {spec_title(system)} at {precision}",
    ).to_dict()


@pytest.mark.parametrize("design", DESIGNS, ids=lambda d: d[0])
def test_the_pareto_curve_is_altairs_chart_and_valid(design, vega_specs):
    profile = _profile(*design)
    track = {"model": profile.model, "system": profile.system, "inputs": {}}
    sweep = sweep_batches(track, {"precision": profile.precision})
    (spec,) = vega_specs(ParetoCurve(sweep, x="latency", y="throughput", design=profile))
    SpecChart(spec).to_dict(validate=True)
    assert spec == _altair_pareto(sweep, "latency", "throughput", profile)


@pytest.mark.parametrize("design", DESIGNS, ids=lambda d: d[0])
def test_the_roofline_is_altairs_chart_and_valid(design, vega_specs):
    profile = _profile(*design)
    (spec,) = vega_specs(Roofline(profile))
    SpecChart(spec).to_dict(validate=True)
    assert spec == _altair_roofline(profile)


def _altair_histogram(rows, marker_rows, labelled, domain, x_title, middle, description) -> dict:
    from labs.core.histogram import LABEL_LINE_PX

    bars = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color=style.ROLE["distribution"], opacity=0.8)
        .encode(
            x=alt.X("start:Q", title=x_title, bin="binned", scale=alt.Scale(domain=domain)),
            x2="end:Q",
            y=alt.Y("count:Q", title="Requests"),
            tooltip=[
                alt.Tooltip("start:Q", title="From", format=".3~g"),
                alt.Tooltip("end:Q", title="To", format=".3~g"),
                alt.Tooltip("count:Q", title="Requests"),
            ],
        )
    )
    roles = [row["role"] for row in marker_rows]
    color = alt.Color(
        "marker:N",
        scale=alt.Scale(
            domain=[row["marker"] for row in marker_rows], range=[style.ROLE[r] for r in roles]
        ),
        legend=None,
    )
    rules = (
        alt.Chart(alt.Data(values=marker_rows))
        .mark_rule(strokeWidth=2, clip=True)
        .encode(
            x="x:Q",
            color=color,
            strokeDash=alt.condition(alt.datum.role == "slo", alt.value([6, 4]), alt.value([1, 0])),
        )
    )
    texts = (
        alt.Chart(alt.Data(values=labelled))
        .mark_text(
            align=alt.ExprRef(f"datum.x > {middle!r} ? 'right' : 'left'"),
            dx=alt.ExprRef(f"datum.x > {middle!r} ? -4 : 4"),
            baseline="top",
            fontWeight="bold",
        )
        .encode(x="x:Q", y=alt.Y("line:Q", scale=None, axis=None), text="label:N", color=color)
    )
    return finish(
        alt.layer(bars, rules, texts).properties(
            width="container", height=CHART_HEIGHT, padding={"top": 4 + LABEL_LINE_PX * 3}
        ),
        description=description,
    ).to_dict()


@pytest.mark.parametrize(("track", "batch"), [("cloud_titan", 4), ("tiny_pioneer", 1)])
def test_the_histogram_is_altairs_chart_for_its_rows_and_valid(track, batch, vega_specs):
    """The histogram's layers are what altair writes for the same bars and markers (its numbers
    are tested in test_instruments)."""
    from labs.core.components import P99Histogram
    from labs.core.controls import serving_ledger, serving_slo

    node = {
        "cloud_titan": {"model": Models.Llama3_70B, "system": Systems.H100},
        "tiny_pioneer": {"model": Models.TinyLSTM, "system": Systems.STM32H743},
    }[track]
    serving = serving_ledger(track, {**node, "inputs": {}}, {"batch_size": batch})
    (spec,) = vega_specs(P99Histogram(serving, slo=serving_slo(track)))
    SpecChart(spec).to_dict(validate=True)
    bars, rules, texts = spec["layer"]
    middle = float(texts["mark"]["align"]["expr"].split(" > ")[1].split(" ?")[0])
    assert spec == _altair_histogram(
        bars["data"]["values"],
        rules["data"]["values"],
        texts["data"]["values"],
        bars["encoding"]["x"]["scale"]["domain"],
        bars["encoding"]["x"]["title"],
        middle,
        spec["description"],
    )
