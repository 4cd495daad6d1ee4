"""The iron laws of a single node, formula by formula.

Every function takes and returns plain floats in SI base units named in
its docstring: seconds, FLOP, bytes, watts, joules. The engine calls these and wraps the results
in pint quantities at the boundary (pint costs microseconds per operation). Each formula has a
LaTeX twin in ``LATEX`` so a lab's MathPeek shows the formula that produced the number.

The model (a roofline with an honest overhead term):

    T = max(T_compute, T_memory) + T_overhead
    T_compute  = W / (P_peak * eta)                 W: FLOP of the batch, eta: efficiency
    T_memory   = Q / B                              Q: bytes moved, B: memory bandwidth
    T_overhead = t_fixed + L * k * t_kernel         dispatch tax of the runtime
    E = min(P_static * T + e_flop * W + e_byte * Q,  P_tdp * T)

A training step (``phase="train"``) is the same roofline over a step's work: three forward passes
of FLOP, the traffic of the weights, gradients and Adam's state, and a footprint that holds the
training state and every stored activation:

    W_train = 3 * W_forward
    M_train = N * (b_w + b_g + b_opt) + A_stored     b_opt = 8 (+4 master copy below fp32)
"""

from __future__ import annotations

from typing import Any

Number = Any  # a float (or an int the caller passes through)

#: Share of the dynamic power budget (TDP minus static power) that compute draws at peak; the
#: rest goes to memory traffic. With this split a node running flat out at both peaks draws
#: exactly its TDP, so per-operation energies follow from the datasheet.
COMPUTE_POWER_SHARE = 0.7

#: One training step costs about three forward passes: the backward pass computes the gradients
#: of the activations and of the weights, each about as costly as the forward pass (Kaplan et al.
#: 2020, "Scaling Laws for Neural Language Models": C = 6N FLOP per token = 3 x 2N).
TRAIN_STEP_FORWARD_PASSES = 3.0
#: Adam's two moments, kept in fp32 (bytes per parameter).
ADAM_MOMENT_BYTES = 8.0
#: The fp32 master copy of the weights that mixed-precision training keeps (bytes per
#: parameter). With it, mixed-precision Adam holds 2 + 2 + 12 = 16 bytes per parameter
#: (Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training Trillion Parameter
#: Models", section 3.1), the same 16 as fp32 Adam (4 + 4 + 8).
MASTER_WEIGHT_BYTES = 4.0
#: Precisions a training step runs in (weights, gradients and arithmetic); integer formats
#: cannot carry gradients.
TRAINING_PRECISIONS: tuple[str, ...] = ("fp32", "fp16", "fp8")

LATEX: dict[str, str] = {
    "latency": r"T = \max(T_{compute},\ T_{memory}) + T_{overhead}",
    "latency_compute": r"T_{compute} = \frac{W}{P_{peak} \cdot \eta}",
    "latency_memory": r"T_{memory} = \frac{Q}{B_{mem}}",
    "latency_overhead": r"T_{overhead} = t_{fixed} + L \cdot k \cdot t_{kernel}",
    "throughput": r"X = \frac{b}{T}",
    "energy": r"E = \min\left(P_{static} T + e_{op} W + e_{byte} Q,\ P_{TDP} T\right)",
    "memory_footprint": r"M = M_{weights} + M_{activations} + M_{KV}",
    "memory_footprint_no_kv": r"M = M_{weights} + M_{activations}",
    "memory_footprint_train": r"M = M_{weights} + M_{gradients} + M_{optimizer} + M_{activations}",
    "arithmetic_intensity": r"I = \frac{W}{Q}",
    "achieved_flops": r"P_{achieved} = \frac{W}{T}",
}


def compute_time(flops: Number, peak_flops: float, efficiency: Number) -> Number:
    """Time to execute ``flops`` FLOP at ``efficiency`` of a ``peak_flops`` FLOP/s peak (s)."""
    return flops / (peak_flops * efficiency)


def memory_time(bytes_moved: Number, bandwidth: float) -> Number:
    """Time to move ``bytes_moved`` bytes over ``bandwidth`` byte/s of memory bandwidth (s)."""
    return bytes_moved / bandwidth


def dispatch_overhead(
    fixed_s: float, layers: int, kernels_per_layer: float, per_kernel_s: float
) -> float:
    """Software dispatch tax of one inference (s): fixed runtime cost plus a launch per kernel."""
    return fixed_s + layers * kernels_per_layer * per_kernel_s


def energy_per_flop(tdp_w: float, static_w: float, peak_flops: float) -> float:
    """Dynamic energy of one FLOP (J): the compute share of the dynamic budget at peak rate."""
    return COMPUTE_POWER_SHARE * (tdp_w - static_w) / peak_flops


def energy_per_byte(tdp_w: float, static_w: float, bandwidth: float) -> float:
    """Dynamic energy of moving one byte (J): the memory share of the dynamic budget at peak."""
    return (1.0 - COMPUTE_POWER_SHARE) * (tdp_w - static_w) / bandwidth


def cnn_flops(batch: Number, flops_per_sample: float) -> Number:
    """FLOP of one forward pass over ``batch`` samples."""
    return batch * flops_per_sample


def transformer_flops_per_token(
    dense_params: float, n_layers: int, d_model: int, context: Number
) -> Number:
    """FLOP to process one token attending over ``context`` tokens.

    ``2 * dense_params`` for the matrix multiplies (2 FLOP per MAC, every non-embedding weight
    used once per token) plus ``4 * n_layers * context * d_model`` for attention scores and the
    weighted sum of values.
    """
    return 2.0 * dense_params + 4.0 * n_layers * context * d_model


