"""The communication chart (Volume 2, Lab 3): how long an all-reduce takes on the design's
cluster as the message grows, for each algorithm NCCL chooses among.

Every time is ``mlsys.Collectives.all_reduce`` on the cluster the design runs on, over its
data-parallel group: the ``dp`` replicas (one per ``tp x pp`` group of devices) that sum their
gradients, placed on the nodes as the engine's step places them (``dp_group``), so the time at
the payload is the step's own gradient sync (``FleetReport.communication["dp"]``). Small messages pay the links' latency ``alpha`` once per hop: the tree's ``log N`` hops
beat the ring's ``N - 1``. Large messages pay bandwidth: the ring moves each byte about twice and
wins. The ``alpha * beta`` crossover is the message whose transfer time equals one latency; the
step's gradient payload shows which regime the design's gradient sync is in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    ``cluster``, ``math`` (each algorithm's derivation at the payload) and the data-parallel
    group reduced over: ``ranks`` replicas, ``local`` of them per node."""

    cluster: Any
    rows: tuple[dict[str, Any], ...]
    algorithms: tuple[str, ...]
    payload: Quantity
    crossover: Quantity
    at_payload: tuple[tuple[str, Quantity], ...]
    math: Math
    ranks: int = 0
    local: int = 1


def gradient_payload(profile: Any) -> Quantity:
    """Bytes one data-parallel replica all-reduces each step: its ``1/(tp pp)`` share of the
    parameters at the step's precision (``P / (tp pp) x b``; a byte quantity)."""
    plan = getattr(profile, "parallelism", None)
    shard = plan.tp * plan.pp if plan is not None else 1
    size = profile.model.params / shard * BYTES_PER_VALUE[profile.precision]
    return Quantity(size, "byte")


def dp_group(profile: Any) -> tuple[int, int]:
    """The data-parallel group the gradients are summed over, as the engine's step places it:
    ``(ranks, local)``, the ``dp`` replicas and how many of them share a node (a node of ``G``
    devices holds ``G / tp`` replicas' devices of one stage; ``mlsys.fleet_step``). Without a
    plan, every device of the cluster, nodes filled in order."""
    cluster = profile.system
    count = cluster.count if isinstance(cluster, Cluster) else 1
    per_node = cluster.per_node if isinstance(cluster, Cluster) else 1
    plan = getattr(profile, "parallelism", None)
    if plan is None:
        return count, min(count, per_node)
    return plan.dp, max(1, min(plan.dp, per_node // plan.tp))


def all_reduce_sweep(profile: Any, sizes: tuple[int, ...] | None = None) -> AllReduceSweep:
    """All-reduce time against message size (``sizes`` in bytes; ``message_sizes`` of the
    payload by default) over the data-parallel group of ``profile``'s cluster (a
    ``FleetReport`` or ``FleetProfile``; ``dp_group``), ring and tree, and hierarchical when the
    group spans several nodes with several replicas in each. With a single replica there is
    nothing to reduce: no rows, no algorithms, an empty ``math``. Each point is mlsys's
    ``collective_seconds``, the core of ``Collectives.all_reduce``; the payload's times and
    derivations are ``Collectives.all_reduce`` itself (a few ms in all)."""
    cluster = profile.system
    payload = gradient_payload(profile)
    ranks, local = dp_group(profile)
    if not isinstance(cluster, Cluster) or ranks < 2:
        nothing = Quantity(0.0, "byte")
        return AllReduceSweep(cluster, (), (), payload, nothing, (), Math({}), ranks, local)
    if sizes is None:
        sizes = message_sizes(float(payload.magnitude))
    spans_nodes = ranks > local
    # With one replica per node there is nothing to reduce inside a node first: the
    # hierarchical schedule is the ring, so it is not drawn twice.
    names = tuple(a[0] for a in ALGORITHMS if a[0] != "hierarchical" or (spans_nodes and local > 1))
    labels = {name: label for name, label, _, _ in ALGORITHMS}
    rows = []
    links = links_of(cluster)
    # The curve through the float core Collectives.all_reduce and the engine's step call (the
    # data-parallel group's ranks and replicas per node), without a derivation per point.
    for name in names:
        for size in sizes:
            seconds, _ = collective_seconds("all_reduce", name, size, ranks, local, links)
            rows.append({"size": float(size), "algorithm": labels[name], "time": seconds * 1e3})
    # A flat schedule across nodes runs at the pace of the scale-out links; inside one node,
    # of the scale-up links.
    alpha, beta = (
        (links.alpha_out, links.beta_out) if spans_nodes else (links.alpha_up, links.beta_up)
    )
    crossover = Quantity(ff.alpha_beta_crossover_bytes(alpha, beta), "byte")
    derivations, at_payload = {}, []
    for name in names:
        # Collectives.all_reduce names the links and the law; the group's G replicas per node
        # (the engine's placement, not nodes filled in order) set the time.
        result = Collectives.all_reduce(size=payload, system=cluster, algorithm=name, ranks=ranks)
        seconds, _ = collective_seconds(
            "all_reduce", name, float(payload.magnitude), ranks, local, links
        )
        latency = Quantity(seconds * 1e3, "ms")
        at_payload.append((labels[name], latency))
        derivation = result.math["latency"]
        variables = tuple(
            replace(v, value=Quantity(local, v.value.units)) if v.symbol == "G" else v
            for v in derivation.variables
        )
        derivations[name] = Derivation(
            f"{labels[name]} all-reduce of the gradient payload over {ranks} replicas",
            derivation.formula,
            variables,
            latency,
        )
    return AllReduceSweep(
        cluster,
        tuple(rows),
        names,
        payload,
        crossover,
        tuple(at_payload),
        Math(derivations),
        ranks,
        local,
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
            empty_state(
                "One data-parallel replica: no other replica to all-reduce gradients with, so "
                "nothing to draw."
            ),
            kind="comm_chart",
        )
    drawn = [a for a in ALGORITHMS if a[0] in sweep.algorithms]
    labels = [label for _, label, _, _ in drawn]
    x_enc = vega.log_axis("Message size (bytes)", "size", format="~s")
    y_enc = vega.log_axis("All-reduce time (ms)", "time", format=",~g")
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
        description=f"All-reduce time against message size over {sweep.ranks:,} data-parallel "
        f"replicas of {sweep.cluster.count} devices: "
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
            f"The gradient sync is {sweep.cluster.count // sweep.ranks} all-reduces at once, one "
            f"per tensor/pipeline shard of the model, each over the {sweep.ranks:,} data-parallel "
            f"replicas ({sweep.local} per node) and 1/{sweep.cluster.count // sweep.ranks} of "
            "the weights: the group and payload drawn here."
            if sweep.ranks < sweep.cluster.count
            else f"The gradient sync runs over all {sweep.ranks:,} devices ({sweep.local} per node)."
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
