"""Layer 1: a cluster, many nodes of one kind joined by two fabrics (``mlsys.Cluster``).

``Cluster(node=Systems.H100, count=1024, per_node=8)`` is 1,024 devices in 128 nodes of 8. Inside
a node the devices talk over the scale-up fabric (NVLink); nodes talk over the scale-out fabric
(InfiniBand, RoCE, Ethernet), one NIC per device unless ``nics_per_node`` says otherwise, through
a fat tree whose ``oversubscription`` divides what crosses it. Both fabrics default per node type.

Named real clusters live in ``Systems.Clusters`` (``CLUSTERS`` below), each with its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral, Real
from types import MappingProxyType

from mlsys.fabrics import Fabric, Fabrics
from mlsys.fleet_constants import SERVER_POWER_W
from mlsys.fleet_formulas import bisection_bandwidth
from mlsys.hardware import Systems, SystemSpec
from mlsys.registry import Registry
from mlsys.units import Quantity

#: Fabrics a node type ships with (scale-up, scale-out per device), by node name.
DEFAULT_FABRICS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        "H100": ("NVLink4", "InfiniBandNDR"),  # DGX H100: NVLink4, 8x ConnectX-7 NDR 400 Gb/s
        "A100": ("NVLink3", "InfiniBandHDR"),  # DGX A100: NVLink3, 8x ConnectX-6 HDR 200 Gb/s
        "V100": ("NVLink2", "InfiniBandEDR"),  # DGX-2: NVLink2, InfiniBand EDR 100 Gb/s
    }
)
#: Any other node: PCIe between its accelerators, 100 Gb/s Ethernet between nodes.
FALLBACK_FABRICS = ("PCIe4", "Ethernet100")
#: Devices per node of a data-centre GPU server (DGX / HGX), for the default ``per_node``.
GPUS_PER_SERVER = 8


@dataclass(frozen=True)
class Cluster:
    """``count`` devices of type ``node``, ``per_node`` to a node (the last node may be partial
    only when the whole cluster is one node). ``oversubscription`` >= 1 divides the scale-out
    bandwidth across the fat tree; ``nics_per_node`` defaults to one NIC per device."""

    node: SystemSpec
    count: int
    per_node: int | None = None
    scale_up: Fabric | None = None
    scale_out: Fabric | None = None
    oversubscription: float = 1.0
    nics_per_node: int | None = None
    name: str = ""
    title: str = ""
    sources: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not isinstance(self.node, SystemSpec):
            raise ValueError(
                f"node: expected a SystemSpec from mlsys.Systems (e.g. Systems.H100), got {type(self.node).__name__}"
            )
        _positive_int("count", self.count)
        per_node = self.per_node
        if per_node is None:
            per_node = GPUS_PER_SERVER if self.node.device_class == "datacenter_gpu" else 1
            per_node = min(per_node, self.count)
        _positive_int("per_node", per_node)
        if self.count > per_node and self.count % per_node:
            raise ValueError(
                f"count: {self.count} devices do not fill whole nodes of per_node={per_node}"
            )
        up_name, out_name = DEFAULT_FABRICS.get(self.node.name, FALLBACK_FABRICS)
        scale_up = Fabrics.get(up_name) if self.scale_up is None else self.scale_up
        scale_out = Fabrics.get(out_name) if self.scale_out is None else self.scale_out
        for key, fabric in (("scale_up", scale_up), ("scale_out", scale_out)):
            if not isinstance(fabric, Fabric):
                raise ValueError(
                    f"{key}: expected a Fabric from mlsys.Fabrics, got {type(fabric).__name__}"
                )
        if (
            isinstance(self.oversubscription, bool)
            or not isinstance(self.oversubscription, Real)
            or not self.oversubscription >= 1.0
        ):
            raise ValueError(
                f"oversubscription: must be a number >= 1 (1 is full bisection), got {self.oversubscription!r}"
            )
        nics = per_node if self.nics_per_node is None else self.nics_per_node
        _positive_int("nics_per_node", nics)
        object.__setattr__(self, "per_node", per_node)
        object.__setattr__(self, "scale_up", scale_up)
        object.__setattr__(self, "scale_out", scale_out)
        object.__setattr__(self, "nics_per_node", nics)
        object.__setattr__(self, "oversubscription", float(self.oversubscription))
        if not self.name:
            object.__setattr__(self, "name", f"{self.count}x{self.node.name}")
        if not self.title:
            object.__setattr__(
                self, "title", f"{self.count} x {self.node.title}, {per_node} per node"
            )
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))

    @property
    def devices(self) -> int:
        """Number of accelerators."""
        return self.count

    @property
    def nodes(self) -> int:
        """Number of nodes (servers)."""
        return -(-self.count // self.per_node)

    @property
    def scale_out_bps(self) -> float:
        """Scale-out bandwidth each device gets across the fat tree, one direction (byte/s):
        its share of the node's NICs divided by the oversubscription."""
        per_device = self.scale_out.bandwidth_bps * self.nics_per_node / self.per_node
        return per_device / self.oversubscription

    @property
    def bisection_bandwidth(self) -> Quantity:
        """Bandwidth across the fat tree's bisection, one direction: ``(N/2) beta / o``."""
        per_device = self.scale_out.bandwidth_bps * self.nics_per_node / self.per_node
        bisection = bisection_bandwidth(self.count, per_device, self.oversubscription)
        return Quantity(bisection / 1e12, "TB/s")

    @property
    def server_power(self) -> Quantity:
        """Maximum power of one node: the server's datasheet figure when its type is known,
        else its devices' TDP."""
        known = SERVER_POWER_W.get(self.node.name)
        watts = known.value if known else self.per_node * self.node.tdp_w
        return Quantity(watts / 1e3, "kW")

    @property
    def it_power(self) -> Quantity:
        """Maximum IT power of the whole cluster (MW): nodes x server power."""
        return (self.nodes * self.server_power).to("MW")

    def rack_power(self, servers_per_rack: int) -> Quantity:
        """Power of a rack of ``servers_per_rack`` nodes (kW); compare with
        ``AIR_COOLED_RACK_LIMIT_W`` (~40 kW) to see whether air can cool it."""
        _positive_int("servers_per_rack", servers_per_rack)
        return servers_per_rack * self.server_power

    @property
    def peak_flops(self) -> MappingProxyType[str, float]:
        """Dense peak of the whole cluster by precision (FLOP/s)."""
        return MappingProxyType({p: v * self.count for p, v in self.node.peak_flops.items()})

    @property
    def ram_bytes(self) -> float:
        """Memory of the whole cluster (byte)."""
        return self.node.ram_bytes * self.count

    def __repr__(self) -> str:
        return f"<Cluster {self.name}: {self.title}>"


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name}: expected a whole number >= 1, got {value!r}")


