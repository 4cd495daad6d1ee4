"""The P99 histogram (unlocked in Lab 13): how request latencies spread under load, with the
median (P50), the tail (P99) and the service-level objective (SLO) the tail must meet."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.cards import fit_text
from labs.core.charts import CHART_HEIGHT, card, data_table, empty_state, legend, note
from labs.core.format import format_in, readable, unit_text
from labs.core.vega import layered, values
from mlsys import Quantity

#: Bars of the histogram.
BINS = 40

#: The x axis extends this share of the data's span past the last bar or marker.
LABEL_ROOM = 0.08
#: Vertical spacing of the marker labels (pixels); they sit above the plot, never on a bar.
LABEL_LINE_PX = 15
#: A marker further right than this many times the slowest request is left off the axis (a
#: note says where it is) rather than squeezing every bar into a sliver.
FAR_MARKER = 2.0

_MARKERS = (("p50", "P50"), ("p99", "P99"), ("slo", "SLO"))


def _from_simulation(source: Any) -> tuple[Any, Any, Any, Any]:
    """Samples (ms), P50, P99 and SLO from a ``SystemLedger`` (or its ``performance``) of a
    serving simulation; the SLO is the reliability deadline when the simulation evaluated one."""
    performance = getattr(source, "performance", source)
    reliability = getattr(source, "reliability", None)
    slo = getattr(reliability, "deadline", None) if reliability else None
    return (
        performance.latency_samples_ms,
        performance.latency_p50,
        performance.latency_p99,
        slo,
    )


def _shown(value: Quantity, unit: Any) -> str:
    # An overloaded node's queue grows without bound: mlsys reports an infinite percentile.
    if not math.isfinite(value.magnitude):
        return "unbounded (the node is overloaded)"
    return format_in(value, unit)


def histogram_rows(
    samples_ms: Sequence[float], unit: Any, bins: int = BINS
) -> list[dict[str, float]]:
    """Counts of ``samples_ms`` (times in ms) in ``bins`` equal bins, edges in ``unit``; empty
    when no sample is finite. Like numpy's histogram: the last bin holds its right edge."""
    scale = float(Quantity(1.0, "ms").to(unit).magnitude)
    times = [value * scale for value in samples_ms if math.isfinite(value)]
    if not times:  # an overloaded node: no request ever completes
        return []
    low, high = min(times), max(times)
    if low == high:  # one distinct value: a bin of width 1 around it
        low, high = low - 0.5, high + 0.5
    width = (high - low) / bins
    counts = [0] * bins
    for value in times:
        counts[min(int((value - low) / width), bins - 1)] += 1
    edges = [low + (high - low) * index / bins for index in range(bins + 1)]
    return [{"start": edges[i], "end": edges[i + 1], "count": counts[i]} for i in range(bins)]


def _domain(
    rows: list[dict[str, float]], markers: list[dict[str, Any]]
) -> tuple[list[float], list[dict[str, Any]]]:
    """The x range that fits the bars and the markers near them, and the markers left off it."""
    if not rows:
        return [0.0, max([1.0, *(m["x"] for m in markers)]) * 1.1], []
    low, high = rows[0]["start"], rows[-1]["end"]
    off = [m for m in markers if m["x"] > FAR_MARKER * high]
    near = [m["x"] for m in markers if m not in off]
    low, high = min([low, *near]), max([high, *near])
    span = high - low
    # From zero when the data starts near it (an honest latency axis), else from the data.
    start = 0.0 if low <= span else low - LABEL_ROOM * span
    return [start, high + LABEL_ROOM * span], off


