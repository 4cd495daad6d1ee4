"""The KV-cache memory stack (Volume 2, Lab 10): what one device of a serving replica holds, as
the replica decodes more sequences at once, against the device's memory.

Each bar is one batch of ``B`` sequences per replica (``tp`` devices): the device's share of the
weights (``W / tp``), of the live KV cache (``B`` sequences of full context, ``kv_per_device``
grows linearly in ``B``) and the memory the ``kv_cache`` layout loses beside that cache (a share
``w`` of what the sequences reserve: paged a few percent, contiguous most of it), so a bar is the
engine's ``memory_footprint`` at that batch. The engine's rule is the same line: a batch fits
when its bar stays under the device memory, that is ``B <= kv_capacity``.
"""

from __future__ import annotations

from typing import Any

import marimo as mo

from labs.core import style, vega
from labs.core.charts import CHART_HEIGHT, card, data_table, empty_state, legend, note
from labs.core.format import format_in, format_number
from mlsys.fleet_constants import KV_CACHE_WASTE

#: At most this many bars (batches) on the chart; a longer run of powers of two keeps every
#: other power (and always the first batch that does not fit).
MAX_BARS = 14

#: The stacked parts of a bar, bottom to top: (part, label, colour role in ``style.ROLE``).
PARTS: tuple[tuple[str, str, str], ...] = (
    ("weights", "Weights", "frontier"),
    ("kv", "KV cache (live sequences)", "good"),
    ("lost", "Lost to the KV layout", "bad"),
)

#: The y axis shows up to this factor times the device memory; taller bars are clipped (the
#: caption says from which batch on).
Y_ROOM = 1.5


def _gb(quantity: Any) -> float:
    return float(quantity.to("GB").magnitude)


def chart_batches(capacity: float, design_batch: int = 1) -> tuple[int, ...]:
    """The batches (sequences per replica) the KV-cache chart draws for a replica that holds
    ``capacity`` sequences (``FleetReport.kv_capacity``, dimensionless): powers of two from 1 up
    to the first one past both ``capacity`` and ``design_batch``, so the student sees the last
    batch that fits and the first that does not. More than ``MAX_BARS`` powers are thinned to
    every other one, counted down from that first batch past the capacity."""
    past = 1  # the first power of two that does not fit
    while past <= capacity:
        past *= 2
    top = max(past, 1 << max(0, design_batch - 1).bit_length())
    powers = [2**i for i in range(top.bit_length())]
    if len(powers) > MAX_BARS:
        step = past.bit_length() - 1
        powers = [p for p in powers if (step - (p.bit_length() - 1)) % 2 == 0]
    return tuple(powers)


def kv_memory_sweep(
    profile: Any, *, batches: tuple[int, ...] | None = None
) -> list[dict[str, Any]]:
    """Per-device memory (GB) of ``profile``'s serving replica (a ``FleetReport`` on a decode or
    prefill step) at each batch in ``batches`` (by default ``chart_batches`` of the report's own
    ``kv_capacity``, so the bars reach past the batch that stops fitting) and at the design's
    ``serving_batch``: one row
    per batch and part (``weights``, ``kv``, ``lost``) with ``batch``, ``order`` (stacking
    position), ``part``, ``label``,
    ``gb``, ``total`` (the bar's height), ``fits`` and ``design``. The KV cache of a batch is
    the design's ``kv_per_device`` scaled by ``B / serving_batch`` (it is linear in ``B``); no
    step is solved again; at the design's batch a bar's ``total`` is the engine's
    ``memory_footprint``. Empty when the model cannot be served (not a decoder transformer)."""
    try:
        weights = _gb(profile.serving_weights)
        kv_design = _gb(profile.kv_per_device)
    except ValueError:
        return []
    design_batch = int(profile.scenario.serving_batch)
    waste = KV_CACHE_WASTE[profile.scenario.kv_cache].value
    capacity = float(profile.kv_capacity.magnitude)
    if batches is None:
        batches = chart_batches(capacity, design_batch)
    rows = []
    for batch in sorted({*batches, design_batch}):
        kv = kv_design * batch / design_batch
        # What the layout loses grows with what the sequences reserve: kv / (1 - w) in all,
        # as in FleetReport.memory_footprint and kv_capacity.
        lost = kv * waste / (1.0 - waste)
        total = weights + kv + lost
        for order, (part, label, _) in enumerate(PARTS):
            rows.append(
                {
                    "batch": batch,
                    "order": order,
                    "part": part,
                    "label": label,
                    "gb": {"weights": weights, "kv": kv, "lost": lost}[part],
                    "total": total,
                    "fits": batch <= capacity,
                    "design": batch == design_batch,
                }
            )
    return rows


