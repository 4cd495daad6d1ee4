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

Volume 2 (``Persona.fleet``, a ``FleetPersona``) fixes one fleet north star per track from Lab 1
to Lab 17 and a fleet nemesis of 17 chapter targets (``Nemesis(volume=2)``), each of a metric
the fleet labs compute with mlsys (``FleetPersona.metric_recipe``). Each table bites once the
track's fleet defaults stop meeting it, at the chapter whose levers answer it, and stays
reachable to chapter 17 (numbers from mlsys, checked in tests/mlsys_layers/
test_fleet_personas.py):

- Cloud Titan, the training budget (million USD for 15T tokens on 8,192 H100): fp16 at the
  calibrated efficiency with dp=1024 x tp=8 costs $12.6M (32 days), inside the bar through
  chapter 8 ($13M), so chapter 9, performance engineering, bites; fp8 costs $6.4M with the same
  plan ($5.6M re-planned as dp=2048 x tp=4, 14 days) and meets chapter 17's $6.5M.
- Edge Guardian, the exposure window (hours from a fault on the road to the fix on all 10,000
  vehicles): retraining ResNet-50 on 1e9 samples on 64 H100 in fp16 takes 0.35 h and the
  over-the-air wave waits for the slowest of 10,000 installs (mean 1 h x H_10000 = 9.8 h), so
  10.1 h meets the bar through chapter 10 and edge intelligence (chapter 11, 10 h) bites
  (retraining in fp32, 13.9 h in all, already fails chapter 8); installs averaging 20 minutes
  (3.6 h in all) meet chapter 17's 4 h.
- Mobile Nomad, the battery wall (joules of local training per phone per round): five epochs
  over 512 samples in batches of 32 on the phone cost 41 J in fp32, inside the bar through
  chapter 10 (44 J), and 6.1 J in fp16, inside chapter 17's 8 J.
- Tiny Pioneer, the link budget (kB per earbud per update): the full int8 TinyLSTM is 460 kB,
  inside the bar through chapter 11 (512 kB), so ops at scale (chapter 12, 384 kB) bites; the
  fp32 DS-CNN (95 kB) lasts to chapter 15 and the int8 DS-CNN (24 kB) meets chapter 17's 32 kB.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from mlsys.cluster import Cluster
from mlsys.hardware import Systems, SystemSpec
from mlsys.ledger import TRACKS
from mlsys.models import Models, ModelSpec
from mlsys.parallelism import Parallelism
from mlsys.units import Quantity

#: Chapters of Volume 1, the single-node volume every nemesis table covers.
VOLUME1_CHAPTERS = 16
#: Chapters of Volume 2, the fleet volume every fleet nemesis table covers.
VOLUME2_CHAPTERS = 17
#: Chapters per volume: a nemesis table has one target per chapter of its volume.
CHAPTERS_PER_VOLUME: MappingProxyType[int, int] = MappingProxyType(
    {1: VOLUME1_CHAPTERS, 2: VOLUME2_CHAPTERS}
)
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
    """The arch-nemesis constraint of a track and its target in every chapter of a volume.

    ``targets`` holds one magnitude in ``unit`` per chapter of ``volume`` (1..16 in Volume 1,
    1..17 in Volume 2), each strictly tighter than the one before; ``direction`` says whether a
    design must stay ``at_most`` or reach ``at_least`` that target.
    """

    name: str
    description: str
    metric: str
    unit: str
    direction: str
    targets: tuple[float, ...]
    why_it_tightens: str
    volume: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.volume, bool) or self.volume not in CHAPTERS_PER_VOLUME:
            raise ValueError(f"volume: expected 1 or 2, got {self.volume!r}")
        if len(self.targets) != self.chapters:
            raise ValueError(f"{self.name}: needs {self.chapters} targets, one per chapter")
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

    @property
    def chapters(self) -> int:
        """How many chapters the table covers: 16 in Volume 1, 17 in Volume 2."""
        return CHAPTERS_PER_VOLUME[self.volume]

    def target(self, chapter: int) -> Quantity:
        """The constraint's target in ``chapter`` of its volume (a quantity in ``unit``)."""
        last = self.chapters
        if isinstance(chapter, bool) or not isinstance(chapter, int):
            raise ValueError(f"chapter: expected an int in 1..{last}, got {chapter!r}")
        if not 1 <= chapter <= last:
            raise ValueError(
                f"chapter: the nemesis tables cover Volume {self.volume} chapters 1..{last}, "
                f"got {chapter}"
            )
        return Quantity(self.targets[chapter - 1], self.unit)

    def table(self) -> tuple[tuple[int, Quantity], ...]:
        """``(chapter, target)`` for every chapter of the volume, in order."""
        return tuple((n, self.target(n)) for n in range(1, self.chapters + 1))

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

    @property
    def fleet(self) -> FleetPersona:
        """The same track at fleet scale (Volume 2): its fleet north star, fleet nemesis,
        stakeholders and fleet defaults."""
        return _FLEETS[self.key]

    def __repr__(self) -> str:
        return f"<Persona {self.key}: {self.name}, {self.title}>"


