"""Layer 1: physical and economic constants, each with its source.

Hardware numbers stay in ``mlsys.hardware`` and model numbers in ``mlsys.models``; this module
holds what surrounds a node: the carbon intensity of the grid it draws from, the energy of
elementary operations, prices of cloud GPUs and electricity, data-centre overhead and failure
statistics. Every value is a ``Sourced`` (a float, its unit, where it came from, and whether it
is an estimate). Prices drift: each says when and where it was quoted.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from mlsys.units import Quantity


@dataclass(frozen=True)
class Sourced:
    """A number with its unit and provenance; ``estimate`` marks values no source pins down."""

    value: float
    unit: str
    source: str
    estimate: bool = False

    @property
    def quantity(self) -> Quantity:
        """The value as a quantity of ``mlsys.ureg``."""
        return Quantity(self.value, self.unit)


# -- Grid carbon intensity (operational, gCO2e per kWh drawn) ------------------------------------
_GRID = "gCO2/kWh"
_BOOK_V2 = "Machine Learning Systems, Vol. 2, appendix Assumptions (grid carbon intensity)"
_EMBER_2023 = (
    "Ember 2023 via Our World in Data, carbon-intensity-electricity (generation, lifecycle)"
)

GRID_CARBON_INTENSITY: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        # Hydro-Québec reports under 2 gCO2/kWh; the bound is used so estimates err high.
        "Quebec": Sourced(2.0, _GRID, "Hydro-Québec grid report: under 2 gCO2/kWh (upper bound)"),
        "Ontario": Sourced(30.0, _GRID, "Ontario provincial grid report: about 30 gCO2/kWh"),
        "California": Sourced(175.0, _GRID, "California state grid report: about 175 gCO2/kWh"),
        "Alberta": Sourced(
            670.0, _GRID, "Alberta provincial grid report: about 670 gCO2/kWh (gas and coal)"
        ),
        "US average": Sourced(367.0, _GRID, "EIA, US average 2023: about 367 gCO2/kWh"),
        "World average": Sourced(436.0, _GRID, "Ember, world average 2022: about 436 gCO2/kWh"),
        "Norway": Sourced(30.0, _GRID, f"{_EMBER_2023}: 30 (hydropower)"),
        "France": Sourced(56.0, _GRID, f"{_EMBER_2023}: 56 (nuclear)"),
        "Germany": Sourced(381.0, _GRID, f"{_EMBER_2023}: 381"),
        "China": Sourced(582.0, _GRID, f"{_EMBER_2023}: 582"),
        "Poland": Sourced(662.0, _GRID, "Ember 2023 (via Statista): 662, highest in the EU (coal)"),
        "India": Sourced(713.0, _GRID, f"{_EMBER_2023}: 713 (coal)"),
        # Regions the fleet chapters compare, from the book's assumption sheet (Vol. 2).
        "Iceland": Sourced(28.0, _GRID, f"{_BOOK_V2}: Iceland 28 (geothermal, hydro)"),
        "EU average": Sourced(270.0, _GRID, f"{_BOOK_V2}: EU 270"),
        "Texas": Sourced(400.0, _GRID, f"{_BOOK_V2}: Texas 400"),
        "Iowa": Sourced(680.0, _GRID, f"{_BOOK_V2}: Iowa 680"),
    }
)
#: The region used when a simulation is not told one.
DEFAULT_REGION = "World average"


def grid_intensity(region: str) -> Sourced:
    """Carbon intensity of ``region``'s grid (gCO2/kWh). Matching ignores case; an unknown
    region raises ValueError listing the known ones."""
    if isinstance(region, str):
        for name, value in GRID_CARBON_INTENSITY.items():
            if name.casefold() == region.strip().casefold():
                return value
    raise ValueError(
        f"region: unknown grid {region!r}; known regions: {', '.join(GRID_CARBON_INTENSITY)}"
    )


# -- Energy per operation, 45 nm CMOS (Horowitz, ISSCC 2014, "Computing's energy problem") -------
_HOROWITZ = "Horowitz, ISSCC 2014, energy table for 45 nm at 0.9 V"

ENERGY_PER_OPERATION: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "int8_add": Sourced(0.03, "pJ", _HOROWITZ),
        "int8_mult": Sourced(0.2, "pJ", _HOROWITZ),
        "int32_add": Sourced(0.1, "pJ", _HOROWITZ),
        "int32_mult": Sourced(3.1, "pJ", _HOROWITZ),
        "fp16_add": Sourced(0.4, "pJ", _HOROWITZ),
        "fp16_mult": Sourced(1.1, "pJ", _HOROWITZ),
        "fp32_add": Sourced(0.9, "pJ", _HOROWITZ),
        "fp32_mult": Sourced(3.7, "pJ", _HOROWITZ),
        # Memory accesses: why data movement, not arithmetic, dominates the energy bill.
        "sram_read_64bit_8KB": Sourced(10.0, "pJ", f"{_HOROWITZ}: 64-bit read of an 8 KB SRAM"),
        "dram_read_32bit": Sourced(640.0, "pJ", f"{_HOROWITZ}: 32-bit DRAM read"),
    }
)


# -- Prices -------------------------------------------------------------------------------------
# Cloud GPUs, on demand, one GPU per hour. Providers differ by 2-5x for the same silicon (AWS
# p5.48xlarge lists 8 H100 at $98.32/h = $12.29 per GPU-hour); these are specialty-cloud prices.
CLOUD_GPU_USD_PER_HOUR: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "H100": Sourced(
            2.49, "USD/hour", "Lambda on-demand 1x H100, as listed by computespec.pages.dev (2026)"
        ),
        "A100": Sourced(1.49, "USD/hour", "Jarvislabs on-demand A100 80GB (April 2026)"),
        "V100": Sourced(
            2.48,
            "USD/hour",
            "estimate: Google Cloud on-demand V100 list price as last seen; not re-checked",
            estimate=True,
        ),
        "T4": Sourced(
            0.35,
            "USD/hour",
            "estimate: Google Cloud on-demand T4 list price as last seen; not re-checked",
            estimate=True,
        ),
    }
)

#: Electricity for devices their owners run (edge, phones, glasses, microcontrollers).
ELECTRICITY_USD_PER_KWH: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "US average": Sourced(
            0.1268,
            "USD/kWh",
            "EIA Electric Power Annual 2023, US average revenue per kWh, all sectors (12.68 cents)",
        ),
        "California": Sourced(
            0.2487,
            "USD/kWh",
            "EIA Electric Power Annual 2023, California average revenue per kWh, all sectors",
        ),
    }
)
DEFAULT_ELECTRICITY_REGION = "US average"

# -- Data-centre overhead -------------------------------------------------------------------------
#: Power usage effectiveness: facility power / IT power, applied to data-centre GPUs only.
DATACENTER_PUE = Sourced(
    1.58, "dimensionless", "Uptime Institute Global Data Center Survey 2023: average PUE 1.58"
)

# -- Failures and repairs, one node -------------------------------------------------------------
# H100: Meta's Llama 3 pre-training saw 419 unexpected interruptions in 54 days on 16,384 H100s
# (Dubey et al. 2024, "The Llama 3 Herd of Models", Table 5); charging them all to the GPUs gives
# 16,384 x 54 x 24 h / 419 = 50,677 h between failures per GPU (host failures included).
NODE_MTBF_HOURS: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "datacenter_gpu": Sourced(
            16_384 * 54 * 24 / 419,
            "hour",
            "derived: Dubey et al. 2024 (Llama 3), 419 unexpected interruptions, 54 days, 16,384 H100",
        ),
        "edge_soc": Sourced(100_000.0, "hour", "estimate: automotive-grade compute module", True),
        "phone_soc": Sourced(50_000.0, "hour", "estimate: consumer SoC in a phone", True),
        "glasses_soc": Sourced(50_000.0, "hour", "estimate: consumer SoC in glasses", True),
        "mcu": Sourced(1_000_000.0, "hour", "estimate: microcontroller, ~1,000 FIT", True),
    }
)
NODE_MTTR_HOURS: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "datacenter_gpu": Sourced(3.0, "hour", "estimate: drain, swap to a spare, reload", True),
        "edge_soc": Sourced(24.0, "hour", "estimate: vehicle back to the depot for a swap", True),
        "phone_soc": Sourced(72.0, "hour", "estimate: repair or replacement by mail", True),
        "glasses_soc": Sourced(72.0, "hour", "estimate: repair or replacement by mail", True),
        "mcu": Sourced(168.0, "hour", "estimate: replace the device within a week", True),
    }
)

# -- Latency jitter of a runtime ---------------------------------------------------------------
# The engine's dispatch tax is a mean. Real runtimes add a tail (OS preemption, garbage
# collection, interrupt service); modelled as an exponential extra delay whose mean is this
# fraction of the runtime's dispatch tax.
RUNTIME_JITTER_FRACTION: MappingProxyType[str, Sourced] = MappingProxyType(
    {
        "eager": Sourced(0.5, "dimensionless", "estimate: Python framework, GC and OS noise", True),
        "compiled": Sourced(0.1, "dimensionless", "estimate: compiled runtime on an OS", True),
        "interpreter": Sourced(
            0.02, "dimensionless", "estimate: bare-metal interpreter, interrupts only", True
        ),
    }
)

__all__ = [
    "CLOUD_GPU_USD_PER_HOUR",
    "DATACENTER_PUE",
    "DEFAULT_ELECTRICITY_REGION",
    "DEFAULT_REGION",
    "ELECTRICITY_USD_PER_KWH",
    "ENERGY_PER_OPERATION",
    "GRID_CARBON_INTENSITY",
    "NODE_MTBF_HOURS",
    "NODE_MTTR_HOURS",
    "RUNTIME_JITTER_FRACTION",
    "Sourced",
    "grid_intensity",
]
