"""Layer 3: one step of a model on a cluster under a parallelism plan (a ``FleetProfile``).

``Engine.solve(model, system=Cluster(...), parallelism=Parallelism(...))`` lands here. The node's
own physics (FLOP, bytes, footprint, dispatch tax of one microbatch of the whole model) comes
from the engine through ``node_solver``, so a cluster of one device gives exactly the node's
numbers; this module splits that work across devices and adds what only a fleet has:

    T_step  = max(T_compute, T_memory) + T_overhead + T_comm + T_bubble
    T_comm  = T_TP + T_EP + T_PP + max(0, T_DP - T_overlap)        exposed communication
    T_bubble = (p - 1)/(v m) * (max(T_compute, T_memory) + T_TP + T_EP)  1F1B pipeline bubble

Per device: work and traffic are ``1/(tp*pp)`` of a replica's ``m`` microbatches; weights,
gradients and Adam's state are ``1/(tp*pp)`` of the model (experts also ``1/ep``), further
split ``dp`` ways by ZeRO; a 1F1B pipeline keeps ``min(m, p)`` microbatches of activations in
flight (Narayanan et al. 2021). With ``v`` model chunks per device (the interleaved schedule)
the bubble shrinks ``v``-fold, stages send ``v`` times as often and the first device holds
``p + (p-1)/v`` microbatches (Korthikanti et al. 2022). Tensor parallelism costs 2 all-reduces
of a microbatch's activations per layer forward and 2 backward (Shoeybi et al. 2019; 2 more when
recomputing); expert parallelism 2 all-to-alls per MoE layer each way; pipeline stages exchange
activations point to point (scattered over ``tp``, Narayanan et al. 2021 section 4.1); data
parallelism all-reduces the gradients once per step, overlapped with the last microbatch's
backward pass (ZeRO-3 gathers weights every microbatch, overlapped with all of compute).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from numbers import Integral
from types import MappingProxyType
from typing import Any

from mlsys import fleet_formulas as ff
from mlsys import formulas as f
from mlsys.cluster import Cluster
from mlsys.collectives import Links, collective_seconds, links_of
from mlsys.derivation import Derivation, Math, Variable
from mlsys.hardware import BYTES_PER_VALUE, SystemSpec
from mlsys.models import ModelSpec
from mlsys.parallelism import Parallelism
from mlsys.profile_fields import ProfileFields
from mlsys.units import (
    BYTE,
    DIMENSIONLESS,
    FLOP_PER_SECOND,
    FLOP_UNIT,
    MILLISECOND,
    SAMPLE,
    Quantity,
)

#: Collectives per layer per microbatch: tensor-parallel all-reduces (Megatron: f and g
#: operators, 2 forward + 2 backward) and expert all-to-alls (dispatch and combine each way).
TP_ALL_REDUCES = MappingProxyType({"forward": 2, "backward": 2})
EP_ALL_TO_ALLS = MappingProxyType({"forward": 2, "backward": 2})

NodeSolver = Callable[..., tuple[Any, dict[str, float]]]


@dataclass(frozen=True)
class StepInputs:
    """What was solved: the model, cluster, plan, global batch and the node's resolved inputs
    (precision, efficiency, phase, sequence length, runtime)."""

    model: ModelSpec
    system: Cluster
    parallelism: Parallelism
    batch_size: int
    node: Any


class FleetProfile(ProfileFields):
    """One step on a cluster. Fields as a node's ``PerformanceProfile`` (per step; times, the
    footprint and its parts per device; work, traffic and energy of the whole cluster) plus
    ``latency_communication`` (exposed communication after overlap) and ``latency_bubble``
    (pipeline idle), ``mfu`` and ``communication`` (each part, ms)."""

    __slots__ = ()

    def _device_spec(self) -> SystemSpec:
        return self.inputs.system.node

    def _node_inputs(self) -> Any:
        return self.inputs.node

    def _derivations(self) -> Math:
        return _derive(self)

    @property
    def parallelism(self) -> Parallelism:
        """The plan that split the step."""
        return self.inputs.parallelism

    @property
    def devices(self) -> int:
        """Accelerators the step runs on."""
        return self.inputs.system.count

    @property
    def latency_communication(self) -> Quantity:
        """Communication left on the critical path after overlap (ms)."""
        return self._quantity("t_comm", 1e3, MILLISECOND)

    @property
    def latency_bubble(self) -> Quantity:
        """Pipeline bubble: time a stage waits for the pipeline to fill and drain (ms)."""
        return self._quantity("t_bubble", 1e3, MILLISECOND)

    @property
    def communication(self) -> dict[str, Quantity]:
        """Each communication term (ms): ``tp``, ``ep``, ``pp`` on the critical path, ``dp``
        before overlap, ``dp_exposed`` after it."""
        raw = self._raw
        return {
            k: Quantity(raw[f"t_{k}"] * 1e3, MILLISECOND)
            for k in ("tp", "ep", "pp", "dp", "dp_exposed")
        }

    @property
    def model_flops(self) -> Quantity:
        """Model FLOP of the step: 6 (train) or 2 per active parameter per token (FLOP)."""
        return self._quantity("model_flops", 1.0, FLOP_UNIT)

    @property
    def mfu(self) -> float:
        """Model FLOPs utilisation: model FLOP over the cluster's dense peak times the step."""
        return self._raw["mfu"]

    @property
    def scaling_efficiency(self) -> float:
        """Share of the step spent on each device's share of the work: ``T_c / (N T_step)``
        with ``T_c`` the whole batch's compute on one device (1 for perfect scaling)."""
        return self._raw["t_compute"] / self._raw["latency"]

    @property
    def bottleneck(self) -> str:
        """ "Compute", "Memory" or "Communication": the largest term of the step."""
        raw = self._raw
        terms = {
            "Compute": raw["t_compute"],
            "Memory": raw["t_memory"],
            "Communication": raw["t_comm"],
        }
        return max(terms, key=terms.__getitem__)

    def __repr__(self) -> str:
        p = self.parallelism
        return (
            f"<FleetProfile {self.model.name} on {self.system.name} dp={p.dp} tp={p.tp} pp={p.pp}: "
            f"{self.latency:.4g~P}, MFU {self.mfu:.1%}, {self.bottleneck}-bound>"
        )