@dataclass(frozen=True)
class FleetPersona:
    """One narrative track at fleet scale (Volume 2), fixed from Lab 1 to Lab 17.

    ``nemesis`` is a Volume 2 table (17 chapter targets) of a metric the fleet labs compute with
    mlsys; ``metric_recipe`` says how. ``stakeholders`` starts with the track's own stakeholder
    (the same one as Volume 1, same language) and adds the fleet-scale one. ``model`` is what the
    fleet runs and learns, ``node`` the device in the field (an H100 for Cloud Titan),
    ``cluster`` the GPU cluster the track trains or retrains its model on in the data-centre
    chapters, ``fleet_size`` the devices in the field (``fleet_note`` says where the number
    comes from) and ``defaults`` the workload the labs start from (units in the key's text or
    carried by the quantity).
    """

    key: str
    name: str
    title: str
    mission: str
    north_star: tuple[Goal, ...]
    nemesis: Nemesis
    stakeholders: tuple[Stakeholder, ...]
    model: ModelSpec
    node: SystemSpec
    precision: str
    cluster: Cluster
    fleet_size: int
    fleet_note: str
    defaults: MappingProxyType[str, Any]
    metric_recipe: str

    def __post_init__(self) -> None:
        if self.nemesis.volume != 2:
            raise ValueError(
                f"nemesis: a fleet persona needs a Volume 2 table, got volume {self.nemesis.volume}"
            )
        if (
            isinstance(self.fleet_size, bool)
            or not isinstance(self.fleet_size, int)
            or self.fleet_size < 1
        ):
            raise ValueError(f"fleet_size: expected a whole number >= 1, got {self.fleet_size!r}")
        if not self.stakeholders:
            raise ValueError(
                "stakeholders: a fleet persona answers to at least its track's stakeholder"
            )

    @property
    def stakeholder(self) -> Stakeholder:
        """The track's own stakeholder (the one Volume 1 answers to)."""
        return self.stakeholders[0]

    def __repr__(self) -> str:
        return f"<FleetPersona {self.key}: {self.name}, {self.title}>"


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


# -- Volume 2: the four tracks at fleet scale -----------------------------------------------------

_H100_NODES = (
    "H100 SXM servers of 8 (NVLink4 inside, InfiniBand NDR between: mlsys.cluster defaults)"
)

