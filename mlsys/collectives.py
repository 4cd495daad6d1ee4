"""Layer 3: collective communication on a cluster's topology (``mlsys.Collectives``).

``Collectives.all_reduce(size=1 * ureg.GB, system=fleet)`` times one collective over the
cluster's devices with the alpha-beta laws of ``mlsys.fleet_formulas``: inside a node on the
scale-up fabric, across nodes on each device's share of the scale-out fabric (divided by the
oversubscription). Every link runs at ``COLLECTIVE_LINK_EFFICIENCY`` of its line rate, the one
calibration factor (nccl-tests on 8x A100). ``algorithm`` is "ring", "tree" or "hierarchical"
(inside each node, then across nodes with ``1/G`` of the data, then inside again); by default
the fastest of the three, as NCCL's tuner picks the algorithm its cost model rates fastest.
All-to-all has one schedule (each rank sends directly to every peer).

``collective_seconds`` is the float core the fleet step calls many times per solve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from mlsys import fleet_formulas as ff
from mlsys.cluster import Cluster
from mlsys.derivation import Derivation, Math, Variable
from mlsys.fleet_constants import COLLECTIVE_LINK_EFFICIENCY
from mlsys.units import BYTE, DIMENSIONLESS, MILLISECOND, Quantity, ureg

OPERATIONS: tuple[str, ...] = (
    "all_reduce",
    "all_gather",
    "reduce_scatter",
    "all_to_all",
    "broadcast",
)
ALGORITHMS: tuple[str, ...] = ("ring", "tree", "hierarchical")
_GBPS = ureg.Unit("GB/s")
_US = ureg.Unit("us")


@dataclass(frozen=True)
class Links:
    """Achieved link parameters of a cluster: latency (s) and bandwidth each way per device
    (byte/s) inside a node (``up``) and across nodes (``out``)."""

    alpha_up: float
    beta_up: float
    alpha_out: float
    beta_out: float


def links_of(cluster: Cluster) -> Links:
    """The achieved links of ``cluster``: line rates times the calibrated link efficiency."""
    cached = cluster.__dict__.get("_links")
    if cached is None:
        efficiency = COLLECTIVE_LINK_EFFICIENCY.value
        cached = Links(
            cluster.scale_up.latency_s,
            cluster.scale_up.bandwidth_bps * efficiency,
            cluster.scale_out.latency_s,
            cluster.scale_out_bps * efficiency,
        )
        # A cluster is immutable, so its links are computed once (a sweep solves it often).
        object.__setattr__(cluster, "_links", cached)
    return cached


def _flat(operation: str, algorithm: str, n: int, size: float, alpha: float, beta: float) -> float:
    """One collective over ``n`` ranks on one kind of link (s)."""
    if operation == "all_reduce":
        law = ff.tree_all_reduce_time if algorithm == "tree" else ff.ring_all_reduce_time
        return law(n, size, alpha, beta)
    if operation in ("all_gather", "reduce_scatter"):
        if algorithm == "tree" and n > 1:
            # Recursive doubling (halving): log2 N rounds, the same bytes as a ring.
            return math.ceil(math.log2(n)) * alpha + (n - 1) / n * size / beta
        return ff.ring_all_gather_time(n, size, alpha, beta)
    if operation == "broadcast":
        if algorithm == "tree" and n > 1:
            return math.ceil(math.log2(n)) * (alpha + size / beta)
        # A pipelined chain: the bytes cross each link once, N-1 latencies deep.
        return 0.0 if n <= 1 else (n - 1) * alpha + size / beta
    return ff.all_to_all_time(n, size, alpha, beta)


def collective_seconds(
    operation: str, algorithm: str | None, size: float, ranks: int, local: int, links: Links
) -> tuple[float, str]:
    """Time of one collective (s) and the algorithm used, for ``ranks`` ranks of which
    ``local`` share each node; ``size`` is the buffer in bytes (the full result for gathers).
    ``algorithm=None`` picks the fastest (the first of equals, so "ring" inside one node)."""
    if ranks <= 1 or size <= 0.0:
        return 0.0, algorithm or "ring"
    local = max(1, min(local, ranks))
    nodes = -(-ranks // local)
    if operation == "all_to_all":
        if nodes == 1:
            return ff.all_to_all_time(ranks, size, links.alpha_up, links.beta_up), "pairwise"
        inside = size * (local - 1) / ranks / links.beta_up
        across = size * (ranks - local) / ranks / links.beta_out
        return (ranks - 1) * links.alpha_out + inside + across, "pairwise"
    if algorithm is not None:
        return _timed(operation, algorithm, size, ranks, local, nodes, links), algorithm
    best, choice = _timed(operation, "ring", size, ranks, local, nodes, links), "ring"
    for other in ("tree", "hierarchical"):
        seconds = _timed(operation, other, size, ranks, local, nodes, links)
        if seconds < best:
            best, choice = seconds, other
    return best, choice


def _timed(
    operation: str, algorithm: str, size: float, ranks: int, local: int, nodes: int, links: Links
) -> float:
    """One algorithm's time (s): flat inside a node, flat at scale-out pace across nodes, or
    hierarchical (inside, across with 1/G of the data, inside again)."""
    if nodes == 1:
        return _flat(operation, algorithm, ranks, size, links.alpha_up, links.beta_up)
    if algorithm != "hierarchical":
        # A flat schedule across nodes runs at the pace of its slowest (scale-out) links.
        return _flat(operation, algorithm, ranks, size, links.alpha_out, links.beta_out)
    up = (links.alpha_up, links.beta_up)
    out = (links.alpha_out, links.beta_out)
    if operation == "all_reduce":
        inside = ff.ring_all_gather_time(local, size, *up)  # reduce-scatter, then all-gather
        return 2.0 * inside + ff.ring_all_reduce_time(nodes, size / local, *out)
    if operation in ("all_gather", "reduce_scatter"):
        return ff.ring_all_gather_time(nodes, size / local, *out) + ff.ring_all_gather_time(
            local, size, *up
        )
    return _flat("broadcast", "tree", nodes, size, *out) + _flat(
        "broadcast", "ring", local, size, *up
    )


@dataclass(frozen=True)
class CollectiveResult:
    """One collective on a cluster: ``latency`` (ms), ``algorithm_bandwidth`` (size over time)
    and ``bus_bandwidth`` (GB/s, nccl-tests' busBW), ``algorithm`` used, ``math``."""

    operation: str
    algorithm: str
    size: Quantity
    ranks: int
    latency: Quantity
    algorithm_bandwidth: Quantity
    bus_bandwidth: Quantity
    math: Math


class Collectives:
    """Collective operations timed on a ``Cluster``: sizes are byte quantities (or numbers of
    bytes), ``ranks`` the group size (default: every device; a group fills nodes in order)."""

    @staticmethod
    def all_reduce(
        size: Any, system: Cluster, algorithm: str | None = None, ranks: int | None = None
    ) -> CollectiveResult:
        """Sum a ``size`` buffer across ranks, leaving the result everywhere."""
        return _solve("all_reduce", size, system, algorithm, ranks)

    @staticmethod
    def all_gather(
        size: Any, system: Cluster, algorithm: str | None = None, ranks: int | None = None
    ) -> CollectiveResult:
        """Gather every rank's shard into a ``size`` buffer on every rank."""
        return _solve("all_gather", size, system, algorithm, ranks)

    @staticmethod
    def reduce_scatter(
        size: Any, system: Cluster, algorithm: str | None = None, ranks: int | None = None
    ) -> CollectiveResult:
        """Sum a ``size`` buffer across ranks, leaving each rank one ``1/N`` shard."""
        return _solve("reduce_scatter", size, system, algorithm, ranks)

    @staticmethod
    def all_to_all(
        size: Any, system: Cluster, algorithm: str | None = None, ranks: int | None = None
    ) -> CollectiveResult:
        """Each rank sends ``1/N`` of its ``size`` buffer to every other rank (MoE dispatch)."""
        return _solve("all_to_all", size, system, algorithm, ranks)

    @staticmethod
    def broadcast(
        size: Any, system: Cluster, algorithm: str | None = None, ranks: int | None = None
    ) -> CollectiveResult:
        """Copy a ``size`` buffer from one rank to all."""
        return _solve("broadcast", size, system, algorithm, ranks)


def _size_bytes(size: Any) -> float:
    if isinstance(size, Quantity):
        if not size.check("[]") and size.dimensionality != BYTE.dimensionality:
            raise ValueError(
                f"size: expected a quantity of bytes (e.g. 1 * ureg.GB), got {size.units}"
            )
        value = float(size.to(BYTE).magnitude)
    elif isinstance(size, Real) and not isinstance(size, bool):
        value = float(size)
    else:
        raise ValueError(f"size: expected bytes (e.g. 1 * ureg.GB), got {size!r}")
    if not value > 0.0 or value == float("inf"):
        raise ValueError(f"size: must be a positive, finite number of bytes, got {size!r}")
    return value


def _solve(
    operation: str, size: Any, system: Any, algorithm: str | None, ranks: int | None
) -> CollectiveResult:
    if not isinstance(system, Cluster):
        raise ValueError(
            f"system: expected a mlsys.Cluster (e.g. Cluster(node=Systems.H100, count=64)), got {type(system).__name__}"
        )
    nbytes = _size_bytes(size)
    if algorithm is not None and algorithm not in ALGORITHMS:
        raise ValueError(
            f"algorithm: expected one of {', '.join(ALGORITHMS)} or None, got {algorithm!r}"
        )
    if operation == "all_to_all" and algorithm is not None:
        raise ValueError(
            "algorithm: all_to_all sends directly to every peer; ring, tree and hierarchical do not apply"
        )
    if ranks is None:
        ranks = system.count
    if isinstance(ranks, bool) or not isinstance(ranks, Integral) or not 1 <= ranks <= system.count:
        raise ValueError(f"ranks: expected a whole number in [1, {system.count}], got {ranks!r}")
    links = links_of(system)
    local = min(ranks, system.per_node)
    seconds, used = collective_seconds(operation, algorithm, nbytes, ranks, local, links)
    factor = ff.bus_factor(operation, ranks)
    algbw = nbytes / seconds if seconds > 0 else float("inf")
    latency = Quantity(seconds * 1e3, MILLISECOND)
    bus = Quantity(algbw * factor / 1e9, _GBPS)
    size_q = Quantity(nbytes, BYTE)
    variables = (
        Variable("M", "message size", size_q),
        Variable("N", "ranks", Quantity(ranks, DIMENSIONLESS)),
        Variable("G", "ranks per node", Quantity(local, DIMENSIONLESS)),
        Variable(
            r"\alpha_{up}", f"{system.scale_up.name} latency", Quantity(links.alpha_up * 1e6, _US)
        ),
        Variable(
            r"\beta_{up}",
            f"{system.scale_up.name} achieved bandwidth",
            Quantity(links.beta_up / 1e9, _GBPS),
        ),
        Variable(
            r"\alpha_{out}",
            f"{system.scale_out.name} latency",
            Quantity(links.alpha_out * 1e6, _US),
        ),
        Variable(
            r"\beta_{out}",
            f"{system.scale_out.name} achieved bandwidth per device",
            Quantity(links.beta_out / 1e9, _GBPS),
        ),
    )
    key = {
        ("all_reduce", "ring"): "ring_all_reduce",
        ("all_reduce", "tree"): "tree_all_reduce",
        ("all_reduce", "hierarchical"): "hierarchical_all_reduce",
    }.get((operation, used), "all_to_all" if operation == "all_to_all" else "ring_all_gather")
    if operation == "broadcast":
        key = "broadcast"
    derivations = {
        "latency": Derivation("latency", ff.LATEX[key], variables, latency),
        "bus_bandwidth": Derivation(
            "bus_bandwidth",
            ff.LATEX["bus_bandwidth"],
            (
                Variable("M", "message size", size_q),
                Variable("T", "latency", latency),
                Variable(
                    "f_{op}(N)", f"bus factor of {operation}", Quantity(factor, DIMENSIONLESS)
                ),
            ),
            bus,
        ),
    }
    return CollectiveResult(
        operation,
        used,
        size_q,
        ranks,
        latency,
        Quantity(algbw / 1e9, _GBPS),
        bus,
        Math(derivations),
    )


__all__ = [
    "ALGORITHMS",
    "OPERATIONS",
    "CollectiveResult",
    "Collectives",
    "Links",
    "collective_seconds",
    "links_of",
]