def prefill_flops(
    dense_params: float, n_layers: int, d_model: int, seq_len: Number, causal: bool
) -> Number:
    """FLOP of one sequence of ``seq_len`` tokens in one pass (prefill, or an encoder).

    A causal decoder attends on average over half the sequence; an encoder over all of it.
    """
    attention = (2.0 if causal else 4.0) * n_layers * seq_len * seq_len * d_model
    return 2.0 * dense_params * seq_len + attention


def kv_cache_bytes_per_token(n_layers: int, kv_dim: int, bytes_per_value: float) -> float:
    """Bytes of keys and values one token leaves in the cache: 2 x layers x kv width x size."""
    return 2.0 * n_layers * kv_dim * bytes_per_value


def transformer_traffic_elements_per_token(
    n_layers: int, d_model: int, kv_dim: int, d_ff: int, gated: bool
) -> float:
    """Activation elements one token writes and reads through all layers (estimate).

    Per layer: the residual stream and attention input/output (4 x d_model), keys and values
    (2 x kv width) and the FFN hidden state (3 x d_ff when gated, 2 x d_ff otherwise); each is
    written once and read once.
    """
    per_layer = 4 * d_model + 2 * kv_dim + (3 if gated else 2) * d_ff
    return 2.0 * n_layers * per_layer


def transformer_peak_activation_elements_per_token(d_model: int, d_ff: int, gated: bool) -> float:
    """Largest set of activation elements alive at once for one token (the FFN hidden state)."""
    return (2 if gated else 1) * d_ff + 2 * d_model


def optimizer_bytes_per_param(bytes_per_value: float) -> float:
    """Bytes of Adam state per parameter (B): two fp32 moments, plus an fp32 master copy of the
    weights when they are trained in a narrower format."""
    master = MASTER_WEIGHT_BYTES if bytes_per_value < MASTER_WEIGHT_BYTES else 0.0
    return ADAM_MOMENT_BYTES + master


def training_traffic_bytes_per_param(bytes_per_value: float, optimizer_bytes: float) -> float:
    """Bytes one training step moves per parameter (B): the weights read by the forward and the
    backward pass (2 b_w), the gradients written and read by the optimizer (2 b_g), Adam's state
    read and written (2 b_opt) and the updated weights written (b_w)."""
    return 5.0 * bytes_per_value + 2.0 * optimizer_bytes


def roofline_latency(
    compute_s: Number, memory_s: Number, overhead_s: Number, maximum: Any = max
) -> Number:
    """End-to-end latency (s): the slower of compute and memory, plus the dispatch tax."""
    return maximum(compute_s, memory_s) + overhead_s


def throughput(batch: Number, latency_s: Number) -> Number:
    """Samples (or tokens) per second when ``batch`` of them complete every ``latency_s`` s."""
    return batch / latency_s


def energy(
    latency_s: Number,
    flops: Number,
    bytes_moved: Number,
    static_w: float,
    tdp_w: float,
    e_flop: float,
    e_byte: float,
    minimum: Any = min,
) -> Number:
    """Energy of one batch (J): static power over the latency plus per-FLOP and per-byte energy,
    never more than the TDP over the same time."""
    return minimum(static_w * latency_s + e_flop * flops + e_byte * bytes_moved, tdp_w * latency_s)


def attainable_flops(
    peak_flops: Number, bandwidth: Number, intensity: Number, minimum: Any = min
) -> Number:
    """The roofline (FLOP/s): the most a node computes at ``intensity`` FLOP/byte, limited by
    its compute peak or by its memory bandwidth times the intensity."""
    return minimum(peak_flops, bandwidth * intensity)


def achieved_flops(flops: Number, latency_s: Number) -> Number:
    """FLOP/s a batch achieved end to end: its work over its whole latency."""
    return flops / latency_s


def arithmetic_intensity(flops: Number, bytes_moved: Number) -> Number:
    """FLOP per byte moved: left of the ridge point a kernel is memory-bound."""
    return flops / bytes_moved


# --- Resource formulas (used by the ledger and simulation layers) -----------------------------


def average_power(
    energy_per_event_j: float, events_per_s: float, active_s_per_event: float, sleep_w: float
) -> float:
    """Duty-cycled average power (W): energy of each event times the event rate, plus sleep power
    for the fraction of time spent asleep. Raises ValueError when events overlap (duty > 1)."""
    duty = events_per_s * active_s_per_event
    if duty > 1.0:
        raise ValueError(
            f"events_per_s: {events_per_s:g} events/s of {active_s_per_event * 1e3:g} ms each "
            "keep the node busy more than 100 % of the time"
        )
    return energy_per_event_j * events_per_s + sleep_w * (1.0 - duty)


def carbon_kg(energy_j: float, grid_g_per_kwh: float) -> float:
    """Operational carbon (kg CO2e) of ``energy_j`` joules drawn from a grid at ``grid_g_per_kwh``."""
    return energy_j / 3.6e6 * grid_g_per_kwh / 1000.0


def energy_cost_usd(energy_j: float, usd_per_kwh: float) -> float:
    """Electricity cost (USD) of ``energy_j`` joules at ``usd_per_kwh``."""
    return energy_j / 3.6e6 * usd_per_kwh


def samples_per_dollar(throughput_per_s: float, usd_per_hour: float) -> float:
    """Samples (or tokens) served per US dollar of node rental at ``usd_per_hour``."""
    return throughput_per_s * 3600.0 / usd_per_hour


def availability(mtbf_s: float, mttr_s: float) -> float:
    """Steady-state availability of a repairable node: MTBF / (MTBF + MTTR)."""
    return mtbf_s / (mtbf_s + mttr_s)