_CLOUD_FLEET = FleetPersona(
    key="cloud_titan",
    name="Cloud Titan",
    title="LLM Architect",
    mission=(
        "Train a Llama-3-70B-class model on 15T tokens on an H100 cluster within 30 days and "
        "the training budget, then serve it at a P99 time-to-first-token of 500 ms for the "
        "least cost per token."
    ),
    north_star=(
        Goal(
            "time_to_train",
            "wall-clock days to train on 15T tokens, failures and checkpoints included",
            "at_most",
            _q(30.0, "day"),
        ),
        Goal(
            "ttft_p99",
            "P99 time to first token of the serving fleet",
            "at_most",
            _q(500.0, "ms"),
        ),
        Goal("tokens_per_dollar", "tokens served per US dollar of GPU rental", "maximize"),
    ),
    nemesis=Nemesis(
        name="The Training Budget",
        description=(
            "The whole pretraining run, every GPU-hour at $2 (the book's reference price), "
            "failures and checkpoints included, must fit the budget finance signed."
        ),
        metric="training_cost",
        unit="MUSD",
        direction="at_most",
        targets=(20, 18, 17, 16, 15, 14, 13.5, 13, 12, 11, 10, 9, 8.5, 8, 7.5, 7, 6.5),
        why_it_tightens=(
            "Each chapter moves money from pretraining to what the fleet adds around it "
            "(serving capacity, operations, privacy, robustness and responsibility work), so "
            "the same 15T tokens must be bought with fewer GPU-hours: higher MFU, fewer "
            "failures, lower precision."
        ),
        volume=2,
    ),
    stakeholders=(
        _CLOUD.stakeholder,
        Stakeholder(
            role="SRE Lead",
            cares_about=(
                "Goodput: 8,192 GPUs fail every few hours, and every failure stalls all of "
                "them until the last checkpoint is back."
            ),
            metric="goodput",
        ),
    ),
    model=Models.Llama3_70B,
    node=Systems.H100,
    precision="fp16",
    cluster=Cluster(
        node=Systems.H100,
        count=8192,
        per_node=8,
        name="CloudTitan_H100_8192",
        title=f"Cloud Titan's training cluster: 8,192 {_H100_NODES}",
    ),
    fleet_size=8192,
    fleet_note=(
        "narrative estimate: 8,192 H100 for pretraining, between the book's 2,048 and "
        "8,192-GPU cluster tiers and half of Meta's 16K-H100 Llama 3 cluster (Dubey et al. 2024)"
    ),
    defaults=MappingProxyType(
        {
            # Llama 3: over 15T pretraining tokens, 8,192-token sequences, 16M-token batches
            # (Dubey et al. 2024, sections 3.1 and 3.4).
            "tokens": 15e12,
            "batch_size": 2048,
            "seq_len": 8192,
            "parallelism": Parallelism(dp=1024, tp=8, microbatches=2, zero=1),
            "region": "US average",
            "serving_devices": 64,
            "serving_tp": 8,
            "arrival_rate": _q(20.0, "1/s"),
            "serving_precision": "fp8",
        }
    ),
    metric_recipe=(
        "TrainingRun.solve(model, cluster, tokens, batch_size, parallelism, seq_len=seq_len, "
        "precision=precision, region=region).cost, in millions of US dollars; the same number "
        "as FleetReport(Engine.solve(model=model, system=cluster, batch_size=batch_size, "
        "seq_len=seq_len, phase='train', parallelism=parallelism, precision=precision), "
        "FleetScenario(train_tokens=tokens)).training_cost, the path Volume 2 labs solve through"
    ),
)

_EDGE_FLEET = FleetPersona(
    key="edge_guardian",
    name="Edge Guardian",
    title="AV Systems Lead",
    mission=(
        "Keep every vehicle of a 10,000-robotaxi fleet inside the 10 ms safety loop while the "
        "fleet learns from its own driving data and ships over-the-air updates with bounded "
        "exposure: a perception fault found on the road is fixed on every vehicle within a day."
    ),
    north_star=(
        Goal(
            "loop_latency",
            "end-to-end latency of the perception-to-actuation loop on every vehicle",
            "at_most",
            _q(10.0, "ms"),
        ),
        Goal(
            "exposure_window",
            "hours from a fault found on the road to the fix running on every vehicle",
            "at_most",
            _q(24.0, "hour"),
        ),
    ),
    nemesis=Nemesis(
        name="The Exposure Window",
        description=(
            "A perception fault stays on the road until the fix is retrained on the cluster "
            "and the over-the-air wave has reached the last vehicle; the slowest vehicle, not "
            "the average one, closes the window."
        ),
        metric="exposure_window",
        unit="hour",
        direction="at_most",
        targets=(24, 22, 20, 18, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4),
        why_it_tightens=(
            "The fleet grows into denser cities and faster roads, and the regulator and the "
            "Safety Lead shorten the time a known fault may keep driving with every chapter."
        ),
        volume=2,
    ),
    stakeholders=(
        _EDGE.stakeholder,
        Stakeholder(
            role="Fleet Operations Lead",
            cares_about=(
                "Blast radius: how many vehicles run a bad model, and for how many hours, "
                "before the fleet is back on a good one."
            ),
            metric="exposure_window",
        ),
    ),
    model=Models.ResNet50,
    node=Systems.JetsonAGXOrin,
    precision="int8",
    cluster=Cluster(
        node=Systems.H100,
        count=64,
        per_node=8,
        name="EdgeGuardian_H100_64",
        title=f"Edge Guardian's retraining cluster: 64 {_H100_NODES}",
    ),
    fleet_size=10_000,
    fleet_note="narrative estimate: a robotaxi fleet of 10,000 vehicles, one Orin each (Volume 1)",
    defaults=MappingProxyType(
        {
            "retrain_samples": 1e9,
            "batch_size": 2048,
            "parallelism": Parallelism(dp=64),
            "train_precision": "fp16",
            "region": "US average",
            "ota_downlink": _q(10e6, "byte/s"),
            "install_time": _q(1.0, "hour"),
        }
    ),
    metric_recipe=(
        "TrainingRun.solve(model, cluster, retrain_samples, batch_size, parallelism, "
        "precision=train_precision, region=region).time_to_train (equal to FleetReport's "
        "time_to_train with FleetScenario(train_tokens=retrain_samples)) + FederatedRound.solve("
        "fleet_size, fleet_size, model.params x bytes per value at precision, install_time, "
        "downlink=ota_downlink, upload=False).round_time (+ ClusterQueue.solve(...).queue_wait "
        "when the fix shares the cluster), in hours"
    ),
)

