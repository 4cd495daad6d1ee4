"""Hardware twins: sourced single-node systems, from data-centre GPUs to microcontrollers.

Conventions: peak compute is DENSE (vendor headline figures with 2:4 sparsity are halved) and
counts 2 FLOP per MAC for every number format; bytes are decimal (GB = 1e9). Each number names
its source; numbers that no public source gives are listed in ``estimates`` and say so.

Overhead parameters model the software "dispatch tax" of a runtime: a fixed cost per inference
plus a cost per kernel launch, with ``kernels_per_layer`` kernels per weight layer of a model
(eager frameworks launch conv, norm and activation separately; compiled runtimes fuse them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from mlsys.formulas import attainable_flops
from mlsys.registry import Registry
from mlsys.units import Quantity, ureg

#: Every precision the engine knows, with its storage size in bytes per value.
BYTES_PER_VALUE: MappingProxyType[str, float] = MappingProxyType(
    {"fp32": 4.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0}
)
PRECISIONS: tuple[str, ...] = tuple(BYTES_PER_VALUE)


@dataclass(frozen=True)
class Runtime:
    """A software runtime's dispatch tax on one system.

    ``fixed_s`` is paid once per inference (s), ``per_kernel_s`` per kernel launch (s).
    """

    name: str
    fixed_s: float
    per_kernel_s: float
    kernels_per_layer: float
    source: str

    def overhead_s(self, layers: int) -> float:
        """Dispatch tax of one inference over a model with ``layers`` weight layers, in seconds."""
        return self.fixed_s + layers * self.kernels_per_layer * self.per_kernel_s


@dataclass(frozen=True)
class SystemSpec:
    """One node: an accelerator, SoC or microcontroller and the runtimes it runs.

    Units of the float fields: FLOP/s (``peak_flops``), byte/s (``bandwidth_bps``), byte
    (``ram_bytes``), watt (``tdp_w``, ``static_w``, ``sleep_w``, ``thermal_budget_w``).
    """

    name: str
    title: str
    device_class: str
    peak_flops: MappingProxyType[str, float]
    bandwidth_bps: float
    ram_bytes: float
    tdp_w: float
    static_w: float
    sleep_w: float
    typical_efficiency: float
    efficiency_source: str
    runtimes: MappingProxyType[str, Runtime]
    default_runtime: str
    default_precision: str
    sources: MappingProxyType[str, str]
    estimates: tuple[str, ...] = ()
    thermal_budget_w: float | None = None
    clock_hz: float | None = None
    single_node: bool = True
    accelerators: int = 1
    memory_kind: str = "DRAM"
    extra: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def precisions(self) -> tuple[str, ...]:
        """Precisions this system can run (those with a sourced or estimated peak)."""
        return tuple(p for p in PRECISIONS if p in self.peak_flops)

    @property
    def ram(self) -> Quantity:
        """Memory capacity that must hold the model's footprint (SRAM on a microcontroller)."""
        return Quantity(self.ram_bytes, "byte")

    @property
    def memory_bandwidth(self) -> Quantity:
        """Peak memory bandwidth."""
        return Quantity(self.bandwidth_bps, "byte/second")

    @property
    def tdp(self) -> Quantity:
        """Thermal design power: the most power the node draws while busy."""
        return Quantity(self.tdp_w, "watt")

    @property
    def static_power(self) -> Quantity:
        """Power drawn whenever the node is awake, busy or not."""
        return Quantity(self.static_w, "watt")

    @property
    def sleep_power(self) -> Quantity:
        """Power drawn asleep between inferences (duty cycling)."""
        return Quantity(self.sleep_w, "watt")

    @property
    def thermal_budget(self) -> Quantity:
        """Sustained power the enclosure can shed without throttling (defaults to TDP)."""
        return Quantity(self.thermal_budget_w or self.tdp_w, "watt")

    def peak(self, precision: str) -> Quantity:
        """Dense peak compute at ``precision``; ValueError when the system cannot run it."""
        if precision not in self.peak_flops:
            raise ValueError(
                f"precision: {self.name} cannot run {precision!r}; it runs {', '.join(self.precisions)}"
            )
        return Quantity(self.peak_flops[precision], "FLOP/second")

    def attainable(self, precision: str, intensity: Any) -> Quantity:
        """The roofline at ``intensity`` (FLOP/byte, a quantity or a number): the most FLOP/s
        this system reaches there at ``precision``."""
        peak = self.peak(precision).magnitude
        value = (
            intensity.to("FLOP/byte").magnitude if isinstance(intensity, Quantity) else intensity
        )
        return Quantity(
            attainable_flops(peak, self.bandwidth_bps, float(value)),
            "FLOP/second",
        )

    def ridge_point(self, precision: str) -> Quantity:
        """Arithmetic intensity where the roofline turns from memory- to compute-bound (FLOP/byte)."""
        return (self.peak(precision) / self.memory_bandwidth).to("FLOP/byte")

    def __repr__(self) -> str:
        return f"<System {self.name}: {self.title}>"


