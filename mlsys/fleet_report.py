"""Layer 5: one training step on a cluster and what it means for the whole run.

A Volume 2 lab asks about a step (``Engine.solve`` on a ``Cluster``) and about its consequences
at fleet scale: how often the cluster fails, how long a checkpoint takes, what the checkpoint
interval costs in goodput, how many days and dollars the run needs. ``FleetReport`` answers both
through one object: every ``FleetProfile`` field, plus the fields below, each with its
derivation in ``math`` so a MathPeek shows the formula behind the number.

The consequences are solved lazily (a field is computed the first time it is read), so a lab
that only shows the step pays only for the step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from mlsys import fleet_formulas as ff
from mlsys import formulas as f
from mlsys.constants import GRID_CARBON_INTENSITY
from mlsys.derivation import Derivation, Math, Variable
from mlsys.fleet_constants import (
    CHECKPOINT_WRITE_BPS,
    DP_SGD_STEP_SLOWDOWN,
    EMBODIED_KG_PER_GPU,
    GPU_USD_PER_HOUR,
    HARDWARE_LIFETIME_HOURS,
    KV_CACHE_WASTE,
    PGD_ATTACK_STEPS,
    PUE,
    RESPONSIBLE_COSTS,
    SDC_PER_GPU_HOUR,
    TOKENS_PER_PARAMETER,
)
from mlsys.fleet_simulations import (
    ClusterQueue,
    FederatedRound,
    Operations,
    ServingFleet,
    Sustainability,
    TrustCosts,
)
from mlsys.fleet_step import FleetProfile
from mlsys.hardware import BYTES_PER_VALUE
from mlsys.reliability import Reliability, ReliabilityResult
from mlsys.units import Quantity, ureg

#: How long a cluster is observed for its failure statistics (the rates do not depend on it).
_OBSERVED = 24 * ureg.hour

#: How a serving fleet places prefill and decode: on the same replicas, or in separate pools.
SERVING_MODES: tuple[str, ...] = ("colocated", "disaggregated")
#: A request rate so small that no queue forms: what a serving fleet's capacity is solved at
#: (its KV cache, replicas and token capacity do not depend on the rate).
_IDLE_RATE = 1e-9


#: The safeguards whose runs the report times, prices and weighs: (field prefix, the symbol its
#: derivations use, what its wall time is).
_SAFEGUARDS = (
    ("dp", "DP", "wall time under DP-SGD"),
    ("adversarial", "adv", "wall time with adversarial training"),
    ("responsible", "resp", "wall time with fairness-aware training"),
)


@dataclass(frozen=True)
class FleetScenario:
    """What a run adds to one step: ``checkpoint_interval`` (minutes between checkpoints; None
    is the Young-Daly optimum) and ``train_tokens`` (tokens the run trains on; None is the
    compute-optimal ``TOKENS_PER_PARAMETER`` per parameter). The cluster's scheduler queue:
    jobs of ``job_gpus`` devices (gang-scheduled), ``job_hours`` long on average with
    coefficient of variation ``job_cv``, arriving to keep the cluster ``queue_load`` busy. The
    facility: the grid ``region`` the run draws from, the ``cooling`` (a ``PUE`` key) and the
    ``servers_per_rack``. Serving at scale (``ServingFleet``): ``arrival_rate`` requests/s of
    ``prompt_tokens`` in and ``output_tokens`` out, each replica (``tp`` devices) decoding
    ``serving_batch`` sequences at once, ``serving_mode`` colocated or disaggregated prefill
    and decode, ``routing`` random or power_of_two, ``kv_cache`` paged or contiguous.
    A federated round over a device fleet (``FederatedRound``): ``cohort`` clients drawn from
    ``population`` devices, of which the ``duty`` x ``connectivity`` x ``charging`` fractions
    are eligible, each running ``local_steps`` of the report's step (one client's local step is
    the step itself: a track whose system is the field device, ``dp: 1``) and moving the
    model over a ``link_kbps`` link (kilobit/s, both ways). Operations at scale
    (``Operations``, 30-day period, 10,000-request canary, 99% fast replies): the ``slo``, the
    ``request_rate`` (requests/s), the ``canary_share`` of traffic, an A/B test detecting
    ``lift`` on ``baseline_rate``, ``benchmark_runs`` runs of coefficient of variation
    ``benchmark_cv``, a request fanning out to ``fan_out`` servers. Trust costs
    (``TrustCosts``, delta 1e-5, clip norm 1): the privacy budget ``epsilon`` of DP-SGD and the
    ``attack_steps`` of adversarial training (None: the book's PGD-7)."""

    checkpoint_interval: float | None = None
    train_tokens: float | None = None
    queue_load: float = 0.7
    job_cv: float = 1.0
    job_gpus: int = 8
    job_hours: float = 24.0
    region: str = "US average"
    cooling: str = "typical"
    servers_per_rack: int = 4
    arrival_rate: float = 10.0
    prompt_tokens: int = 1024
    output_tokens: int = 256
    serving_batch: int = 32
    serving_mode: str = "colocated"
    routing: str = "random"
    kv_cache: str = "paged"
    population: int = 10_000
    cohort: int = 100
    duty: float = 1.0
    connectivity: float = 1.0
    charging: float = 1.0
    local_steps: int = 10
    link_kbps: int = 8_000
    slo: float = 0.999
    request_rate: float = 1000.0
    canary_share: float = 0.01
    baseline_rate: float = 0.05
    lift: float = 0.005
    benchmark_cv: float = 0.05
    benchmark_runs: int = 10
    fan_out: int = 100
    epsilon: float = 8.0
    attack_steps: int | None = None

    def __post_init__(self) -> None:
        for name in ("checkpoint_interval", "train_tokens"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not value > 0):
                raise ValueError(f"{name}: expected a positive number, got {value!r}")
        for name in ("queue_load", "job_cv", "job_gpus", "job_hours"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name}: expected a number >= 0, got {value!r}")
        if self.region not in GRID_CARBON_INTENSITY:
            raise ValueError(
                f"region: unknown grid {self.region!r}; known: {', '.join(GRID_CARBON_INTENSITY)}"
            )
        if self.cooling not in PUE:
            raise ValueError(f"cooling: unknown {self.cooling!r}; known: {', '.join(PUE)}")
        if isinstance(self.servers_per_rack, bool) or not isinstance(self.servers_per_rack, int):
            raise ValueError(
                f"servers_per_rack: expected a whole number, got {self.servers_per_rack!r}"
            )
        if self.servers_per_rack < 1:
            raise ValueError(
                f"servers_per_rack: expected at least 1, got {self.servers_per_rack!r}"
            )
        if not 0 < self.queue_load < 1:
            raise ValueError(
                f"queue_load: the cluster's utilisation must lie in (0, 1), got {self.queue_load!r}"
            )
        rate = self.arrival_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < math.inf:
            raise ValueError(
                f"arrival_rate: expected a positive number of requests/s, got {rate!r}"
            )
        for name in ("prompt_tokens", "output_tokens", "serving_batch"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: expected a whole number >= 1, got {value!r}")
        for name, known in (
            ("serving_mode", SERVING_MODES),
            ("routing", tuple(ServingFleet.ROUTING)),
            ("kv_cache", tuple(KV_CACHE_WASTE)),
        ):
            if getattr(self, name) not in known:
                raise ValueError(
                    f"{name}: unknown {getattr(self, name)!r}; known: {', '.join(known)}"
                )
        for name in ("population", "cohort", "local_steps", "link_kbps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: expected a whole number >= 1, got {value!r}")
        for name in ("duty", "connectivity", "charging"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                raise ValueError(f"{name}: expected a fraction in (0, 1], got {value!r}")
        for name, low, high, closed in (
            ("slo", 0.0, 1.0, False),
            ("canary_share", 0.0, 1.0, True),
            ("baseline_rate", 0.0, 1.0, False),
            ("lift", 0.0, 1.0, False),
            ("benchmark_cv", 0.0, math.inf, False),
            ("request_rate", 0.0, math.inf, False),
        ):
            value = getattr(self, name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not low < value or not (value <= high if closed else value < high):
                bound = f"(0, {high:g}{']' if closed else ')'}"
                raise ValueError(f"{name}: expected a number in {bound}, got {value!r}")
        for name, low in (("benchmark_runs", 2), ("fan_out", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name}: expected a whole number >= {low}, got {value!r}")
        eps = self.epsilon
        if isinstance(eps, bool) or not isinstance(eps, int | float) or not 0 < eps < math.inf:
            raise ValueError(f"epsilon: expected a positive privacy budget, got {eps!r}")
        steps = self.attack_steps
        if steps is not None and (
            isinstance(steps, bool) or not isinstance(steps, int) or steps < 0
        ):
            raise ValueError(f"attack_steps: expected a whole number >= 0, got {steps!r}")
        if self.cohort > self.population:
            raise ValueError(
                f"cohort: {self.cohort} clients exceed the population of {self.population}"
            )


class FleetReport:
    """A ``FleetProfile`` (every field of the step, read through) plus the run's consequences:
    ``mtbf`` (hour), ``checkpoint_size`` (GB), ``checkpoint_write`` (s),
    ``optimal_checkpoint_interval`` (min), ``checkpoint_interval`` (min), ``goodput``
    (fraction of wall time that trains), ``time_to_train`` (day) and ``training_cost`` (USD)."""

    def __init__(self, step: FleetProfile, scenario: FleetScenario | None = None) -> None:
        if not isinstance(step, FleetProfile):
            raise ValueError(
                f"step: expected the FleetProfile of Engine.solve on a Cluster, got {type(step).__name__}"
            )
        self.step = step
        self.scenario = scenario or FleetScenario()
        self._check_split()

    def _check_split(self) -> None:
        # Refused at once, naming the input, rather than on the first serving number read:
        # disaggregation needs a prefill pool and a decode pool, one replica at least each.
        if self.scenario.serving_mode != "disaggregated":
            return
        if getattr(self.step.model, "transformer", None) is None:
            return
        tp = self.step.parallelism.tp
        replicas = self.step.devices // tp
        if replicas < 2:
            raise ValueError(
                f"serving_mode: disaggregated prefill and decode need at least 2 replicas; "
                f"this plan has {replicas} ({self.step.devices} devices / tp {tp})"
            )

    def __getattr__(self, name: str) -> Any:
        # Only called for names this class lacks: the step's own fields.
        if name.startswith("_") or name in ("step", "scenario"):
            raise AttributeError(name)
        return getattr(self.step, name)

    # -- failures and checkpoints -------------------------------------------------------------

    @cached_property
    def _failures(self) -> ReliabilityResult:
        return Reliability.solve(self.step.system, _OBSERVED, self.checkpoint_size)

    @property
    def mtbf(self) -> Quantity:
        """Mean time between failures of the whole coupled job (hour): ``MTTF / N`` summed over
        every component of every device and node."""
        return self._failures.mtbf

    @property
    def checkpoint_size(self) -> Quantity:
        """Training state one checkpoint holds (GB): the weights plus Adam's moments and, in a
        narrow format, the fp32 master copy."""
        bpv = BYTES_PER_VALUE[self.step.precision]
        size = self.step.model.params * (bpv + f.optimizer_bytes_per_param(bpv))
        return Quantity(size / 1e9, ureg.GB)

    @property
    def checkpoint_write(self) -> Quantity:
        """Time to write one checkpoint at the storage's write bandwidth (s)."""
        return self._failures.checkpoint_write

    @property
    def optimal_checkpoint_interval(self) -> Quantity:
        """Young-Daly interval ``sqrt(2 T_write MTBF)`` (min): the checkpoint period that
        balances time spent writing against work lost to failures."""
        return self._failures.checkpoint_interval

    @property
    def checkpoint_interval(self) -> Quantity:
        """The interval the run checkpoints at (min): the scenario's, else the optimum."""
        chosen = self.scenario.checkpoint_interval
        if chosen is None:
            return self.optimal_checkpoint_interval
        return Quantity(float(chosen), ureg.minute)

    @property
    def goodput(self) -> Quantity:
        """Fraction of wall time that advances training at ``checkpoint_interval``: time not
        spent writing checkpoints, redoing lost work or recovering (0 when failures outpace
        checkpoints); a dimensionless quantity."""
        return Quantity(self._goodput, ureg.dimensionless)

    @property
    def mfu(self) -> Quantity:
        """The step's model FLOPs utilisation, as a dimensionless quantity."""
        return Quantity(self.step.mfu, ureg.dimensionless)

    @property
    def scaling_efficiency(self) -> Quantity:
        """The step's scaling efficiency ``T_c / (N T_step)``, as a dimensionless quantity."""
        return Quantity(self.step.scaling_efficiency, ureg.dimensionless)

    @property
    def node(self) -> Any:
        """The node (``SystemSpec``) every device of the cluster is: what a roofline draws."""
        return self.step.system.node

    @property
    def arithmetic_intensity(self) -> Quantity:
        """FLOP per byte of one device's share of the step (FLOP/B): its place on the node's
        roofline."""
        # The step keeps per-device FLOP over bytes moved; FleetProfile exposes no accessor.
        return Quantity(self.step._raw["intensity"], ureg.FLOP / ureg.byte)

    @property
    def memory_weights(self) -> Quantity:
        """Bytes of weights on each device (byte): the model split by ``tp * pp`` (and by ``dp``
        under ZeRO-3); also the gradient payload a data-parallel all-reduce carries."""
        return self.step.footprint_breakdown["weights"]

    @property
    def memory_gradients(self) -> Quantity:
        """Bytes of gradients on each device (byte)."""
        return self.step.footprint_breakdown["gradients"]

    @property
    def memory_optimizer(self) -> Quantity:
        """Bytes of optimizer state on each device (byte): Adam's moments and master copy."""
        return self.step.footprint_breakdown["optimizer"]

    @property
    def memory_activations(self) -> Quantity:
        """Bytes of activations each device keeps for the backward pass (byte)."""
        return self.step.footprint_breakdown["activations"]

    @property
    def memory_kv_cache(self) -> Quantity:
        """Bytes of KV cache on each device (byte; zero when training)."""
        return self.step.footprint_breakdown["kv_cache"]

    @property
    def memory_capacity(self) -> Quantity:
        """Memory of one device (byte), against which ``memory_footprint`` must fit."""
        return Quantity(self.step.system.node.ram_bytes, ureg.byte)

    @property
    def devices(self) -> Quantity:
        """Accelerators the cluster holds (``dp * tp * pp``), as a dimensionless quantity."""
        return Quantity(self.step.devices, ureg.dimensionless)

    @cached_property
    def _goodput(self) -> float:
        # A run shorter than the interval writes one checkpoint (at its end) and a failure can
        # lose at most the run: the interval that counts is the shorter of the two.
        interval_s = min(self.checkpoint_interval.to("s").magnitude, self._compute_hours * 3600.0)
        return ff.checkpoint_goodput(
            max(interval_s, 1e-9),
            self.checkpoint_write.to("s").magnitude,
            self._failures.recovery_time.to("s").magnitude,
            self.mtbf.to("s").magnitude,
        )

    # -- the whole run ------------------------------------------------------------------------

    @cached_property
    def train_tokens(self) -> float:
        """Tokens the run trains on (a number): the scenario's, else ``TOKENS_PER_PARAMETER``
        per parameter (compute-optimal)."""
        chosen = self.scenario.train_tokens
        if chosen is None:
            return TOKENS_PER_PARAMETER.value * self.step.model.params
        return float(chosen)

    @cached_property
    def _compute_hours(self) -> float:
        tokens_per_step = self.step.batch_size * (self.step.seq_len or 1)
        steps = math.ceil(self.train_tokens / tokens_per_step)
        return steps * self.step.latency.to("hour").magnitude

    @property
    def time_to_train(self) -> Quantity:
        """Wall time of the run (day): steps x step time, divided by goodput (infinite when
        goodput is zero)."""
        return self._time_to_train

    @cached_property
    def _time_to_train(self) -> Quantity:
        # Read by every cost, energy, carbon and safeguard field of the run: worked out once.
        if self._goodput <= 0.0:
            return Quantity(math.inf, ureg.day)
        return Quantity(self._compute_hours / self._goodput / 24.0, ureg.day)

    @property
    def training_cost(self) -> Quantity:
        """Rental cost of the run (USD): devices x wall time x the book's price per GPU-hour."""
        return self._rental(self.time_to_train)

    # -- the facility: power, energy and carbon -----------------------------------------------

    @property
    def pue(self) -> Quantity:
        """Power usage effectiveness of the facility's ``cooling`` (facility over IT power)."""
        return PUE[self.scenario.cooling].quantity

    @property
    def facility_power(self) -> Quantity:
        """Peak power the facility draws for the cluster (MW): IT power x PUE."""
        return (self.step.system.it_power * self.pue).to("MW")

    @property
    def rack_power(self) -> Quantity:
        """Power of one rack of ``servers_per_rack`` servers (kW): what its cooling must remove
        (air reaches its limit near 40 kW)."""
        return self.step.system.rack_power(self.scenario.servers_per_rack).to("kW")

    @cached_property
    def _footprint(self) -> Any:
        # IT energy of the run: the steps' energy, plus every device idling at its static power
        # through the wall time that is not stepping (checkpoints, failures, recovery).
        compute_h = self._compute_hours
        wall_h = self.time_to_train.to("hour").magnitude
        steps_j = compute_h * 3600.0 * self.step.power.to("W").magnitude
        idle_j = self.step.devices * self.step.system.node.static_w * (wall_h - compute_h) * 3600.0
        return Sustainability.solve(
            energy=(steps_j + idle_j) * ureg.joule,
            region=self.scenario.region,
            pue=self.pue.magnitude,
            devices=self.step.devices,
            hours=wall_h,
        )

    @property
    def run_energy(self) -> Quantity:
        """Facility energy of the whole run (MWh): IT energy x PUE."""
        return self._footprint.energy

    @property
    def carbon(self) -> Quantity:
        """Carbon of the run (tonne CO2e): operational (energy x grid intensity of ``region``)
        plus the devices' embodied carbon amortised over the run."""
        return self._footprint.carbon

    @property
    def embodied_carbon(self) -> Quantity:
        """The devices' manufacturing carbon amortised over the run (tonne CO2e)."""
        return self._footprint.embodied_carbon

    # -- the scheduler's queue -----------------------------------------------------------------

    @cached_property
    def _queue(self) -> Any:
        scenario = self.scenario
        slots = self.step.devices // scenario.job_gpus
        if slots < 1:
            raise ValueError(
                f"job_gpus: {scenario.job_gpus} exceeds the cluster's {self.step.devices} devices"
            )
        rate = scenario.queue_load * slots / scenario.job_hours
        return ClusterQueue.solve(
            self.step.system,
            rate / ureg.hour,
            scenario.job_hours * ureg.hour,
            scenario.job_gpus,
            service_cv=scenario.job_cv,
        )

    @property
    def queue_wait(self) -> Quantity:
        """Mean wait of a job in the scheduler's queue (hour): Allen-Cunneen M/G/c, which grows
        like ``rho/(1-rho) (1+C^2)/2 E[S]`` near saturation."""
        return self._queue.queue_wait

    # -- serving at scale ----------------------------------------------------------------------

    def _serve(self, rate: float) -> Any:
        step, scenario = self.step, self.scenario
        return ServingFleet.solve(
            step.model,
            step.system,
            rate,
            prompt_tokens=scenario.prompt_tokens,
            output_tokens=scenario.output_tokens,
            batch_size=scenario.serving_batch,
            tp=self.step.parallelism.tp,
            precision=step.precision,
            disaggregated=scenario.serving_mode == "disaggregated",
            routing=scenario.routing,
            kv_cache=scenario.kv_cache,
        )

    @cached_property
    def _serving(self) -> Any:
        # The fleet at the scenario's request rate; None when the rate saturates the replicas
        # (the queue grows without bound: ServingFleet refuses it, naming arrival_rate).
        try:
            return self._serve(float(self.scenario.arrival_rate))
        except ValueError as error:
            if str(error).startswith("arrival_rate:"):
                return None
            raise

    @cached_property
    def _serving_capacity(self) -> Any:
        # What does not depend on the rate (KV cache, replicas, token capacity): solved idle.
        return self._serving or self._serve(_IDLE_RATE)

    @property
    def serving_saturated(self) -> bool:
        """Whether ``arrival_rate`` loads the replicas to 100% or more (latencies are then
        infinite: the queue grows without bound)."""
        return self._serving is None

    def _latency(self, name: str) -> Quantity:
        if self._serving is None:
            return Quantity(math.inf, ureg.ms)
        return getattr(self._serving, name).to("ms")

    @property
    def ttft(self) -> Quantity:
        """Mean time to first token (ms): queue wait + prefill of the prompt (+ the KV
        transfer to the decode pool when disaggregated); infinite when saturated."""
        return self._latency("ttft")

    @property
    def ttft_p99(self) -> Quantity:
        """99th-percentile time to first token (ms): the queue length 99% of requests find
        (M/M/1 per replica for random routing, power-of-two choices otherwise) x the service
        time, + prefill (+ transfer)."""
        return self._latency("ttft_p99")

    @property
    def tpot(self) -> Quantity:
        """Time per output token (ms): the decode step of the batch, stretched by the prefills
        that interrupt it when colocated."""
        return self._latency("tpot")

    @property
    def request_latency(self) -> Quantity:
        """Mean end-to-end latency of one request (ms): TTFT + output tokens x TPOT."""
        return self._latency("latency")

    @property
    def kv_per_token(self) -> Quantity:
        """KV cache one token keeps (byte): ``2 L H_kv d_head b`` (keys and values, every
        layer)."""
        return self._serving_capacity.kv_per_token.to("byte")

    @property
    def kv_per_replica(self) -> Quantity:
        """KV cache of a replica's full batch (byte): per token x context (prompt + output) x
        ``serving_batch`` sequences, spread over the replica's ``tp`` devices."""
        return self._serving_capacity.kv_per_replica.to("byte")

    @property
    def kv_per_device(self) -> Quantity:
        """KV cache each device of a replica holds (byte): ``kv_per_replica / tp``."""
        return (self.kv_per_replica / self.step.parallelism.tp).to("byte")

    @property
    def serving_weights(self) -> Quantity:
        """Weights each device of a serving replica holds (byte): the model split ``tp`` ways."""
        bpv = BYTES_PER_VALUE[self.step.precision]
        return Quantity(self.step.model.params * bpv / self.step.parallelism.tp, ureg.byte)

    @property
    def _serves(self) -> bool:
        # A prefill or decode step is a serving fleet: its memory is the replicas' KV cache.
        return self.step.phase in ("prefill", "decode")

    @property
    def memory_footprint(self) -> Quantity:
        """Bytes each device holds (byte): the step's footprint; on a serving step its share of
        the weights and of the KV cache of ``serving_batch`` sequences, with the memory the
        ``kv_cache`` layout loses."""
        if not self._serves:
            return self.step.memory_footprint
        kept = 1.0 - KV_CACHE_WASTE[self.scenario.kv_cache].value
        return (self.serving_weights + self.kv_per_device / kept).to("byte")

    @property
    def feasible(self) -> bool:
        """Whether each device's footprint fits its memory: on a serving step, whether the
        replica's KV cache holds ``serving_batch`` sequences (``kv_capacity``)."""
        if not self._serves:
            return bool(self.step.feasible)
        return self.scenario.serving_batch <= self.kv_capacity.magnitude

    @property
    def kv_capacity(self) -> Quantity:
        """Sequences of full context a replica's KV cache holds (dimensionless): memory left
        after the weights, less what the ``kv_cache`` layout wastes, over a sequence's KV."""
        return Quantity(float(self._serving_capacity.max_sequences_per_replica), ureg.dimensionless)

    @property
    def replicas(self) -> Quantity:
        """Serving replicas (dimensionless): the cluster's devices in groups of ``tp``."""
        return Quantity(float(self._serving_capacity.replicas), ureg.dimensionless)

    @property
    def serving_utilization(self) -> Quantity:
        """Share of each replica's time busy serving (dimensionless; 1 when the rate saturates
        the fleet)."""
        busy = 1.0 if self._serving is None else float(self._serving.utilization)
        return Quantity(busy, ureg.dimensionless)

    @property
    def in_flight(self) -> Quantity:
        """Requests in the system at once (dimensionless): Little's law ``lambda W``; infinite
        when saturated."""
        if self._serving is None:
            return Quantity(math.inf, ureg.dimensionless)
        return Quantity(float(self._serving.in_flight), ureg.dimensionless)

    @property
    def serving_capacity(self) -> Quantity:
        """Output tokens per second the fleet can decode (token/s): replicas x batch over the
        decode step."""
        return self._serving_capacity.tokens_per_second_capacity.to("token/second")

    @cached_property
    def _sustainable_rate(self) -> float:
        # The highest request rate the replicas keep a finite queue at (bisection: 20 halvings
        # of the interval between no load and the saturating rate).
        low, high = 0.0, float(self.scenario.arrival_rate)
        for _ in range(20):
            middle = (low + high) / 2.0
            try:
                self._serve(middle)
            except ValueError as error:
                if not str(error).startswith("arrival_rate:"):
                    raise
                high = middle
            else:
                low = middle
        return low

    @property
    def serving_throughput(self) -> Quantity:
        """Output tokens per second the fleet serves (token/s): ``arrival_rate x
        output_tokens``; when the rate saturates the replicas, the highest rate they sustain
        (prefills included) x ``output_tokens``."""
        if self._serving is None:
            rate = self._sustainable_rate * self.scenario.output_tokens
            return Quantity(rate, ureg.token / ureg.second)
        return self._serving.throughput.to("token/second")

    @property
    def cost_per_million_tokens(self) -> Quantity:
        """Rental cost of a million output tokens (USD): devices x the book's price per
        GPU-hour over the tokens served per hour."""
        per_hour = self.serving_throughput.to("token/hour").magnitude
        usd = self.step.devices * GPU_USD_PER_HOUR.value / per_hour * 1e6
        return Quantity(usd, ureg.USD)

    # -- federated rounds over a device fleet ---------------------------------------------------

    @property
    def _link_bps(self) -> float:
        return self.scenario.link_kbps * 1e3 / 8.0

    @property
    def _model_bytes(self) -> float:
        return self.step.model.params * BYTES_PER_VALUE[self.step.precision]

    @cached_property
    def _federated(self) -> Any:
        # One round: each client's local work is local_steps of the report's step. Refused
        # (naming cohort) when fewer devices are eligible than the cohort wants.
        scenario = self.scenario
        return FederatedRound.solve(
            scenario.population,
            scenario.cohort,
            self._model_bytes,
            scenario.local_steps * self.step.latency.to("s").magnitude,
            duty=scenario.duty,
            connectivity=scenario.connectivity,
            charging=scenario.charging,
            uplink=self._link_bps,
            downlink=self._link_bps,
        )

    @property
    def participation(self) -> Quantity:
        """Share of the population eligible for a round (dimensionless): duty x connectivity x
        charging."""
        s = self.scenario
        return Quantity(s.duty * s.connectivity * s.charging, ureg.dimensionless)

    @property
    def eligible_devices(self) -> Quantity:
        """Devices eligible for a round (dimensionless): population x participation."""
        share = self.participation.magnitude
        return Quantity(self.scenario.population * share, ureg.dimensionless)

    @property
    def round_time(self) -> Quantity:
        """Wall time of one federated round (min): download the model, the slowest client's
        local training (straggler), upload the update."""
        return self._federated.round_time.to("minute")

    @property
    def straggler_time(self) -> Quantity:
        """Expected local training time of the round's slowest client (min): mean local time x
        the cohort's harmonic number ``H_n`` (exponential client times)."""
        return self._federated.straggler_time.to("minute")

    @property
    def bytes_per_round(self) -> Quantity:
        """Bytes the round moves over the network (GB): cohort x 2 x model (down and up)."""
        return self._federated.bytes_per_round.to("GB")

    @property
    def round_energy(self) -> Quantity:
        """Energy of one client's local training in a round (J): local steps x the step's
        energy."""
        return (self.scenario.local_steps * self.step.energy).to("J")

    # -- operations at scale --------------------------------------------------------------------

    @cached_property
    def _operations(self) -> Any:
        s = self.scenario
        return Operations.solve(
            slo=s.slo,
            request_rate=float(s.request_rate),
            canary_share=s.canary_share,
            baseline_rate=s.baseline_rate,
            lift=s.lift,
            benchmark_cv=s.benchmark_cv,
            benchmark_runs=s.benchmark_runs,
            fan_out=s.fan_out,
        )

    @property
    def error_budget(self) -> Quantity:
        """Downtime the ``slo`` allows over 30 days (min): ``T (1 - SLO)``."""
        return self._operations.error_budget.to("minute")

    @property
    def canary_duration(self) -> Quantity:
        """Time a canary on ``canary_share`` of ``request_rate`` needs to see 10,000 requests
        (min): ``n / (r p)``."""
        return self._operations.canary_duration.to("minute")

    @property
    def ab_samples_per_arm(self) -> Quantity:
        """Samples each arm of an A/B test needs to detect ``lift`` on ``baseline_rate`` (5 %
        two-sided, 80 % power; dimensionless)."""
        return Quantity(float(self._operations.ab_samples_per_arm), ureg.dimensionless)

    @property
    def ab_duration(self) -> Quantity:
        """Time the A/B test takes with all traffic split over its two arms (hour)."""
        return self._operations.ab_duration.to("hour")

    @property
    def detectable_regression(self) -> Quantity:
        """Smallest relative slowdown ``benchmark_runs`` runs of coefficient of variation
        ``benchmark_cv`` detect (dimensionless): ``1.96 sqrt(2) CV / sqrt(n)``."""
        return Quantity(float(self._operations.detectable_regression), ureg.dimensionless)

    @property
    def tail_probability(self) -> Quantity:
        """Chance a request fanning out to ``fan_out`` servers waits on a slow one
        (dimensionless): ``1 - 0.99^N``."""
        return Quantity(float(self._operations.tail_probability), ureg.dimensionless)

    # -- trust: privacy, robustness, responsible engineering ------------------------------------

    @cached_property
    def _trust(self) -> Any:
        # The run's wall time and the step's latency; a run that never ends (goodput 0) is
        # solved over one hour and its training times read infinite.
        days = self.time_to_train.to("day").magnitude
        hours = days * 24.0 if math.isfinite(days) else 1.0
        return TrustCosts.solve(
            hours * ureg.hour,
            self.step.latency.to("ms"),
            epsilon=float(self.scenario.epsilon),
            attack_steps=self.scenario.attack_steps,
        )

    def _trust_time(self, name: str) -> Quantity:
        return self._trust_times[name]

    @cached_property
    def _trust_times(self) -> dict[str, Quantity]:
        # The three safeguarded wall times, in days, converted once per report.
        names = tuple(f"{kind}_training_time" for kind, _, _ in _SAFEGUARDS)
        if math.isinf(self.time_to_train.magnitude):
            return {name: Quantity(math.inf, ureg.day) for name in names}
        return {name: getattr(self._trust, name).to("day") for name in names}

    @property
    def dp_noise_sigma(self) -> Quantity:
        """Gaussian noise multiplier of DP-SGD for (``epsilon``, 1e-5) at clip norm 1
        (dimensionless): ``C sqrt(2 ln(1.25/delta)) / epsilon``."""
        return Quantity(float(self._trust.dp_noise_sigma), ureg.dimensionless)

    @property
    def dp_training_time(self) -> Quantity:
        """Wall time of the run under DP-SGD (day): ``time_to_train`` x the per-sample
        gradient slowdown (2x)."""
        return self._trust_time("dp_training_time")

    @property
    def adversarial_training_time(self) -> Quantity:
        """Wall time of the run with adversarial training (day): ``time_to_train`` x (K + 1)
        passes for a K-step attack."""
        return self._trust_time("adversarial_training_time")

    @property
    def responsible_training_time(self) -> Quantity:
        """Wall time of the run with fairness-aware training (day): ``time_to_train`` x 1.10."""
        return self._trust_time("responsible_training_time")

    def _rental(self, wall: Quantity) -> Quantity:
        # The price of holding every device of the cluster for ``wall``, at the book's rate.
        hours = wall.to("hour").magnitude
        return Quantity(self.step.devices * hours * GPU_USD_PER_HOUR.value, ureg.USD)

    @property
    def dp_training_cost(self) -> Quantity:
        """Rental cost of the run under DP-SGD (USD): devices x ``dp_training_time`` x the
        price per GPU-hour."""
        return self._rental(self.dp_training_time)

    @property
    def adversarial_training_cost(self) -> Quantity:
        """Rental cost of the run with adversarial training (USD): devices x
        ``adversarial_training_time`` x the price per GPU-hour."""
        return self._rental(self.adversarial_training_time)

    @property
    def responsible_training_cost(self) -> Quantity:
        """Rental cost of the run with fairness-aware training (USD): devices x
        ``responsible_training_time`` x the price per GPU-hour."""
        return self._rental(self.responsible_training_time)

    def _stretched_carbon(self, wall: Quantity) -> Quantity:
        # Operational carbon follows the energy and embodied carbon the hours the devices are
        # held: both grow with the wall time, so a safeguard's run emits its time's multiple.
        plain = self.time_to_train.to("hour").magnitude
        if not 0.0 < plain < math.inf:
            return self.carbon
        return (self.carbon * (wall.to("hour").magnitude / plain)).to("tonne")

    @property
    def dp_training_carbon(self) -> Quantity:
        """Carbon of the run under DP-SGD (tonne CO2e): the run's carbon x its wall-time
        multiple (operational and embodied both follow the hours)."""
        return self._stretched_carbon(self.dp_training_time)

    @property
    def adversarial_training_carbon(self) -> Quantity:
        """Carbon of the run with adversarial training (tonne CO2e): the run's carbon x
        (K + 1)."""
        return self._stretched_carbon(self.adversarial_training_time)

    @property
    def responsible_training_carbon(self) -> Quantity:
        """Carbon of the run with fairness-aware training (tonne CO2e): the run's carbon x
        1.10."""
        return self._stretched_carbon(self.responsible_training_time)

    @property
    def sdc_events(self) -> Quantity:
        """Silent data corruptions the run expects (dimensionless): the book's rate per
        GPU-hour x devices x the run's wall hours (infinite for a run that never ends)."""
        hours = self.time_to_train.to("hour").magnitude
        return Quantity(SDC_PER_GPU_HOUR.value * self.step.devices * hours, ureg.dimensionless)

    @property
    def sdc_probability(self) -> Quantity:
        """Chance the run meets at least one silent data corruption (dimensionless):
        ``1 - (1 - p)^(N h)`` over its N devices' h wall hours each."""
        gpu_hours = self.step.devices * self.time_to_train.to("hour").magnitude
        if math.isinf(gpu_hours):
            return Quantity(1.0, ureg.dimensionless)
        return Quantity(
            -math.expm1(gpu_hours * math.log1p(-SDC_PER_GPU_HOUR.value)), ureg.dimensionless
        )

    @property
    def monitored_latency(self) -> Quantity:
        """The step's latency plus per-inference monitoring (ms): + 15 ms."""
        return self._trust.monitored_latency.to("ms")

    @property
    def explanation_latency(self) -> Quantity:
        """Latency of explaining one prediction (ms): the step's latency x 100 (SHAP-like)."""
        return self._trust.explanation_latency.to("ms")

    def _trust_math(self) -> dict[str, Derivation]:
        # Trust derivations (only for a run that ends: the training times are finite).
        costs, train = RESPONSIBLE_COSTS, self.time_to_train
        latency = self.step.latency.to("ms")
        steps = self.scenario.attack_steps
        k = PGD_ATTACK_STEPS.value if steps is None else steps
        # Silent corruption grows with the GPU-hours held: the rate, the devices, the wall time.
        gpu_hours = (
            Variable(
                "\\lambda_{SDC}", "silent corruptions per GPU-hour", SDC_PER_GPU_HOUR.quantity
            ),
            Variable("N", "devices", Quantity(self.step.devices, ureg.dimensionless)),
            Variable("T_{train}", "wall time of the run", train),
        )
        return {
            "dp_noise_sigma": self._trust.math["dp_noise_sigma"],
            "dp_training_time": Derivation(
                "dp_training_time",
                r"T_{DP} = T_{train} \cdot s_{DP}",
                (
                    Variable("T_{train}", "wall time of the run", train),
                    Variable(
                        "s_{DP}", "per-sample gradient slowdown", DP_SGD_STEP_SLOWDOWN.quantity
                    ),
                ),
                self.dp_training_time,
            ),
            "adversarial_training_time": Derivation(
                "adversarial_training_time",
                r"T_{adv} = T_{train} \cdot (K + 1)",
                (
                    Variable("T_{train}", "wall time of the run", train),
                    Variable("K", "attack steps", Quantity(float(k), ureg.dimensionless)),
                ),
                self.adversarial_training_time,
            ),
            "responsible_training_time": Derivation(
                "responsible_training_time",
                r"T_{resp} = T_{train} \cdot (1 + o)",
                (
                    Variable("T_{train}", "wall time of the run", train),
                    Variable("o", "fairness-aware overhead", costs["training_overhead"].quantity),
                ),
                self.responsible_training_time,
            ),
            **{
                f"{kind}_training_cost": Derivation(
                    f"{kind}_training_cost",
                    rf"C_{{{symbol}}} = N \cdot T_{{{symbol}}} \cdot p_{{GPU}}",
                    (
                        Variable("N", "devices", Quantity(self.step.devices, ureg.dimensionless)),
                        Variable(f"T_{{{symbol}}}", what, getattr(self, f"{kind}_training_time")),
                        Variable("p_{GPU}", "price per GPU-hour", GPU_USD_PER_HOUR.quantity),
                    ),
                    getattr(self, f"{kind}_training_cost"),
                )
                for kind, symbol, what in _SAFEGUARDS
            },
            **{
                f"{kind}_training_carbon": Derivation(
                    f"{kind}_training_carbon",
                    rf"CO_{{2,{symbol}}} = CO_2 \cdot \frac{{T_{{{symbol}}}}}{{T_{{train}}}}",
                    (
                        Variable("CO_2", "carbon of the plain run", self.carbon),
                        Variable(f"T_{{{symbol}}}", what, getattr(self, f"{kind}_training_time")),
                        Variable("T_{train}", "wall time of the plain run", train),
                    ),
                    getattr(self, f"{kind}_training_carbon"),
                )
                for kind, symbol, what in _SAFEGUARDS
            },
            "sdc_events": Derivation(
                "sdc_events",
                r"E_{SDC} = \lambda_{SDC} \cdot N \cdot T_{train}",
                gpu_hours,
                self.sdc_events,
            ),
            "sdc_probability": Derivation(
                "sdc_probability",
                r"P_{SDC} = 1 - (1 - \lambda_{SDC})^{N \cdot T_{train}}",
                gpu_hours,
                self.sdc_probability,
            ),
            "monitored_latency": Derivation(
                "monitored_latency",
                r"T_{mon} = T_{step} + T_{monitor}",
                (
                    Variable("T_{step}", "step latency", latency),
                    Variable(
                        "T_{monitor}", "monitoring per inference", costs["monitoring_s"].quantity
                    ),
                ),
                self.monitored_latency,
            ),
            "explanation_latency": Derivation(
                "explanation_latency",
                r"T_{explain} = T_{step} \cdot f",
                (
                    Variable("T_{step}", "step latency", latency),
                    Variable("f", "explanation cost factor", costs["explanation_factor"].quantity),
                ),
                self.explanation_latency,
            ),
        }

    def _operations_math(self) -> dict[str, Derivation]:
        ops, s = self._operations.math, self.scenario
        rate = Quantity(float(s.request_rate), "1/second")
        extra = {
            name: ops[name]
            for name in (
                "error_budget",
                "canary_duration",
                "ab_samples_per_arm",
                "tail_probability",
            )
        }
        extra["ab_duration"] = Derivation(
            "ab_duration",
            r"T_{AB} = \frac{2 n}{r}",
            (
                Variable("n", "samples per arm", self.ab_samples_per_arm),
                Variable("r", "request rate", rate),
            ),
            self.ab_duration,
        )
        extra["detectable_regression"] = Derivation(
            "detectable_regression",
            r"\Delta_{min} = z_{\alpha/2} \sqrt{2}\, CV / \sqrt{n}",
            (
                Variable(r"z_{\alpha/2}", "two-sided 5 % quantile", Quantity(1.959964, "")),
                Variable("CV", "run-to-run variation", Quantity(s.benchmark_cv, "")),
                Variable("n", "runs per side", Quantity(s.benchmark_runs, ureg.dimensionless)),
            ),
            self.detectable_regression,
        )
        return extra

    def _federated_math(self) -> dict[str, Derivation]:
        # Federated derivations (only for a one-device step whose cohort is eligible).
        s = self.scenario
        n = Quantity(s.cohort, ureg.dimensionless)
        mean = Quantity(s.local_steps * self.step.latency.to("s").magnitude, ureg.s)
        model = Quantity(self._model_bytes / 1e9, ureg.GB)
        link = Quantity(s.link_kbps, ureg.kilobit / ureg.second)
        harmonic = sum(1.0 / k for k in range(1, s.cohort + 1))
        return {
            "participation": Derivation(
                "participation",
                r"p = d \cdot c \cdot q",
                (
                    Variable("d", "duty (share of time idle)", Quantity(s.duty, "")),
                    Variable("c", "connected share", Quantity(s.connectivity, "")),
                    Variable("q", "charging share", Quantity(s.charging, "")),
                ),
                self.participation,
            ),
            "eligible_devices": Derivation(
                "eligible_devices",
                r"N_{eligible} = N \cdot p",
                (
                    Variable("N", "population", Quantity(s.population, ureg.dimensionless)),
                    Variable("p", "participation", self.participation),
                ),
                self.eligible_devices,
            ),
            "straggler_time": Derivation(
                "straggler_time",
                r"T_{straggler} = \bar{t} \cdot H_n",
                (
                    Variable(r"\bar{t}", "mean local training (local steps x step)", mean),
                    Variable("H_n", "harmonic number of the cohort", Quantity(harmonic, "")),
                ),
                self.straggler_time,
            ),
            "round_time": Derivation(
                "round_time",
                r"T_{round} = \frac{M}{B_{link}} + T_{straggler} + \frac{M}{B_{link}}",
                (
                    Variable("M", "model size", model),
                    Variable("B_{link}", "device link", link),
                    Variable(
                        "T_{straggler}", "slowest client's local training", self.straggler_time
                    ),
                ),
                self.round_time,
            ),
            "bytes_per_round": Derivation(
                "bytes_per_round",
                r"D_{round} = n \cdot 2 M",
                (Variable("n", "cohort", n), Variable("M", "model size", model)),
                self.bytes_per_round,
            ),
            "round_energy": Derivation(
                "round_energy",
                r"E_{round} = k \cdot E_{step}",
                (
                    Variable("k", "local steps", Quantity(s.local_steps, ureg.dimensionless)),
                    Variable("E_{step}", "energy of one step", self.step.energy.to("J")),
                ),
                self.round_energy,
            ),
        }

    def _serving_math(self) -> dict[str, Derivation]:
        # Serving derivations (only for a serving step: phase prefill or decode).
        served, idle = self._serving, self._serving_capacity
        scenario, plan = self.scenario, self.step.parallelism
        shape = self.step.model.transformer
        context = min(scenario.prompt_tokens + scenario.output_tokens, shape.max_seq_len)
        n = Quantity(self.step.devices, ureg.dimensionless)
        tp = Quantity(plan.tp, ureg.dimensionless)
        bpv = BYTES_PER_VALUE[self.step.precision]
        waste = KV_CACHE_WASTE[scenario.kv_cache].quantity
        node_memory = Quantity(self.step.system.node.ram_bytes, ureg.byte)
        extra = {"kv_per_token": idle.math["kv_per_token"]}
        extra["kv_per_replica"] = Derivation(
            "kv_per_replica",
            r"M_{replica} = M_{KV} \cdot (s_{in} + s_{out}) \cdot B",
            (
                Variable("M_{KV}", "KV cache per token", self.kv_per_token),
                Variable(
                    "s_{in} + s_{out}", "context (prompt + output)", Quantity(context, ureg.token)
                ),
                Variable("B", "sequences per replica", Quantity(scenario.serving_batch, "")),
            ),
            self.kv_per_replica,
        )
        extra["kv_capacity"] = Derivation(
            "kv_capacity",
            r"B_{max} = \frac{(tp \cdot M_{dev} - W) (1 - w)}{M_{KV} (s_{in} + s_{out})}",
            (
                Variable("tp", "devices per replica", tp),
                Variable("M_{dev}", "memory of one device", node_memory),
                Variable(
                    "W", "weights of the model", Quantity(self.step.model.params * bpv, ureg.byte)
                ),
                Variable("w", f"share the {scenario.kv_cache} KV cache wastes", waste),
                Variable("M_{KV}", "KV cache per token", self.kv_per_token),
                Variable(
                    "s_{in} + s_{out}", "context (prompt + output)", Quantity(context, ureg.token)
                ),
            ),
            self.kv_capacity,
        )
        extra["replicas"] = Derivation(
            "replicas",
            r"R = N / tp",
            (Variable("N", "devices", n), Variable("tp", "devices per replica", tp)),
            self.replicas,
        )
        capacity = idle.math.get("tpot") if served is None else served.math["tpot"]
        decode = capacity.variables[0].value if capacity is not None else None
        if decode is not None:
            extra["serving_capacity"] = Derivation(
                "serving_capacity",
                r"\Theta_{max} = R \cdot B / T_{decode}",
                (
                    Variable("R", "replicas", self.replicas),
                    Variable("B", "sequences per replica", Quantity(scenario.serving_batch, "")),
                    Variable("T_{decode}", "decode step of the batch", decode),
                ),
                self.serving_capacity,
            )
        extra["cost_per_million_tokens"] = Derivation(
            "cost_per_million_tokens",
            r"C_{1M} = \frac{N \cdot p_{GPU}}{\Theta} \cdot 10^6",
            (
                Variable("N", "devices", n),
                Variable("p_{GPU}", "price per GPU-hour", GPU_USD_PER_HOUR.quantity),
                Variable("\\Theta", "output tokens served", self.serving_throughput),
            ),
            self.cost_per_million_tokens,
        )
        if served is None:
            return extra
        extra["tpot"] = served.math["tpot"]
        extra["in_flight"] = served.math["in_flight"]
        prefill = served.math["tpot"].variables[1].value
        transfer = 0.0
        if scenario.serving_mode == "disaggregated":
            kv_bytes = self.kv_per_token.to("byte").magnitude
            transfer = scenario.prompt_tokens * kv_bytes / plan.tp / self.step.system.scale_out_bps
        wait = self.ttft.to("s").magnitude - prefill.to("s").magnitude - transfer
        extra["ttft"] = Derivation(
            "ttft",
            r"TTFT = W_q + T_{prefill} + T_{transfer}",
            (
                Variable("W_q", "mean queue wait", Quantity(max(0.0, wait) * 1e3, ureg.ms)),
                Variable("T_{prefill}", "prefill of one prompt", prefill.to("ms")),
                Variable(
                    "T_{transfer}",
                    "KV transfer to the decode pool",
                    Quantity(transfer * 1e3, ureg.ms),
                ),
            ),
            self.ttft,
        )
        extra["request_latency"] = Derivation(
            "request_latency",
            r"T_{request} = TTFT + s_{out} \cdot TPOT",
            (
                Variable("TTFT", "time to first token", self.ttft),
                Variable("s_{out}", "output tokens", Quantity(scenario.output_tokens, ureg.token)),
                Variable("TPOT", "time per output token", self.tpot),
            ),
            self.request_latency,
        )
        extra["serving_utilization"] = Derivation(
            "serving_utilization",
            r"\rho = \lambda_r \left(T_{prefill} + s_{out} \cdot TPOT / B\right)"
            if scenario.serving_mode == "colocated"
            else r"\rho = \max(\rho_{prefill}, \rho_{decode})",
            (
                Variable(
                    r"\lambda_r",
                    "requests per second per replica",
                    Quantity(scenario.arrival_rate / self.replicas.magnitude, "1/second"),
                ),
                Variable("T_{prefill}", "prefill of one prompt", prefill.to("ms")),
                Variable("TPOT", "time per output token", self.tpot),
                Variable("B", "sequences per replica", Quantity(scenario.serving_batch, "")),
            ),
            self.serving_utilization,
        )
        return extra

    # -- derivations --------------------------------------------------------------------------

    @cached_property
    def math(self) -> Math:
        """The step's derivations plus those of every consequence field, for MathPeek."""
        n = self.step.devices
        mtbf = self.mtbf
        write = self.checkpoint_write
        recover = self._failures.recovery_time
        interval = self.checkpoint_interval
        extra = {
            "mtbf": self._failures.math["mtbf"],
            "checkpoint_size": Derivation(
                "checkpoint_size",
                r"S_{ckpt} = P \cdot (b + b_{opt})",
                (
                    Variable("P", "parameters", Quantity(self.step.model.params, "")),
                    Variable(
                        "b",
                        "bytes per weight",
                        Quantity(BYTES_PER_VALUE[self.step.precision], ureg.byte),
                    ),
                    Variable(
                        "b_{opt}",
                        "optimizer bytes per weight (Adam moments, fp32 master)",
                        Quantity(
                            f.optimizer_bytes_per_param(BYTES_PER_VALUE[self.step.precision]),
                            ureg.byte,
                        ),
                    ),
                ),
                self.checkpoint_size,
            ),
            "optimal_checkpoint_interval": Derivation(
                "optimal_checkpoint_interval",
                ff.LATEX["young_daly"],
                (
                    Variable("T_{write}", "checkpoint write time", write),
                    Variable("MTBF", "mean time between failures", mtbf),
                ),
                self.optimal_checkpoint_interval,
            ),
            "goodput": Derivation(
                "goodput",
                ff.LATEX["goodput"],
                (
                    Variable(r"\tau", "checkpoint interval", interval),
                    Variable("T_{write}", "checkpoint write time", write),
                    Variable("T_{recover}", "recovery time", recover),
                    Variable("MTBF", "mean time between failures", mtbf),
                ),
                self.goodput,
            ),
            "time_to_train": Derivation(
                "time_to_train",
                r"T_{train} = \frac{\lceil D / (B \cdot s) \rceil \cdot T_{step}}{G}",
                (
                    Variable("D", "training tokens", Quantity(self.train_tokens, "")),
                    Variable("T_{step}", "step time", self.step.latency),
                    Variable("G", "goodput", self.goodput),
                ),
                self.time_to_train,
            ),
            "training_cost": Derivation(
                "training_cost",
                r"C = N \cdot T_{train} \cdot p_{GPU}",
                (
                    Variable("N", "devices", Quantity(n, ureg.dimensionless)),
                    Variable("T_{train}", "wall time", self.time_to_train),
                    Variable("p_{GPU}", "price per GPU-hour", GPU_USD_PER_HOUR.quantity),
                ),
                self.training_cost,
            ),
        }
        extra["model_flops"] = self._model_flops_derivation()
        plan = self.step.parallelism
        extra["devices"] = Derivation(
            "devices",
            r"N = dp \cdot tp \cdot pp",
            (
                Variable("dp", "data-parallel replicas", Quantity(plan.dp, ureg.dimensionless)),
                Variable("tp", "tensor-parallel ways", Quantity(plan.tp, ureg.dimensionless)),
                Variable("pp", "pipeline stages", Quantity(plan.pp, ureg.dimensionless)),
            ),
            self.devices,
        )
        extra["scaling_efficiency"] = Derivation(
            "scaling_efficiency",
            r"\eta = \frac{T_c / N}{T_{step}}",
            (
                Variable("T_c / N", "one device's share of the compute", self.latency_compute),
                Variable("T_{step}", "step time", self.step.latency),
            ),
            self.scaling_efficiency,
        )
        extra["checkpoint_write"] = Derivation(
            "checkpoint_write",
            r"T_{write} = S_{ckpt} / BW_{write}",
            (
                Variable("S_{ckpt}", "checkpoint size", self.checkpoint_size),
                Variable(
                    "BW_{write}",
                    "storage write bandwidth",
                    CHECKPOINT_WRITE_BPS.quantity.to("GB/s"),
                ),
            ),
            write,
        )
        if self.scenario.checkpoint_interval is None:
            extra["checkpoint_interval"] = extra["optimal_checkpoint_interval"]
        if not math.isinf(self._compute_hours / max(self._goodput, 1e-300)):
            # Named after the report's field, so the peek titles it "energy of the run".
            extra["run_energy"] = replace(self._footprint.math["energy"], name="run_energy")
            extra["carbon"] = replace(self._footprint.math["carbon"], name="carbon")
            extra["embodied_carbon"] = Derivation(
                "embodied_carbon",
                r"C_{embodied} = N \cdot C_{device} \cdot T_{train} / T_{life}",
                (
                    Variable("N", "devices", Quantity(self.step.devices, ureg.dimensionless)),
                    Variable(
                        "C_{device}",
                        "manufacturing carbon per device",
                        EMBODIED_KG_PER_GPU.quantity,
                    ),
                    Variable("T_{train}", "wall time of the run", self.time_to_train),
                    Variable("T_{life}", "device lifetime", HARDWARE_LIFETIME_HOURS.quantity),
                ),
                self.embodied_carbon,
            )
        extra["facility_power"] = Derivation(
            "facility_power",
            r"P_{facility} = P_{IT} \cdot PUE",
            (
                Variable("P_{IT}", "IT power of the cluster", self.step.system.it_power),
                Variable("PUE", f"power usage effectiveness ({self.scenario.cooling})", self.pue),
            ),
            self.facility_power,
        )
        extra["rack_power"] = Derivation(
            "rack_power",
            r"P_{rack} = n_{servers} \cdot P_{server}",
            (
                Variable(
                    "n_{servers}",
                    "servers per rack",
                    Quantity(self.scenario.servers_per_rack, ureg.dimensionless),
                ),
                Variable("P_{server}", "power of one server", self.step.system.server_power),
            ),
            self.rack_power,
        )
        if self.scenario.job_gpus <= self.step.devices:
            extra["queue_wait"] = self._queue.math["queue_wait"]
        if self._serves:
            extra.update(self._serving_math())
            kept = 1.0 - KV_CACHE_WASTE[self.scenario.kv_cache].value
            extra["memory_footprint"] = Derivation(
                "memory_footprint",
                r"M = \frac{P b}{tp} + \frac{M_{KV}}{tp \cdot (1 - w)}",
                (
                    Variable("P b / tp", "weights per device", self.serving_weights),
                    Variable("M_{KV}/tp", "KV cache of the batch per device", self.kv_per_device),
                    Variable(
                        "w",
                        f"share the {self.scenario.kv_cache} layout wastes",
                        Quantity(1.0 - kept, ureg.dimensionless),
                    ),
                ),
                self.memory_footprint,
            )
        extra.update(self._operations_math())
        if math.isfinite(self.time_to_train.magnitude):
            extra.update(self._trust_math())
        eligible = self.scenario.cohort <= self.eligible_devices.magnitude
        if self.step.devices == 1 and self.step.phase == "train" and eligible:
            extra.update(self._federated_math())
        return Math({**self.step.math, **extra})

    def _model_flops_derivation(self) -> Derivation:
        # A transformer's model FLOP count 2 per active parameter per token forward (6 to
        # train); a CNN's, its forward FLOP per sample (3x to train: forward and backward).
        step, train = self.step, self.step.phase == "train"
        if step.model.transformer is not None:
            tokens = step.batch_size * (step.seq_len or 1)
            k = 6 if train else 2
            per = step.model_flops.to("FLOP").magnitude / k / tokens
            return Derivation(
                "model_flops",
                r"W_{model} = k \cdot P_{active} \cdot B s",
                (
                    Variable("k", "FLOP per parameter per token", Quantity(k, "")),
                    Variable("P_{active}", "parameters each token uses", Quantity(per, "")),
                    Variable("B s", "tokens per step", Quantity(tokens, "")),
                ),
                step.model_flops,
            )
        k = 3 if train else 1
        per = step.model_flops.to("FLOP").magnitude / k / step.batch_size
        return Derivation(
            "model_flops",
            r"W_{model} = k \cdot F_{fwd} \cdot B",
            (
                Variable("k", "passes (3 to train: forward and backward)", Quantity(k, "")),
                Variable("F_{fwd}", "forward FLOP per sample", Quantity(per, ureg.FLOP)),
                Variable("B", "samples per step", Quantity(step.batch_size, "")),
            ),
            step.model_flops,
        )

    def __repr__(self) -> str:
        return f"<FleetReport of {self.step!r}>"


__all__ = ["FleetReport", "FleetScenario"]
