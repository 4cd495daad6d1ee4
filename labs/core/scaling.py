"""The scaling curve (Volume 2, Lab 1): what doubling the data-parallel replicas buys.

Each point is the engine's step on a cluster of ``dp * tp * pp`` devices, everything else as the
controls set it; the global batch is split over more replicas, so perfect scaling would halve
the step each time the devices double. Communication grows instead, and the step time bends away
from the perfect line while the scaling efficiency ``T_c / (N T_step)`` falls.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import marimo as mo

from labs.core import style, vega
from labs.core.charts import CHART_HEIGHT, card, data_table, empty_state, legend, note
from labs.core.configuration import (
    engine_inputs,
    powers_of_two,
    solve_inputs,
    starting_values,
)
from labs.core.format import format_in, format_number, readable, unit_text
from mlsys import Quantity

#: The replicas a scaling curve tries: 1, 2, 4, ... 1024 (the sweep ``labgen validate`` assumes
#: for an instrument that sweeps ``dp``).
DP_STEPS: tuple[int, ...] = tuple(powers_of_two(1, 1024))

_KINDS = (("frontier", "Fits in memory"), ("infeasible", "Does not fit in memory"))


def sweep_devices(
    track: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    decisions: Mapping[str, Any] | None = None,
    *,
    controls: Sequence[Mapping[str, Any]] = (),
    replicas: Sequence[int] = DP_STEPS,
) -> list[Any]:
    """The ``FleetReport`` of each data-parallel width in ``replicas`` (and the design's own
    ``dp``), every other input as the track, the earlier labs' ``decisions`` and the controls'
    ``values`` set it (with the one value of any of the KAT's ``controls`` hidden on the track,
    as ``live_inputs`` reads them); in order of ``dp``. Widths the engine refuses (a global
    batch that does not split into ``dp * microbatches`` equal parts) are left out. One solve
    each (about 1 ms)."""
    chosen = {**starting_values(controls, track, decisions), **(values or {})}
    plan = engine_inputs(track, chosen, decisions).get("parallelism")
    widths = sorted({*replicas, plan.dp if plan is not None else 1})
    reports = []
    for dp in widths:
        try:
            reports.append(solve_inputs(engine_inputs(track, {**chosen, "dp": dp}, decisions)))
        except ValueError:
            continue  # a plan the engine refuses is not a point of the curve
    return reports


def _devices(report: Any) -> int:
    return int(report.devices.magnitude) if isinstance(report.devices, Quantity) else report.devices


def _efficiency(report: Any) -> float:
    value = report.scaling_efficiency
    return float(value.magnitude) if isinstance(value, Quantity) else float(value)


def scaling_rows(reports: Sequence[Any]) -> tuple[list[dict[str, Any]], Any]:
    """One row per report: ``dp``, ``devices``, ``step`` (step time in the display unit, the
    readable unit of the median step), ``perfect`` (the step if the work divided perfectly,
    ``T_c / N``: the engine's efficiency times its step time), ``efficiency`` (a fraction),
    ``fits`` and ``kind``; and the display unit."""
    if not reports:
        return [], None
    unit = reports[0].latency.units
    middle = statistics.median(float(r.latency.to(unit).magnitude) for r in reports)
    unit = readable(Quantity(middle, unit)).units
    kinds = dict(_KINDS)
    rows = []
    for report in reports:
        step = float(report.latency.to(unit).magnitude)
        fits = bool(getattr(report, "feasible", True))
        rows.append(
            {
                "dp": report.parallelism.dp,
                "devices": _devices(report),
                "step": step,
                "perfect": _efficiency(report) * step,
                "efficiency": _efficiency(report),
                "fits": fits,
                "kind": kinds["frontier" if fits else "infeasible"],
                "label": format_in(report.latency, unit),
            }
        )
    return rows, unit


def _panel(
    rows: list[dict[str, Any]], y: str, title: str, scale: dict[str, Any], fmt: str
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """The x and y encodings and the line and point layers of one panel."""
    devices = sorted({row["devices"] for row in rows})
    x_enc = vega.log_axis("Devices (dp × tp × pp)", "devices", base=2, values=devices)
    y_enc = {
        "field": y,
        "type": "quantitative",
        "title": title,
        "scale": scale,
        "axis": {"tickCount": 4, "format": fmt},
    }
    kinds = [label for _, label in _KINDS]
    line = {
        "mark": {"type": "line", "strokeWidth": 2, "color": style.ROLE["frontier"]},
        "encoding": {"x": x_enc, "y": y_enc, "order": {"field": "devices", "type": "quantitative"}},
    }
    points = {
        "mark": {"type": "point", "size": 60, "filled": True, "opacity": 0.9},
        "encoding": {
            "x": x_enc,
            "y": y_enc,
            "color": {
                "field": "kind",
                "type": "nominal",
                "scale": vega.colour_scale([r for r, _ in _KINDS], kinds),
                "legend": None,
            },
            # Shape as well as colour, so the kinds differ for colour-blind readers too.
            "shape": {
                "field": "kind",
                "type": "nominal",
                "scale": {"domain": kinds, "range": ["circle", "cross"]},
                "legend": None,
            },
            "tooltip": [
                {"field": "devices", "type": "quantitative", "title": "Devices"},
                {"field": "dp", "type": "quantitative", "title": "Data-parallel replicas"},
                {"field": y, "type": "quantitative", "title": title, "format": fmt},
                {"field": "kind", "type": "nominal", "title": "Memory"},
            ],
        },
    }
    return x_enc, y_enc, [line, points]


def ScalingCurve(
    sweep: Sequence[Any], design: Any = None, *, title: str = "Scaling curve"
) -> mo.Html:
    """The scaling-curve card of a ``sweep_devices`` sweep: step time (log) and scaling
    efficiency (%) against devices (log2), the perfect-scaling line ``T_c / N`` dashed beside the
    step time, designs that do not fit in memory drawn as crosses, and the student's ``design``
    (a ``FleetReport``) marked as a diamond on both."""
    rows, unit = scaling_rows(sweep)
    if not rows:
        return card(
            title,
            None,
            empty_state(
                "No data-parallel width splits this global batch evenly: there is no curve to "
                "draw. Change the batch size or the microbatches."
            ),
            kind="scaling_curve",
        )
    step_title = f"Step time ({unit_text(Quantity(1, unit))})"
    x_step, y_step, step_layers = _panel(rows, "step", step_title, {"type": "log"}, "~g")
    perfect = {
        "mark": {
            "type": "line",
            "strokeWidth": 2,
            "strokeDash": [5, 4],
            "color": style.ROLE["muted"],
        },
        "encoding": {
            "x": x_step,
            "y": {**y_step, "field": "perfect"},
            "order": {"field": "devices", "type": "quantitative"},
        },
    }
    step_layers.insert(0, perfect)
    x_eff, y_eff, eff_layers = _panel(
        rows,
        "efficiency",
        "Scaling efficiency",
        {"domain": [0, 1.05], "nice": False, "clamp": True},
        ".0%",
    )
    captions = []
    if design is not None:
        mark = {
            "devices": _devices(design),
            "step": float(design.latency.to(unit).magnitude),
            "efficiency": _efficiency(design),
        }
        step_layers.append(vega.design_marker(mark, x_step, y_step))
        eff_layers.append(vega.design_marker(mark, x_eff, y_eff))
        fits = bool(getattr(design, "feasible", True))
        captions.append(
            legend(
                [
                    (
                        "design",
                        "Your design" if fits else "Your design (does not fit)",
                        f"{mark['devices']:,} devices, step {format_in(design.latency, unit)}, "
                        f"efficiency {mark['efficiency']:.0%}",
                    )
                ]
            )
        )
    captions.append(
        legend(
            [
                ("frontier", "Step time", "solid line"),
                ("muted", "Perfect scaling (T_c / N)", "dashed line"),
            ]
        )
    )
    captions.append(
        note(
            "Doubling the devices halves the perfect line; the step time falls less once the "
            "gradient all-reduce and the other communication stop hiding behind compute, and "
            "the scaling efficiency T_c / (N T_step) drops below 100%."
        )
    )
    captions.append(
        data_table(
            ("Devices", "Data-parallel replicas", step_title, "Scaling efficiency", "Memory"),
            (
                (
                    f"{row['devices']:,}",
                    f"{row['dp']:,}",
                    format_number(row["step"]),
                    f"{row['efficiency']:.1%}",
                    row["kind"],
                )
                for row in rows
            ),
            summary="The numbers behind this chart",
        )
    )
    height = CHART_HEIGHT * 0.75
    step_chart = vega.layered(
        step_layers,
        data=rows,
        height=height,
        description="Scaling curve, step time against devices: "
        + "; ".join(f"{row['devices']} devices {row['label']}" for row in rows),
    )
    eff_chart = vega.layered(
        eff_layers,
        data=rows,
        height=height,
        description="Scaling efficiency against devices: "
        + "; ".join(f"{row['devices']} devices {row['efficiency']:.0%}" for row in rows),
    )
    return card(title, mo.vstack([step_chart, eff_chart], gap=0.5), *captions, kind="scaling_curve")