def _freeze(mapping: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(dict(mapping))


def _system(**kwargs: Any) -> SystemSpec:
    for key in ("peak_flops", "runtimes", "sources", "extra"):
        if key in kwargs:
            kwargs[key] = _freeze(kwargs[key])
    spec = SystemSpec(**kwargs)
    assert spec.default_runtime in spec.runtimes, spec.name
    assert spec.default_precision in spec.peak_flops, spec.name
    return spec


T, G, M = 1e12, 1e9, 1e6

# --- Runtimes -------------------------------------------------------------------------------
# PyTorch eager: calibrated so ResNet-50 at batch 1 (fp32) on a V100 takes about 10 ms, as
# measured in practice (facts.md, "Lessons"): 54 weight layers x 3 kernels x 54 us + 0.2 ms.
_EAGER = Runtime(
    "eager", 0.2e-3, 54e-6, 3.0, "calibrated: PyTorch eager ResNet-50 batch 1 on V100 ~10 ms"
)
# TensorRT on a data-centre host: fused layers, one launch each.
_TENSORRT_DC = Runtime(
    "compiled", 20e-6, 3e-6, 1.0, "estimate: TensorRT fused layers on an x86 host"
)
# TensorRT on Jetson's Arm host: calibrated with MLPerf v3.1 Orin ResNet-50 SingleStream 0.64 ms.
_TENSORRT_JETSON = Runtime(
    "compiled", 30e-6, 7.5e-6, 1.0, "calibrated: MLPerf Inference v3.1 Orin ResNet-50 SingleStream"
)
_EAGER_JETSON = Runtime(
    "eager",
    0.5e-3,
    110e-6,
    3.0,
    "estimate: PyTorch eager on Jetson's Arm cores, ~2x the x86 launch cost",
)
# Phone and glasses NPUs through their vendors' compiled delegates (QNN, Core ML).
_NPU_DELEGATE = Runtime(
    "compiled", 0.4e-3, 15e-6, 1.0, "estimate: NPU delegate dispatch (QNN / Core ML)"
)
_MOBILE_CPU_EAGER = Runtime(
    "eager", 1.0e-3, 60e-6, 3.0, "estimate: interpreted mobile framework on CPU"
)


def _tflm(clock_hz: float) -> Runtime:
    # TensorFlow Lite Micro's interpreter costs roughly 2,400 cycles per operator invoke;
    # calibrated so DS-CNN on a 120 MHz STM32L4R5 matches MLPerf Tiny v1.0 (75.1 ms).
    return Runtime(
        "interpreter",
        6_000 / clock_hz,
        2_400 / clock_hz,
        1.0,
        "calibrated: TFLite Micro on STM32L4R5, MLPerf Tiny v1.0 keyword spotting",
    )


_DATACENTRE_RUNTIMES = {"compiled": _TENSORRT_DC, "eager": _EAGER}

# --- Efficiency calibrations -------------------------------------------------------------------
_H100_EFF = "MLPerf Inference v4.0 (NVIDIA): 1x H100-SXM ResNet-50 Offline INT8 88,714 samples/s"
_A100_EFF = (
    "MLPerf Inference v3.0 (NVIDIA): 1x A100-SXM BERT-Large Offline 3,590.5 samples/s "
    "(unpadded sequences, ~170 tokens on average: estimate)"
)
_ORIN_EFF = "MLPerf Inference v3.1 (NVIDIA): Jetson AGX Orin ResNet-50 SingleStream 0.64 ms"
_M4_EFF = "MLPerf Tiny v1.0 (ST): STM32L4R5 DS-CNN 75.1 ms, i.e. ~0.3 MAC/cycle of the 2 MAC/cycle SMLAD peak"
_DC_ESTIMATE = "estimate: between the H100 (0.39) and A100 (0.55) MLPerf calibrations"
_MOBILE_ESTIMATE = "estimate: NPUs sustain ~30 % of headline TOPS on vision models"


SYSTEMS: dict[str, SystemSpec] = {
    "H100": _system(
        name="H100",
        title="NVIDIA H100 SXM5 80GB",
        device_class="datacenter_gpu",
        peak_flops={"fp32": 67 * T, "fp16": 989.4 * T, "fp8": 1979 * T, "int8": 1979 * T},
        bandwidth_bps=3.35 * T,
        ram_bytes=80 * G,
        tdp_w=700.0,
        static_w=90.0,
        sleep_w=90.0,
        typical_efficiency=0.39,
        efficiency_source=_H100_EFF,
        runtimes=_DATACENTRE_RUNTIMES,
        default_runtime="compiled",
        default_precision="fp16",
        memory_kind="HBM3",
        sources={
            "peak_flops": "NVIDIA H100 datasheet (dense tensor; FP32 is non-tensor)",
            "bandwidth_bps": "NVIDIA H100 datasheet: 3.35 TB/s HBM3",
            "ram_bytes": "NVIDIA H100 datasheet: 80 GB",
            "tdp_w": "NVIDIA H100 datasheet: 700 W",
            "static_w": "estimate: idle draw of an H100 board",
        },
        estimates=("static_w", "sleep_w"),
        extra={"l2_bytes": 50e6, "nvlink_bps": 900 * G},
    ),
    "A100": _system(
        name="A100",
        title="NVIDIA A100 SXM4 80GB",
        device_class="datacenter_gpu",
        peak_flops={"fp32": 19.5 * T, "fp16": 312 * T, "int8": 624 * T},
        bandwidth_bps=2.039 * T,
        ram_bytes=80 * G,
        tdp_w=400.0,
        static_w=55.0,
        sleep_w=55.0,
        typical_efficiency=0.55,
        efficiency_source=_A100_EFF,
        runtimes=_DATACENTRE_RUNTIMES,
        default_runtime="compiled",
        default_precision="fp16",
        memory_kind="HBM2e",
        sources={
            "peak_flops": "NVIDIA A100 datasheet (dense tensor; FP32 is non-tensor)",
            "bandwidth_bps": "NVIDIA A100 datasheet: 2,039 GB/s HBM2e",
            "ram_bytes": "NVIDIA A100 datasheet: 80 GB",
            "tdp_w": "NVIDIA A100 datasheet: 400 W",
            "static_w": "estimate",
        },
        estimates=("static_w", "sleep_w"),
    ),
    "V100": _system(
        name="V100",
        title="NVIDIA V100 SXM2 16GB",
        device_class="datacenter_gpu",
        peak_flops={"fp32": 15.7 * T, "fp16": 125 * T},
        bandwidth_bps=900 * G,
        ram_bytes=16 * G,
        tdp_w=300.0,
        static_w=40.0,
        sleep_w=40.0,
        typical_efficiency=0.45,
        efficiency_source=_DC_ESTIMATE,
        runtimes={"eager": _EAGER, "compiled": _TENSORRT_DC},
        default_runtime="eager",
        default_precision="fp32",
        memory_kind="HBM2",
        sources={
            "peak_flops": "NVIDIA V100 datasheet: FP16 tensor 125 TFLOP/s, FP32 15.7",
            "bandwidth_bps": "NVIDIA V100 datasheet: 900 GB/s",
            "ram_bytes": "NVIDIA V100 datasheet: 16 GB",
            "tdp_w": "NVIDIA V100 datasheet: 300 W",
        },
        estimates=("static_w", "sleep_w", "typical_efficiency"),
    ),
    "T4": _system(
        name="T4",
        title="NVIDIA T4",
        device_class="datacenter_gpu",
        peak_flops={"fp32": 8.1 * T, "fp16": 65 * T, "int8": 130 * T},
        bandwidth_bps=320 * G,
        ram_bytes=16 * G,
        tdp_w=70.0,
        static_w=10.0,
        sleep_w=10.0,
        typical_efficiency=0.45,
        efficiency_source=_DC_ESTIMATE,
        runtimes=_DATACENTRE_RUNTIMES,
        default_runtime="compiled",
        default_precision="int8",
        memory_kind="GDDR6",
        sources={
            "peak_flops": "NVIDIA T4 datasheet: FP16 65 TFLOP/s, INT8 130 TOPS, FP32 8.1",
            "bandwidth_bps": "NVIDIA T4 datasheet: 320 GB/s GDDR6",
            "ram_bytes": "NVIDIA T4 datasheet: 16 GB",
            "tdp_w": "NVIDIA T4 datasheet: 70 W",
        },
        estimates=("static_w", "sleep_w", "typical_efficiency"),
    ),
    "JetsonAGXOrin": _system(
        name="JetsonAGXOrin",
        title="NVIDIA Jetson AGX Orin 64GB",
        device_class="edge_soc",
        peak_flops={"fp32": 5.3 * T, "fp16": 69 * T, "int8": 138 * T},
        bandwidth_bps=204.8 * G,
        ram_bytes=64 * G,
        tdp_w=60.0,
        static_w=10.0,
        sleep_w=5.0,
        typical_efficiency=0.40,
        efficiency_source=_ORIN_EFF,
        runtimes={"compiled": _TENSORRT_JETSON, "eager": _EAGER_JETSON},
        default_runtime="compiled",
        default_precision="int8",
        memory_kind="LPDDR5",
        sources={
            "peak_flops": "NVIDIA Jetson Orin datasheet: 275 INT8 TOPS sparse (GPU + 2 DLA), so ~138 dense",
            "bandwidth_bps": "NVIDIA Jetson Orin datasheet: LPDDR5 256-bit, 204.8 GB/s",
            "ram_bytes": "NVIDIA Jetson Orin datasheet: 64 GB",
            "tdp_w": "NVIDIA Jetson Orin datasheet: 15-60 W modes (60 W mode)",
        },
        estimates=("peak_flops.fp16", "peak_flops.fp32", "static_w", "sleep_w"),
    ),
    "JetsonOrinNX": _system(
        name="JetsonOrinNX",
        title="NVIDIA Jetson Orin NX 16GB",
        device_class="edge_soc",
        peak_flops={"fp32": 1.9 * T, "fp16": 25 * T, "int8": 50 * T},
        bandwidth_bps=102.4 * G,
        ram_bytes=16 * G,
        tdp_w=25.0,
        static_w=5.0,
        sleep_w=2.5,
        typical_efficiency=0.40,
        efficiency_source=f"assumed equal to the AGX Orin: {_ORIN_EFF}",
        runtimes={"compiled": _TENSORRT_JETSON, "eager": _EAGER_JETSON},
        default_runtime="compiled",
        default_precision="int8",
        memory_kind="LPDDR5",
        sources={
            "peak_flops": "NVIDIA Jetson Orin datasheet: 100 INT8 TOPS sparse, so 50 dense",
            "bandwidth_bps": "NVIDIA Jetson Orin datasheet: 102.4 GB/s",
            "ram_bytes": "NVIDIA Jetson Orin datasheet: 16 GB",
            "tdp_w": "NVIDIA Jetson Orin datasheet: 10-25 W modes (25 W mode)",
        },
        estimates=("peak_flops.fp16", "peak_flops.fp32", "static_w", "sleep_w"),
    ),
    "Snapdragon8Gen3": _system(
        name="Snapdragon8Gen3",
        title="Qualcomm Snapdragon 8 Gen 3 (phone)",
        device_class="phone_soc",
        peak_flops={"fp32": 2.0 * T, "fp16": 22.5 * T, "int8": 45 * T},
        bandwidth_bps=77 * G,
        ram_bytes=12 * G,
        tdp_w=8.0,
        static_w=0.8,
        sleep_w=0.02,
        typical_efficiency=0.30,
        efficiency_source=_MOBILE_ESTIMATE,
        runtimes={"compiled": _NPU_DELEGATE, "eager": _MOBILE_CPU_EAGER},
        default_runtime="compiled",
        default_precision="int8",
        memory_kind="LPDDR5X",
        thermal_budget_w=4.0,
        sources={
            "peak_flops": "45 TOPS quoted by third parties (UNCONFIRMED; Qualcomm publishes none)",
            "bandwidth_bps": "Qualcomm product brief: LPDDR5X 4,800 MHz, ~77 GB/s",
            "ram_bytes": "estimate: a 12 GB flagship phone",
        },
        estimates=("peak_flops", "ram_bytes", "tdp_w", "static_w", "sleep_w", "thermal_budget_w"),
    ),
    "A17Pro": _system(
        name="A17Pro",
        title="Apple A17 Pro (phone)",
        device_class="phone_soc",
        peak_flops={"fp32": 2.1 * T, "fp16": 17.5 * T, "int8": 35 * T},
        bandwidth_bps=51.2 * G,
        ram_bytes=8 * G,
        tdp_w=8.0,
        static_w=0.8,
        sleep_w=0.02,
        typical_efficiency=0.30,
        efficiency_source=_MOBILE_ESTIMATE,
        runtimes={"compiled": _NPU_DELEGATE, "eager": _MOBILE_CPU_EAGER},
        default_runtime="compiled",
        default_precision="int8",
        memory_kind="LPDDR5",
        thermal_budget_w=4.0,
        sources={
            "peak_flops": "Apple Sept-2023 keynote: 16-core Neural Engine, 35 TOPS (precision unstated; taken as INT8)",
            "ram_bytes": "Apple Sept-2023 keynote: 8 GB",
            "bandwidth_bps": "estimate: LPDDR5-6400 on a 64-bit bus",
        },
        estimates=("peak_flops.fp16", "peak_flops.fp32", "bandwidth_bps", "tdp_w", "static_w"),
    ),
    "SnapdragonAR1": _system(
        name="SnapdragonAR1",
        title="Qualcomm Snapdragon AR1 Gen 1 (Ray-Ban Meta glasses)",
        device_class="glasses_soc",
        peak_flops={"fp32": 0.1 * T, "fp16": 1.0 * T, "int8": 2.0 * T},
        bandwidth_bps=17 * G,
        ram_bytes=2 * G,
        tdp_w=2.0,
        static_w=0.3,
        sleep_w=0.005,
        typical_efficiency=0.30,
        efficiency_source=_MOBILE_ESTIMATE,
        runtimes={"compiled": _NPU_DELEGATE, "eager": _MOBILE_CPU_EAGER},
        default_runtime="compiled",
        default_precision="int8",
        memory_kind="LPDDR4X",
        thermal_budget_w=1.0,
        sources={
            "all": "Qualcomm / Meta publish no TOPS, bandwidth or power: every number is an estimate",
            "thermal_budget_w": "estimate (facts.md): glasses sustain ~1 W before skin-temperature limits",
        },
        estimates=(
            "peak_flops",
            "bandwidth_bps",
            "ram_bytes",
            "tdp_w",
            "static_w",
            "sleep_w",
            "thermal_budget_w",
        ),
    ),
}


def _mcu(
    name: str,
    title: str,
    core: str,
    clock_hz: float,
    sram_bytes: float,
    flash_bytes: float,
    active_w: float,
    sleep_w: float,
    efficiency: float,
    efficiency_source: str,
    sources: dict[str, str],
    estimates: tuple[str, ...],
    int8_macs_per_cycle: float = 2.0,
    fp32_flops_per_cycle: float = 2.0,
    bus_bytes_per_cycle: float = 4.0,
) -> SystemSpec:
    """A microcontroller twin. Peaks follow from the clock: int8 kernels use the DSP extension's
    SMLAD (2 MACs per cycle = 4 FLOP/cycle by the 2-per-MAC convention), fp32 the single-precision
    FPU's fused multiply-add (2 FLOP/cycle); there is no fp16 arithmetic."""
    return _system(
        name=name,
        title=title,
        device_class="mcu",
        peak_flops={
            "fp32": fp32_flops_per_cycle * clock_hz,
            "int8": 2 * int8_macs_per_cycle * clock_hz,
        },
        bandwidth_bps=bus_bytes_per_cycle * clock_hz,
        ram_bytes=sram_bytes,
        tdp_w=active_w * 1.3,
        static_w=active_w * 0.93,
        sleep_w=sleep_w,
        typical_efficiency=efficiency,
        efficiency_source=efficiency_source,
        runtimes={"interpreter": _tflm(clock_hz)},
        default_runtime="interpreter",
        default_precision="int8",
        memory_kind="SRAM",
        clock_hz=clock_hz,
        sources=sources,
        estimates=estimates,
        extra={"core": core, "flash_bytes": flash_bytes},
    )


_M7_EFF = "estimate: the M7's dual-issue pipeline sustains ~0.6 MAC/cycle (top of facts.md's 0.3-0.6 range)"

SYSTEMS.update(
    {
        "STM32L4R5": _mcu(
            "STM32L4R5",
            "ST STM32L4R5 (Cortex-M4F)",
            "Cortex-M4F",
            120 * M,
            640e3,
            2e6,
            active_w=0.045,
            sleep_w=5e-6,
            efficiency=0.15,
            efficiency_source=_M4_EFF,
            sources={
                "clock_hz": "MLPerf Tiny v1.0 ST submission: 120 MHz, 640 KB SRAM, 2 MB flash",
                "active_w": "MLPerf Tiny v1.0 ST submission: ~45 mW while inferring at 1.8 V",
            },
            estimates=("sleep_w",),
        ),
        "STM32H7A3": _mcu(
            "STM32H7A3",
            "ST STM32H7A3 (Cortex-M7)",
            "Cortex-M7",
            280 * M,
            1.4e6,
            2e6,
            active_w=0.12,
            sleep_w=20e-6,
            efficiency=0.30,
            efficiency_source=_M7_EFF,
            sources={
                "clock_hz": "ST datasheet; MLPerf Tiny v1.0: 280 MHz, 1.4 MB SRAM, 2 MB flash"
            },
            estimates=("active_w", "sleep_w", "typical_efficiency"),
            bus_bytes_per_cycle=8.0,
        ),
        "STM32H743": _mcu(
            "STM32H743",
            "ST STM32H743 (Cortex-M7, 480 MHz)",
            "Cortex-M7",
            480 * M,
            1.0e6,
            2e6,
            active_w=0.25,
            sleep_w=30e-6,
            efficiency=0.30,
            efficiency_source=_M7_EFF,
            sources={"clock_hz": "ST STM32H743 datasheet: 480 MHz, 1 MB RAM, 2 MB flash"},
            estimates=("active_w", "sleep_w", "typical_efficiency"),
            bus_bytes_per_cycle=8.0,
        ),
        "STM32F746": _mcu(
            "STM32F746",
            "ST STM32F746 (Cortex-M7)",
            "Cortex-M7",
            216 * M,
            320e3,
            1e6,
            active_w=0.10,
            sleep_w=20e-6,
            efficiency=0.30,
            efficiency_source=_M7_EFF,
            sources={"clock_hz": "ST datasheet: 216 MHz, 320 KB SRAM, 1 MB flash"},
            estimates=("active_w", "sleep_w", "typical_efficiency"),
            bus_bytes_per_cycle=8.0,
        ),
        "STM32U575": _mcu(
            "STM32U575",
            "ST STM32U575 (Cortex-M33)",
            "Cortex-M33",
            160 * M,
            786e3,
            2e6,
            active_w=0.025,
            sleep_w=3e-6,
            efficiency=0.15,
            efficiency_source=f"assumed equal to the M4: {_M4_EFF}",
            sources={
                "clock_hz": "ST datasheet; MLPerf Tiny v1.0: 160 MHz, 786 KB SRAM, 2 MB flash",
                "active_w": "ST datasheet; MLPerf Tiny v1.0: ~25 mW while inferring",
            },
            estimates=("sleep_w", "typical_efficiency"),
        ),
        "ESP32S3": _mcu(
            "ESP32S3",
            "Espressif ESP32-S3 (Xtensa LX7)",
            "Xtensa LX7",
            240 * M,
            512e3,
            8e6,
            active_w=0.12,
            sleep_w=10e-6,
            efficiency=0.10,
            efficiency_source="estimate: ESP-NN vector kernels reach ~10 % of the 16-lane SIMD peak",
            sources={
                "clock_hz": "Espressif ESP32-S3 datasheet: dual LX7 at 240 MHz, 512 KB SRAM, vector extensions"
            },
            estimates=("active_w", "sleep_w", "typical_efficiency", "peak_flops.int8"),
            int8_macs_per_cycle=16.0,
            bus_bytes_per_cycle=16.0,
        ),
        "nRF52840": _mcu(
            "nRF52840",
            "Nordic nRF52840 (Cortex-M4F)",
            "Cortex-M4F",
            64 * M,
            256e3,
            1e6,
            active_w=0.010,
            sleep_w=3e-6,
            efficiency=0.15,
            efficiency_source=f"assumed equal to the M4: {_M4_EFF}",
            sources={
                "clock_hz": "Nordic nRF52840 datasheet: 64 MHz, 256 KB SRAM, 1 MB flash",
                "active_w": "estimate: ~52 uA/MHz at 3 V with the DC/DC converter",
            },
            estimates=("active_w", "sleep_w"),
        ),
    }
)

#: Archetypes named by the guide and the personas; each is one registry entry.
ARCHETYPES: dict[str, str] = {
    "Cloud": "H100",
    "Edge": "JetsonAGXOrin",
    "Mobile": "Snapdragon8Gen3",
    "Glasses": "SnapdragonAR1",
    "Tiny": "STM32H743",
}

Systems: Registry[SystemSpec] = Registry("system", SYSTEMS, ARCHETYPES)

__all__ = ["BYTES_PER_VALUE", "PRECISIONS", "Runtime", "SystemSpec", "Systems", "ureg"]
