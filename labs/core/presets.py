"""The Expert Preset: the decisions a careful engineer on each track would have taken in each
chapter of Volume 1, so a student starting mid-book gets a sensible design ledger (guide
section 2, "Retrofit Option").

One table holds every decision: ``EXPERT_DECISIONS[chapter][key]`` is either one value for every
track or a mapping of track key to value. Values that mlsys already knows (the track's model and
system, the system's runtimes and calibrated efficiency, the application's SLO) are read from
mlsys, not retyped. Keys use the engine's parameter names where a decision is an engine input
(``precision``, ``batch_size``, ``runtime``, ``efficiency``) so a later lab can pass them straight
to ``Engine.solve``; physical values carry their unit in the key (``slo_ms``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from mlsys.ledger import DesignLedger, Reflection
from mlsys.personas import Persona, Personas

#: Chapters of Volume 1 (the book's single-node volume).
VOLUME_1_CHAPTERS = 16


def _per_track(value_of: Callable[[Persona], Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType({p.key: value_of(p) for p in Personas.all()})


def _best_runtime(persona: Persona) -> str:
    # Chapter 7's lesson: a compiled runtime pays less dispatch tax than eager execution.
    runtimes = persona.system.runtimes
    return "compiled" if "compiled" in runtimes else persona.system.default_runtime


def _compressed_precision(persona: Persona) -> str:
    # Chapter 10's lesson: int8 where the node runs it, else the narrowest it has.
    precisions = persona.system.precisions
    return "int8" if "int8" in precisions else precisions[-1]


def _native_precision(persona: Persona) -> str:
    # The precision the track's north star runs at (a 70B model fits one H100 only below fp16).
    return persona.precision


def _track_batch(cloud: int) -> Mapping[str, int]:
    # The cloud track batches requests to amortise weights; device tracks answer one at a time.
    return {p.key: (cloud if p.key == "cloud_titan" else 1) for p in Personas.all()}


#: chapter -> decision key -> value (the same for every track) or {track key: value}; a track
#: missing from such a mapping has no value for that key (context length means nothing to a CNN).
#: The keys are the ledger chain of the Volume 1 specs (each spec's ``ledger.writes``); a test
#: holds the two together.
EXPERT_DECISIONS: MappingProxyType[int, Mapping[str, Any]] = MappingProxyType(
    {
        1: {"baseline_batch": 1},
        2: {"deployment_precision": _per_track(_native_precision)},
        3: {"pipeline_batch": _track_batch(cloud=8)},
        4: {"data_format": _per_track(_native_precision)},
        5: {"serving_batch": _track_batch(cloud=8)},
        6: {"context_length": {"cloud_titan": 4096}},
        7: {"runtime_choice": _per_track(_best_runtime)},
        8: {
            "training_precision": _per_track(
                lambda p: "fp16" if "fp16" in p.system.precisions else "fp32"
            )
        },
        9: {"selection_batch": _track_batch(cloud=16)},
        10: {"compression_precision": _per_track(_compressed_precision)},
        11: {"accelerator_efficiency": _per_track(lambda p: p.system.typical_efficiency)},
        12: {"benchmark_batch": _track_batch(cloud=4)},  # four 8K-token conversations
        13: {"slo_batch": _track_batch(cloud=8)},
        14: {"ops_runtime": _per_track(_best_runtime)},
        15: {"responsible_precision": _per_track(_compressed_precision)},
        16: {"final_precision": _per_track(_compressed_precision)},
    }
)

#: Chapters of Volume 2 (the fleet volume).
VOLUME_2_CHAPTERS = 17


def _fleet_replicas(cloud: int) -> Mapping[str, int]:
    # Each track's training cluster (mlsys.personas, Persona.fleet.cluster), split into
    # data-parallel replicas: Cloud Titan's tensor-parallel groups of 8 leave ``cloud``.
    return {
        p.key: (cloud if p.key == "cloud_titan" else p.fleet.cluster.count) for p in Personas.all()
    }


#: Volume 2's decisions, keyed like ``EXPERT_DECISIONS`` (the ledger chain of the Volume 2
#: specs): the plan, fabric and run choices of a careful engineer on each track's cluster.
EXPERT_FLEET_DECISIONS: MappingProxyType[int, Mapping[str, Any]] = MappingProxyType(
    {
        # Chapter 1: the north star's cluster (8,192 H100 for Cloud Titan, TP8 inside servers).
        1: {"fleet_replicas": _fleet_replicas(cloud=1024)},
        # Chapter 2: the H100, the generation the book's fleet examples use, sited on Quebec's
        # hydro grid (about 2 gCO2/kWh, the cleanest region the engine knows).
        2: {"cluster_accelerator": "H100", "cluster_region": "Quebec"},
        # Chapter 3: InfiniBand NDR, the book's reference scale-out fabric.
        3: {"scale_out_fabric": "InfiniBandNDR"},
        # Chapter 4: fp16 training state; checkpoints near each cluster's Young-Daly optimum
        # (about 27 minutes for Cloud Titan's 1,024 GPUs, the 5-minute floor for the small ones).
        4: {
            "train_precision": "fp16",
            "checkpoint_interval": {
                p.key: (25 if p.key == "cloud_titan" else 5) for p in Personas.all()
            },
        },
        # Chapter 5: shard the optimizer (ZeRO-1); TP inside a server for the transformer only.
        5: {
            "zero_stage": 1,
            "dp_replicas": _fleet_replicas(cloud=128),
            "tp_ways": {"cloud_titan": 8},
            "pipeline_stages": 1,
            "microbatches": 1,
        },
        # Chapter 7: the Young-Daly optimum, to the minute the slider offers (about 9 minutes
        # for Cloud Titan's 8,192 GPUs; the floor of 1 minute for the small models).
        7: {
            "resilient_checkpoint_interval": {
                p.key: (9 if p.key == "cloud_titan" else 1) for p in Personas.all()
            }
        },
        # Chapter 8: the highest scheduler load that keeps each track's queue wait inside its
        # bar at the full cluster (Lab 08, KAT 3).
        8: {
            "scheduler_load": {
                "cloud_titan": 0.75,
                "edge_guardian": 0.85,
                "mobile_nomad": 0.8,
                "tiny_pioneer": 0.75,
            }
        },
        # Chapter 9: fp8, the lever that halves a compute-bound step on the H100.
        9: {"tuned_precision": "fp8"},
        # Chapter 10: 32 sequences per replica (the KV cache holds far more; the batch keeps TPOT
        # low), the busiest request rate that keeps each track's P99 time to first token inside
        # its bar (Lab 10, KAT 2), and prefill split from decode on the 70B fleet only.
        10: {
            "serving_batch": 32,
            "serving_rate": {
                "cloud_titan": 35,
                "edge_guardian": 60,
                "mobile_nomad": 85,
                "tiny_pioneer": 200,
            },
            "serving_mode": {
                p.key: ("disaggregated" if p.key == "cloud_titan" else "colocated")
                for p in Personas.all()
            },
        },
        # Chapter 11: each track's starting cohort and local steps, with fp16 updates (half the
        # bytes, and the one lever that brings Mobile Nomad's round under its 36 J battery wall).
        11: {
            "federated_cohort": {
                p.key: (128 if p.key == "edge_guardian" else 1024) for p in Personas.all()
            },
            "federated_local_steps": {
                "cloud_titan": 20,
                "edge_guardian": 100,
                "mobile_nomad": 80,
                "tiny_pioneer": 100,
            },
            "federated_update_precision": "fp16",
        },
        # Chapter 12: each track's objective; the smallest canary share that meets its Lab 12 bar
        # (Edge 111 min at 3 %, Tiny 208 min at 4 %); the smallest lift an A/B proves in an hour.
        12: {
            "ops_slo": {
                "cloud_titan": 0.999,
                "edge_guardian": 0.9999,
                "mobile_nomad": 0.999,
                "tiny_pioneer": 0.99,
            },
            "canary_share": {
                "cloud_titan": 0.01,
                "edge_guardian": 0.03,
                "mobile_nomad": 0.02,
                "tiny_pioneer": 0.04,
            },
            "ab_min_lift": {
                "cloud_titan": 0.001,
                "edge_guardian": 0.002,
                "mobile_nomad": 0.002,
                "tiny_pioneer": 0.005,
            },
        },
        # Chapter 13: epsilon 2, the privacy contracts Lab 13 starts every track at; the
        # replicas that bring each DP-SGD run under its Lab 13 bar (fewest GPUs for Tiny).
        13: {
            "privacy_epsilon": 2,
            "private_training_replicas": {
                "cloud_titan": 256,
                "edge_guardian": 128,
                "mobile_nomad": 128,
                "tiny_pioneer": 4,
            },
        },
        # Chapter 14: the strongest PGD-K each hardened run fits in its Lab 14 budget with fp8
        # (Cloud 16.4 h on 256 replicas, Edge 0.83 h on 128; Mobile and Tiny must drop to PGD-4).
        14: {
            "robust_attack_steps": {
                "cloud_titan": 7,
                "edge_guardian": 7,
                "mobile_nomad": 4,
                "tiny_pioneer": 4,
            },
            "robust_precision": "fp8",
            "robust_replicas": {
                "cloud_titan": 256,
                "edge_guardian": 128,
                "mobile_nomad": 128,
                "tiny_pioneer": 4,
            },
        },
        # Chapter 15: Quebec's hydro grid; Cloud Titan keeps its 1,024 replicas (128 save 8 % of the
        # carbon for seven times the days), Edge Guardian its 64 (the exposure window), Mobile
        # Nomad drops to 16 and Tiny Pioneer to 1 (a third and nine tenths less carbon on Quebec).
        15: {
            "carbon_region": "Quebec",
            "carbon_replicas": {
                "cloud_titan": 1024,
                "edge_guardian": 64,
                "mobile_nomad": 16,
                "tiny_pioneer": 1,
            },
        },
        # Chapter 16: audits that see half-point gaps, labelled inside a working day (Cloud 5.5 h,
        # Edge 3.4 h within its 5-hour window, Mobile 6.4 h, Tiny 6.3 h); the fair run in fp8,
        # which brings Cloud Titan's 35-day fairness-aware run under its 30-day north star.
        16: {
            "fairness_audit_gap": 0.005,
            "audit_label_rate": {
                "cloud_titan": 3,
                "edge_guardian": 2,
                "mobile_nomad": 4,
                "tiny_pioneer": 5,
            },
            "fair_training_precision": "fp8",
        },
        # Chapter 17: the launch that passes every guardrail from the ledger above: fp8 on a clean
        # grid; Edge Guardian doubles its replicas so the hardened retrain fits its hour, Tiny
        # Pioneer trains on 4 replicas (fewer GPUs are faster and cheaper for a model this small).
        17: {
            "launch_precision": "fp8",
            "launch_replicas": {
                "cloud_titan": 1024,
                "edge_guardian": 128,
                "mobile_nomad": 64,
                "tiny_pioneer": 4,
            },
            "launch_region": "Quebec",
        },
        # Chapter 6: fp16 gradients over the fabric chosen in chapter 3, no accumulation.
        6: {
            "gradient_precision": "fp16",
            "accumulation_microbatches": 1,
            "collective_fabric": "InfiniBandNDR",
        },
    }
)

#: The reflection each preset chapter carries, so a preset ledger says where it came from.
PRESET_REFLECTION = Reflection("Expert Preset", "Decisions filled in by the Expert Preset.")


def expert_design(chapter_id: int, track: str, *, volume: int = 1) -> dict[str, Any]:
    """The Expert Preset's decisions for ``chapter_id`` of ``volume`` on ``track`` (a track
    key): Volume 1 covers chapters 1..16; a Volume 2 chapter that records nothing has none."""
    table = EXPERT_DECISIONS if volume == 1 else EXPERT_FLEET_DECISIONS
    if volume == 1 and chapter_id not in table:
        raise KeyError(f"chapter_id: the Expert Preset covers chapters 1..{VOLUME_1_CHAPTERS}")
    if volume == 2 and not 1 <= chapter_id <= VOLUME_2_CHAPTERS:
        raise KeyError(f"chapter_id: Volume 2 has chapters 1..{VOLUME_2_CHAPTERS}")
    Personas.get(track)  # KeyError naming the tracks when unknown
    return {
        key: value[track] if isinstance(value, Mapping) else value
        for key, value in table.get(chapter_id, {}).items()
        if not isinstance(value, Mapping) or track in value
    }


def expert_preset(chapter_id: int, track: str, *, volume: int = 1) -> DesignLedger:
    """A design ledger for a student starting at ``chapter_id`` of ``volume`` on ``track``:
    the Expert Preset's decisions for every earlier chapter (empty for Volume 1 chapter 1). A
    student starting in Volume 2 gets the whole of Volume 1 (the node they would have built)
    and the earlier chapters of Volume 2."""
    if volume not in (1, 2):
        raise ValueError(f"volume: expected 1 or 2, got {volume!r}")
    last = VOLUME_1_CHAPTERS if volume == 1 else VOLUME_2_CHAPTERS
    if not 1 <= chapter_id <= last:
        raise ValueError(f"chapter_id: expected 1..{last}, got {chapter_id!r}")
    ledger = DesignLedger()
    for earlier in range(1, chapter_id if volume == 1 else VOLUME_1_CHAPTERS + 1):
        ledger = ledger.record(earlier, track, expert_design(earlier, track), [PRESET_REFLECTION])
    if volume == 2:
        for earlier in range(1, chapter_id):
            design = expert_design(earlier, track, volume=2)
            if design:
                ledger = ledger.record(earlier, track, design, [PRESET_REFLECTION], volume=2)
    return ledger
