"""The solver: one node, one model, one batch -> a PerformanceProfile (guide section 6.1).

``Engine.solve`` computes in plain floats through ``mlsys.formulas`` and wraps results in pint
quantities only when a field is read, so one solve costs microseconds. ``Engine.sweep`` solves
many batch sizes and efficiencies with the same formulas, point by point, in plain Python: no
numpy, so the same numbers come out in CPython and in the browser (Pyodide has no numpy build).
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from mlsys import formulas as f
from mlsys.cluster import Cluster
from mlsys.derivation import Derivation, Math, Variable
from mlsys.fleet_step import FleetProfile, solve_step
from mlsys.hardware import BYTES_PER_VALUE, PRECISIONS, Runtime, SystemSpec
from mlsys.models import ModelSpec
from mlsys.parallelism import Parallelism
from mlsys.profile_fields import ProfileFields
from mlsys.units import (
    BYTE,
    BYTE_PER_SECOND,
    DIMENSIONLESS,
    FLOP_PER_SECOND,
    FLOP_UNIT,
    JOULE,
    MILLISECOND,
    SAMPLE,
    WATT,
    Quantity,
)


@dataclass(frozen=True)
class _Inputs:
    model: ModelSpec
    system: SystemSpec
    batch_size: Any
    precision: str
    efficiency: Any
    seq_len: int | None
    phase: str | None
    runtime: Runtime


class PerformanceProfile(ProfileFields):
    """What one configuration achieves on one node.

    Fields (pint quantities of ``mlsys.ureg``, read through ``ProfileFields``): ``latency``,
    ``latency_compute``, ``latency_memory``, ``latency_overhead`` (ms), ``throughput`` (sample/s,
    or token/s when decoding), ``energy`` (J per batch), ``memory_footprint`` (byte);
    ``bottleneck`` is "Compute" or "Memory"; ``feasible`` is ``memory_footprint <= system.ram``.
    ``math`` holds the formula and variable values behind each field.
    """

    __slots__ = ()

    def _device_spec(self) -> SystemSpec:
        return self.inputs.system

    def _node_inputs(self) -> _Inputs:
        return self.inputs

    def _derivations(self) -> Math:
        return _derive(self)

    @property
    def bottleneck(self) -> Any:
        """ "Compute" or "Memory": whichever takes longer."""
        t_compute, t_memory = self._raw["t_compute"], self._raw["t_memory"]
        return "Compute" if t_compute >= t_memory else "Memory"

    def __repr__(self) -> str:
        return (
            f"<PerformanceProfile {self.model.name} on {self.system.name} b={self.batch_size} "
            f"{self.precision}: {self.latency:.3g~P}, {self.bottleneck}-bound>"
        )


class Engine:
    """The only way labs compute physics (guide section 6.1)."""

    @staticmethod
    def solve(
        model: ModelSpec,
        system: SystemSpec | Cluster,
        batch_size: int = 1,
        precision: str | None = None,
        efficiency: float | None = None,
        *,
        seq_len: int | None = None,
        phase: str | None = None,
        runtime: str | None = None,
        parallelism: Parallelism | None = None,
    ) -> PerformanceProfile | FleetProfile:
        """Solve one configuration.

        ``batch_size`` is in samples (sequences for transformers); ``precision`` one of
        ``mlsys.PRECISIONS`` that the system runs (default: the system's native precision);
        ``efficiency`` the achieved fraction of dense peak compute in (0, 1] (default: the
        system's calibrated ``typical_efficiency``). Transformers also take ``seq_len`` (tokens
        of context, default the model's ``default_seq_len``) and ``phase`` ("prefill" or
        "decode"; decoders default to "decode", encoders only "prefill"). ``runtime`` names one
        of ``system.runtimes`` (default ``system.default_runtime``). Raises ValueError naming the
        parameter and what is allowed.

        On a ``mlsys.Cluster`` it solves one step split by ``parallelism`` (a
        ``mlsys.Parallelism``; default pure data parallelism) and returns a ``FleetProfile``;
        ``batch_size`` is then the global batch (see ``mlsys.fleet_step``).
        """
        if isinstance(system, Cluster):
            return solve_step(
                model,
                system,
                batch_size,
                precision,
                efficiency,
                seq_len=seq_len,
                phase=phase,
                runtime=runtime,
                parallelism=parallelism,
                node_solver=_solve_node,
            )
        if parallelism is not None:
            raise ValueError("parallelism: applies to a mlsys.Cluster, not to a single node")
        return PerformanceProfile(
            *_solve_node(model, system, batch_size, precision, efficiency, seq_len, phase, runtime)
        )

    @staticmethod
    def sweep(
        model: ModelSpec,
        system: SystemSpec,
        batch_size: Any = 1,
        precision: str | None = None,
        efficiency: Any = None,
        *,
        seq_len: int | None = None,
        phase: str | None = None,
        runtime: str | None = None,
    ) -> Sweep:
        """Solve many configurations at once: ``batch_size`` (samples) and ``efficiency``
        (fractions of peak) may each be one value or a non-empty sequence of them; two sequences
        pair up element by element (a sequence of one value stands for any length). Every point
        is exactly what ``Engine.solve`` returns for it. Raises ValueError naming the parameter."""
        batches = _as_points(batch_size, "batch_size")
        inputs = _inputs(model, system, 1, precision, efficiency, seq_len, phase, runtime)
        efficiencies = _as_points(inputs.efficiency, "efficiency")
        for batch in batches:
            if type(batch) is int and batch >= 1:
                continue  # the common case, checked cheaply (a 10,000-point sweep)
            if (
                isinstance(batch, bool)
                or not isinstance(batch, Real)
                or not math.isfinite(batch)
                or batch != int(batch)
            ):
                raise ValueError("batch_size: every value must be a whole number of samples")
            if batch < 1:
                raise ValueError(f"batch_size: every value must be >= 1 (smallest {min(batches)})")
        for value in efficiencies:
            if type(value) is float and 0.0 < value <= 1.0:
                continue
            if isinstance(value, bool) or not isinstance(value, Real):
                raise ValueError(f"efficiency: every value must be a number, got {value!r}")
            if not (math.isfinite(value) and 0.0 < value <= 1.0):
                raise ValueError("efficiency: every value must be in (0, 1]")
        if len(batches) != len(efficiencies) and 1 not in (len(batches), len(efficiencies)):
            raise ValueError(
                f"efficiency: {len(efficiencies)} values cannot pair with "
                f"{len(batches)} batch sizes (give one value, or one per batch size)"
            )
        count = max(len(batches), len(efficiencies))
        numpy = _sweep_numpy(count, batches)
        if numpy is not None:
            with _cyclic_gc_paused():
                return Sweep(_sweep_arrays(numpy, inputs, batches, efficiencies, count))
        with _cyclic_gc_paused():
            return Sweep(tuple(_sweep_points(inputs, batches, efficiencies, count)))


def _sweep_points(
    inputs: _Inputs, batches: list[Any], efficiencies: list[Any], count: int
) -> list[PerformanceProfile]:
    """The points of a sweep solved one by one in plain Python (the browser's way)."""
    model, system = inputs.model, inputs.system
    points = []
    for index in range(count):
        # The same types as Engine.solve (an int batch, a float efficiency): same numbers.
        batch = int(batches[index % len(batches)])
        eff = float(efficiencies[index % len(efficiencies)])
        point = _Inputs(
            model,
            system,
            batch,
            inputs.precision,
            eff,
            inputs.seq_len,
            inputs.phase,
            inputs.runtime,
        )
        points.append(PerformanceProfile(point, _core(point, max, min)))
    return points


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a sweep allocates its points (none of
    them forms a cycle; reference counting still frees them). A 10,000-point sweep otherwise
    triggers about 70 collections that scan every live object, more than doubling its time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Sweep:
    """The profiles of an ``Engine.sweep``, one per configuration, in order.

    Iterate it, index it or take ``len``; a profile field read on the sweep (``sweep.latency``,
    ``sweep.feasible``, ``sweep.batch_size``) is a tuple with one entry per point, except the
    inputs every point shares (``model``, ``system``, ``precision``, ``phase``, ``seq_len``,
    ``runtime``), which are single values.
    """

    __slots__ = ("points",)

    SHARED = frozenset({"model", "system", "precision", "phase", "seq_len", "runtime"})

    def __init__(self, points: tuple[PerformanceProfile, ...]) -> None:
        self.points = points

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[PerformanceProfile]:
        return iter(self.points)

    def __getitem__(self, index: int) -> PerformanceProfile:
        return self.points[index]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not isinstance(
            getattr(PerformanceProfile, name, None), property
        ):
            raise AttributeError(f"{name!r} is not a field of a PerformanceProfile")
        if name in self.SHARED:
            return getattr(self.points[0], name)
        return tuple(getattr(point, name) for point in self.points)

    def __repr__(self) -> str:
        return f"<Sweep of {len(self.points)} points>"


#: Fewer points than this are solved one by one even where numpy is installed: converting to
#: and from arrays costs more than it saves.
NUMPY_SWEEP_MIN_POINTS = 256

#: Batch sizes at or above this are solved one by one: with int64 arrays a product of two of
#: the workload's whole numbers (batch x sequence length) could overflow where Python's ints
#: do not.
_NUMPY_SWEEP_MAX_BATCH = 2**31


def _sweep_numpy(count: int, batches: list[Any]) -> Any:
    """The numpy module when a sweep of ``count`` points gains from it and numpy is installed
    (CPython with the ``numpy`` extra); None otherwise, and always in the browser (Pyodide has
    no numpy), where the point-by-point loop gives the same numbers."""
    if count < NUMPY_SWEEP_MIN_POINTS or max(batches) >= _NUMPY_SWEEP_MAX_BATCH:
        return None
    try:
        import numpy
    except ImportError:
        return None
    return numpy


class _SweptRow(Mapping[str, Any]):
    """One point's raw results read from the sweep's columns (a 10,000-point sweep builds no
    10,000 dicts); behaves as the dict ``_core`` returns for that point alone."""

    __slots__ = ("_columns", "_index")

    def __init__(self, columns: dict[str, list[Any]], index: int) -> None:
        self._columns = columns
        self._index = index

    def __getitem__(self, key: str) -> Any:
        return self._columns[key][self._index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def _sweep_arrays(
    numpy: Any, inputs: _Inputs, batches: list[Any], efficiencies: list[Any], count: int
) -> tuple[PerformanceProfile, ...]:
    """The points of a sweep solved at once over numpy arrays: ``_core`` on an int64 array of
    batch sizes and a float64 array of efficiencies, then one profile per point holding plain
    Python numbers. Element-wise IEEE arithmetic in the same order as the point-by-point loop
    (``+ - * /``, max and min; ints widened to float exactly as Python widens them), so every
    number equals that loop's (tests/engine/test_sweep_numpy.py holds it)."""
    batch_list = [int(batch) for batch in batches]
    eff_list = [float(value) for value in efficiencies]
    if len(batch_list) == 1:
        batch_list *= count
    if len(eff_list) == 1:
        eff_list *= count
    swept = _Inputs(
        inputs.model,
        inputs.system,
        numpy.array(batch_list, dtype=numpy.int64),
        inputs.precision,
        numpy.array(eff_list, dtype=numpy.float64),
        inputs.seq_len,
        inputs.phase,
        inputs.runtime,
    )
    columns: dict[str, list[Any]] = {}
    for key, value in _core(swept, numpy.maximum, numpy.minimum).items():
        if isinstance(value, numpy.ndarray):
            columns[key] = value.tolist()
        else:  # a number no point's batch or efficiency changes
            columns[key] = [value.item() if isinstance(value, numpy.generic) else value] * count
    shared = {
        "model": inputs.model,
        "system": inputs.system,
        "precision": inputs.precision,
        "seq_len": inputs.seq_len,
        "phase": inputs.phase,
        "runtime": inputs.runtime,
    }
    new, set_attribute = object.__new__, object.__setattr__
    points = []
    for index, (batch, eff) in enumerate(zip(batch_list, eff_list, strict=True)):
        # The frozen dataclass's own __init__ costs three times this; the fields are the same.
        point = new(_Inputs)
        set_attribute(point, "__dict__", {**shared, "batch_size": batch, "efficiency": eff})
        points.append(PerformanceProfile(point, _SweptRow(columns, index)))
    return tuple(points)


def _as_points(value: Any, name: str) -> list[Any]:
    """``value`` as a non-empty list of points: one value, or the items of a 1-D sequence."""
    if isinstance(value, str):
        raise ValueError(f"{name}: expected a number or a sequence of numbers, got {value!r}")
    if isinstance(value, Real) or not hasattr(value, "__iter__"):
        return [value]
    points = list(value)
    if not points or any(hasattr(item, "__iter__") for item in points):
        raise ValueError(f"{name}: expected a number or a non-empty 1-D sequence of numbers")
    return points


def _solve_node(
    model: Any,
    system: Any,
    batch_size: Any,
    precision: str | None,
    efficiency: Any,
    seq_len: Any,
    phase: str | None,
    runtime: str | None,
) -> tuple[_Inputs, dict[str, Any]]:
    """One node's checked inputs and raw results in floats (seconds, bytes, FLOP, joules)."""
    _check_integer_batch(batch_size)
    inputs = _inputs(model, system, batch_size, precision, efficiency, seq_len, phase, runtime)
    if not isinstance(inputs.efficiency, Real) or isinstance(inputs.efficiency, bool):
        raise ValueError(f"efficiency: expected a number in (0, 1], got {inputs.efficiency!r}")
    _check_efficiency(float(inputs.efficiency))
    return inputs, _core(inputs, max, min)


# -- validation ------------------------------------------------------------------------------


def _check_integer_batch(batch_size: Any) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, Integral):
        raise ValueError(
            f"batch_size: expected a whole number of samples (int >= 1), got {batch_size!r}"
        )
    if batch_size < 1:
        raise ValueError(f"batch_size: must be >= 1, got {batch_size}")


def _check_efficiency(value: float) -> None:
    if not (math.isfinite(value) and 0.0 < value <= 1.0):
        raise ValueError(f"efficiency: must be in (0, 1] (a fraction of peak), got {value!r}")


def _inputs(
    model: Any,
    system: Any,
    batch_size: Any,
    precision: str | None,
    efficiency: Any,
    seq_len: Any,
    phase: str | None,
    runtime: str | None,
) -> _Inputs:
    if not isinstance(model, ModelSpec):
        raise ValueError(
            f"model: expected a ModelSpec from mlsys.Models (e.g. Models.ResNet50), got {type(model).__name__}"
        )
    if not isinstance(system, SystemSpec):
        raise ValueError(
            f"system: expected a SystemSpec from mlsys.Systems (e.g. Systems.H100), got {type(system).__name__}"
        )
    if precision is None:
        precision = system.default_precision
    if precision not in BYTES_PER_VALUE:
        raise ValueError(f"precision: {precision!r} is not one of {', '.join(PRECISIONS)}")
    if precision not in system.peak_flops:
        raise ValueError(
            f"precision: {system.name} cannot run {precision!r}; it runs {', '.join(system.precisions)}"
        )
    if efficiency is None:
        efficiency = system.typical_efficiency
    if runtime is None:
        runtime = system.default_runtime
    if runtime not in system.runtimes:
        raise ValueError(
            f"runtime: {system.name} has no runtime {runtime!r}; it has {', '.join(system.runtimes)}"
        )
    shape = model.transformer
    if shape is None:
        if seq_len is not None:
            raise ValueError(
                f"seq_len: {model.name} is not a transformer; seq_len applies only to transformers"
            )
        if phase not in (None, *model.phases):
            raise ValueError(
                f"phase: {model.name} is not a transformer; it takes 'train' (a training step) "
                f"or no phase (inference), got {phase!r}"
            )
    else:
        if seq_len is None:
            seq_len = shape.default_seq_len
        if (
            isinstance(seq_len, bool)
            or not isinstance(seq_len, Integral)
            or not 1 <= seq_len <= shape.max_seq_len
        ):
            raise ValueError(
                f"seq_len: must be a whole number of tokens in [1, {shape.max_seq_len}] for {model.name}, got {seq_len!r}"
            )
        allowed = model.phases
        if phase is None:
            phase = "decode" if shape.decoder else "prefill"
        if phase not in allowed:
            raise ValueError(
                f"phase: {model.name} supports {' or '.join(repr(p) for p in allowed)}, got {phase!r}"
            )
    if phase == "train" and precision not in f.TRAINING_PRECISIONS:
        trainable = [p for p in f.TRAINING_PRECISIONS if p in system.peak_flops]
        raise ValueError(
            f"precision: a training step needs a floating-point format to carry gradients; "
            f"{system.name} trains in {', '.join(trainable) or 'nothing'}, got {precision!r}"
        )
    return _Inputs(
        model, system, batch_size, precision, efficiency, seq_len, phase, system.runtimes[runtime]
    )


# -- the physics -----------------------------------------------------------------------------


def _workload(inputs: _Inputs) -> dict[str, Any]:
    """FLOP and bytes moved of one batch, and the bytes it holds: weights, gradients, optimizer
    state, activations and KV cache (a training step for ``phase="train"``, else inference)."""
    model, batch = inputs.model, inputs.batch_size
    bpv = BYTES_PER_VALUE[inputs.precision]
    weights = model.params * bpv
    none = 0.0 * batch
    shape = model.transformer
    training = inputs.phase == "train"
    if shape is None:
        flops = f.cnn_flops(batch, model.flops_per_sample)
        written = batch * model.activation_traffic_elements * bpv
        # Training keeps every tensor the forward pass writes for the backward pass.
        activations = written if training else batch * model.peak_activation_elements * bpv
        traffic = weights + written
        kv_bytes = none
    else:
        dense = model.active_dense_params
        seq = inputs.seq_len
        per_token_traffic = (
            f.transformer_traffic_elements_per_token(
                shape.n_layers, shape.d_model, shape.kv_dim, shape.d_ff, shape.gated_ffn
            )
            * bpv
        )
        per_token_peak = (
            f.transformer_peak_activation_elements_per_token(
                shape.d_model, shape.d_ff, shape.gated_ffn
            )
            * bpv
        )
        kv_per_token = (
            f.kv_cache_bytes_per_token(shape.n_layers, shape.kv_dim, bpv) if shape.decoder else 0.0
        )
        kv_bytes = none if training else batch * seq * kv_per_token
        if inputs.phase == "decode":
            flops = batch * f.transformer_flops_per_token(dense, shape.n_layers, shape.d_model, seq)
            traffic = weights + kv_bytes + batch * per_token_traffic
            activations = batch * per_token_peak
        else:
            flops = batch * f.prefill_flops(
                dense, shape.n_layers, shape.d_model, seq, shape.decoder
            )
            written = batch * seq * per_token_traffic
            traffic = weights + kv_bytes + written
            # Training stores what each layer writes (half the write-and-read traffic); keys
            # and values are among those activations, so no separate KV cache is kept.
            activations = written / 2.0 if training else batch * seq * per_token_peak
    work = {
        "flops": flops,
        "traffic": traffic,
        "weights": weights,
        "gradients": none,
        "optimizer": none,
        "activations": activations,
        "kv": kv_bytes,
    }
    if training:
        optimizer = f.optimizer_bytes_per_param(bpv)
        activation_traffic = traffic - weights - kv_bytes
        work["flops"] = f.TRAIN_STEP_FORWARD_PASSES * flops
        # Forward, backward (read stored activations, write their gradients) and the update.
        work["traffic"] = (
            f.TRAIN_STEP_FORWARD_PASSES * activation_traffic
            + model.params * f.training_traffic_bytes_per_param(bpv, optimizer)
        )
        work["gradients"] = model.params * bpv + none
        work["optimizer"] = model.params * optimizer + none
    return work


def _core(inputs: _Inputs, maximum: Any, minimum: Any) -> dict[str, Any]:
    system, runtime = inputs.system, inputs.runtime
    peak = system.peak_flops[inputs.precision]
    work = _workload(inputs)
    flops, traffic = work["flops"], work["traffic"]
    t_compute = f.compute_time(flops, peak, inputs.efficiency)
    t_memory = f.memory_time(traffic, system.bandwidth_bps)
    # The backward pass launches about twice the forward pass's kernels.
    passes = f.TRAIN_STEP_FORWARD_PASSES if inputs.phase == "train" else 1.0
    t_overhead = f.dispatch_overhead(
        runtime.fixed_s,
        inputs.model.layers,
        passes * runtime.kernels_per_layer,
        runtime.per_kernel_s,
    )
    latency = f.roofline_latency(t_compute, t_memory, t_overhead, maximum)
    e_flop = f.energy_per_flop(system.tdp_w, system.static_w, peak)
    e_byte = f.energy_per_byte(system.tdp_w, system.static_w, system.bandwidth_bps)
    footprint = work["weights"] + work["gradients"] + work["optimizer"]
    footprint = footprint + work["activations"] + work["kv"]
    return {
        "flops": flops,
        "bytes": traffic,
        "intensity": f.arithmetic_intensity(flops, traffic),
        "achieved": f.achieved_flops(flops, latency),
        "t_compute": t_compute,
        "t_memory": t_memory,
        "t_overhead": t_overhead + 0.0 * latency,
        "latency": latency,
        "throughput": f.throughput(inputs.batch_size, latency),
        "energy": f.energy(
            latency, flops, traffic, system.static_w, system.tdp_w, e_flop, e_byte, minimum
        ),
        "footprint": footprint,
        "weights_bytes": work["weights"],
        "gradient_bytes": work["gradients"],
        "optimizer_bytes": work["optimizer"],
        "activation_bytes": work["activations"],
        "kv_bytes": work["kv"],
        "e_flop": e_flop,
        "e_byte": e_byte,
    }


# -- the derivations behind each number ------------------------------------------------------


def _derive(profile: PerformanceProfile) -> Math:
    raw, inputs = profile._raw, profile.inputs
    system, runtime = inputs.system, inputs.runtime
    ms = MILLISECOND

    def var(symbol: str, description: str, value: Any, unit: Any, scale: float = 1.0) -> Variable:
        return Variable(symbol, description, Quantity(value * scale, unit))

    training = inputs.phase == "train"
    passes = f.TRAIN_STEP_FORWARD_PASSES if training else 1.0
    step = " (a training step: forward and backward, 3 forward passes)" if training else ""
    work = var("W", f"work of the batch{step}", raw["flops"], FLOP_UNIT)
    traffic = var("Q", "bytes moved", raw["bytes"], BYTE)
    batch = var("b", "batch size", inputs.batch_size, SAMPLE)
    t_c = var("T_{compute}", "compute time", raw["t_compute"], ms, 1e3)
    t_m = var("T_{memory}", "memory time", raw["t_memory"], ms, 1e3)
    t_o = var("T_{overhead}", "dispatch tax", raw["t_overhead"], ms, 1e3)
    latency = var("T", "latency", raw["latency"], ms, 1e3)
    entries = {
        "latency": ((t_c, t_m, t_o), profile.latency),
        "latency_compute": (
            (
                work,
                var(
                    "P_{peak}",
                    f"dense {inputs.precision} peak of {system.name}",
                    system.peak_flops[inputs.precision],
                    FLOP_PER_SECOND,
                ),
                var(r"\eta", "efficiency (fraction of peak)", inputs.efficiency, DIMENSIONLESS),
            ),
            profile.latency_compute,
        ),
        "latency_memory": (
            (
                traffic,
                var(
                    "B_{mem}",
                    f"{system.memory_kind} bandwidth",
                    system.bandwidth_bps,
                    BYTE_PER_SECOND,
                ),
            ),
            profile.latency_memory,
        ),
        "latency_overhead": (
            (
                var(
                    "t_{fixed}",
                    f"fixed cost of the {runtime.name} runtime",
                    runtime.fixed_s,
                    ms,
                    1e3,
                ),
                var("L", "weight layers", inputs.model.layers, DIMENSIONLESS),
                var(
                    "k",
                    "kernels launched per layer" + (", forward and backward" if training else ""),
                    passes * runtime.kernels_per_layer,
                    DIMENSIONLESS,
                ),
                var("t_{kernel}", "cost of one kernel launch", runtime.per_kernel_s, ms, 1e3),
            ),
            profile.latency_overhead,
        ),
        "throughput": ((batch, latency), profile.throughput),
        "energy": (
            (
                var("P_{static}", "static power", system.static_w, WATT),
                latency,
                var("e_{op}", "energy per FLOP", raw["e_flop"], JOULE / FLOP_UNIT),
                work,
                var("e_{byte}", "energy per byte moved", raw["e_byte"], JOULE / BYTE),
                traffic,
                var("P_{TDP}", "thermal design power", system.tdp_w, WATT),
            ),
            profile.energy,
        ),
        "memory_footprint": (
            _footprint_terms(raw, inputs.precision, training, inputs.model.transformer is not None),
            profile.memory_footprint,
        ),
        "arithmetic_intensity": ((work, traffic), profile.arithmetic_intensity),
    }
    formulas = dict(f.LATEX)
    if training:
        formulas["memory_footprint"] = f.LATEX["memory_footprint_train"]
    elif inputs.model.transformer is None:
        formulas["memory_footprint"] = f.LATEX["memory_footprint_no_kv"]
    return Math(
        {
            name: Derivation(name, formulas[name], variables, result)
            for name, (variables, result) in entries.items()
        }
    )


def _footprint_terms(
    raw: dict[str, Any], precision: str, training: bool, has_kv: bool = True
) -> tuple[Variable, ...]:
    """The variables of the memory footprint: inference holds weights, live activations and,
    for a transformer (``has_kv``), the KV cache; a training step holds weights, gradients,
    Adam's state and every stored activation."""
    weights = Variable(
        "M_{weights}", f"weights at {precision}", Quantity(raw["weights_bytes"], BYTE)
    )
    if not training:
        live = Variable(
            "M_{activations}", "live activations", Quantity(raw["activation_bytes"], BYTE)
        )
        if not has_kv:
            return (weights, live)  # a CNN or an RNN keeps no KV cache
        return (weights, live, Variable("M_{KV}", "KV cache", Quantity(raw["kv_bytes"], BYTE)))
    return (
        weights,
        Variable(
            "M_{gradients}", f"gradients at {precision}", Quantity(raw["gradient_bytes"], BYTE)
        ),
        Variable(
            "M_{optimizer}",
            "Adam's two fp32 moments (and an fp32 master copy below fp32)",
            Quantity(raw["optimizer_bytes"], BYTE),
        ),
        Variable(
            "M_{activations}",
            "activations stored for the backward pass",
            Quantity(raw["activation_bytes"], BYTE),
        ),
    )
