"""The laws of the fleet (Volume 2), formula by formula, in plain floats of SI base units.

Seconds, bytes, byte/s, FLOP, joules, hours where a name says so. Pure Python (no numpy) so a
sweep is a loop over microsecond calls and the module runs in the browser. ``LATEX`` holds each
law's formula for MathPeek.

Collectives use the alpha-beta model ``T(n) = alpha + n / beta`` per message (Hockney 1994;
Thakur, Rabenseifner and Gropp 2005, "Optimization of Collective Communication Operations in
MPICH"); ``beta`` is a link's bandwidth each way, ``alpha`` its latency.
"""

from __future__ import annotations

import math
from statistics import NormalDist

LATEX: dict[str, str] = {
    "ring_all_reduce": r"T = 2(N-1)\alpha + \frac{2(N-1)}{N}\frac{M}{\beta}",
    "tree_all_reduce": r"T = 2\lceil\log_2 N\rceil\left(\alpha + \frac{M}{\beta}\right)",
    "hierarchical_all_reduce": r"T = T_{RS}^{up}(G, M) + T_{AR}^{out}(K, M/G) + T_{AG}^{up}(G, M)",
    "ring_all_gather": r"T = (N-1)\alpha + \frac{N-1}{N}\frac{M}{\beta}",
    "all_to_all": r"T = (N-1)\alpha + \frac{N-1}{N}\frac{M}{\beta}",
    "broadcast": r"T = \lceil\log_2 N\rceil \alpha + \frac{M}{\beta}",
    "bus_bandwidth": r"B_{bus} = \frac{M}{T} \cdot f_{op}(N)",
    "bubble": r"T_{bubble} = \frac{p-1}{v\,m} T_{busy},\quad \frac{T_{bubble}}{T_{busy}+T_{bubble}} = \frac{p-1}{v\,m+p-1}",
    "latency_cluster": (
        r"T_{step} = \max(T_{compute}, T_{memory}) + T_{overhead} + T_{comm} + T_{bubble}"
    ),
    "latency_communication": (
        r"T_{comm} = T_{TP} + T_{EP} + T_{PP} + \max(0,\ T_{DP} - T_{overlap})"
    ),
    "mfu": r"MFU = \frac{k \cdot P_{active} \cdot D}{N \cdot P_{peak} \cdot T}",
    "zero_memory": r"M = \frac{W}{s_W} + \frac{G}{s_G} + \frac{O}{s_O} + A",
    "series_mtbf": r"MTBF_{sys} = \frac{1}{\sum_i n_i / MTTF_i}",
    "young_daly": r"\tau = \sqrt{2 \, T_{write} \cdot MTBF}",
    "goodput": r"G = 1 - \frac{T_{write}}{\tau} - \frac{\tau/2 + T_{recover}}{MTBF}",
    "kingman": r"W_q = \frac{\rho}{1-\rho}\cdot\frac{1 + C_s^2}{2}\cdot E[S]",
    "little": r"L = \lambda W",
    "carbon": r"CO_2 = E_{IT} \cdot PUE \cdot CI + C_{embodied}",
}


# -- alpha-beta collectives ---------------------------------------------------------------------


def ring_all_reduce_time(n: int, size_bytes: float, alpha_s: float, beta_bps: float) -> float:
    """Ring all-reduce of ``size_bytes`` over ``n`` ranks (s): a reduce-scatter and an
    all-gather, each ``n-1`` steps of ``size/n`` bytes."""
    if n <= 1:
        return 0.0
    return 2.0 * (n - 1) * alpha_s + 2.0 * (n - 1) / n * size_bytes / beta_bps


def tree_all_reduce_time(n: int, size_bytes: float, alpha_s: float, beta_bps: float) -> float:
    """Binary-tree all-reduce (reduce then broadcast, unpipelined) over ``n`` ranks (s):
    ``2 ceil(log2 n)`` hops, each carrying the whole message."""
    if n <= 1:
        return 0.0
    return 2.0 * math.ceil(math.log2(n)) * (alpha_s + size_bytes / beta_bps)


def ring_all_gather_time(n: int, size_bytes: float, alpha_s: float, beta_bps: float) -> float:
    """Ring all-gather (or reduce-scatter) of a ``size_bytes`` result over ``n`` ranks (s):
    ``n-1`` steps of ``size/n`` bytes. ``size_bytes`` is the full gathered buffer."""
    if n <= 1:
        return 0.0
    return (n - 1) * alpha_s + (n - 1) / n * size_bytes / beta_bps


def all_to_all_time(n: int, size_bytes: float, alpha_s: float, beta_bps: float) -> float:
    """Pairwise all-to-all over ``n`` ranks (s): each rank keeps ``1/n`` of its ``size_bytes``
    buffer and sends the rest, one message to each peer."""
    if n <= 1:
        return 0.0
    return (n - 1) * alpha_s + (n - 1) / n * size_bytes / beta_bps


