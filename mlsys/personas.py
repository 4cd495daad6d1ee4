"""Layer 4: the four narrative tracks (guide section 3.1) as personas.

Each persona carries its fixed north-star mission, its arch-nemesis constraint and how that
constraint tightens chapter by chapter through Volume 1 (guide section 3.2, "persistent
struggle"), the stakeholder it answers to and what they care about (guide section 6.3), the
default model and system from the registries, and a ``scale_factor``.

The nemesis tables are narrative design, not measurements: each constraint strictly tightens
from every chapter to the next (it never holds and never loosens) as the product around the node
grows, so every lab's bar is visibly harder than the one before. The tables keep the physics
story of each track:

- Cloud Titan: 70.6 GB of int8 weights leave about 9.4 GB of an H100's 80 GB, and one token of
  KV cache at one byte per value is 160 KiB, so roughly 57k resident tokens fit; the table
  climbs to 49,152 by chapter 16, hard but still reachable at one byte per value.
- Edge Guardian: the compiled int8 ResNet-50 on the Orin takes about 0.61 ms, so even the last
  2 ms share leaves a margin, while fp32 (about 4.3 ms) drops out from chapter 12.
- Mobile Nomad: the int8 ARFilterNet at 60 FPS draws about 0.36 W on the glasses (awake between
  frames), so the filter's share stops covering it at chapter 15 (0.35 W).
- Tiny Pioneer: the SRAM budget falls below the TinyLSTM's int8 footprint (464 kB) right after
  chapter 10, model compression, which teaches the lever; the int8 DS-CNN keyword spotter (about
  40 kB) fits every chapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from mlsys.hardware import Systems, SystemSpec
from mlsys.ledger import TRACKS
from mlsys.models import Models, ModelSpec
from mlsys.units import Quantity

#: Chapters of Volume 1, the single-node volume every nemesis table covers.
VOLUME1_CHAPTERS = 16
#: How a value is judged against a target.
DIRECTIONS: tuple[str, ...] = ("at_most", "at_least", "maximize")


@dataclass(frozen=True)
class Goal:
    """One measurable part of a mission: ``metric`` judged ``direction`` against ``target``
    (a quantity; None when the goal is to maximise without a fixed bar)."""

    metric: str
    description: str
    direction: str
    target: Quantity | None = None

    def is_met(self, value: Quantity) -> bool:
        """Whether ``value`` meets the target (always True for a goal with no fixed target)."""
        return _meets(value, self.target, self.direction)


@dataclass(frozen=True)
class Nemesis:
    """The arch-nemesis constraint of a track and its target in every chapter of Volume 1.

    ``targets`` holds one magnitude in ``unit`` per chapter 1..16, each strictly tighter than
    the one before; ``direction`` says whether a design must stay ``at_most`` or reach
    ``at_least`` that target.
    """

    name: str
    description: str
    metric: str
    unit: str
    direction: str
    targets: tuple[float, ...]
    why_it_tightens: str

    def __post_init__(self) -> None:
        if len(self.targets) != VOLUME1_CHAPTERS:
            raise ValueError(f"{self.name}: needs {VOLUME1_CHAPTERS} targets, one per chapter")
        if self.direction not in ("at_most", "at_least"):
            raise ValueError(f"{self.name}: direction must be 'at_most' or 'at_least'")
        for chapter, (earlier, later) in enumerate(pairwise(self.targets), start=2):
            tighter = later < earlier if self.direction == "at_most" else later > earlier
            if not tighter:
                raise ValueError(
                    f"{self.name}: the constraint must tighten from every chapter to the next, "
                    f"but chapter {chapter} ({later:g} {self.unit}) is not tighter than "
                    f"chapter {chapter - 1} ({earlier:g} {self.unit})"
                )

    def target(self, chapter: int) -> Quantity:
        """The constraint's target in ``chapter`` of Volume 1 (a quantity in ``unit``)."""
        if isinstance(chapter, bool) or not isinstance(chapter, int):
            raise ValueError(f"chapter: expected an int in 1..{VOLUME1_CHAPTERS}, got {chapter!r}")
        if not 1 <= chapter <= VOLUME1_CHAPTERS:
            raise ValueError(
                f"chapter: the nemesis tables cover Volume 1 chapters 1..{VOLUME1_CHAPTERS}, "
                f"got {chapter}"
            )
        return Quantity(self.targets[chapter - 1], self.unit)

    def table(self) -> tuple[tuple[int, Quantity], ...]:
        """``(chapter, target)`` for every chapter of Volume 1, in order."""
        return tuple((n, self.target(n)) for n in range(1, VOLUME1_CHAPTERS + 1))

    def is_met(self, value: Quantity, chapter: int) -> bool:
        """Whether ``value`` (a quantity convertible to ``unit``) meets the chapter's target."""
        return _meets(value, self.target(chapter), self.direction)


