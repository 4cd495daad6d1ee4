"""The communication chart (Volume 2, Lab 3): how long an all-reduce takes on the design's
cluster as the message grows, for each algorithm NCCL chooses among.

Every time is ``mlsys.Collectives.all_reduce`` on the cluster the design runs on, over all its
devices. Small messages pay the links' latency ``alpha`` once per hop: the tree's ``log N`` hops
beat the ring's ``N - 1``. Large messages pay bandwidth: the ring moves each byte about twice and
wins. The ``alpha * beta`` crossover is the message whose transfer time equals one latency; the
step's gradient payload shows which regime the design's gradient sync is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import marimo as mo

from labs.core import style, vega
from labs.core.charts import CHART_HEIGHT, card, data_table, empty_state, legend, note
from labs.core.format import format_number, format_quantity
from mlsys import Cluster, Collectives, Derivation, Math, Quantity
from mlsys import fleet_formulas as ff
from mlsys.collectives import collective_seconds, links_of
from mlsys.hardware import BYTES_PER_VALUE

#: Message sizes plotted: 1 KiB to 16 GiB, a factor of 4 apart (13 sizes), extended by the same
#: steps past a larger gradient payload.
SIZES: tuple[int, ...] = tuple(2**power for power in range(10, 35, 2))


def message_sizes(payload_bytes: float) -> tuple[int, ...]:
    """``SIZES``, continued a factor of 4 at a time until they pass ``payload_bytes``."""
    sizes = list(SIZES)
    while sizes[-1] < payload_bytes:
        sizes.append(sizes[-1] * 4)
    return tuple(sizes)


#: Each algorithm's line: (mlsys name, label, colour role in ``style.ROLE``, dash).
ALGORITHMS: tuple[tuple[str, str, str, list[int]], ...] = (
    ("ring", "Ring", "compute", []),
    ("tree", "Tree", "memory", [6, 3]),
    ("hierarchical", "Hierarchical", "overhead", [2, 2]),
)


@dataclass(frozen=True)
class AllReduceSweep:
    """All-reduce times on one cluster: ``rows`` (``size`` in bytes, ``algorithm`` label,
    ``time`` in ms), the ``algorithms`` drawn, the ``payload`` (bytes of one replica's
    gradients), the ``alpha * beta`` ``crossover`` (bytes) of the links that bind, the
    ``cluster`` and ``math`` (each algorithm's derivation at the payload)."""

    cluster: Any
    rows: tuple[dict[str, Any], ...]
    algorithms: tuple[str, ...]
    payload: Quantity
    crossover: Quantity
    at_payload: tuple[tuple[str, Quantity], ...]
    math: Math


def gradient_payload(profile: Any) -> Quantity:
    """Bytes one data-parallel replica all-reduces each step: its ``1/(tp pp)`` share of the
    parameters at the step's precision (``P / (tp pp) x b``; a byte quantity)."""
    plan = getattr(profile, "parallelism", None)
    shard = plan.tp * plan.pp if plan is not None else 1
    size = profile.model.params / shard * BYTES_PER_VALUE[profile.precision]
    return Quantity(size, "byte")


def all_reduce_sweep(profile: Any, sizes: tuple[int, ...] | None = None) -> AllReduceSweep:
    """All-reduce time against message size (``sizes`` in bytes; ``message_sizes`` of the
    payload by default) on ``profile``'s cluster (a ``FleetReport`` or ``FleetProfile``), ring
    and tree, and hierarchical when the cluster spans several nodes. On a single device there
    is nothing to reduce: no rows, no algorithms, an empty ``math``. Each point is mlsys's
    ``collective_seconds``, the core of ``Collectives.all_reduce``; the payload's times and
    derivations are ``Collectives.all_reduce`` itself (a few ms in all)."""
    cluster = profile.system
    payload = gradient_payload(profile)
    if not isinstance(cluster, Cluster) or cluster.count < 2:
        nothing = Quantity(0.0, "byte")
        return AllReduceSweep(cluster, (), (), payload, nothing, (), Math({}))
    if sizes is None:
        sizes = message_sizes(float(payload.magnitude))
    spans_nodes = cluster.count > cluster.per_node
    names = tuple(a[0] for a in ALGORITHMS if a[0] != "hierarchical" or spans_nodes)
    labels = {name: label for name, label, _, _ in ALGORITHMS}
    rows = []
    links = links_of(cluster)
    # The curve through the float core Collectives.all_reduce itself calls (same ranks and
    # devices per node), without building a derivation per point.
    local = min(cluster.count, cluster.per_node)
    for name in names:
        for size in sizes:
            seconds, _ = collective_seconds("all_reduce", name, size, cluster.count, local, links)
            rows.append({"size": float(size), "algorithm": labels[name], "time": seconds * 1e3})
    # A flat schedule across nodes runs at the pace of the scale-out links; inside one node,
    # of the scale-up links.
    alpha, beta = (
        (links.alpha_out, links.beta_out) if spans_nodes else (links.alpha_up, links.beta_up)
    )
    crossover = Quantity(ff.alpha_beta_crossover_bytes(alpha, beta), "byte")
    derivations, at_payload = {}, []
    for name in names:
        result = Collectives.all_reduce(size=payload, system=cluster, algorithm=name)
        at_payload.append((labels[name], result.latency))
        derivation = result.math["latency"]
        derivations[name] = Derivation(
            f"{labels[name]} all-reduce of the gradient payload",
            derivation.formula,
            derivation.variables,
            derivation.result,
        )
    return AllReduceSweep(
        cluster, tuple(rows), names, payload, crossover, tuple(at_payload), Math(derivations)
    )


def _rule(value: float, role: str, dash: list[int]) -> dict[str, Any]:
    return {
        "data": vega.values([{"size": value}]),
        "mark": {"type": "rule", "strokeWidth": 2, "strokeDash": dash, "color": style.ROLE[role]},
        "encoding": {"x": {"field": "size", "type": "quantitative"}},
    }


def CommChart(sweep: AllReduceSweep, *, title: str = "All-reduce time") -> mo.Html:
    """The communication card of an ``all_reduce_sweep``: all-reduce time (ms) against message
    size (bytes), log-log, one line per algorithm (colour and dash), the ``alpha * beta``
    crossover and the step's gradient payload as vertical rules, each algorithm's time at the
    payload in the caption."""
    if not sweep.rows:
        return card(
            title,
            None,
            empty_state("One device: there is no one to all-reduce with, so nothing to draw."),
            kind="comm_chart",
        )
    drawn = [a for a in ALGORITHMS if a[0] in sweep.algorithms]
    labels = [label for _, label, _, _ in drawn]
    x_enc = vega.log_axis("Message size (bytes)", "size", format="~s")
    y_enc = vega.log_axis("All-reduce time (ms)", "time")
    lines = {
        "mark": {"type": "line", "strokeWidth": 2, "point": {"filled": True, "size": 30}},
        "encoding": {
            "x": x_enc,
            "y": y_enc,
            "color": {
                "field": "algorithm",
                "type": "nominal",
                "scale": vega.colour_scale([role for _, _, role, _ in drawn], labels),
                "legend": {"title": None, "orient": "bottom", "direction": "horizontal"},
            },
            # Dash as well as colour, so the algorithms differ for colour-blind readers too.
            "strokeDash": {
                "field": "algorithm",
                "type": "nominal",
                "scale": {"domain": labels, "range": [dash for _, _, _, dash in drawn]},
                "legend": None,
            },
            "order": {"field": "size", "type": "quantitative"},
            "tooltip": [
                {"field": "algorithm", "type": "nominal", "title": "Algorithm"},
                {"field": "size", "type": "quantitative", "title": "Bytes", "format": ".3~s"},
                {"field": "time", "type": "quantitative", "title": "Time (ms)", "format": ".3~g"},
            ],
        },
    }
    crossover = float(sweep.crossover.to("byte").magnitude)
    payload = float(sweep.payload.to("byte").magnitude)
    chart = vega.layered(
        [lines, _rule(crossover, "muted", [4, 4]), _rule(payload, "design", [])],
        data=sweep.rows,
        height=CHART_HEIGHT,
        description=f"All-reduce time against message size on {sweep.cluster.count} devices: "
        + "; ".join(f"{label} {format_quantity(time)}" for label, time in sweep.at_payload)
        + f" at the gradient payload of {format_quantity(sweep.payload)}",
    )
    fastest = min(sweep.at_payload, key=lambda item: item[1])[0]
    captions = [
        legend(
            [
                ("design", "Gradient payload (solid rule)", format_quantity(sweep.payload)),
                ("muted", "α·β crossover (dashed rule)", format_quantity(sweep.crossover)),
            ]
        ),
        legend(
            (role, f"{label} at the payload", format_quantity(time))
            for (_, _, role, _), (label, time) in zip(drawn, sweep.at_payload, strict=True)
        ),
        note(
            "Left of the crossover a message costs mostly latency, paid once per hop: the "
            "tree's log N hops beat the ring's N - 1. Right of it the bytes dominate and the "
            f"ring, which moves each byte about twice, wins. At this payload: {fastest}."
        ),
        data_table(
            ("Message size (bytes)", *(f"{label} (ms)" for label in labels)),
            (
                (
                    format_number(size),
                    *(
                        format_number(row["time"])
                        for label in labels
                        for row in sweep.rows
                        if row["algorithm"] == label and row["size"] == size
                    ),
                )
                for size in sorted({row["size"] for row in sweep.rows})
            ),
            summary="The numbers behind this chart",
        ),
    ]
    return card(title, chart, *captions, kind="comm_chart")
