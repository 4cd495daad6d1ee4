"""The checkpoint U-curve (Volume 2, Lab 7): the share of a run's wall time lost to failures and
checkpoints, against how often the run checkpoints.

Each point is the design's run rebuilt at one checkpoint interval (``FleetReport`` with the
scenario's ``checkpoint_interval`` set): checkpointing often wastes time writing
(``T_write / tau``); checkpointing rarely loses half an interval of work to each failure
(``tau / 2 MTBF``). Their sum is a U whose bottom is the Young-Daly interval
``sqrt(2 T_write MTBF)``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import marimo as mo

from labs.core import style, vega
from labs.core.charts import CHART_HEIGHT, card, data_table, legend, note
from labs.core.format import format_in, format_number
from mlsys import FleetReport

#: Intervals plotted either side of the Young-Daly optimum: factors of sqrt(2) from 1/16 to 16
#: times it (17 intervals), plus the run's own interval.
HALF_OCTAVES = 8


def _minutes(quantity: Any) -> float:
    return float(quantity.to("minute").magnitude)


def _fraction(quantity: Any) -> float:
    return float(getattr(quantity, "magnitude", quantity))


def checkpoint_sweep(profile: Any, *, half_octaves: int = HALF_OCTAVES) -> list[dict[str, Any]]:
    """The run of ``profile`` (a ``FleetReport``) at checkpoint intervals ``tau* 2^(k/2)`` for
    ``|k| <= half_octaves`` around the Young-Daly interval ``tau*``, and at the run's own
    interval: one row each, in order of ``interval`` (min), with ``goodput`` and ``waste``
    (``1 - goodput``; fractions), and ``kind`` ("optimum", "chosen" or "sweep"). The step is
    solved once; each interval rebuilds only the run (about 1 ms)."""
    optimum = _minutes(profile.optimal_checkpoint_interval)
    chosen = _minutes(profile.checkpoint_interval)
    intervals = {optimum * 2 ** (k / 2): "sweep" for k in range(-half_octaves, half_octaves + 1)}
    intervals[optimum] = "optimum"
    intervals.setdefault(chosen, "chosen")
    rows = []
    for interval in sorted(intervals):
        run = FleetReport(profile.step, replace(profile.scenario, checkpoint_interval=interval))
        goodput = _fraction(run.goodput)
        rows.append(
            {
                "interval": interval,
                "goodput": goodput,
                "waste": 1.0 - goodput,
                "kind": intervals[interval],
            }
        )
    return rows


def _point_name(row: dict[str, Any], chosen: float) -> str:
    names = ["Young-Daly"] if row["kind"] == "optimum" else []
    if row["interval"] == chosen:
        names.append("yours")
    return " and ".join(names).capitalize()


def CheckpointCurve(
    sweep: list[dict[str, Any]], design: Any, *, title: str = "Checkpoint U-curve"
) -> mo.Html:
    """The checkpoint card of a ``checkpoint_sweep``: wasted share of wall time (``1 -
    goodput``, %) against the checkpoint interval (min, log), the Young-Daly optimum as a dashed
    rule and a point, the run's own interval (``design``, a ``FleetReport``) as a diamond; MTBF
    and write time in the caption."""
    optimum = _minutes(design.optimal_checkpoint_interval)
    chosen = _minutes(design.checkpoint_interval)
    best = next(row for row in sweep if row["kind"] == "optimum")
    mine = min(sweep, key=lambda row: abs(row["interval"] - chosen))
    x_enc = vega.log_axis("Checkpoint interval (min)", "interval", base=2)
    waste_top = max(row["waste"] for row in sweep)
    y_enc = {
        "field": "waste",
        "type": "quantitative",
        "title": "Wall time wasted",
        "scale": {"domain": [0, max(waste_top, 1e-9) * 1.1], "nice": False},
        "axis": {"tickCount": 4, "format": ".1~%"},
    }
    curve = {
        "mark": {
            "type": "line",
            "strokeWidth": 2,
            "color": style.ROLE["frontier"],
            "point": {"filled": True, "size": 30, "color": style.ROLE["frontier"]},
        },
        "encoding": {
            "x": x_enc,
            "y": y_enc,
            "order": {"field": "interval", "type": "quantitative"},
            "tooltip": [
                {"field": "interval", "type": "quantitative", "title": "Interval (min)"},
                {"field": "waste", "type": "quantitative", "title": "Wasted", "format": ".2%"},
                {"field": "goodput", "type": "quantitative", "title": "Goodput", "format": ".2%"},
            ],
        },
    }
    rule = {
        "data": vega.values([best]),
        "mark": {
            "type": "rule",
            "strokeWidth": 2,
            "strokeDash": [4, 4],
            "color": style.ROLE["good"],
        },
        "encoding": {"x": {"field": "interval", "type": "quantitative"}},
    }
    optimum_point = {
        "data": vega.values([best]),
        "mark": {
            "type": "point",
            "shape": "square",
            "size": 120,
            "filled": True,
            "color": style.ROLE["good"],
            "opacity": 1,
        },
        "encoding": {"x": x_enc, "y": y_enc},
    }
    chosen_point = vega.design_marker(mine, x_enc, y_enc)
    chart = vega.layered(
        [curve, rule, optimum_point, chosen_point],
        data=sweep,
        height=CHART_HEIGHT,
        description=(
            f"Checkpoint U-curve: wasted wall time against checkpoint interval; the Young-Daly "
            f"interval {format_number(optimum)} min wastes {best['waste']:.2%}; your interval "
            f"{format_number(chosen)} min wastes {mine['waste']:.2%}"
        ),
    )
    captions = [
        legend(
            [
                (
                    "design",
                    "Your interval (diamond)",
                    f"{format_number(chosen)} min, goodput {mine['goodput']:.2%}",
                ),
                (
                    "good",
                    "Young-Daly interval (square, dashed rule)",
                    f"{format_number(optimum)} min, goodput {best['goodput']:.2%}",
                ),
            ]
        ),
        legend(
            [
                ("muted", "MTBF of the job", format_in(design.mtbf, "hour")),
                ("muted", "Checkpoint write", format_in(design.checkpoint_write, "second")),
            ]
        ),
        note(
            "Checkpoint often and the writes waste time (T_write / τ); checkpoint rarely and "
            "each failure throws away half an interval of work (τ / 2 MTBF). The bottom of the "
            "U is τ* = √(2 T_write MTBF): it moves with the square root of the MTBF."
        ),
        data_table(
            ("Interval (min)", "Wall time wasted", "Goodput", "Point"),
            (
                (
                    format_number(row["interval"]),
                    f"{row['waste']:.2%}",
                    f"{row['goodput']:.2%}",
                    _point_name(row, chosen),
                )
                for row in sweep
            ),
            summary="The numbers behind this chart",
        ),
    ]
    return card(title, chart, *captions, kind="checkpoint_curve")