# -- the solve ----------------------------------------------------------------------------------


def solve_step(
    model: ModelSpec,
    cluster: Cluster,
    batch_size: int,
    precision: str | None,
    efficiency: float | None,
    *,
    seq_len: int | None,
    phase: str | None,
    runtime: str | None,
    parallelism: Parallelism | None,
    node_solver: NodeSolver,
) -> FleetProfile:
    """Solve one step of ``model`` on ``cluster`` (see the module docstring for the laws).
    ``node_solver(model, system, batch, precision, efficiency, seq_len, phase, runtime)``
    returns the engine's resolved inputs and raw float results for one node."""
    plan = _checked_plan(model, cluster, batch_size, parallelism)
    micro = plan.microbatch_size(batch_size)
    node, raw = node_solver(
        model, cluster.node, micro, precision, efficiency, seq_len, phase, runtime
    )
    return _profile(model, cluster, plan, batch_size, node, raw, links_of(cluster))


def solve_steps(
    model: ModelSpec,
    cases: Iterable[tuple[Cluster, Parallelism | None, int]],
    precision: str | None,
    efficiency: float | None,
    *,
    seq_len: int | None,
    phase: str | None,
    runtime: str | None,
    node_solver: NodeSolver,
) -> list[FleetProfile]:
    """Solve a batch of steps of ``model``, one per ``(cluster, parallelism, batch_size)`` case
    (a sweep over plans or cluster sizes), each exactly what ``solve_step`` returns. Cases
    whose devices run the same microbatch share one node solve, and cases on the same cluster
    share its links: a sweep pays for the node's physics once per microbatch size."""
    nodes: dict[tuple[int, int], tuple[Any, dict[str, float]]] = {}
    links: dict[int, Links] = {}
    profiles = []
    for cluster, parallelism, batch_size in cases:
        plan = _checked_plan(model, cluster, batch_size, parallelism)
        micro = plan.microbatch_size(batch_size)
        key = (id(cluster.node), micro)
        solved = nodes.get(key)
        if solved is None:
            solved = nodes[key] = node_solver(
                model, cluster.node, micro, precision, efficiency, seq_len, phase, runtime
            )
        cluster_links = links.get(id(cluster))
        if cluster_links is None:
            cluster_links = links[id(cluster)] = links_of(cluster)
        profiles.append(_profile(model, cluster, plan, batch_size, *solved, cluster_links))
    return profiles


