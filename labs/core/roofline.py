"""The roofline (unlocked in Lab 11): the most a node can compute at each arithmetic intensity,
and where the student's workloads sit under it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.charts import CHART_HEIGHT, card, legend, log_channel, note
from labs.core.format import format_quantity, readable, unit_text
from labs.core.labels import option_label, spec_title
from labs.core.vega import layered, values
from mlsys import Quantity

#: How far the roof extends either side of the ridge point and the plotted workloads (factor).
MARGIN = 10.0


def achieved_performance(profile: Any) -> Quantity:
    """FLOP/s one batch achieved end to end: its work over its latency (``profile.flops`` /
    ``profile.latency``), i.e. where the workload sits under the roof."""
    return profile.achieved_flops


def roof_points(system: Any, precision: str, low: float, high: float) -> list[dict[str, float]]:
    """The roof of ``system`` at ``precision`` from intensity ``low`` to ``high`` (FLOP/byte):
    the memory slope up to the ridge point, then the flat compute peak (FLOP/s)."""
    ridge = system.ridge_point(precision).to("FLOP/byte").magnitude
    # On log-log axes the roof is two straight segments; three corners draw it exactly.
    corners = [min(low, ridge), ridge, max(high, ridge)]
    return [
        {
            "intensity": i,
            "performance": float(system.attainable(precision, i).to("FLOP/second").magnitude),
        }
        for i in corners
    ]


def Roofline(
    subject: Any,
    precision: str | None = None,
    *,
    profiles: Sequence[Any] = (),
    title: str = "Roofline",
) -> mo.Html:
    """The roofline card: attainable performance (FLOP/s) against arithmetic intensity
    (FLOP/byte), log-log, with the ridge point marked.

    ``subject`` is a ``PerformanceProfile`` (its system and precision are used and it is plotted)
    or a ``SystemSpec`` (``precision`` defaults to the system's default). ``profiles`` adds more
    workloads as points, each labelled with its model and batch size.
    """
    plotted = list(profiles)
    if hasattr(subject, "arithmetic_intensity"):
        plotted.insert(0, subject)
        # A step on a cluster sits on the roofline of the node each of its devices is.
        system = getattr(subject, "node", subject.system)
        precision = precision or subject.precision
    else:
        system, precision = subject, precision or subject.default_precision
    ridge = system.ridge_point(precision)
    peak = system.peak(precision)
    points = [
        {
            "intensity": float(p.arithmetic_intensity.to("FLOP/byte").magnitude),
            "performance": float(achieved_performance(p).magnitude),
            "label": f"{spec_title(p.model)}, batch {p.batch_size}",
            "bottleneck": str(p.bottleneck),
        }
        for p in plotted
    ]
    intensities = [ridge.magnitude, *(p["intensity"] for p in points)]
    roof = roof_points(system, precision, min(intensities) / MARGIN, max(intensities) * MARGIN)
    y_unit = readable(peak).units
    scale = float(Quantity(1, "FLOP/second").to(y_unit).magnitude)
    for row in (*roof, *points):
        row["shown"] = row["performance"] * scale
    # Plain Vega-Lite (labs.core.vega): the roofline redraws on every control move, and
    # building it through altair cost about 55 ms of CPU each time; tests hold it equal to
    # altair's chart. Few ticks: a log axis over many decades is unreadable on a phone otherwise.
    axis = {"tickCount": 4, "format": "~g", "labelOverlap": True, "grid": True}
    x_enc = log_channel("intensity", "Intensity (FLOP/byte)", axis)
    y_title = f"Performance ({unit_text(Quantity(1, y_unit))})"
    y_enc = log_channel("shown", y_title, axis)
    layers: list[dict[str, Any]] = [
        {
            "data": values(roof),
            "mark": {"type": "line", "strokeWidth": 3, "color": style.ROLE["roof"]},
            "encoding": {"x": x_enc, "y": y_enc},
        },
        {
            "data": values([{"intensity": float(ridge.magnitude)}]),
            "mark": {"type": "rule", "strokeDash": [4, 4], "color": style.ROLE["ridge"]},
            "encoding": {"x": {"field": "intensity", "type": "quantitative"}},
        },
    ]
    if points:
        layers.append(
            {
                "data": values(points),
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 110,
                    "color": style.ROLE["point"],
                },
                "encoding": {
                    "x": x_enc,
                    "y": y_enc,
                    "tooltip": [
                        {"field": "label", "type": "nominal", "title": "Workload"},
                        {"field": "bottleneck", "type": "nominal", "title": "Bound by"},
                    ],
                },
            }
        )
        # Right of the ridge the label hangs left of its point, so it stays on the chart.
        right_of_ridge = f"datum.intensity > {ridge.magnitude!r}"
        layers.append(
            {
                "data": values(points),
                "mark": {
                    "type": "text",
                    "align": {"expr": f"{right_of_ridge} ? 'right' : 'left'"},
                    "dx": {"expr": f"{right_of_ridge} ? -8 : 8"},
                    "dy": -10,
                },
                "encoding": {"x": x_enc, "y": y_enc, "text": {"field": "label", "type": "nominal"}},
            }
        )
    chart = layered(
        layers, description=f"Roofline of {spec_title(system)} at {precision}", height=CHART_HEIGHT
    )
    items = [
        (
            "roof",
            f"{spec_title(system)} {option_label('precision', precision)} peak",
            format_quantity(peak),
        ),
        ("ridge", "Ridge point", format_quantity(ridge)),
    ]
    items += [
        (
            "point",
            row["label"],
            f"{format_quantity(achieved_performance(p))} ({row['bottleneck']}-bound)",
        )
        for row, p in zip(points, plotted, strict=True)
    ]
    captions = [
        legend(items),
        note(
            "Left of the ridge point a workload waits for memory; right of it, for arithmetic. "
            "A point sits below the roof by what efficiency and the dispatch tax cost."
        ),
    ]
    return card(title, chart, *captions, kind="roofline")