def broadcast_time(n: int, size_bytes: float, alpha_s: float, beta_bps: float) -> float:
    """Pipelined broadcast of ``size_bytes`` from one rank to ``n`` (s): a tree's depth of
    latencies plus one pass of the bytes."""
    if n <= 1:
        return 0.0
    return math.ceil(math.log2(n)) * alpha_s + size_bytes / beta_bps


def p2p_time(size_bytes: float, alpha_s: float, beta_bps: float) -> float:
    """One point-to-point message (s): ``alpha + n / beta``."""
    return alpha_s + size_bytes / beta_bps


#: Bus-bandwidth factor of each collective (nccl-tests PERFORMANCE.md): busBW = algBW x f(N),
#: the share of the data each rank's link must carry.
def bus_factor(operation: str, n: int) -> float:
    """The nccl-tests factor turning algorithm bandwidth (size / time) into bus bandwidth."""
    if n <= 1:
        return 1.0
    if operation == "all_reduce":
        return 2.0 * (n - 1) / n
    if operation in ("all_gather", "reduce_scatter", "all_to_all"):
        return (n - 1) / n
    return 1.0


def alpha_beta_crossover_bytes(alpha_s: float, beta_bps: float) -> float:
    """Message size where latency and bandwidth terms are equal (byte): ``n* = alpha * beta``."""
    return alpha_s * beta_bps


def bisection_bandwidth(devices: int, link_bps: float, oversubscription: float) -> float:
    """Bisection bandwidth of a fat tree (byte/s): half the devices talking to the other half,
    each at its link rate, divided by the oversubscription ratio."""
    return devices / 2.0 * link_bps / oversubscription


# -- training step ------------------------------------------------------------------------------


def pipeline_bubble_fraction(stages: int, microbatches: int, virtual_stages: int = 1) -> float:
    """Idle share of a synchronous (GPipe / 1F1B) pipeline step: ``(p-1)/(v*m+p-1)``, with ``v``
    model chunks per device in the interleaved schedule (1: plain 1F1B; Narayanan et al. 2021,
    section 2.2.2)."""
    return (stages - 1) / (virtual_stages * microbatches + stages - 1)


def pipeline_bubble_time(
    stages: int, microbatches: int, busy_s: float, virtual_stages: int = 1
) -> float:
    """Idle time of a pipeline step whose busy work takes ``busy_s`` (s): ``(p-1)/(v*m) * busy``
    (s). Interleaving ``v`` chunks per device shortens each fill and drain slot ``v``-fold; Llama 3
    states its bubble ratio this way, ``(PP-1)/(V*M)`` (Dubey et al. 2024, section 3.3.2)."""
    return (stages - 1) / (virtual_stages * microbatches) * busy_s


def pipeline_microbatches_in_flight(
    stages: int, microbatches: int, virtual_stages: int = 1
) -> float:
    """Microbatches of one stage's activations the first (fullest) device holds at once
    (dimensionless, in units of its ``1/p`` of the layers): ``min(m, p)`` for 1F1B (Narayanan et
    al. 2021); the interleaved schedule's longer warm-up holds ``p + (p-1)/v`` (Korthikanti et al.
    2022, section 4.2.3: activations grow by ``1 + (p-1)/(p v)``), at most all ``m``."""
    if virtual_stages <= 1:
        return float(min(microbatches, stages))
    return min(float(microbatches), stages + (stages - 1) / virtual_stages)


def zero_shards(stage: int, dp: int) -> tuple[int, int, int]:
    """How many ways (weights, gradients, optimizer state) are split across ``dp`` data-parallel
    ranks by ZeRO ``stage`` (Rajbhandari et al. 2020): 1 shards Adam's state, 2 also the
    gradients, 3 also the weights."""
    return (dp if stage >= 3 else 1, dp if stage >= 2 else 1, dp if stage >= 1 else 1)


def model_flops_per_token(active_params: float, training: bool) -> float:
    """Model FLOP per token (FLOP): 6 per active parameter for a training step (forward and
    backward, Kaplan et al. 2020), 2 for inference; recomputation and attention not counted."""
    return (6.0 if training else 2.0) * active_params


def model_flops_utilization(
    model_flops: float, devices: int, peak_flops: float, latency_s: float
) -> float:
    """MFU: model FLOP of the step over what ``devices`` could do at dense peak in ``latency_s``."""
    return model_flops / (devices * peak_flops * latency_s)


# -- reliability --------------------------------------------------------------------------------


def series_failure_rate(counts_and_mttf_h: list[tuple[float, float]]) -> float:
    """Failure rate of a system that stops when any part fails (1/h): ``sum(n_i / MTTF_i)``."""
    return sum(count / mttf for count, mttf in counts_and_mttf_h)


def survival_probability(rate_per_h: float, hours: float) -> float:
    """Probability that nothing fails in ``hours``: ``exp(-lambda t)``."""
    return math.exp(-rate_per_h * hours)