def _checked_plan(
    model: Any, cluster: Cluster, batch_size: Any, parallelism: Parallelism | None
) -> Parallelism:
    """The plan (default: pure data parallelism), checked against the model, the cluster and
    the global batch; ValueError naming the parameter otherwise."""
    if parallelism is None:
        parallelism = Parallelism(dp=cluster.count)
    if not isinstance(parallelism, Parallelism):
        raise ValueError(
            f"parallelism: expected a mlsys.Parallelism (e.g. Parallelism(dp=8)), got {type(parallelism).__name__}"
        )
    if not isinstance(model, ModelSpec):
        raise ValueError(
            f"model: expected a ModelSpec from mlsys.Models (e.g. Models.Llama3_70B), got {type(model).__name__}"
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, Integral) or batch_size < 1:
        raise ValueError(
            f"batch_size: expected a whole number of samples (int >= 1), got {batch_size!r}"
        )
    parallelism.check(cluster.count, model, batch_size)
    return parallelism


def _profile(
    model: ModelSpec,
    cluster: Cluster,
    plan: Parallelism,
    batch_size: int,
    node: Any,
    raw: dict[str, float],
    links: Links,
) -> FleetProfile:
    if plan.recompute and node.phase != "train":
        raise ValueError("recompute: only a training step stores activations to recompute")
    if plan.zero and node.phase != "train":
        raise ValueError("zero: ZeRO shards training state; inference takes zero=0")
    inputs = StepInputs(model, cluster, plan, batch_size, node)
    return FleetProfile(inputs, _step(inputs, raw, links))


def _expert_params(model: ModelSpec) -> float:
    """Parameters in the experts of a mixture of experts (0 for a dense model)."""
    shape = model.transformer
    if shape is None or shape.n_experts <= 1:
        return 0.0
    return (
        shape.n_layers
        * shape.n_experts
        * (3 if shape.gated_ffn else 2)
        * shape.d_model
        * shape.d_ff
    )


def active_params(model: ModelSpec) -> float:
    """Parameters one token uses: every weight of a dense model; a mixture of experts skips the
    experts a token is not routed to (the embedding counts, as in 6PD)."""
    return model.active_dense_params + model.embedding_params


