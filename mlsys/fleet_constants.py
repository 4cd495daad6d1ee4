"""Layer 1: the constants of the fleet (Volume 2), each with its source.

Fabric speeds live in ``mlsys.fabrics``, named clusters in ``mlsys.cluster``; this module holds
what the fleet's laws need besides: component failure rates and recovery times, checkpoint
storage, facility overhead, water, embodied carbon, the reference GPU price, and the measured
costs of privacy, robustness and responsible engineering. Most come from the book's shared
assumption sheet (Machine Learning Systems, Volume 2, appendix "Assumptions"), quoted as
``_BOOK``; the one calibration factor of the collectives says which public figure set it.
"""

from __future__ import annotations

from types import MappingProxyType

from mlsys.constants import Sourced

_BOOK = "Machine Learning Systems, Vol. 2, appendix Assumptions"

# -- Failures ------------------------------------------------------------------------------------
#: Mean time to failure of each component (hours), from the book's assumption sheet.
COMPONENT_MTTF_HOURS: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "gpu": Sourced(50_000.0, "hour", f"{_BOOK}: GPU MTTF 50,000 h"),
        "hbm": Sourced(200_000.0, "hour", f"{_BOOK}: HBM stack MTTF 200,000 h"),
        "nic": Sourced(150_000.0, "hour", f"{_BOOK}: NIC MTTF 150,000 h"),
        "psu": Sourced(100_000.0, "hour", f"{_BOOK}: power supply MTTF 100,000 h"),
        "pcie_switch": Sourced(200_000.0, "hour", f"{_BOOK}: PCIe switch MTTF 200,000 h"),
        "tor_switch": Sourced(300_000.0, "hour", f"{_BOOK}: top-of-rack switch MTTF 300,000 h"),
        "cable": Sourced(50_000.0, "hour", f"{_BOOK}: optical cable MTTF 50,000 h"),
    }
)
#: How many of each component a job depends on, per device or per node. The book's worked
#: example (10,000 GPUs -> 0.2708 failures/h, MTBF 3.69 h) counts exactly these: a GPU and its
#: HBM per device, one NIC and one power supply per 8-GPU node.
DEFAULT_COMPONENTS: MappingProxyType[str, tuple[str, float]] = MappingProxyType(
    {
        "gpu": ("device", 1.0),
        "hbm": ("device", 1.0),
        "nic": ("node", 1.0),
        "psu": ("node", 1.0),
    }
)
#: Silent data corruption (events per GPU-hour).
SDC_PER_GPU_HOUR = Sourced(1e-6, "1/hour", f"{_BOOK}: silent data corruption 1e-6 per GPU-hour")

# -- Recovery after a failure (seconds) ---------------------------------------------------------
RECOVERY_SECONDS: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "detect": Sourced(30.0, "second", f"{_BOOK}: heartbeat timeout 30 s"),
        "reschedule": Sourced(60.0, "second", f"{_BOOK}: reschedule onto a spare 60 s"),
        "restart": Sourced(180.0, "second", f"{_BOOK}: restart the job 180 s"),
        "warmup": Sourced(120.0, "second", f"{_BOOK}: warm-up to full speed 120 s"),
    }
)
#: Aggregate write (and read-back) bandwidth of the checkpoint store.
CHECKPOINT_WRITE_BPS = Sourced(100e9, "byte/second", f"{_BOOK}: checkpoint write 100 GB/s")

