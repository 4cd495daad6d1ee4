"""The latency waterfall: where one batch's time goes (guide section 6.2).

Compute and memory overlap (the slower one binds), the dispatch tax is paid on top of the
binding one, and the total closes the waterfall. The overhead bar is always drawn: when the tax
is too small to see at the chart's scale it is widened to ``MIN_VISIBLE_FRACTION`` of the total
and its label still states its true value. No argument can hide it.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import marimo as mo

from labs.core.charts import CHART_HEIGHT, card, finish, legend, note, palette_scale
from labs.core.format import format_in, readable, unit_text
from mlsys import Quantity

#: The four bars, in the order they are drawn: (role in ``style.ROLE``, label).
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("compute", "Compute"),
    ("memory", "Memory"),
    ("overhead", "Overhead (dispatch tax)"),
    ("total", "Total"),
)
OVERHEAD_LABEL = SEGMENTS[2][1]

#: The time axis extends this factor past the longest bar, so its value label fits even on a
#: phone, where the plot is under 200 px wide.
LABEL_ROOM = 1.45

#: Smallest drawn width of the overhead bar, as a fraction of the total bar.
MIN_VISIBLE_FRACTION = 0.03


def waterfall_rows(profile: Any) -> list[dict[str, Any]]:
    """The bars of ``profile``'s waterfall, one dict each, all times in one display unit.

    ``profile`` needs ``latency``, ``latency_compute``, ``latency_memory`` and
    ``latency_overhead`` (time quantities). Each row has ``segment`` (label), ``role``,
    ``start``/``end`` (drawn extent), ``value`` (true duration), ``label`` (value with unit) and
    ``unit``.
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
        for role, label in SEGMENTS
    ]


def LatencyWaterfall(profile: Any, *, title: str = "Latency waterfall") -> mo.Html:
    """The latency waterfall card of one ``PerformanceProfile``.

    Bars: compute and memory time (both from zero: they overlap), the overhead "Overhead
    (dispatch tax)" stacked after the binding one, and the total latency. Times are shown in one
    readable unit (ms for most nodes, µs or s when that reads better); every bar is labelled with
    its value. The overhead bar is always present (see the module docstring).
    """
    rows = waterfall_rows(profile)
    unit = rows[-1]["unit"]
    labels = [label for _, label in SEGMENTS]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("segment:N", sort=labels, title=None, axis=alt.Axis(labelLimit=150)),
    )
    bars = base.mark_bar(height=22, cornerRadius=2).encode(
        # Head room on the right for the value labels.
        x=alt.X(
            "start:Q",
            title=f"Time ({unit})",
            scale=alt.Scale(domain=[0, LABEL_ROOM * max(row["end"] for row in rows)], nice=False),
            axis=alt.Axis(tickCount=4),
        ),
        x2="end:Q",
        color=alt.Color(
            "segment:N", scale=palette_scale([role for role, _ in SEGMENTS], labels), legend=None
        ),
        tooltip=[alt.Tooltip("segment:N", title="Segment"), alt.Tooltip("label:N", title="Time")],
    )
    values = base.mark_text(align="left", dx=4).encode(x="end:Q", text="label:N")
    chart = finish(
        alt.layer(bars, values).properties(width="container", height=CHART_HEIGHT * 0.6),
        description="Latency waterfall: "
        + "; ".join(f"{row['segment']} {row['label']}" for row in rows),
    )
    captions = [legend((row["role"], row["segment"], row["label"]) for row in rows)]
    bottleneck = getattr(profile, "bottleneck", None)
    if isinstance(bottleneck, str):
        captions.append(
            note(
                f"{bottleneck}-bound: the slower of compute and memory sets the pace; the dispatch "
                "tax is paid on top of it."
            )
        )
    overhead = rows[2]
    if overhead["end"] - overhead["start"] > overhead["value"]:
        captions.append(
            note(
                f"{OVERHEAD_LABEL} is drawn wider than its true {overhead['label']} so it stays "
                "visible."
            )
        )
    return card(title, chart, *captions, kind="waterfall")