def KvMemoryStack(
    rows: list[dict[str, Any]], design: Any, *, title: str = "KV-cache memory"
) -> mo.Html:
    """The KV-cache card of a ``kv_memory_sweep``: per-device memory (GB) stacked as weights,
    live KV cache and what the layout loses, one bar per batch of sequences per replica, against
    the device memory (dashed rule); the design's batch (``design``, a ``FleetReport``) marked
    with a diamond above its bar. The caption gives the device memory, the weights per device,
    the design's KV cache per device and how many sequences fit."""
    if not rows:
        return card(
            title,
            None,
            empty_state(
                "Serving at scale caches keys and values of a decoder transformer; this "
                "track's model has no KV cache to draw."
            ),
            kind="kv_memory",
        )
    device = _gb(design.memory_capacity)
    design_batch = int(design.scenario.serving_batch)
    capacity = float(design.kv_capacity.magnitude)
    mine = next(row for row in rows if row["design"])
    # The axis stays on the device memory however large the batch: taller bars are clipped
    # (the caption says from which batch on) and the diamond sits at the top of the axis.
    top = Y_ROOM * device
    labels = [label for _, label, _ in PARTS]
    x_enc = {
        "field": "batch",
        "type": "ordinal",
        "title": "Sequences per replica (batch)",
        "sort": "ascending",
        "axis": {
            "labelAngle": 0,
            "labelOverlap": "greedy",
            "labelExpr": "format(datum.value, ',')",
        },
    }
    y_title = "Memory per device (GB)"
    bars = {
        "mark": {"type": "bar", "clip": True},
        "encoding": {
            "x": x_enc,
            "y": {
                "field": "gb",
                "type": "quantitative",
                "stack": "zero",
                "title": y_title,
                "scale": {"domain": [0, top], "nice": False},
                "axis": {"tickCount": 5, "format": ",.0f"},
            },
            "color": {
                "field": "label",
                "type": "nominal",
                "scale": vega.colour_scale([role for _, _, role in PARTS], labels),
                "legend": {"title": None, "orient": "bottom", "direction": "vertical"},
            },
            "order": {"field": "order", "type": "quantitative"},
            "opacity": {
                "condition": {"test": "datum.fits", "value": 1.0},
                "value": 0.45,
            },
            "tooltip": [
                {"field": "batch", "type": "ordinal", "title": "Sequences"},
                {"field": "label", "type": "nominal", "title": "Part"},
                {"field": "gb", "type": "quantitative", "title": "GB", "format": ",.3~g"},
                {"field": "total", "type": "quantitative", "title": "Bar (GB)", "format": ",.3~g"},
            ],
        },
    }
    rule = {
        "data": vega.values([{"device": device}]),
        "mark": {"type": "rule", "strokeWidth": 2, "strokeDash": [6, 4], "color": style.INK},
        "encoding": {"y": {"field": "device", "type": "quantitative"}},
    }
    marker = {
        "data": vega.values([{"batch": design_batch, "total": min(mine["total"], top)}]),
        "mark": {
            "type": "point",
            "shape": "diamond",
            "size": 200,
            "filled": True,
            "stroke": style.WHITE,
            "color": style.ROLE["design"],
            "opacity": 1,
            "yOffset": -8,
        },
        "encoding": {
            "x": x_enc,
            "y": {"field": "total", "type": "quantitative", "scale": {"domain": [0, top]}},
        },
    }
    fits = capacity >= design_batch
    chart = vega.layered(
        [bars, rule, marker],
        data=rows,
        height=CHART_HEIGHT,
        description=(
            f"Memory of one device against sequences per replica: weights "
            f"{format_number(_gb(design.serving_weights))} GB, KV cache growing with the batch, "
            f"device memory {format_number(device)} GB; your batch of {design_batch:,} needs "
            f"{format_number(mine['total'])} GB and "
            + ("fits" if fits else "does not fit")
            + f"; up to {format_number(capacity)} sequences fit"
        ),
    )
    captions = [
        legend(
            [
                (
                    "design",
                    "Your batch (diamond)",
                    f"{design_batch:,} sequences, {format_number(mine['total'])} GB per device"
                    + ("" if fits else ": does not fit"),
                ),
                ("text", "Device memory (dashed)", format_in(design.memory_capacity, "GB")),
            ]
        ),
        legend(
            [
                ("frontier", "Weights per device", format_in(design.serving_weights, "GB")),
                ("good", "Your KV cache per device", format_in(design.kv_per_device, "GB")),
                ("muted", "Sequences that fit per replica", format_number(capacity)),
            ]
        ),
    ]
    over = sorted({row["batch"] for row in rows if row["total"] > top})
    if over:
        captions.append(note(f"From {over[0]:,} sequences on, the bar leaves the chart."))
    captions.append(
        note(
            "The weights are paid once per device; every sequence adds its whole context of "
            "keys and values (2 × layers × KV heads × head width × bytes per token). Faded bars "
            "do not fit: the batch, not the compute, runs out first."
        )
    )
    batches = sorted({row["batch"] for row in rows})
    captions.append(
        data_table(
            ("Sequences", *labels, "Total (GB)", "Fits"),
            (
                (
                    f"{batch:,}",
                    *(
                        format_number(
                            next(r["gb"] for r in rows if r["batch"] == batch and r["part"] == p)
                        )
                        for p, _, _ in PARTS
                    ),
                    format_number(next(r["total"] for r in rows if r["batch"] == batch)),
                    "yes" if batch <= capacity else "no",
                )
                for batch in batches
            ),
            summary="The numbers behind this chart (GB per device)",
        )
    )
    return card(title, chart, *captions, kind="kv_memory")