def P99Histogram(
    samples: Any,
    p50: Quantity | None = None,
    p99: Quantity | None = None,
    slo: Quantity | None = None,
    *,
    title: str = "Latency distribution",
    design: Any = None,
) -> mo.Html:
    """The latency histogram card: request latencies (``samples``, time quantities), with
    vertical markers at ``p50`` and ``p99`` and the ``slo`` line, all labelled with their values
    (ms for most nodes; the unit follows the P99).

    ``samples`` may also be a serving simulation's ``SystemLedger`` (or its ``performance``):
    samples, P50 and P99 are then read from it, and the SLO from its reliability deadline unless
    ``slo`` is given. The percentiles are mlsys's; the kit only draws them. ``design`` (the
    node's ``Engine.solve`` profile) marks a design that does not fit in memory: it cannot
    load, so it neither meets the SLO nor is "overloaded".
    """
    if isinstance(samples, Sequence):
        samples_ms = [float(value.to("ms").magnitude) for value in samples]
    else:
        samples_ms, found_p50, found_p99, found_slo = _from_simulation(samples)
        p50 = p50 if p50 is not None else found_p50
        p99 = p99 if p99 is not None else found_p99
        slo = slo if slo is not None else found_slo
    if samples_ms is None or p50 is None or p99 is None:
        raise ValueError("P99Histogram needs latency samples, p50 and p99 (time quantities)")
    unit = readable(p99).units if math.isfinite(p99.magnitude) else Quantity(1.0, "ms").units
    rows = histogram_rows(samples_ms, unit)
    markers = {"p50": p50, "p99": p99, "slo": slo}
    labels = dict(_MARKERS)
    marker_rows = [
        {
            "marker": labels[role],
            "x": float(value.to(unit).magnitude),
            "role": role,
            "label": f"{labels[role]} {format_in(value, unit)}",
            # Labels on separate lines above the plot, so close markers (P50 near P99) stay
            # readable and no label sits on a bar.
            "line": -LABEL_LINE_PX * (len(markers) - index) + 4,
        }
        for index, (role, value) in enumerate(markers.items())
        if value is not None and math.isfinite(value.magnitude)
    ]
    domain, off_chart = _domain(rows, marker_rows)
    labelled = [row for row in marker_rows if row not in off_chart]
    middle = (domain[0] + domain[1]) / 2
    x_title = f"Request latency ({unit_text(Quantity(1, unit))})"
    # Plain Vega-Lite (labs.core.vega): the histogram redraws on every control move, and
    # building it through altair cost about 60 ms of CPU each time; tests hold it equal to
    # altair's chart.
    bars = {
        "data": values(rows),
        "mark": {"type": "bar", "color": style.ROLE["distribution"], "opacity": 0.8},
        "encoding": {
            "x": {
                "field": "start",
                "type": "quantitative",
                "title": x_title,
                "bin": "binned",
                "scale": {"domain": domain},
            },
            "x2": {"field": "end"},
            "y": {"field": "count", "type": "quantitative", "title": "Requests"},
            "tooltip": [
                {"field": "start", "type": "quantitative", "title": "From", "format": ".3~g"},
                {"field": "end", "type": "quantitative", "title": "To", "format": ".3~g"},
                {"field": "count", "type": "quantitative", "title": "Requests"},
            ],
        },
    }
    roles = [row["role"] for row in marker_rows]
    color = {
        "field": "marker",
        "type": "nominal",
        "scale": {"domain": [labels[r] for r in roles], "range": [style.ROLE[r] for r in roles]},
        "legend": None,
    }
    rules = {
        "data": values(marker_rows),
        "mark": {"type": "rule", "strokeWidth": 2, "clip": True},
        "encoding": {
            "x": {"field": "x", "type": "quantitative"},
            "color": color,
            # The SLO dashed, the percentiles solid: they differ in pattern as well as colour.
            "strokeDash": {
                "condition": {"test": "(datum.role === 'slo')", "value": [6, 4]},
                "value": [1, 0],
            },
        },
    }
    # A label right of the middle hangs left of its line, so it never leaves the chart.
    right_of_middle = f"datum.x > {middle!r}"
    texts = {
        "data": values(labelled),
        "mark": {
            "type": "text",
            "align": {"expr": f"{right_of_middle} ? 'right' : 'left'"},
            "dx": {"expr": f"{right_of_middle} ? -4 : 4"},
            "baseline": "top",
            "fontWeight": "bold",
        },
        "encoding": {
            "x": {"field": "x", "type": "quantitative"},
            "y": {"field": "line", "type": "quantitative", "scale": None, "axis": None},
            "text": {"field": "label", "type": "nominal"},
            "color": color,
        },
    }
    chart = layered(
        [bars, rules, texts],
        description="Latency histogram with " + ", ".join(row["label"] for row in marker_rows),
        height=CHART_HEIGHT,
        padding={"top": 4 + LABEL_LINE_PX * 3},
    )
    loads = design is None or bool(design.feasible)
    captions = [
        legend(
            (role, labels[role], _shown(value, unit) if loads or role == "slo" else "cannot load")
            for role, value in markers.items()
            if value is not None
        )
    ]
    if not loads:
        captions.append(
            note(
                f"This design cannot load: {fit_text(design)}. The latencies above "
                "describe a node that could not run it; no request would be served."
            )
        )
        return card(title, chart, *captions, kind="p99_histogram")
    for row in off_chart:
        captions.append(note(f"{row['label']} is off the chart, far right of the slowest request."))
    if rows:
        captions.append(
            data_table(
                (f"From ({unit_text(Quantity(1, unit))})", "To", "Requests"),
                (
                    (f"{row['start']:.3g}", f"{row['end']:.3g}", str(row["count"]))
                    for row in rows
                    if row["count"]
                ),
                summary="The numbers behind this chart",
            )
        )
    else:
        # Nothing to draw: say why instead of an empty plot with a meaningless axis.
        chart = None
        captions.append(
            empty_state(
                "Nothing to draw: no request completes. The load exceeds what the node can "
                "serve, so the queue grows without bound (the node is overloaded)."
            )
        )
    if slo is not None:
        verdict = "meets" if bool(p99 <= slo) else "misses"
        captions.append(
            note(
                f"The tail {verdict} the SLO: P99 {_shown(p99, unit)} against {_shown(slo, unit)}."
            )
        )
    return card(title, chart, *captions, kind="p99_histogram")
