"""The latency waterfall: where one batch's time goes (guide section 6.2).

Compute and memory overlap (the slower one binds), the dispatch tax is paid on top of the
binding one, and the total closes the waterfall. A step on a cluster (a ``FleetProfile`` or
``FleetReport``, Volume 2) adds two more bars after the tax: the communication left on the
critical path after overlap, and the pipeline bubble, so that
``T_step = max(T_compute, T_memory) + T_overhead + T_comm + T_bubble`` reads off the chart.

The overhead bar is always drawn: when the tax is too small to see at the chart's scale it is
widened to ``MIN_VISIBLE_FRACTION`` of the total and its label still states its true value. No
argument can hide it.
"""

from __future__ import annotations

from typing import Any

import marimo as mo

from labs.core.charts import CHART_HEIGHT, card, legend, note
from labs.core.format import format_in, readable, unit_text
from labs.core.vega import colour_scale, layered
from mlsys import Quantity

#: The four bars, in the order they are drawn: (role in ``style.ROLE``, label).
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("compute", "Compute"),
    ("memory", "Memory"),
    ("overhead", "Overhead (dispatch tax)"),
    ("total", "Total"),
)
OVERHEAD_LABEL = SEGMENTS[2][1]

#: The bars of a step on a cluster: the node's, then communication and bubble before the total.
FLEET_SEGMENTS: tuple[tuple[str, str], ...] = (
    *SEGMENTS[:3],
    ("communication", "Communication (exposed)"),
    ("bubble", "Pipeline bubble"),
    SEGMENTS[3],
)

#: Each bar's colour role in ``style.ROLE``: communication is a tax paid on top of the node's
#: work, like the dispatch tax (red); the bubble is idle time (grey).
COLOUR_ROLE = {"communication": "bad", "bubble": "muted"}


def is_fleet(profile: Any) -> bool:
    """Whether ``profile`` is a step on a cluster (it has communication and bubble times)."""
    return hasattr(profile, "latency_communication") and hasattr(profile, "latency_bubble")


def segments_of(profile: Any) -> tuple[tuple[str, str], ...]:
    """The (role, label) bars of ``profile``'s waterfall: ``FLEET_SEGMENTS`` on a cluster,
    else ``SEGMENTS``."""
    return FLEET_SEGMENTS if is_fleet(profile) else SEGMENTS


#: How the fleet caption names each bar when it is the largest term of the step.
BOUND_BY = {
    "compute": "Compute-bound",
    "memory": "Memory-bound",
    "overhead": "Overhead-bound (the dispatch tax)",
    "communication": "Communication-bound",
    "bubble": "Bubble-bound (the pipeline bubble)",
}


