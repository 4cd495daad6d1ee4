"""The keywords of ``mlsys.Engine.solve`` that a spec can set, and what values each takes.

This table is the one place that says how a spec binds to the engine: a KAT control names one of
these parameters, a track's ``inputs`` may fix any but ``model`` and ``system`` (which the track
names directly), and a ledger read ``feeds`` one of them. The test suite checks that the table
covers exactly the keywords of the installed ``Engine.solve``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class EngineInput:
    """One keyword of ``Engine.solve``.

    ``kind`` is ``integer`` (a whole-number slider, values in ``unit``), ``fraction`` (a slider
    over (0, 1]) or ``choice`` (a dropdown over the names of registry ``registry``).
    ``transformer_only`` parameters exist only for transformer models: a control bound to one
    appears only on tracks whose model is a transformer.
    """

    name: str
    kind: Literal["integer", "fraction", "choice"]
    description: str
    unit: str | None = None
    registry: str | None = None
    transformer_only: bool = False


ENGINE_INPUTS: tuple[EngineInput, ...] = (
    EngineInput("model", "choice", "the model twin solved (mlsys.Models)", registry="models"),
    EngineInput("system", "choice", "the node it runs on (mlsys.Systems)", registry="systems"),
    EngineInput(
        "batch_size", "integer", "samples per batch (sequences for transformers)", "sample"
    ),
    EngineInput(
        "precision", "choice", "number format of weights and arithmetic", registry="precisions"
    ),
    EngineInput(
        "efficiency", "fraction", "achieved fraction of dense peak compute", "dimensionless"
    ),
    EngineInput(
        "seq_len",
        "integer",
        "tokens of context (transformers only)",
        "token",
        transformer_only=True,
    ),
    EngineInput(
        "phase",
        "choice",
        "train (a training step, every model); prefill or decode (transformers)",
        registry="phases",
    ),
    EngineInput(
        "runtime", "choice", "software runtime whose dispatch tax is paid", registry="runtimes"
    ),
)

BY_NAME: dict[str, EngineInput] = {entry.name: entry for entry in ENGINE_INPUTS}

#: Keywords of ``Engine.solve`` a spec does not set as a scalar: a fleet's parallelism plan is
#: an object (``mlsys.Parallelism``) that Volume 2's controls build, not one number or name.
NOT_SPEC_KEYWORDS: tuple[str, ...] = ("parallelism",)

#: Parameters by control shape; each is the discriminator set of one control model.
INTEGER_PARAMS: tuple[str, ...] = tuple(e.name for e in ENGINE_INPUTS if e.kind == "integer")
FRACTION_PARAMS: tuple[str, ...] = tuple(e.name for e in ENGINE_INPUTS if e.kind == "fraction")
CHOICE_PARAMS: tuple[str, ...] = tuple(e.name for e in ENGINE_INPUTS if e.kind == "choice")
ALL_PARAMS: tuple[str, ...] = tuple(BY_NAME)
#: What a track names itself rather than through ``inputs``.
TRACK_OWN_PARAMS: tuple[str, ...] = ("model", "system")
