"""Which ``Engine.solve`` inputs a KAT runs with: pure data logic, no widgets.

One source of truth for the lab (``labs.core.controls`` draws the widgets from it) and for
``labgen validate`` (which proves each lab playable with it): what a control offers on a track,
where it starts (the ledger's decision, else the track's input, else the spec default), the
keywords a configuration passes to the engine, and the *stated configuration* a KAT's prediction
is about (the KAT's starting controls, overridden by the spec's ``at``). Importing this module
does not import marimo, so the validator stays fast.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from mlsys import Cluster, Engine, Fabrics, Models, Parallelism, ServingSimulation, Systems
from mlsys.applications import application_of
from mlsys.constants import GRID_CARBON_INTENSITY
from mlsys.fleet_constants import KV_CACHE_WASTE, PUE
from mlsys.fleet_report import SERVING_MODES, FleetReport, FleetScenario
from mlsys.fleet_simulations import ServingFleet
from mlsys.formulas import TRAINING_PRECISIONS

#: Every keyword of Engine.solve a lab passes, in the order it passes them.
ENGINE_KEYWORDS: tuple[str, ...] = (
    "model",
    "system",
    "batch_size",
    "precision",
    "efficiency",
    "seq_len",
    "phase",
    "runtime",
)

#: The fleet parameters (Volume 2) a lab may set, in the order they are read: the parallelism
#: plan (the cluster holds ``dp * tp * pp`` of the track's nodes), the scale-out fabric, the
#: run's checkpoint interval (minutes) and the scheduler's queue (load, job-size variability,
#: gang size, mean job hours). Setting any makes the configuration a fleet.
FLEET_KEYWORDS: tuple[str, ...] = (
    "dp",
    "tp",
    "pp",
    "microbatches",
    "zero",
    "fabric",
    "checkpoint_interval",
    "train_tokens",
    "queue_load",
    "job_cv",
    "job_gpus",
    "job_hours",
    "region",
    "cooling",
    "servers_per_rack",
    "arrival_rate",
    "prompt_tokens",
    "output_tokens",
    "serving_batch",
    "serving_mode",
    "routing",
    "kv_cache",
    "population",
    "cohort",
    "duty",
    "connectivity",
    "charging",
    "local_steps",
    "link_kbps",
    "slo",
    "request_rate",
    "canary_share",
    "baseline_rate",
    "lift",
    "benchmark_cv",
    "benchmark_runs",
    "fan_out",
    "epsilon",
    "attack_steps",
)

#: The fleet parameters that build the cluster and its plan; the rest set the run's scenario
#: (``mlsys.FleetScenario`` takes each by its own name).
PLAN_KEYWORDS: tuple[str, ...] = ("dp", "tp", "pp", "microbatches", "zero", "fabric")
SCENARIO_KEYWORDS: tuple[str, ...] = tuple(k for k in FLEET_KEYWORDS if k not in PLAN_KEYWORDS)

#: Parameters that only transformers take (context length; tensor parallelism splits heads).
TRANSFORMER_ONLY: frozenset[str] = frozenset({"seq_len", "tp"})

#: Digits a fraction slider's values are rounded to, so 0.1 + 0.2 lands on the 0.3 step.
_GRID_DIGITS = 9


def powers_of_two(low: int, high: int) -> list[int]:
    """``low, 2 low, 4 low, ...`` up to ``high`` (the steps of a log2 slider)."""
    return list(_powers_of_two(low, high))


@lru_cache(maxsize=256)
def _powers_of_two(low: int, high: int) -> tuple[int, ...]:
    steps, value = [], low
    while value <= high:
        steps.append(value)
        value *= 2
    return tuple(steps)


def linear_steps(low: float, high: float, step: float) -> list[float]:
    """``low, low + step, ...`` up to ``high`` (the steps of a linear slider), rounded so that
    floating-point sums land on their grid."""
    return list(_linear_steps(low, high, step, isinstance(low, int)))


@lru_cache(maxsize=256)
def _linear_steps(low: float, high: float, step: float, whole: bool) -> tuple[float, ...]:
    # Sliders are redrawn and proofs sweep them often: the grid of one range is built once.
    count = math.floor((high - low) / step + 1e-9)
    values = [round(low + i * step, _GRID_DIGITS) for i in range(count + 1)]
    return tuple(int(v) if whole and float(v).is_integer() else v for v in values)


def allowed_choices(param: str, options: Sequence[str], track: Mapping[str, Any]) -> list[str]:
    """Dropdown options a track can use: precisions and runtimes its system cannot run are left
    out, and phases only where the model takes them (train for every model, decode for
    decoders)."""
    system, model = track["system"], track["model"]
    if param == "precision":
        trains = _trains(track)
        return [
            o
            for o in options
            if o in system.precisions and (not trains or o in TRAINING_PRECISIONS)
        ]
    if param == "runtime":
        return [o for o in options if o in system.runtimes]
    if param == "phase":
        return [o for o in options if o in model.phases]
    if param == "fabric":
        return [o for o in options if o in Fabrics and Fabrics.get(o).kind == "scale_out"]
    return list(options)


def _trains(track: Mapping[str, Any]) -> bool:
    """Whether the track's configuration is a training step on a cluster (a fleet whose phase
    is unset or ``train``): it needs a floating-point format to carry gradients."""
    inputs = track.get("inputs", {})
    fleet = any(inputs.get(key) is not None for key in FLEET_KEYWORDS)
    return fleet and inputs.get("phase") in (None, "train")


def grid(control: Mapping[str, Any], track: Mapping[str, Any]) -> list[Any]:
    """Every value the control offers on the track, in order: the usable dropdown options, or
    the slider's steps. Empty for a context-length control on a model that has none."""
    param = control["param"]
    if param in TRANSFORMER_ONLY and track["model"].transformer is None:
        return []
    if "options" in control:
        return allowed_choices(param, control["options"], track)
    if control.get("scale") == "log2":
        return powers_of_two(control["min"], control["max"])
    return linear_steps(control["min"], control["max"], control.get("step", 1))


