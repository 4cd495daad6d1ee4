"""Layer 1: interconnect twins, the links between accelerators (``mlsys.Fabrics``).

Each fabric gives, per device, the bandwidth in ONE direction (byte/s; vendors quote NVLink
bidirectionally, so 900 GB/s NVLink4 is 450 GB/s each way), the latency ``alpha`` of one
message (s) and the energy of moving one bit (J). Scale-up fabrics join the devices of one node
(NVLink, PCIe); scale-out fabrics join nodes (InfiniBand, RoCE, Ethernet), one NIC per device
unless a cluster says otherwise. Numbers no datasheet pins down are listed in ``estimates``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from mlsys.registry import Registry
from mlsys.units import Quantity

_BOOK = "Machine Learning Systems, Vol. 2, appendix Assumptions"
G = 1e9
US = 1e-6
PJ = 1e-12


@dataclass(frozen=True)
class Fabric:
    """One link technology: ``bandwidth_bps`` each way per device (byte/s), ``latency_s`` per
    message (s), ``energy_per_bit_j`` (J/bit); ``kind`` is "scale_up" or "scale_out"."""

    name: str
    title: str
    kind: str
    bandwidth_bps: float
    latency_s: float
    energy_per_bit_j: float
    sources: MappingProxyType[str, str]
    estimates: tuple[str, ...] = ()

    @property
    def bandwidth(self) -> Quantity:
        """Bandwidth per device in one direction."""
        return Quantity(self.bandwidth_bps / G, "GB/s")

    @property
    def latency(self) -> Quantity:
        """Latency (alpha) of one message."""
        return Quantity(self.latency_s / US, "us")

    @property
    def energy_per_bit(self) -> Quantity:
        """Energy to move one bit across the link."""
        return Quantity(self.energy_per_bit_j / PJ, "pJ")

    @property
    def crossover(self) -> Quantity:
        """Message size where latency and bandwidth cost the same: ``alpha * beta``."""
        return Quantity(self.latency_s * self.bandwidth_bps, "byte")

    def __repr__(self) -> str:
        return f"<Fabric {self.name}: {self.title}>"


_NVLINK_ALPHA = (
    "estimate: ~1 us per NCCL hop inside a node (small-message all-reduce ~10 us on 8 GPUs)"
)
_PCIE_ALPHA = "estimate: ~2 us per hop through the host's PCIe switches"
_NVLINK_ENERGY = "estimate: ~1.3 pJ/bit, NVIDIA's figure for NVLink-C2C"
_PCIE_ENERGY = "estimate: ~5 pJ/bit for a PCIe 4.0 SerDes link"
_NIC_ENERGY = "estimate: ~15 pJ/bit for NIC, optics and switch hops"
_IB_ALPHA = f"{_BOOK}: InfiniBand alpha 1.5-5 us; NCCL's software puts it at the upper end"


def _fabric(name, title, kind, gbps_each_way, latency_us, pj_per_bit, sources, estimates=()):
    # Every estimated field also gets its reasoning as its source, so no number is unexplained.
    pcie = name.startswith("PCIe")
    notes = {
        "latency_s": _PCIE_ALPHA if pcie else _NVLINK_ALPHA,
        "energy_per_bit_j": (
            _PCIE_ENERGY if pcie else _NVLINK_ENERGY if kind == "scale_up" else _NIC_ENERGY
        ),
    }
    full = {**{key: notes[key] for key in estimates}, **sources}
    return Fabric(
        name,
        title,
        kind,
        gbps_each_way * G,
        latency_us * US,
        pj_per_bit * PJ,
        MappingProxyType(full),
        tuple(estimates),
    )


FABRICS: dict[str, Fabric] = {
    "NVLink2": _fabric(
        "NVLink2",
        "NVLink 2 (V100, NVSwitch in DGX-2)",
        "scale_up",
        150,
        1.0,
        1.3,
        {"bandwidth_bps": "NVIDIA V100 datasheet: 300 GB/s NVLink, bidirectional"},
        ("latency_s", "energy_per_bit_j"),
    ),
    "NVLink3": _fabric(
        "NVLink3",
        "NVLink 3 (A100, NVSwitch)",
        "scale_up",
        300,
        1.0,
        1.3,
        {"bandwidth_bps": "NVIDIA A100 datasheet: 600 GB/s NVLink, bidirectional"},
        ("latency_s", "energy_per_bit_j"),
    ),
    "NVLink4": _fabric(
        "NVLink4",
        "NVLink 4 (H100, NVSwitch)",
        "scale_up",
        450,
        1.0,
        1.3,
        {"bandwidth_bps": f"NVIDIA H100 datasheet; {_BOOK}: 900 GB/s bidirectional, 450 each way"},
        ("latency_s", "energy_per_bit_j"),
    ),
    "NVLink5": _fabric(
        "NVLink5",
        "NVLink 5 (B200 / GB200 NVL72)",
        "scale_up",
        900,
        1.0,
        1.3,
        {"bandwidth_bps": "NVIDIA Blackwell datasheet: 1.8 TB/s NVLink, bidirectional"},
        ("latency_s", "energy_per_bit_j"),
    ),
    "PCIe4": _fabric(
        "PCIe4",
        "PCIe 4.0 x16 (no NVLink)",
        "scale_up",
        32,
        2.0,
        5.0,
        {"bandwidth_bps": "PCI-SIG: PCIe 4.0 x16, 16 GT/s x 16 lanes, ~32 GB/s each way"},
        ("latency_s", "energy_per_bit_j"),
    ),
    "InfiniBandEDR": _fabric(
        "InfiniBandEDR",
        "InfiniBand EDR 100 Gb/s",
        "scale_out",
        12.5,
        5.0,
        15.0,
        {"bandwidth_bps": "InfiniBand Trade Association: EDR 100 Gb/s", "latency_s": _IB_ALPHA},
        ("energy_per_bit_j",),
    ),
    "InfiniBandHDR": _fabric(
        "InfiniBandHDR",
        "InfiniBand HDR 200 Gb/s",
        "scale_out",
        25,
        5.0,
        15.0,
        {"bandwidth_bps": f"{_BOOK}: HDR 25 GB/s", "latency_s": _IB_ALPHA},
        ("energy_per_bit_j",),
    ),
    "InfiniBandNDR": _fabric(
        "InfiniBandNDR",
        "InfiniBand NDR 400 Gb/s",
        "scale_out",
        50,
        5.0,
        15.0,
        {"bandwidth_bps": f"{_BOOK}: NDR 50 GB/s", "latency_s": _IB_ALPHA},
        ("energy_per_bit_j",),
    ),
    "InfiniBandXDR": _fabric(
        "InfiniBandXDR",
        "InfiniBand XDR 800 Gb/s",
        "scale_out",
        100,
        5.0,
        15.0,
        {"bandwidth_bps": f"{_BOOK}: XDR 100 GB/s", "latency_s": _IB_ALPHA},
        ("energy_per_bit_j",),
    ),
    "RoCE400": _fabric(
        "RoCE400",
        "RoCE v2 over 400 Gb/s Ethernet",
        "scale_out",
        50,
        10.0,
        15.0,
        {"bandwidth_bps": f"{_BOOK}: 400GbE 50 GB/s", "latency_s": f"{_BOOK}: RoCE alpha ~10 us"},
        ("energy_per_bit_j",),
    ),
    "Ethernet100": _fabric(
        "Ethernet100",
        "100 Gb/s Ethernet, TCP",
        "scale_out",
        12.5,
        50.0,
        15.0,
        {"bandwidth_bps": "IEEE 802.3: 100 Gb/s", "latency_s": f"{_BOOK}: TCP alpha ~50 us"},
        ("energy_per_bit_j",),
    ),
    "Ethernet400": _fabric(
        "Ethernet400",
        "400 Gb/s Ethernet, TCP",
        "scale_out",
        50,
        50.0,
        15.0,
        {"bandwidth_bps": f"{_BOOK}: 400GbE 50 GB/s", "latency_s": f"{_BOOK}: TCP alpha ~50 us"},
        ("energy_per_bit_j",),
    ),
    "Ethernet800": _fabric(
        "Ethernet800",
        "800 Gb/s Ethernet, TCP",
        "scale_out",
        100,
        50.0,
        15.0,
        {"bandwidth_bps": "IEEE 802.3df: 800 Gb/s", "latency_s": f"{_BOOK}: TCP alpha ~50 us"},
        ("energy_per_bit_j",),
    ),
}
Fabrics: Registry[Fabric] = Registry("fabric", FABRICS)

__all__ = ["FABRICS", "Fabric", "Fabrics"]