def largest_term(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The row of the largest term of the step among ``rows`` (a ``waterfall_rows``): compute,
    memory, the dispatch tax, exposed communication or the bubble, by true value (the first of
    equals). ``FleetProfile.bottleneck`` weighs compute, memory and communication only, so a
    step whose dispatch tax or bubble is the longest bar would be named after a shorter one."""
    terms = [row for row in rows if row["role"] in BOUND_BY]
    return max(terms, key=lambda row: row["value"])


#: The time axis extends this factor past the longest bar, so its value label fits even on a
#: phone, where the plot is under 200 px wide.
LABEL_ROOM = 1.45

#: Smallest drawn width of the overhead bar, as a fraction of the total bar.
MIN_VISIBLE_FRACTION = 0.03


def waterfall_rows(profile: Any) -> list[dict[str, Any]]:
    """The bars of ``profile``'s waterfall, one dict each, all times in one display unit.

    ``profile`` needs ``latency``, ``latency_compute``, ``latency_memory`` and
    ``latency_overhead`` (time quantities), and on a cluster ``latency_communication`` and
    ``latency_bubble`` (stacked after the tax, in that order). Each row has ``segment``
    (label), ``role``, ``start``/``end`` (drawn extent), ``value`` (true duration), ``label``
    (value with unit) and ``unit``.
    """
    if not isinstance(profile.latency, Quantity):
        raise ValueError(
            "profile: a waterfall shows one configuration; pass an Engine.solve profile, not a "
            "sweep (plot sweeps with ParetoCurve)"
        )
    times = {
        "compute": profile.latency_compute,
        "memory": profile.latency_memory,
        "overhead": profile.latency_overhead,
        "total": profile.latency,
    }
    segments = segments_of(profile)
    if segments is FLEET_SEGMENTS:
        times["communication"] = profile.latency_communication
        times["bubble"] = profile.latency_bubble
    unit = readable(times["total"]).units if times["total"].magnitude else times["total"].units
    value = {role: float(times[role].to(unit).magnitude) for role in times}
    # Layout, not physics: the tax starts where the binding one of compute and memory ends.
    bound = max(value["compute"], value["memory"])
    visible = max(value["overhead"], MIN_VISIBLE_FRACTION * value["total"])
    extent = {
        "compute": (0.0, value["compute"]),
        "memory": (0.0, value["memory"]),
        "overhead": (bound, bound + visible),
        "total": (0.0, value["total"]),
    }
    if segments is FLEET_SEGMENTS:
        # Each cluster term follows the one before it (on its own row), from the tax's true
        # end, so that the bubble ends where the total does.
        after_tax = bound + value["overhead"]
        extent["communication"] = (after_tax, after_tax + value["communication"])
        after_comm = after_tax + value["communication"]
        extent["bubble"] = (after_comm, after_comm + value["bubble"])
    return [
        {
            "segment": label,
            "role": role,
            "start": extent[role][0],
            "end": extent[role][1],
            "value": value[role],
            "label": format_in(times[role], unit),
            "unit": unit_text(times[role].to(unit)),
        }
        for role, label in segments
    ]


def LatencyWaterfall(profile: Any, *, title: str = "Latency waterfall") -> mo.Html:
    """The latency waterfall card of one ``PerformanceProfile``, or of a step on a cluster
    (``FleetProfile`` / ``FleetReport``).

    Bars: compute and memory time (both from zero: they overlap), the overhead "Overhead
    (dispatch tax)" stacked after the binding one, on a cluster the exposed communication and
    the pipeline bubble stacked after it, and the total latency (the step time). Times are
    shown in one readable unit (ms for most nodes, µs or s when that reads better); every bar
    is labelled with its value. The overhead bar is always present (see the module docstring).
    """
    rows = waterfall_rows(profile)
    unit = rows[-1]["unit"]
    segments = segments_of(profile)
    labels = [label for _, label in segments]
    roles = [COLOUR_ROLE.get(role, role) for role, _ in segments]
    # Plain Vega-Lite (labs.core.vega): it redraws on every control move, and building it
    # through altair cost 50-150 ms of each move; tests hold it equal to altair's chart.
    y = {
        "field": "segment",
        "type": "nominal",
        "sort": labels,
        "title": None,
        # "Communication (exposed)" needs more room than the single-node labels.
        "axis": {"labelLimit": 150 if segments is SEGMENTS else 190},
    }
    bars = {
        "mark": {"type": "bar", "height": 22, "cornerRadius": 2},
        "encoding": {
            "y": y,
            # Head room on the right for the value labels.
            "x": {
                "field": "start",
                "type": "quantitative",
                "title": f"Time ({unit})",
                "scale": {
                    "domain": [0, LABEL_ROOM * max(row["end"] for row in rows)],
                    "nice": False,
                },
                "axis": {"tickCount": 4},
            },
            "x2": {"field": "end"},
            "color": {
                "field": "segment",
                "type": "nominal",
                "scale": colour_scale(roles, labels),
                "legend": None,
            },
            "tooltip": [
                {"field": "segment", "type": "nominal", "title": "Segment"},
                {"field": "label", "type": "nominal", "title": "Time"},
            ],
        },
    }
    values = {
        "mark": {"type": "text", "align": "left", "dx": 4},
        "encoding": {
            "y": y,
            "x": {"field": "end", "type": "quantitative"},
            "text": {"field": "label", "type": "nominal"},
        },
    }
    chart = layered(
        [bars, values],
        description="Latency waterfall: "
        + "; ".join(f"{row['segment']} {row['label']}" for row in rows),
        height=CHART_HEIGHT * 0.6 * len(rows) / len(SEGMENTS),
        data=rows,
    )
    captions = [
        legend(
            (COLOUR_ROLE.get(row["role"], row["role"]), row["segment"], row["label"])
            for row in rows
        )
    ]
    bottleneck = getattr(profile, "bottleneck", None)
    if segments is FLEET_SEGMENTS:
        largest = largest_term(rows)
        captions.append(
            note(
                f"{BOUND_BY[largest['role']]}: the largest term of the step, {largest['label']} "
                f"of {rows[-1]['label']}. The slower of compute and memory sets each device's "
                "pace; the dispatch tax, the communication that overlap does not hide and the "
                "pipeline bubble are paid on top of it."
            )
        )
    elif isinstance(bottleneck, str):
        captions.append(
            note(
                f"{bottleneck}-bound: the slower of compute and memory sets the pace; the dispatch "
                "tax is paid on top of it."
            )
        )
    overhead = rows[2]  # the tax is the third bar of both layouts
    if overhead["end"] - overhead["start"] > overhead["value"]:
        captions.append(
            note(
                f"{OVERHEAD_LABEL} is drawn wider than its true {overhead['label']} so it stays "
                "visible."
            )
        )
    return card(title, chart, *captions, kind="waterfall")