@dataclass(frozen=True)
class Stakeholder:
    """Whom the persona answers to in every reflection (guide section 6.3)."""

    role: str
    cares_about: str
    metric: str


@dataclass(frozen=True)
class Persona:
    """One narrative track: who the student is, what they must achieve and what fights back.

    ``scale_factor`` is how many copies of the single node the persona's product puts in the
    field (a narrative estimate); Volume 1 labs work per node and use it only to translate a
    per-node figure into the product's footprint (e.g. carbon in ``ResourceSimulation``).
    """

    key: str
    name: str
    title: str
    mission: str
    north_star: tuple[Goal, ...]
    nemesis: Nemesis
    stakeholder: Stakeholder
    model: ModelSpec
    system: SystemSpec
    precision: str
    scale_factor: int
    scale_note: str

    def __repr__(self) -> str:
        return f"<Persona {self.key}: {self.name}, {self.title}>"


def _meets(value: Any, target: Quantity | None, direction: str) -> bool:
    if target is None or direction == "maximize":
        return True
    magnitude = Quantity(value).to(target.units).magnitude
    if direction == "at_most":
        return bool(magnitude <= target.magnitude)
    return bool(magnitude >= target.magnitude)


def _q(value: float, unit: str) -> Quantity:
    return Quantity(value, unit)


_CLOUD = Persona(
    key="cloud_titan",
    name="Cloud Titan",
    title="LLM Architect",
    mission="Maximize Llama-3-70B serving throughput on a single H100 node.",
    north_star=(
        Goal(
            "decode_throughput",
            "Llama-3-70B decode tokens per second on one H100",
            "maximize",
        ),
        Goal("samples_per_dollar", "tokens served per US dollar of node rental", "maximize"),
    ),
    nemesis=Nemesis(
        name="The Memory Wall",
        description=(
            "80 GB of HBM must hold the weights and the KV cache of every token in flight; "
            "each token of Llama-3-70B context costs 320 KiB at fp16."
        ),
        metric="resident_kv_tokens",
        unit="token",
        direction="at_least",
        targets=(
            1024,
            2048,
            4096,
            6144,
            8192,
            10240,
            12288,
            14336,
            16384,
            20480,
            24576,
            32768,
            36864,
            40960,
            45056,
            49152,
        ),
        why_it_tightens=(
            "Product asks for longer contexts and more concurrent users (batch x context) as "
            "the book goes on, while the weights already fill most of the 80 GB."
        ),
    ),
    stakeholder=Stakeholder(
        role="CFO",
        cares_about="Samples per dollar: every idle GPU-hour is money on fire.",
        metric="samples_per_dollar",
    ),
    model=Models.Llama3_70B,
    system=Systems.H100,
    precision="int8",
    scale_factor=1,
    scale_note="one H100 serving node: the mission is a single node (Volume 1)",
)

_EDGE = Persona(
    key="edge_guardian",
    name="Edge Guardian",
    title="AV Systems Lead",
    mission="Maintain sub-10ms deterministic safety loop for an Autonomous Vehicle.",
    north_star=(
        Goal(
            "loop_latency",
            "end-to-end latency of the perception-to-actuation loop",
            "at_most",
            _q(10.0, "ms"),
        ),
    ),
    nemesis=Nemesis(
        name="The Deadline",
        description=(
            "The 10 ms safety loop is shared: the perception model gets only what sensor "
            "fusion, tracking and planning leave, and a late answer is a wrong answer."
        ),
        metric="perception_latency_budget",
        unit="ms",
        direction="at_most",
        targets=(10, 9.5, 9, 8, 7.5, 7, 6.5, 6, 5.5, 5, 4.5, 4, 3.5, 3, 2.5, 2),
        why_it_tightens=(
            "Each chapter adds a stage to the loop (more cameras, fusion, planning), so the "
            "perception budget inside the fixed 10 ms keeps shrinking."
        ),
    ),
    stakeholder=Stakeholder(
        role="Safety Lead",
        cares_about="Deterministic reliability: the P99, not the mean, decides who gets hurt.",
        metric="deadline_miss_rate",
    ),
    model=Models.ResNet50,
    system=Systems.JetsonAGXOrin,
    precision="int8",
    scale_factor=10_000,
    scale_note="narrative estimate: a robotaxi fleet of 10,000 vehicles, one Orin each",
)