def shown(control: Mapping[str, Any], track: Mapping[str, Any]) -> bool:
    """Whether the control appears on the track: it must offer at least two values (a dropdown
    with one option is no choice, so it is hidden and its one value applies)."""
    return len(grid(control, track)) >= 2


def _track_value(param: str, track: Mapping[str, Any]) -> Any:
    if param in ("model", "system"):
        return track[param].name
    return track.get("inputs", {}).get(param)


def start_value(
    control: Mapping[str, Any], track: Mapping[str, Any], ledger: Mapping[str, Any] | None = None
) -> Any:
    """Where the control starts on the track: the ledger's decision, else the track's input,
    else the spec default; a candidate the control cannot show is passed over. A slider value
    inside the range but off the grid (a ledger's 0.39 on a 0.05 grid) is kept: the slider adds
    it as a step so the student can always return to it."""
    values = grid(control, track)
    for candidate in ((ledger or {}).get(control["param"]), _track_value(control["param"], track)):
        if candidate is None:
            continue
        if "options" in control:
            if candidate in values:
                return candidate
        elif values and values[0] <= candidate <= values[-1]:
            return candidate
    default = control["default"]
    if default in values or (
        "options" not in control and values and values[0] <= default <= values[-1]
    ):
        return default
    return values[0] if values else default


def slider_steps(control: Mapping[str, Any], track: Mapping[str, Any], start: Any) -> list[Any]:
    """The steps a slider shows: its grid plus ``start`` when the start lies off the grid."""
    values = grid(control, track)
    if start in values or "options" in control:
        return values
    return sorted([*values, start])