def _step(inputs: StepInputs, raw: dict[str, float], links: Links) -> dict[str, float]:
    model, cluster, plan, node = inputs.model, inputs.system, inputs.parallelism, inputs.node
    system = cluster.node
    shape = model.transformer
    m, tp, pp, dp, ep = plan.microbatches, plan.tp, plan.pp, plan.dp, plan.ep
    v = plan.virtual_stages
    shard = tp * pp
    training = node.phase == "train"
    bpv = BYTES_PER_VALUE[node.precision]
    # Recomputation re-runs the forward pass: 4 forward passes of work instead of 3.
    rework = 4.0 / 3.0 if plan.recompute else 1.0

    experts = _expert_params(model)
    shard_params = (model.params - experts) / shard + experts / (shard * ep)
    share = shard_params / model.params
    zero_w, zero_g, zero_o = ff.zero_shards(plan.zero, dp)

    # -- work, traffic and dispatch of one device --------------------------------------------
    flops_device = m * raw["flops"] * rework / shard
    if training:
        param_traffic = model.params * f.training_traffic_bytes_per_param(
            bpv, f.optimizer_bytes_per_param(bpv)
        )
        activation_traffic = raw["bytes"] - param_traffic
        traffic = m * activation_traffic * rework / shard + param_traffic * share
    else:
        traffic = m * ((raw["bytes"] - raw["weights_bytes"]) / shard + raw["weights_bytes"] * share)
    peak = system.peak_flops[node.precision]
    t_compute = f.compute_time(flops_device, peak, node.efficiency)
    t_memory = f.memory_time(traffic, system.bandwidth_bps)
    # Each device launches the kernels of its 1/pp of the layers, once per microbatch.
    t_overhead = raw["t_overhead"] * m / pp

    # -- footprint of one device --------------------------------------------------------------
    in_flight = ff.pipeline_microbatches_in_flight(pp, m, v)
    m_weights = raw["weights_bytes"] * share / zero_w
    m_gradients = raw["gradient_bytes"] * share / zero_g
    m_optimizer = raw["optimizer_bytes"] * share / zero_o
    if training and plan.recompute:
        m_activations = (
            _recomputed_activations(model, raw, micro_tokens(inputs), bpv, tp, pp) * in_flight
        )
    elif training:
        m_activations = raw["activation_bytes"] / shard * in_flight
    else:
        m_activations = raw["activation_bytes"] / tp
    m_kv = raw["kv_bytes"] * m / shard
    footprint = m_weights + m_gradients + m_optimizer + m_activations + m_kv

    # -- communication ------------------------------------------------------------------------
    per_node = cluster.per_node
    tokens = micro_tokens(inputs)
    layers_per_stage = (shape.n_layers if shape else model.layers) / pp
    passes = ("forward", "backward") if training else ("forward",)
    comm_bytes_up = comm_bytes_out = 0.0
    t_tp = t_ep = t_pp = t_dp = 0.0
    if shape is not None and tp > 1:
        message = tokens * shape.d_model * bpv
        count = sum(TP_ALL_REDUCES[p] for p in passes) + (
            TP_ALL_REDUCES["forward"] if plan.recompute else 0
        )
        one, _ = collective_seconds("all_reduce", None, message, tp, min(tp, per_node), links)
        t_tp = m * layers_per_stage * count * one
        sent = m * layers_per_stage * count * message * ff.bus_factor("all_reduce", tp)
        if tp <= per_node:
            comm_bytes_up += sent
        else:
            comm_bytes_out += sent
    if shape is not None and ep > 1:
        message = tokens * shape.d_model * bpv * shape.experts_per_token
        count = sum(EP_ALL_TO_ALLS[p] for p in passes) + (
            EP_ALL_TO_ALLS["forward"] if plan.recompute else 0
        )
        local = max(1, min(ep, per_node // tp))
        one, _ = collective_seconds("all_to_all", None, message, ep, local, links)
        t_ep = m * layers_per_stage * count * one
        comm_bytes_out += m * layers_per_stage * count * message * (ep - local) / ep
    if pp > 1:
        if shape is not None:
            # One microbatch's hidden states, scattered over the tp ranks (Narayanan 2021, 4.1).
            message = tokens * shape.d_model * bpv / tp
        else:
            # Any other model hands over one layer's output: its average layer's.
            message = raw["activation_bytes"] / model.layers
        # The next stage sits tp*dp ranks away: in the same node only when that is closer.
        inside = tp * dp < per_node
        alpha, beta = (
            (links.alpha_up, links.beta_up) if inside else (links.alpha_out, links.beta_out)
        )
        # Each of a device's v chunks hands every microbatch on, each pass.
        sends = m * v * len(passes)
        t_pp = sends * ff.p2p_time(message, alpha, beta)
        if inside:
            comm_bytes_up += sends * message
        else:
            comm_bytes_out += sends * message
    if training and dp > 1:
        local = max(1, min(dp, per_node // tp))
        gradients = shard_params * bpv
        if plan.zero >= 3:
            gather, _ = collective_seconds("all_gather", None, gradients, dp, local, links)
            scatter, _ = collective_seconds("reduce_scatter", None, gradients, dp, local, links)
            t_dp = m * (2.0 * gather + scatter)
            sent = m * 3.0 * gradients * ff.bus_factor("all_gather", dp)
            window = t_compute
        else:
            # Dense gradients sum over all dp replicas; an expert's only over the dp/ep
            # replicas that hold the same expert (ranks ep apart, tp-innermost layout).
            dense = (model.params - experts) / shard * bpv
            expert = gradients - dense
            t_dp, _ = collective_seconds("all_reduce", None, dense, dp, local, links)
            sent = dense * ff.bus_factor("all_reduce", dp)
            if expert > 0.0:
                holders = dp // ep
                local_e = max(1, min(holders, per_node // (tp * ep)))
                t_e, _ = collective_seconds("all_reduce", None, expert, holders, local_e, links)
                t_dp += t_e
                sent += expert * ff.bus_factor("all_reduce", holders)
            # Gradient buckets all-reduce while the last microbatch's backward pass runs.
            backward_share = (2.0 + (1.0 if plan.recompute else 0.0)) / (3.0 * rework)
            window = t_compute / m * backward_share
        if dp <= local:
            comm_bytes_up += sent
        else:
            comm_bytes_out += sent
    else:
        window = 0.0
    t_dp_exposed = max(0.0, t_dp - window)
    t_comm = t_tp + t_ep + t_pp + t_dp_exposed

    # -- the step -----------------------------------------------------------------------------
    busy = max(t_compute, t_memory) + t_tp + t_ep
    t_bubble = ff.pipeline_bubble_time(pp, m, busy, v)
    latency = max(t_compute, t_memory) + t_overhead + t_comm + t_bubble
    devices = cluster.count
    e_device = f.energy(
        latency,
        flops_device,
        traffic,
        system.static_w,
        system.tdp_w,
        raw["e_flop"],
        raw["e_byte"],
        min,
    )
    e_network = 8.0 * (
        comm_bytes_up * cluster.scale_up.energy_per_bit_j
        + comm_bytes_out * cluster.scale_out.energy_per_bit_j
    )
    model_flops = _model_flops(inputs, training)
    return {
        "latency": latency,
        "t_compute": t_compute,
        "t_memory": t_memory,
        "t_overhead": t_overhead,
        "t_comm": t_comm,
        "t_bubble": t_bubble,
        "t_tp": t_tp,
        "t_ep": t_ep,
        "t_pp": t_pp,
        "t_dp": t_dp,
        "t_dp_exposed": t_dp_exposed,
        "t_overlap": window,
        "throughput": inputs.batch_size / latency,
        "energy": devices * (e_device + e_network),
        "footprint": footprint,
        "weights_bytes": m_weights,
        "gradient_bytes": m_gradients,
        "optimizer_bytes": m_optimizer,
        "activation_bytes": m_activations,
        "kv_bytes": m_kv,
        "flops": flops_device * devices,
        "bytes": traffic * devices,
        "intensity": flops_device / traffic,
        "model_flops": model_flops,
        "achieved": flops_device / latency,
        "mfu": ff.model_flops_utilization(model_flops, devices, peak, latency),
        "peak": peak,
    }


def micro_tokens(inputs: StepInputs) -> float:
    """Tokens of one microbatch (sequences x context; one per sequence when decoding)."""
    node = inputs.node
    micro = inputs.parallelism.microbatch_size(inputs.batch_size)
    if inputs.model.transformer is None:
        return float(micro)
    return float(micro) if node.phase == "decode" else float(micro * node.seq_len)


def _recomputed_activations(
    model: ModelSpec, raw: dict[str, float], tokens: float, bpv: float, tp: int, pp: int
) -> float:
    """Activations one device stores per microbatch with full recomputation (byte): each layer's
    input (Korthikanti et al. 2022) plus one layer's full activations while it is recomputed. A
    non-transformer keeps sqrt(L) checkpoints (Chen et al. 2016)."""
    shape = model.transformer
    if shape is None:
        return raw["activation_bytes"] / (tp * pp) / math.sqrt(model.layers)
    boundaries = tokens * shape.d_model * bpv * shape.n_layers / pp
    return boundaries + raw["activation_bytes"] / (shape.n_layers * tp)


def _model_flops(inputs: StepInputs, training: bool) -> float:
    """Model FLOP of the whole step: 6 (train) or 2 per active parameter per token, or for a
    non-transformer 3 (train) or 1 forward pass per sample."""
    model = inputs.model
    if model.transformer is None:
        return (3.0 if training else 1.0) * model.flops_per_sample * inputs.batch_size
    node = inputs.node
    tokens = inputs.batch_size * (1 if node.phase == "decode" else node.seq_len)
    return ff.model_flops_per_token(active_params(model), training) * tokens


# -- derivations --------------------------------------------------------------------------------


def _derive(profile: FleetProfile) -> Math:
    raw, plan = profile._raw, profile.parallelism
    ms = MILLISECOND

    def var(symbol: str, description: str, value: float, unit: Any, scale: float = 1.0) -> Variable:
        return Variable(symbol, description, Quantity(value * scale, unit))

    t_c = var("T_{compute}", "compute time of one device", raw["t_compute"], ms, 1e3)
    t_m = var("T_{memory}", "memory time of one device", raw["t_memory"], ms, 1e3)
    t_o = var("T_{overhead}", "dispatch tax of one device", raw["t_overhead"], ms, 1e3)
    t_comm = var("T_{comm}", "exposed communication", raw["t_comm"], ms, 1e3)
    t_b = var("T_{bubble}", "pipeline bubble", raw["t_bubble"], ms, 1e3)
    count = var("N", "devices", profile.devices, DIMENSIONLESS)
    p = var("p", "pipeline stages", plan.pp, DIMENSIONLESS)
    m = var("m", "microbatches per step", plan.microbatches, DIMENSIONLESS)
    v = var("v", "model chunks per device (interleaving)", plan.virtual_stages, DIMENSIONLESS)
    busy = (
        raw["t_bubble"] * plan.virtual_stages * plan.microbatches / (plan.pp - 1)
        if plan.pp > 1
        else 0.0
    )
    entries = {
        "latency": ((t_c, t_m, t_o, t_comm, t_b), profile.latency, "latency_cluster"),
        "latency_communication": (
            (
                var("T_{TP}", "tensor-parallel all-reduces", raw["t_tp"], ms, 1e3),
                var("T_{EP}", "expert all-to-alls", raw["t_ep"], ms, 1e3),
                var("T_{PP}", "pipeline sends", raw["t_pp"], ms, 1e3),
                var("T_{DP}", "data-parallel gradient sync", raw["t_dp"], ms, 1e3),
                var(
                    "T_{overlap}",
                    "compute the gradient sync hides behind",
                    raw["t_overlap"],
                    ms,
                    1e3,
                ),
            ),
            profile.latency_communication,
            "latency_communication",
        ),
        "latency_bubble": (
            (p, m, v, var("T_{busy}", "busy time of a stage", busy, ms, 1e3)),
            profile.latency_bubble,
            "bubble",
        ),
        "mfu": (
            (
                var("W_{model}", "model FLOP of the step", raw["model_flops"], FLOP_UNIT),
                count,
                var(
                    "P_{peak}",
                    f"dense {profile.precision} peak per device",
                    raw["peak"],
                    FLOP_PER_SECOND,
                ),
                var("T", "step time", raw["latency"], ms, 1e3),
            ),
            Quantity(raw["mfu"], DIMENSIONLESS),
            "mfu",
        ),
        "memory_footprint": (
            tuple(
                var(f"M_{{{k}}}", f"{k} per device", value.magnitude, BYTE)
                for k, value in profile.footprint_breakdown.items()
            ),
            profile.memory_footprint,
            "zero_memory",
        ),
        "throughput": (
            (
                var("B", "global batch", profile.batch_size, SAMPLE),
                var("T", "step time", raw["latency"], ms, 1e3),
            ),
            profile.throughput,
            None,
        ),
    }
    return Math(
        {
            name: Derivation(
                name, ff.LATEX[key] if key else f.LATEX["throughput"], variables, result
            )
            for name, (variables, result, key) in entries.items()
        }
    )


__all__ = [
    "FleetProfile",
    "StepInputs",
    "active_params",
    "micro_tokens",
    "solve_step",
    "solve_steps",
]