_MOBILE = Persona(
    key="mobile_nomad",
    name="Mobile Nomad",
    title="AR Glasses Dev",
    mission="Run 60FPS AR filters on Meta Ray-Bans without thermal throttling.",
    north_star=(
        Goal("frame_rate", "AR filter frames per second", "at_least", _q(60.0, "1/s")),
        Goal(
            "sustained_power",
            "sustained power against the glasses' ~1 W skin-temperature budget (estimate)",
            "at_most",
            _q(1.0, "W"),
        ),
    ),
    nemesis=Nemesis(
        name="The Thermal Wall",
        description=(
            "Glasses shed about 1 W before the frame gets uncomfortably warm on the face; the "
            "camera, display and radio take their share first, ML gets the rest."
        ),
        metric="ml_power_budget",
        unit="W",
        direction="at_most",
        targets=(
            1.0,
            0.95,
            0.9,
            0.85,
            0.8,
            0.75,
            0.7,
            0.65,
            0.6,
            0.55,
            0.5,
            0.48,
            0.45,
            0.4,
            0.35,
            0.3,
        ),
        why_it_tightens=(
            "Each chapter turns on another always-on feature (camera pipeline, display, "
            "wireless offload), each eating into the same 1 W."
        ),
    ),
    stakeholder=Stakeholder(
        role="UX Designer",
        cares_about="Hand thermals: nobody wears glasses that burn their temples.",
        metric="sustained_power",
    ),
    model=Models.ARFilterNet,
    system=Systems.Glasses,
    precision="int8",
    scale_factor=1_000_000,
    scale_note="narrative estimate: one million pairs of glasses in the field",
)

_TINY = Persona(
    key="tiny_pioneer",
    name="Tiny Pioneer",
    title="Hearable Lead",
    mission="Real-time speech isolation/translation in <10ms using <1mW of power.",
    north_star=(
        Goal("latency", "latency of one 10 ms audio frame", "at_most", _q(10.0, "ms")),
        Goal(
            "average_power",
            "duty-cycled average power (energy per frame x frame rate + sleep power)",
            "at_most",
            _q(1.0, "mW"),
        ),
    ),
    nemesis=Nemesis(
        name="The SRAM Wall",
        description=(
            "Weights, activations and audio buffers must all fit in on-chip SRAM; there is no "
            "DRAM to spill to."
        ),
        metric="sram_budget",
        unit="kB",
        direction="at_most",
        targets=(1000, 950, 900, 800, 768, 700, 640, 600, 560, 512, 448, 384, 320, 256, 224, 192),
        why_it_tightens=(
            "Audio buffers, the Bluetooth stack and the RTOS claim more SRAM each chapter, so "
            "the model's share of the chip keeps shrinking."
        ),
    ),
    stakeholder=Stakeholder(
        role="Hardware Lead",
        cares_about="Every KB of SRAM: a bigger chip costs battery life and ear space.",
        metric="memory_footprint",
    ),
    model=Models.TinyLSTM,
    system=Systems.Tiny,
    precision="int8",
    scale_factor=10_000_000,
    scale_note="narrative estimate: ten million hearables (earbuds) in the field",
)

_PERSONAS: MappingProxyType[str, Persona] = MappingProxyType(
    {p.key: p for p in (_CLOUD, _EDGE, _MOBILE, _TINY)}
)
# The ledger owns the list of track keys; every track has exactly one persona, in the same order.
if tuple(_PERSONAS) != TRACKS:
    raise RuntimeError(f"personas {tuple(_PERSONAS)} do not match the ledger's tracks {TRACKS}")


class Personas:
    """The four personas: ``Personas.CloudTitan`` ... ``Personas.TinyPioneer``, or by track key."""

    CloudTitan: Persona = _CLOUD
    EdgeGuardian: Persona = _EDGE
    MobileNomad: Persona = _MOBILE
    TinyPioneer: Persona = _TINY

    @staticmethod
    def all() -> tuple[Persona, ...]:
        """Every persona, in the book's track order (cloud, edge, mobile, tiny)."""
        return tuple(_PERSONAS.values())

    @staticmethod
    def keys() -> tuple[str, ...]:
        """Every track key, in the book's order."""
        return tuple(_PERSONAS)

    @staticmethod
    def get(key: str) -> Persona:
        """The persona of track ``key`` (e.g. ``"tiny_pioneer"``); KeyError listing the keys."""
        try:
            return _PERSONAS[key]
        except (KeyError, TypeError):
            raise KeyError(f"unknown track {key!r}; known tracks: {', '.join(_PERSONAS)}") from None


__all__ = [
    "DIRECTIONS",
    "VOLUME1_CHAPTERS",
    "Goal",
    "Nemesis",
    "Persona",
    "Personas",
    "Stakeholder",
]