_MOBILE_FLEET = FleetPersona(
    key="mobile_nomad",
    name="Mobile Nomad",
    title="AR Glasses Dev",
    mission=(
        "Personalise the AR filter for ten million glasses wearers through federated learning "
        "on their paired phones, inside the thermal, charging and privacy budgets, while the "
        "glasses keep 60 FPS without throttling."
    ),
    north_star=(
        Goal(
            "frame_rate", "AR filter frames per second on the glasses", "at_least", _q(60.0, "1/s")
        ),
        Goal(
            "sustained_power",
            "sustained power against the glasses' ~1 W skin-temperature budget (estimate)",
            "at_most",
            _q(1.0, "W"),
        ),
        Goal(
            "dp_epsilon",
            "privacy budget of the federated updates (epsilon of DP; Abadi et al. 2016 use 8)",
            "at_most",
            _q(8.0, "dimensionless"),
        ),
    ),
    nemesis=Nemesis(
        name="The Battery Wall",
        description=(
            "A phone joins a round only while idle, charging and on Wi-Fi, and the OS grants "
            "background learning a sliver of energy before it heats the phone or slows the "
            "charge; a round's local training must fit that sliver."
        ),
        metric="round_energy",
        unit="J",
        direction="at_most",
        targets=(100, 90, 80, 72, 64, 60, 56, 52, 48, 44, 36, 30, 24, 18, 14, 10, 8),
        why_it_tightens=(
            "More features learn on the same phones each chapter (keyboard, photos, the "
            "glasses' filter, privacy accounting), and the OS splits the same charging window "
            "between them."
        ),
        volume=2,
    ),
    stakeholders=(
        _MOBILE.stakeholder,
        Stakeholder(
            role="Privacy Lead",
            cares_about=(
                "No frame leaves the device: every update the fleet shares spends privacy "
                "budget, and a leak costs users' trust for good."
            ),
            metric="dp_epsilon",
        ),
    ),
    model=Models.ARFilterNet,
    node=Systems.Mobile,
    precision="int8",
    cluster=Cluster(
        node=Systems.H100,
        count=64,
        per_node=8,
        name="MobileNomad_H100_64",
        title=f"Mobile Nomad's pretraining cluster: 64 {_H100_NODES}",
    ),
    fleet_size=10_000_000,
    fleet_note=(
        "narrative estimate: ten million phones paired with the glasses; production federated "
        "learning runs on tens of millions of phones (Bonawitz et al. 2019)"
    ),
    defaults=MappingProxyType(
        {
            "local_samples": 512,
            "local_epochs": 5,
            "batch_size": 32,
            "train_precision": "fp32",
            "cohort": 1000,
            "duty": 0.3,
            "connectivity": 0.8,
            "charging": 0.4,
        }
    ),
    metric_recipe=(
        "local_epochs x ceil(local_samples / batch_size) x Engine.solve(model, node, "
        "batch_size, precision=train_precision, phase='train').energy, in joules (the radio's "
        "share is left out: mlsys has no radio model)"
    ),
)

