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
    appears only on tracks whose model is a transformer. ``fleet`` parameters describe a
    cluster and its parallelism plan (Volume 2): setting any of them makes the track's system
    a ``mlsys.Cluster`` of ``dp * tp * pp`` of its nodes. ``minimum`` is the smallest value an
    integer parameter takes (the ZeRO stage starts at 0).
    """

    name: str
    kind: Literal["integer", "fraction", "choice"]
    description: str
    unit: str | None = None
    registry: str | None = None
    transformer_only: bool = False
    fleet: bool = False
    minimum: int = 1


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
    EngineInput(
        "dp",
        "integer",
        "data-parallel replicas of the model (Volume 2: the cluster has dp * tp * pp devices)",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "tp",
        "integer",
        "tensor-parallel ways each layer is split, inside a node (transformers only)",
        "dimensionless",
        transformer_only=True,
        fleet=True,
    ),
    EngineInput(
        "pp", "integer", "pipeline stages the layers are split into", "dimensionless", fleet=True
    ),
    EngineInput(
        "microbatches",
        "integer",
        "microbatches each replica's batch is split into (fills the pipeline)",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "zero",
        "integer",
        "ZeRO stage 0-3: which training state data-parallel replicas shard",
        "dimensionless",
        fleet=True,
        minimum=0,
    ),
    EngineInput(
        "fabric",
        "choice",
        "scale-out fabric between nodes (mlsys.Fabrics)",
        registry="fabrics",
        fleet=True,
    ),
    EngineInput(
        "checkpoint_interval",
        "integer",
        "minutes between checkpoints of the training state (default: Young-Daly optimum)",
        "minute",
        fleet=True,
    ),
    EngineInput(
        "train_tokens",
        "integer",
        "tokens the training run consumes (default: 20 per parameter, compute-optimal)",
        "token",
        fleet=True,
    ),
    EngineInput(
        "queue_load",
        "fraction",
        "share of the cluster the scheduler's arriving jobs keep busy (utilisation rho)",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "job_cv",
        "integer",
        "coefficient of variation of job durations (0 all equal, 1 exponential, >1 heavy-tailed)",
        "dimensionless",
        fleet=True,
        minimum=0,
    ),
    EngineInput(
        "job_gpus",
        "integer",
        "devices each queued job needs at once (gang scheduling)",
        "dimensionless",
        fleet=True,
    ),
    EngineInput("job_hours", "integer", "mean duration of a queued job", "hour", fleet=True),
    EngineInput(
        "region",
        "choice",
        "grid the run draws power from (carbon intensity: mlsys.constants)",
        registry="regions",
        fleet=True,
    ),
    EngineInput(
        "cooling",
        "choice",
        "facility cooling, which sets the PUE (liquid, best_air, typical, legacy)",
        registry="coolings",
        fleet=True,
    ),
    EngineInput(
        "servers_per_rack", "integer", "servers (nodes) in one rack", "dimensionless", fleet=True
    ),
    EngineInput(
        "arrival_rate",
        "integer",
        "requests per second the serving fleet receives",
        "1/second",
        fleet=True,
    ),
    EngineInput(
        "prompt_tokens", "integer", "tokens of each request's prompt (prefill)", "token", fleet=True
    ),
    EngineInput(
        "output_tokens", "integer", "tokens each request generates (decode)", "token", fleet=True
    ),
    EngineInput(
        "serving_batch",
        "integer",
        "sequences each serving replica (tp devices) decodes at once",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "serving_mode",
        "choice",
        "prefill and decode on the same replicas (colocated) or in separate pools (disaggregated)",
        registry="serving_modes",
        fleet=True,
    ),
    EngineInput(
        "routing",
        "choice",
        "how a request picks its replica (random, or the shorter of two queues: power_of_two)",
        registry="routings",
        fleet=True,
    ),
    EngineInput(
        "kv_cache",
        "choice",
        "KV cache layout: paged (vLLM, little waste) or contiguous (pre-allocated)",
        registry="kv_caches",
        fleet=True,
    ),
    EngineInput(
        "population",
        "integer",
        "devices in the federated (or OTA) fleet a round draws its clients from",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "cohort",
        "integer",
        "clients one federated round trains on (the round waits for the slowest)",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "duty",
        "fraction",
        "share of time a device is idle enough to train",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "connectivity",
        "fraction",
        "share of devices on an unmetered connection",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "charging", "fraction", "share of devices on the charger", "dimensionless", fleet=True
    ),
    EngineInput(
        "local_steps",
        "integer",
        "training steps each client runs per round (the step is the track's device's)",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "link_kbps",
        "integer",
        "a device's network link, both ways (kilobit/s)",
        "kilobit/second",
        fleet=True,
    ),
    EngineInput(
        "slo",
        "fraction",
        "availability objective (below 1; 0.999 is three nines)",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "request_rate",
        "integer",
        "requests per second the production service receives (operations at scale)",
        "1/second",
        fleet=True,
    ),
    EngineInput(
        "canary_share",
        "fraction",
        "share of traffic a canary release receives",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "baseline_rate",
        "fraction",
        "conversion (or error) rate an A/B test starts from (below 1)",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "lift",
        "fraction",
        "absolute change of the rate an A/B test must detect",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "benchmark_cv",
        "fraction",
        "run-to-run coefficient of variation of a benchmark",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "benchmark_runs",
        "integer",
        "benchmark runs on each side of a comparison",
        "dimensionless",
        fleet=True,
        minimum=2,
    ),
    EngineInput(
        "fan_out",
        "integer",
        "servers one request fans out to (it waits for the slowest)",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "epsilon",
        "integer",
        "privacy budget of DP-SGD (delta 1e-5): smaller is more private and noisier",
        "dimensionless",
        fleet=True,
    ),
    EngineInput(
        "attack_steps",
        "integer",
        "steps of the attack adversarial training runs (K + 1 passes; default PGD-7)",
        "dimensionless",
        fleet=True,
        minimum=0,
    ),
)

BY_NAME: dict[str, EngineInput] = {entry.name: entry for entry in ENGINE_INPUTS}

#: Keywords of ``Engine.solve`` a spec does not set as a scalar: a fleet's parallelism plan is
#: an object (``mlsys.Parallelism``) that the fleet parameters above build, not one number.
NOT_SPEC_KEYWORDS: tuple[str, ...] = ("parallelism",)
#: Parameters that describe the cluster, its plan and the run (Volume 2), in solve order.
FLEET_PARAMS: tuple[str, ...] = tuple(e.name for e in ENGINE_INPUTS if e.fleet)

#: Parameters by control shape; each is the discriminator set of one control model.
INTEGER_PARAMS: tuple[str, ...] = tuple(e.name for e in ENGINE_INPUTS if e.kind == "integer")
FRACTION_PARAMS: tuple[str, ...] = tuple(e.name for e in ENGINE_INPUTS if e.kind == "fraction")
CHOICE_PARAMS: tuple[str, ...] = tuple(e.name for e in ENGINE_INPUTS if e.kind == "choice")
ALL_PARAMS: tuple[str, ...] = tuple(BY_NAME)
#: What a track names itself rather than through ``inputs``.
TRACK_OWN_PARAMS: tuple[str, ...] = ("model", "system")