def usable(param: str, value: Any, track: Mapping[str, Any]) -> bool:
    """Whether ``value`` is a valid ``param`` for the track's model and system (a decision made
    on another node, such as fp16 for a microcontroller, is not)."""
    model, system = track["model"], track["system"]
    if value is None:
        return False
    if param == "precision":
        trainable = not _trains(track) or value in TRAINING_PRECISIONS
        return value in system.precisions and trainable
    if param == "runtime":
        return value in system.runtimes
    if param == "phase":
        return value in model.phases
    if param == "seq_len":
        shape = model.transformer
        return shape is not None and isinstance(value, int) and 1 <= value <= shape.max_seq_len
    if param == "batch_size":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    if param == "efficiency":
        return isinstance(value, int | float) and 0 < value <= 1
    if param == "model":
        return isinstance(value, str) and value in Models
    if param == "system":
        return isinstance(value, str) and value in Systems
    if param == "fabric":
        return isinstance(value, str) and value in Fabrics
    if param == "region":
        return isinstance(value, str) and value in GRID_CARBON_INTENSITY
    if param == "cooling":
        return isinstance(value, str) and value in PUE
    if param == "queue_load":
        return isinstance(value, int | float) and 0 < value < 1
    if param in ("slo", "baseline_rate", "lift"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok and 0 < value < 1
    if param in ("duty", "connectivity", "charging", "canary_share", "benchmark_cv"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok and 0 < value <= 1
    if param == "serving_mode":
        return isinstance(value, str) and value in SERVING_MODES
    if param == "routing":
        return isinstance(value, str) and value in ServingFleet.ROUTING
    if param == "kv_cache":
        return isinstance(value, str) and value in KV_CACHE_WASTE
    if param in FLEET_KEYWORDS:
        low = 0 if param in ("zero", "job_cv", "attack_steps") else 1
        low = 2 if param == "benchmark_runs" else low
        if param == "tp" and model.transformer is None and value != 1:
            return False
        return isinstance(value, int) and not isinstance(value, bool) and value >= low
    return False


def engine_inputs(
    track: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    decisions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Keywords for ``Engine.solve``: the track's model, system and fixed inputs, overridden by
    the earlier labs' ``decisions`` the track can use, overridden by the controls' ``values``.
    Model and system names are looked up in the registries; unset keywords are None (the
    engine's documented defaults); ``batch_size`` defaults to 1."""
    picked = values or {}
    # Decisions are judged against the node and model this KAT actually runs (a system or
    # model dropdown may have replaced the track's own).
    target = dict(track)
    for key, registry in (("model", Models), ("system", Systems)):
        if isinstance(picked.get(key), str):
            target[key] = registry.get(picked[key])
    carried = {k: v for k, v in (decisions or {}).items() if usable(k, v, target)}
    chosen = {**track.get("inputs", {}), **carried, **picked}
    model = chosen.get("model", track["model"])
    system = chosen.get("system", track["system"])
    inputs = {key: chosen.get(key) for key in ENGINE_KEYWORDS}
    inputs["model"] = Models.get(model) if isinstance(model, str) else model
    inputs["system"] = Systems.get(system) if isinstance(system, str) else system
    inputs["batch_size"] = chosen.get("batch_size") or 1
    if inputs["model"].transformer is None:
        inputs["seq_len"] = None  # only transformers take a context length
    if inputs["phase"] not in (None, *inputs["model"].phases):
        inputs["phase"] = None  # e.g. "prefill" for a CNN: inference, the engine's default
    fleet = {key: chosen.get(key) for key in FLEET_KEYWORDS}
    if inputs["model"].transformer is None and fleet["tp"] is not None:
        fleet["tp"] = 1  # tensor parallelism splits attention heads: a CNN has none
    inputs.update(fleet)
    inputs.update(_fleet(inputs, fleet))
    return inputs


def node_of(inputs: Mapping[str, Any]) -> Any:
    """The node (``SystemSpec``) of solved keywords: the system, or a cluster's node."""
    system = inputs["system"]
    return system.node if isinstance(system, Cluster) else system


def _fleet(inputs: Mapping[str, Any], fleet: Mapping[str, Any]) -> dict[str, Any]:
    """The cluster, parallelism plan and run scenario the fleet parameters describe, or Nones
    for a single node. A CNN takes no tensor parallelism (``tp`` is 1)."""
    if all(value is None for value in fleet.values()):
        return {"parallelism": None, "scenario": None}
    plan = _plan(
        fleet["dp"] or 1, fleet["tp"] or 1, fleet["pp"] or 1, fleet["microbatches"] or 1,
        fleet["zero"] or 0,
    )  # fmt: skip
    # Every fleet parameter that is not the plan or the fabric describes the run.
    described = {key: fleet[key] for key in SCENARIO_KEYWORDS if fleet[key] is not None}
    return {
        "system": _cluster(inputs["system"], plan.devices, fleet["fabric"]),
        "parallelism": plan,
        "phase": inputs["phase"] or "train",
        "scenario": _scenario(described),
    }


# A proof sweep builds the same plan, cluster and scenario thousands of times; each is a frozen
# dataclass checked on construction, so one instance per distinct set of arguments serves all.


def _plan(dp: int, tp: int, pp: int, microbatches: int, zero: int) -> Parallelism:
    try:
        return _known_plan(dp, tp, pp, microbatches, zero)
    except TypeError:  # an unhashable value: Parallelism says what is wrong with it
        return Parallelism(dp=dp, tp=tp, pp=pp, microbatches=microbatches, zero=zero)


@lru_cache(maxsize=4096, typed=True)
def _known_plan(dp: int, tp: int, pp: int, microbatches: int, zero: int) -> Parallelism:
    return Parallelism(dp=dp, tp=tp, pp=pp, microbatches=microbatches, zero=zero)


#: ``(id(node), devices, fabric) -> (node, cluster)``: the node is held so its id stays its own.
_CLUSTERS: dict[tuple[int, int, Any], tuple[Any, Cluster]] = {}


def _cluster(node: Any, count: int, fabric: str | None) -> Cluster:
    key = (id(node), count, fabric if isinstance(fabric, str) else id(fabric))
    held = _CLUSTERS.get(key)
    if held is not None and held[0] is node and (fabric is None or isinstance(fabric, str)):
        return held[1]
    cluster = Cluster(
        node=node, count=count, scale_out=Fabrics.get(fabric) if fabric is not None else None
    )
    if len(_CLUSTERS) >= 4096:
        _CLUSTERS.clear()
    _CLUSTERS[key] = (node, cluster)
    return cluster


_SCENARIOS: dict[tuple[Any, ...], FleetScenario] = {}


def _scenario(described: Mapping[str, Any]) -> FleetScenario:
    try:
        # Typed, so that 10 and 10.0 stay two scenarios, as FleetScenario keeps them.
        key = tuple((name, type(value), value) for name, value in described.items())
        found = _SCENARIOS.get(key)
    except TypeError:  # an unhashable value: FleetScenario refuses it
        return FleetScenario(**described)
    if found is None:
        found = FleetScenario(**described)
        if len(_SCENARIOS) >= 4096:
            _SCENARIOS.clear()
        _SCENARIOS[key] = found
    return found


def ledger_inputs(ledger: Any, reads: Mapping[str, str]) -> dict[str, Any]:
    """Decisions an earlier lab recorded, keyed by the Engine.solve parameter they feed:
    ``reads`` maps parameter -> ledger key; keys the ledger lacks are left out."""
    found = {}
    for param, key in reads.items():
        value = ledger.get(key, None)
        if value is not None:
            found[param] = value
    return found


def starting_values(
    controls: Sequence[Mapping[str, Any]],
    track: Mapping[str, Any],
    decisions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``{param: start}`` of every control that appears on the track (see ``shown``); a hidden
    control contributes its single offered value, if any."""
    starts: dict[str, Any] = {}
    for control in controls:
        values = grid(control, track)
        if len(values) == 1:
            starts[control["param"]] = values[0]
        elif values:
            starts[control["param"]] = start_value(control, track, decisions)
    return starts


def live_inputs(
    controls: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any],
    track: Mapping[str, Any],
    decisions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``Engine.solve`` keywords of what the student has set now: the controls' ``values``, over
    the single value of any control hidden on the track (see ``shown``)."""
    return engine_inputs(
        track, {**starting_values(controls, track, decisions), **values}, decisions
    )


def stated_inputs(
    controls: Sequence[Mapping[str, Any]],
    track: Mapping[str, Any],
    decisions: Mapping[str, Any] | None = None,
    at: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``Engine.solve`` keywords of the configuration a KAT's prediction is about: the KAT's
    starting controls on the track (after the ledger's decisions), overridden by the spec's
    ``at``. The verdict compares with the engine here, whatever the controls show later."""
    values = {**starting_values(controls, track, decisions), **(at or {})}
    return engine_inputs(track, values, decisions)


def solve_inputs(inputs: Mapping[str, Any]) -> Any:
    """``Engine.solve`` on keywords from ``engine_inputs``: a ``PerformanceProfile`` on one
    node, or on a fleet the step's ``FleetReport`` (the step and its run)."""
    keywords = {key: inputs[key] for key in ENGINE_KEYWORDS}
    if inputs.get("parallelism") is None:
        return Engine.solve(**keywords)
    step = Engine.solve(**keywords, parallelism=inputs["parallelism"])
    return FleetReport(step, inputs["scenario"])


def stated_profile(
    controls: Sequence[Mapping[str, Any]],
    track: Mapping[str, Any],
    decisions: Mapping[str, Any] | None = None,
    at: Mapping[str, Any] | None = None,
) -> Any:
    """The engine's profile at the KAT's stated configuration (see ``stated_inputs``)."""
    return solve_inputs(stated_inputs(controls, track, decisions, at))


def serving_for(track_key: str, inputs: Mapping[str, Any]) -> Any:
    """The serving simulation of the track's application (its request rate and SLO) for the
    ``Engine.solve`` keywords ``inputs`` (as ``live_inputs`` gives them): a SystemLedger with
    P50, P99, utilization and the latency samples (ms) a P99Histogram draws."""
    application = replace(application_of(track_key), model=inputs["model"], system=inputs["system"])
    choice = {
        key: inputs[key]
        for key in ("system", "batch_size", "precision", "efficiency", "runtime")
        if inputs[key] is not None
    }
    return ServingSimulation(application).evaluate(choice)