_TINY_FLEET = FleetPersona(
    key="tiny_pioneer",
    name="Tiny Pioneer",
    title="Hearable Lead",
    mission=(
        "Update and monitor ten million hearables over their Bluetooth links through the "
        "paired phone, keeping every frame under 10 ms and 1 mW, in a fleet whose carbon is "
        "dominated by manufacturing the devices."
    ),
    north_star=(
        Goal("latency", "latency of one 10 ms audio frame", "at_most", _q(10.0, "ms")),
        Goal(
            "average_power",
            "duty-cycled average power (energy per frame x frame rate + sleep power)",
            "at_most",
            _q(1.0, "mW"),
        ),
        Goal(
            "update_bytes",
            "bytes each earbud receives per model update over its Bluetooth link",
            "at_most",
            _q(2000.0, "kB"),
        ),
    ),
    nemesis=Nemesis(
        name="The Link Budget",
        description=(
            "Every update crosses a Bluetooth Low Energy link from the phone, at tens of kB/s, "
            "on a battery of tens of mAh; each byte costs radio airtime, energy and failed "
            "transfers across ten million devices."
        ),
        metric="update_bytes",
        unit="kB",
        direction="at_most",
        targets=(
            2000,
            1800,
            1600,
            1400,
            1200,
            1000,
            900,
            800,
            700,
            600,
            512,
            384,
            256,
            192,
            128,
            64,
            32,
        ),
        why_it_tightens=(
            "Monitoring telemetry, security signatures and more frequent updates share the "
            "same link each chapter, so one model update gets fewer bytes."
        ),
        volume=2,
    ),
    stakeholders=(
        _TINY.stakeholder,
        Stakeholder(
            role="Sustainability Lead",
            cares_about=(
                "Carbon per device: manufacturing ten million earbuds outweighs every joule "
                "they spend, so the fleet's updates must not shorten their lives."
            ),
            metric="embodied_carbon",
        ),
    ),
    model=Models.TinyLSTM,
    node=Systems.Tiny,
    precision="int8",
    cluster=Cluster(
        node=Systems.H100,
        count=16,
        per_node=8,
        name="TinyPioneer_H100_16",
        title=f"Tiny Pioneer's training cluster: 16 {_H100_NODES}",
    ),
    fleet_size=10_000_000,
    fleet_note="narrative estimate: ten million hearables (earbuds) in the field (Volume 1)",
    defaults=MappingProxyType(
        {
            "link_rate": _q(20e3, "byte/s"),
            "install_time": _q(10.0, "minute"),
        }
    ),
    metric_recipe=(
        "FederatedRound.solve(population, cohort, weight bytes at precision, install_time, "
        "downlink=link_rate, upload=False).bytes_per_round / cohort (a full update: the "
        "engine's weight bytes, Engine.solve(...).footprint_breakdown['weights']), in kB"
    ),
)

_FLEETS: MappingProxyType[str, FleetPersona] = MappingProxyType(
    {p.key: p for p in (_CLOUD_FLEET, _EDGE_FLEET, _MOBILE_FLEET, _TINY_FLEET)}
)
if tuple(_FLEETS) != TRACKS:
    raise RuntimeError(f"fleet personas {tuple(_FLEETS)} do not match the ledger's tracks {TRACKS}")


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

    @staticmethod
    def fleet(key: str) -> FleetPersona:
        """The Volume 2 (fleet) persona of track ``key``; KeyError listing the keys."""
        return Personas.get(key).fleet

    @staticmethod
    def fleets() -> tuple[FleetPersona, ...]:
        """Every fleet persona, in the book's track order (cloud, edge, mobile, tiny)."""
        return tuple(_FLEETS.values())


__all__ = [
    "CHAPTERS_PER_VOLUME",
    "DIRECTIONS",
    "VOLUME1_CHAPTERS",
    "VOLUME2_CHAPTERS",
    "FleetPersona",
    "Goal",
    "Nemesis",
    "Persona",
    "Personas",
    "Stakeholder",
]
