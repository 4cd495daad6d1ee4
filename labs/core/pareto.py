"""The Pareto curve (unlocked in Lab 9): every configuration of an ``Engine.sweep``, the frontier
of those no other configuration beats on both axes, and the student's own design."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.charts import CHART_HEIGHT, card, data_table, legend, log_channel, note
from labs.core.format import format_quantity, readable, unit_text
from labs.core.labels import field_label
from labs.core.vega import colour_scale, layered, values
from mlsys import Quantity

#: Profile fields where more is better; every other field is better smaller.
HIGHER_IS_BETTER = frozenset({"throughput", "arithmetic_intensity"})

#: The profile fields a lab plots on a Pareto curve; their axis titles are the labels the
#: metric cards use (``labs.core.labels``, the one table of names).
PLOTTABLE: tuple[str, ...] = (
    "latency",
    "latency_compute",
    "latency_memory",
    "latency_overhead",
    "throughput",
    "energy",
    "energy_per_sample",
    "memory_footprint",
    "power",
    "arithmetic_intensity",
)

_POINT_KINDS = (
    ("frontier", "Pareto frontier"),
    ("dominated", "Beaten on both axes"),
    ("infeasible", "Does not fit in memory"),
)


def pareto_front(
    xs: Sequence[float], ys: Sequence[float], *, minimize_x: bool, minimize_y: bool
) -> list[bool]:
    """For each point, whether no other point is at least as good on both axes and better on one.

    Directions are per axis (``minimize_x``, ``minimize_y``). Ties on both axes all stay on the
    frontier. O(n log n).
    """
    sx = [x if minimize_x else -x for x in xs]
    sy = [y if minimize_y else -y for y in ys]
    order = sorted(range(len(sx)), key=lambda i: (sx[i], sy[i]))
    on_front = [False] * len(sx)
    best_y = float("inf")
    best_x_at_best_y = float("-inf")
    for i in order:
        if sy[i] < best_y:
            on_front[i] = True
            best_y, best_x_at_best_y = sy[i], sx[i]
        elif sy[i] == best_y and sx[i] == best_x_at_best_y:
            on_front[i] = True  # an exact duplicate of a frontier point
    return on_front


def _field(source: Any, name: str) -> Any:
    if isinstance(source, Mapping):
        return source[name]
    try:
        return getattr(source, name)
    except AttributeError:
        raise ValueError(
            f"{name!r} is not a field of {type(source).__name__}; plot one of "
            f"{', '.join(PLOTTABLE)}"
        ) from None


def _points(value: Any) -> list[Any]:
    """A field of a sweep (a tuple of quantities) or of one profile (a quantity) as a list."""
    return list(value) if isinstance(value, tuple | list) else [value]


def _spread(value: Any, count: int) -> list[Any]:
    """One entry per point: a per-point tuple as it is, a shared value repeated."""
    return list(value) if isinstance(value, tuple | list) else [value] * count


def _median_unit(quantities: list[Any]) -> Any:
    """The readable display unit of the median of ``quantities`` (all of one dimension)."""
    unit = quantities[0].units
    middle = statistics.median(float(value.to(unit).magnitude) for value in quantities)
    return readable(Quantity(middle, unit)).units


def pareto_rows(sweep: Any, x: str, y: str) -> tuple[list[dict[str, Any]], Any, Any]:
    """The points of ``sweep`` (an ``Engine.sweep`` result) with their kind, and the x and y
    display units. Points that do not fit in memory never join the frontier."""
    x_all, y_all = _points(_field(sweep, x)), _points(_field(sweep, y))
    x_unit, y_unit = _median_unit(x_all), _median_unit(y_all)
    xs = [float(value.to(x_unit).magnitude) for value in x_all]
    ys = [float(value.to(y_unit).magnitude) for value in y_all]
    feasible = _spread(getattr(sweep, "feasible", True), len(xs))
    batch = _spread(getattr(sweep, "batch_size", math.nan), len(xs))
    efficiency = _spread(getattr(sweep, "efficiency", math.nan), len(xs))
    fits = [i for i in range(len(xs)) if feasible[i]]
    front = pareto_front(
        [xs[i] for i in fits],
        [ys[i] for i in fits],
        minimize_x=x not in HIGHER_IS_BETTER,
        minimize_y=y not in HIGHER_IS_BETTER,
    )
    kind = ["infeasible"] * len(xs)
    for i, on in zip(fits, front, strict=True):
        kind[i] = "frontier" if on else "dominated"
    labels = dict(_POINT_KINDS)
    rows = [
        {
            "x": xs[i],
            "y": ys[i],
            "kind": labels[kind[i]],
            "batch_size": batch[i],
            "efficiency": efficiency[i],
        }
        for i in range(len(xs))
    ]
    return rows, x_unit, y_unit


def frontier_caption(on_frontier: int, total: int) -> str:
    """What the frontier holds, in words that never contradict the chart: how many of the
    configurations are on it, or why there is none (nothing fits in memory)."""
    if on_frontier == 0:
        return (
            f"None of the {total} configurations fits in memory, so there is no frontier: every "
            "point here describes a design that cannot load."
        )
    return (
        f"{on_frontier} of {total} configurations are on the frontier: none of the others beats "
        "them on both axes."
    )


def ParetoCurve(
    sweep_profile: Any,
    x: str = "latency",
    y: str = "throughput",
    design: Any = None,
    *,
    title: str = "Pareto curve",
) -> mo.Html:
    """The Pareto curve card of an ``Engine.sweep`` profile: fields ``x`` and ``y`` (profile field
    names, e.g. "latency" in ms against "throughput" in sample/s), the frontier drawn as a line,
    points that do not fit in memory greyed out, and the student's ``design`` (an
    ``Engine.solve`` profile, or a mapping with the two fields as quantities) marked.
    """
    rows, x_unit, y_unit = pareto_rows(sweep_profile, x, y)
    x_title = f"{field_label(x)} ({unit_text(Quantity(1, x_unit))})"
    y_title = f"{field_label(y)} ({unit_text(Quantity(1, y_unit))})"
    kinds = [label for _, label in _POINT_KINDS]
    # Plain Vega-Lite (labs.core.vega): the curve redraws on every control move, and building
    # it through altair cost about 70 ms of CPU each time; tests hold it equal to altair's chart.
    # Few, non-overlapping ticks: a log axis over decades crowds a phone-width chart otherwise.
    axis = {"tickCount": 5, "labelOverlap": "greedy", "format": "~g"}
    x_enc = log_channel("x", x_title, axis)
    y_enc = log_channel("y", y_title, axis)
    points = {
        "data": values(rows),
        "mark": {"type": "point", "size": 60, "opacity": 0.9, "filled": True},
        "encoding": {
            "x": x_enc,
            "y": y_enc,
            "color": {
                "field": "kind",
                "type": "nominal",
                "scale": colour_scale([role for role, _ in _POINT_KINDS], kinds),
                "legend": {"title": None, "orient": "bottom", "direction": "vertical"},
            },
            # Shape as well as colour, so the kinds differ for colour-blind readers too.
            "shape": {
                "field": "kind",
                "type": "nominal",
                "scale": {"domain": kinds, "range": ["circle", "square", "cross"]},
                "legend": None,
            },
            "tooltip": [
                {"field": "batch_size", "type": "quantitative", "title": "Batch size"},
                {
                    "field": "efficiency",
                    "type": "quantitative",
                    "title": "Efficiency",
                    "format": ".2f",
                },
                {"field": "x", "type": "quantitative", "title": x_title, "format": ".3~g"},
                {"field": "y", "type": "quantitative", "title": y_title, "format": ".3~g"},
            ],
        },
    }
    frontier = [row for row in rows if row["kind"] == dict(_POINT_KINDS)["frontier"]]
    line = {
        "data": values(frontier),
        "mark": {"type": "line", "strokeWidth": 2},
        "encoding": {
            "x": x_enc,
            "y": y_enc,
            "order": {"field": "x", "type": "quantitative"},
            "color": {"value": style.ROLE["frontier"]},
        },
    }
    layers = [line, points]
    captions = [note(frontier_caption(len(frontier), len(rows)))]
    if design is not None:
        dx, dy = _field(design, x), _field(design, y)
        mark = {"x": float(dx.to(x_unit).magnitude), "y": float(dy.to(y_unit).magnitude)}
        fits = bool(getattr(design, "feasible", True))
        mark["label"] = "Your design" if fits else "Your design (does not fit)"
        layers.append(
            {
                "data": values([mark]),
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "size": 220,
                    "filled": True,
                    "stroke": style.WHITE,
                },
                "encoding": {"x": x_enc, "y": y_enc, "color": {"value": style.ROLE["design"]}},
            }
        )
        # No text label on the plot (it covered neighbouring points): the caption names the
        # diamond, with its values.
        captions.insert(
            0,
            legend(
                [
                    (
                        "design",
                        mark["label"],
                        f"{format_quantity(dx)}, {format_quantity(dy)}"
                        + ("" if fits else ": it cannot load on this node"),
                    )
                ]
            ),
        )
    captions.append(
        data_table(
            ("Batch size", x_title, y_title, "Point"),
            (
                (f"{row['batch_size']:g}", f"{row['x']:.3g}", f"{row['y']:.3g}", row["kind"])
                for row in rows
            ),
            summary="The numbers behind this chart",
        )
    )
    chart = layered(
        layers,
        description=f"Pareto curve of {y} against {x}: {len(frontier)} frontier points",
        height=CHART_HEIGHT,
    )
    return card(title, chart, *captions, kind="pareto")