def young_daly_interval(write_s: float, mtbf_s: float) -> float:
    """Checkpoint interval minimising lost work plus checkpoint cost (s):
    ``sqrt(2 T_write MTBF)`` (Young 1974; Daly 2006, first order)."""
    return math.sqrt(2.0 * write_s * mtbf_s)


def checkpoint_goodput(interval_s: float, write_s: float, recover_s: float, mtbf_s: float) -> float:
    """Useful fraction of wall time with checkpoints every ``interval_s`` (first order): the
    checkpoint writes cost ``T_write/tau``; each failure loses half an interval of work plus
    the recovery. Never below zero."""
    waste = write_s / interval_s + (interval_s / 2.0 + recover_s) / mtbf_s
    return max(0.0, 1.0 - waste)


def any_failure_probability(per_unit: float, units: float) -> float:
    """Probability that at least one of ``units`` independent units fails: ``1 - (1-p)^N``."""
    return 1.0 - (1.0 - per_unit) ** units


# -- queues -------------------------------------------------------------------------------------


def kingman_wait(utilization: float, service_cv: float, mean_service_s: float) -> float:
    """Mean queue wait of a G/G/1 queue with Poisson-like arrivals (s), Kingman's formula:
    ``rho/(1-rho) * (1 + C_s^2)/2 * E[S]``."""
    return utilization / (1.0 - utilization) * (1.0 + service_cv**2) / 2.0 * mean_service_s


def little_in_flight(arrival_rate: float, time_in_system_s: float) -> float:
    """Little's law: requests in the system ``L = lambda * W``."""
    return arrival_rate * time_in_system_s


def expected_max_exponential(n: int, mean_s: float) -> float:
    """Expected slowest of ``n`` independent exponential times of mean ``mean_s`` (s):
    ``mean * H_n`` with ``H_n`` the n-th harmonic number (the straggler of a round)."""
    return mean_s * sum(1.0 / k for k in range(1, n + 1))


# -- sustainability ----------------------------------------------------------------------------


def facility_energy_j(it_energy_j: float, pue: float) -> float:
    """Energy the facility draws (J): IT energy times PUE."""
    return it_energy_j * pue


def operational_carbon_kg(facility_energy_j: float, grid_g_per_kwh: float) -> float:
    """Operational carbon (kg CO2e) of ``facility_energy_j`` J at ``grid_g_per_kwh``."""
    return facility_energy_j / 3.6e6 * grid_g_per_kwh / 1000.0


def amortised_embodied_kg(
    devices: int, hours: float, kg_per_device: float, lifetime_h: float
) -> float:
    """Share of the devices' manufacturing carbon a job of ``hours`` uses (kg CO2e)."""
    return devices * kg_per_device * hours / lifetime_h


def dp_gaussian_sigma(clip: float, epsilon: float, delta: float) -> float:
    """Noise of the Gaussian mechanism for (epsilon, delta)-DP at L2 sensitivity ``clip``:
    ``C sqrt(2 ln(1.25/delta)) / epsilon`` (Dwork and Roth 2014, Theorem A.1)."""
    return clip * math.sqrt(2.0 * math.log(1.25 / delta)) / epsilon


# -- operations at scale ----------------------------------------------------------------------


def error_budget_s(period_s: float, slo: float) -> float:
    """Downtime an SLO allows over ``period_s`` (s): ``period x (1 - SLO)``."""
    return period_s * (1.0 - slo)


def canary_duration_s(events: float, request_rate: float, traffic_share: float) -> float:
    """Time for a canary taking ``traffic_share`` of ``request_rate`` requests/s to see
    ``events`` requests (s): ``n / (r p)``."""
    return events / (request_rate * traffic_share)


def ab_sample_size(baseline: float, lift: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Samples per arm to detect an absolute change ``lift`` of a rate ``baseline`` with a
    two-sided test at ``alpha`` and ``power``: ``(z_a + z_b)^2 2p(1-p) / delta^2``."""
    z = NormalDist()
    z_alpha, z_beta = z.inv_cdf(1.0 - alpha / 2.0), z.inv_cdf(power)
    return (z_alpha + z_beta) ** 2 * 2.0 * baseline * (1.0 - baseline) / lift**2


def detectable_regression(cv: float, runs: int, alpha: float = 0.05) -> float:
    """Smallest relative change two benchmark means of ``runs`` runs each can tell apart at
    ``alpha`` (two-sided), for run-to-run coefficient of variation ``cv``:
    ``z sqrt(2) CV / sqrt(n)`` (1.96 sqrt(2) CV / sqrt(n) at 5 %)."""
    z = NormalDist().inv_cdf(1.0 - alpha / 2.0)
    return z * math.sqrt(2.0) * cv / math.sqrt(runs)


def tail_amplification(fast_share: float, fan_out: int) -> float:
    """Probability that a request fanning out to ``fan_out`` servers waits for at least one
    slow reply, when each replies fast with probability ``fast_share``: ``1 - p^N``."""
    return 1.0 - fast_share**fan_out
