"""The queue-wait curve (Volume 2, Lab 8): how long a job waits for the scheduler as the cluster
fills up, for jobs of more or less variable length.

Each point is the design's run rebuilt at one cluster load (``FleetReport`` with the scenario's
``queue_load``, and ``job_cv`` for the contrast curves): the engine's M/G/c queue of gang-scheduled
jobs, whose mean wait grows like ``rho / (1 - rho) x (1 + C^2) / 2 x E[S]``. Near saturation the
wait explodes, the faster the more the job lengths vary.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import marimo as mo

from labs.core import vega
from labs.core.charts import CHART_HEIGHT, card, data_table, empty_state, legend, note
from labs.core.format import format_in, format_number
from mlsys import FleetReport

#: Cluster loads plotted: 5% to 95% busy in steps of 5% (19 loads), plus the design's own.
LOADS: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(1, 20))

#: The job-size variability of the heavy-tailed contrast curve (coefficient of variation).
HEAVY_CV = 4.0

#: The y axis shows up to this factor times the design's own curve; a steeper curve leaves the
#: chart (the caption says where), rather than flattening the design's.
Y_ROOM = 1.25


def _cv_label(cv: float, design_cv: float) -> str:
    if cv == design_cv:
        return f"Your jobs (C = {format_number(cv)})"
    if cv == 0:
        return "Identical jobs (C = 0)"
    return f"Heavy tail (C = {format_number(cv)})"


def queue_sweep(profile: Any, *, loads: tuple[float, ...] = LOADS) -> list[dict[str, Any]]:
    """Mean queue wait (hours) of ``profile``'s run (a ``FleetReport``) at each cluster load in
    ``loads`` (and the design's), for the design's job-size variability ``C``, for identical
    jobs (``C = 0``) and for a heavy tail (``C = HEAVY_CV``): rows with ``load``, ``cv``,
    ``curve`` (label), ``wait`` (hour) and ``design`` (the curve of the design's ``C``). Empty
    when a job needs more devices than the cluster has. About 60 queue solves (0.5 ms each)."""
    scenario = profile.scenario
    design_cv = float(scenario.job_cv)
    if scenario.job_gpus > int(profile.step.devices):
        return []
    rows = []
    for cv in sorted({0.0, design_cv, HEAVY_CV}):
        points = {*loads, float(scenario.queue_load)} if cv == design_cv else set(loads)
        for load in sorted(points):
            run = FleetReport(profile.step, replace(scenario, queue_load=load, job_cv=cv))
            rows.append(
                {
                    "load": load,
                    "cv": cv,
                    "curve": _cv_label(cv, design_cv),
                    "wait": float(run.queue_wait.to("hour").magnitude),
                    "design": cv == design_cv,
                }
            )
    return rows


def QueueCurve(rows: list[dict[str, Any]], design: Any, *, title: str = "Queue wait") -> mo.Html:
    """The queue card of a ``queue_sweep``: mean wait in the scheduler's queue (hours) against
    the cluster's load (%), one line per job-size variability (colour and dash), the design
    (a ``FleetReport``) marked as a diamond at its load."""
    if not rows:
        return card(
            title,
            None,
            empty_state(
                f"A job needs {design.scenario.job_gpus} devices and the cluster has "
                f"{int(design.step.devices)}: no job can ever start, so there is no queue to draw."
            ),
            kind="queue_curve",
        )
    curves = list(dict.fromkeys(row["curve"] for row in sorted(rows, key=lambda r: r["cv"])))
    roles = [
        "good" if "C = 0)" in c else "design" if c.startswith("Your") else "bad" for c in curves
    ]
    dashes = [[6, 3] if "C = 0)" in c else [] if c.startswith("Your") else [2, 2] for c in curves]
    load = float(design.scenario.queue_load)
    wait = float(design.queue_wait.to("hour").magnitude)
    top = Y_ROOM * max(row["wait"] for row in rows if row["design"])
    x_enc = {
        "field": "load",
        "type": "quantitative",
        "title": "Cluster load (share of devices busy)",
        "scale": {"domain": [0, 1], "nice": False},
        "axis": {"tickCount": 5, "format": ".0%"},
    }
    y_enc = {
        "field": "wait",
        "type": "quantitative",
        "title": "Mean queue wait (hours)",
        "scale": {"domain": [0, max(top, 1e-9)], "nice": False},
        "axis": {"tickCount": 5, "format": ",.3~r"},
    }
    lines = {
        "mark": {"type": "line", "strokeWidth": 2, "clip": True},
        "encoding": {
            "x": x_enc,
            "y": y_enc,
            "color": {
                "field": "curve",
                "type": "nominal",
                "scale": vega.colour_scale(roles, curves),
                "legend": {"title": None, "orient": "bottom", "direction": "vertical"},
            },
            "strokeDash": {
                "field": "curve",
                "type": "nominal",
                "scale": {"domain": curves, "range": dashes},
                "legend": None,
            },
            "order": {"field": "load", "type": "quantitative"},
            "tooltip": [
                {"field": "curve", "type": "nominal", "title": "Jobs"},
                {"field": "load", "type": "quantitative", "title": "Load", "format": ".0%"},
                {"field": "wait", "type": "quantitative", "title": "Wait (h)", "format": ".3~g"},
            ],
        },
    }
    marker = vega.design_marker({"load": load, "wait": wait}, x_enc, y_enc)
    chart = vega.layered(
        [lines, marker],
        data=rows,
        height=CHART_HEIGHT,
        description=(
            f"Mean queue wait against cluster load; your design at {load:.0%} load waits "
            f"{format_in(design.queue_wait, 'hour')}; "
            + "; ".join(
                f"{curve} at 95% load: "
                + format_number(
                    next(r["wait"] for r in rows if r["curve"] == curve and r["load"] == 0.95)
                )
                + " h"
                for curve in curves
                if any(r["curve"] == curve and r["load"] == 0.95 for r in rows)
            )
        ),
    )
    captions = [
        legend(
            [
                (
                    "design",
                    "Your design (diamond)",
                    f"{load:.0%} load, waits {format_in(design.queue_wait, 'hour')}",
                )
            ]
        )
    ]
    above = sorted(
        {row["curve"]: row["load"] for row in reversed(rows) if row["wait"] > top}.items()
    )
    for curve, first in above:
        captions.append(note(f"{curve} leaves the chart above {first:.0%} load."))
    captions.append(
        note(
            "Waits grow like ρ / (1 − ρ): doubling the load from 45% to 90% multiplies them far "
            "more than twice, and variable job lengths multiply them again by (1 + C²) / 2."
        )
    )
    captions.append(
        data_table(
            ("Load", *curves),
            (
                (
                    f"{load_:.0%}",
                    *(
                        next(
                            (
                                format_number(r["wait"])
                                for r in rows
                                if r["curve"] == c and r["load"] == load_
                            ),
                            "",
                        )
                        for c in curves
                    ),
                )
                for load_ in sorted({row["load"] for row in rows})
            ),
            summary="The numbers behind this chart (hours)",
        )
    )
    return card(title, chart, *captions, kind="queue_curve")