def _cluster(name: str, title: str, source: str, **kwargs) -> Cluster:
    return Cluster(name=name, title=title, sources={"cluster": source}, **kwargs)


CLUSTERS: dict[str, Cluster] = {
    "Llama3_RoCE": _cluster(
        "Llama3_RoCE",
        "Meta's Llama 3 training cluster: 16,384 H100 on RoCE",
        "Dubey et al. 2024, The Llama 3 Herd of Models, section 3.3.1: up to 16K H100 SXM, "
        "8 per server with NVLink, RoCE over 400 Gb/s (Arista 7800) per GPU; full bisection "
        "inside a 3,072-GPU pod (1:7 oversubscribed above it, not modelled)",
        node=Systems.H100,
        count=16_384,
        per_node=8,
        scale_up=Fabrics.NVLink4,
        scale_out=Fabrics.RoCE400,
    ),
    "Selene_A100": _cluster(
        "Selene_A100",
        "NVIDIA Selene (DGX A100 SuperPOD), 3,072 A100",
        "Narayanan et al. 2021 (Megatron-LM, arXiv 2104.04473), section 5: up to 3,072 A100 "
        "80GB in DGX A100 nodes, NVLink3 inside, 8 InfiniBand HDR 200 Gb/s NICs per node",
        node=Systems.A100,
        count=3_072,
        per_node=8,
        scale_up=Fabrics.NVLink3,
        scale_out=Fabrics.InfiniBandHDR,
    ),
    "OPT_A100": _cluster(
        "OPT_A100",
        "Meta's OPT-175B run: 992 A100 80GB",
        "Zhang et al. 2022 (OPT, arXiv 2205.01068) and its logbook: 992 80GB A100, 8 per node "
        "(Azure NDm A100 v4: NVLink3, 8x HDR 200 Gb/s InfiniBand)",
        node=Systems.A100,
        count=992,
        per_node=8,
        scale_up=Fabrics.NVLink3,
        scale_out=Fabrics.InfiniBandHDR,
    ),
    "DGX2H_V100": _cluster(
        "DGX2H_V100",
        "Megatron-LM 2019: 32 DGX-2H, 512 V100",
        "Shoeybi et al. 2019 (Megatron-LM, arXiv 1909.08053), section 5: 32 DGX-2H servers of "
        "16 V100 (NVSwitch, 300 GB/s), 8 InfiniBand 100 Gb/s adapters per server",
        node=Systems.V100,
        count=512,
        per_node=16,
        nics_per_node=8,
        scale_up=Fabrics.NVLink2,
        scale_out=Fabrics.InfiniBandEDR,
    ),
}

Clusters: Registry[Cluster] = Registry("cluster", CLUSTERS)
# The contract reads named clusters as ``Systems.Clusters``; the node registry lives a module
# below this one, so the attribute is attached here, where both are known.
Systems.Clusters = Clusters

__all__ = ["CLUSTERS", "DEFAULT_FABRICS", "Cluster", "Clusters"]