# -- Facility ------------------------------------------------------------------------------------
#: Maximum power of one server (GPUs, CPUs, NICs, fans), by the node type it holds.
SERVER_POWER_W: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "H100": Sourced(10_200.0, "watt", "NVIDIA DGX H100 user guide: 10.2 kW maximum"),
        "A100": Sourced(6_500.0, "watt", "NVIDIA DGX A100 datasheet: 6.5 kW maximum"),
        "V100": Sourced(12_000.0, "watt", "NVIDIA DGX-2H datasheet: 12 kW (16 V100)"),
    }
)
#: What one rack can shed with air alone; above it, liquid cooling.
AIR_COOLED_RACK_LIMIT_W = Sourced(
    40_000.0, "watt", f"{_BOOK} (compute infrastructure): air cooling tops out at ~30-40 kW/rack"
)
PUE: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "liquid": Sourced(1.06, "dimensionless", f"{_BOOK}: liquid-cooled PUE 1.06"),
        "best_air": Sourced(1.12, "dimensionless", f"{_BOOK}: best air-cooled PUE 1.12"),
        "typical": Sourced(1.55, "dimensionless", f"{_BOOK}: typical PUE 1.55"),
        "legacy": Sourced(1.58, "dimensionless", f"{_BOOK}: legacy PUE 1.58"),
    }
)
#: Water evaporated on site per kWh of IT energy (WUE).
WATER_L_PER_KWH = Sourced(
    1.8, "liter/kWh", "Shehabi et al. 2016 (LBNL, US Data Center Energy Usage Report): 1.8 L/kWh"
)
#: Manufacturing carbon of one data-centre GPU with its share of the server.
EMBODIED_KG_PER_GPU = Sourced(
    150.0,
    "kg",
    "estimate: Luccioni et al. 2022 (BLOOM) assume ~150 kgCO2e per GPU for embodied emissions",
    estimate=True,
)
#: Service life over which embodied carbon is amortised.
HARDWARE_LIFETIME_HOURS = Sourced(
    4 * 365 * 24.0, "hour", "estimate: 4-year depreciation of accelerators", estimate=True
)
#: Rental price of one GPU for one hour, the book's reference for fleet costs.
GPU_USD_PER_HOUR = Sourced(2.0, "USD/hour", f"{_BOOK}: reference price $2 per GPU-hour")
#: Training tokens per parameter of a compute-optimal run (Hoffmann et al. 2022, "Chinchilla":
#: about 20 tokens per parameter); the default length of a run when a lab names none.
TOKENS_PER_PARAMETER = Sourced(
    20.0, "dimensionless", "Hoffmann et al. 2022 (Chinchilla): ~20 tokens per parameter"
)

# -- The one calibration factor of the collectives ----------------------------------------------
#: Fraction of a link's line rate a collective library sustains at large messages. Set by
#: nccl-tests ``all_reduce_perf`` on 8x A100 SXM (NVSwitch, NVLink3 at 300 GB/s each way):
#: bus bandwidth ~230-250 GB/s, i.e. 240 / 300 = 0.8.
COLLECTIVE_LINK_EFFICIENCY = Sourced(
    0.8,
    "dimensionless",
    "calibrated: nccl-tests all_reduce_perf, 8x A100 NVLink3, busBW ~240 of 300 GB/s",
)

# -- Serving -----------------------------------------------------------------------------------
#: Share of KV-cache memory lost to fragmentation and over-reservation. Kwon et al. 2023
#: (vLLM, SOSP): prior systems waste 60-80 % of it; paged attention under 4 %.
KV_CACHE_WASTE: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "paged": Sourced(0.04, "dimensionless", "Kwon et al. 2023 (vLLM): under 4 % wasted"),
        "contiguous": Sourced(
            0.70, "dimensionless", "Kwon et al. 2023 (vLLM): prior systems waste 60-80 %"
        ),
    }
)

# -- Measured costs of privacy, robustness and responsible engineering -------------------------
#: DP-SGD clips and noises per-example gradients; Opacus measures the slowdown of a step.
DP_SGD_STEP_SLOWDOWN = Sourced(
    2.0,
    "dimensionless",
    "estimate: Yousefpour et al. 2021 (Opacus) report per-sample gradients costing ~2x a step",
    estimate=True,
)
#: Adversarial training with a K-step attack costs K+1 forward-backward passes per step
#: (Madry et al. 2018, PGD-7: 8x); this is K.
PGD_ATTACK_STEPS = Sourced(7.0, "dimensionless", "Madry et al. 2018: PGD-7 adversarial training")
RESPONSIBLE_COSTS: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "training_overhead": Sourced(
            0.10, "dimensionless", f"{_BOOK} (responsible AI): fairness-aware training +5-15 %"
        ),
        "monitoring_s": Sourced(
            0.015, "second", f"{_BOOK} (responsible AI): monitoring +10-20 ms per inference"
        ),
        "explanation_factor": Sourced(
            100.0,
            "dimensionless",
            f"{_BOOK} (responsible AI): an explanation costs 50-1,000x an inference (SHAP-like)",
        ),
    }
)

__all__ = [
    "AIR_COOLED_RACK_LIMIT_W",
    "CHECKPOINT_WRITE_BPS",
    "COLLECTIVE_LINK_EFFICIENCY",
    "COMPONENT_MTTF_HOURS",
    "DEFAULT_COMPONENTS",
    "DP_SGD_STEP_SLOWDOWN",
    "EMBODIED_KG_PER_GPU",
    "GPU_USD_PER_HOUR",
    "HARDWARE_LIFETIME_HOURS",
    "KV_CACHE_WASTE",
    "PGD_ATTACK_STEPS",
    "PUE",
    "RECOVERY_SECONDS",
    "RESPONSIBLE_COSTS",
    "SDC_PER_GPU_HOUR",
    "SERVER_POWER_W",
    "TOKENS_PER_PARAMETER",
    "WATER_L_PER_KWH",
]
