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

#: The reflection each preset chapter carries, so a preset ledger says where it came from.
PRESET_REFLECTION = Reflection("Expert Preset", "Decisions filled in by the Expert Preset.")


def expert_design(chapter_id: int, track: str) -> dict[str, Any]:
    """The Expert Preset's decisions for ``chapter_id`` (1..16) on ``track`` (a track key)."""
    if chapter_id not in EXPERT_DECISIONS:
        raise KeyError(f"chapter_id: the Expert Preset covers chapters 1..{VOLUME_1_CHAPTERS}")
    Personas.get(track)  # KeyError naming the tracks when unknown
    return {
        key: value[track] if isinstance(value, Mapping) else value
        for key, value in EXPERT_DECISIONS[chapter_id].items()
        if not isinstance(value, Mapping) or track in value
    }


def expert_preset(chapter_id: int, track: str) -> DesignLedger:
    """A design ledger for a student starting at ``chapter_id`` on ``track``: the Expert Preset's
    decisions for every earlier chapter of Volume 1 (empty for chapter 1)."""
    if not 1 <= chapter_id <= VOLUME_1_CHAPTERS:
        raise ValueError(f"chapter_id: expected 1..{VOLUME_1_CHAPTERS}, got {chapter_id!r}")
    ledger = DesignLedger()
    for earlier in range(1, chapter_id):
        ledger = ledger.record(earlier, track, expert_design(earlier, track), [PRESET_REFLECTION])
    return ledger
