"""Layer 5: fleet simulations, what is not one step (Volume 2). Each returns a ``FleetLedger``.

- ``TrainingRun``: time to train D tokens, cost, energy, carbon and failures on a cluster.
- ``PlanSearch``: every parallelism plan of a step, and the feasible one with the best MFU.
- ``ServingFleet``: serving at scale: TTFT, TPOT, KV cache per token and per replica,
  colocated or disaggregated prefill/decode, random or power-of-two routing, Little's law, P99.
- ``ClusterQueue``: scheduling: queue wait with service-time variability (gang slots, M/G/c),
  fragmentation and the preemption tax.
- ``DataPipeline``: required read bandwidth of a training step and the checkpoint write storm.
- ``FederatedRound``: a device-fleet round: participation, round time as an order statistic
  (the slowest client), bytes per round.
- ``Sustainability``: energy x PUE x grid intensity (by region, or hour by hour), embodied
  carbon and water; a region must be named (no silent default grid).
- ``Operations``: error budgets, canary duration, A/B sample size, detectable benchmark
  regressions and fan-out tail amplification.
- ``TrustCosts``: the measured costs of privacy (DP-SGD), robustness and responsible engineering.

Every simulation builds on ``Engine.solve`` (a step on a cluster) and ``Reliability.solve`` and
adds only the bookkeeping of its question, through the laws of ``mlsys.fleet_formulas``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from types import MappingProxyType
from typing import Any, ClassVar

from mlsys import fleet_formulas as ff
from mlsys import formulas as f
from mlsys.cluster import Cluster
from mlsys.constants import DATACENTER_PUE, grid_intensity
from mlsys.derivation import Derivation, Math, Variable
from mlsys.engine import Engine
from mlsys.fleet_constants import (
    CHECKPOINT_WRITE_BPS,
    DP_SGD_STEP_SLOWDOWN,
    EMBODIED_KG_PER_GPU,
    GPU_USD_PER_HOUR,
    HARDWARE_LIFETIME_HOURS,
    KV_CACHE_WASTE,
    PGD_ATTACK_STEPS,
    RESPONSIBLE_COSTS,
    WATER_L_PER_KWH,
)
from mlsys.fleet_ledger import FleetLedger
from mlsys.fleet_step import FleetProfile, solve_steps
from mlsys.hardware import BYTES_PER_VALUE
from mlsys.memo import memoized
from mlsys.models import ModelSpec
from mlsys.parallelism import Parallelism
from mlsys.parallelism import plans as enumerate_plans
from mlsys.reliability import Reliability
from mlsys.units import Quantity, ureg

J_PER_KWH = 3.6e6
#: Tail quantile the serving and queueing simulations report.
TAIL = 0.99


def _q(value: float, unit: str) -> Quantity:
    return Quantity(value, unit)


def _v(symbol: str, description: str, value: float, unit: str) -> Variable:
    return Variable(symbol, description, Quantity(value, unit))


def _number(
    value: Any, name: str, unit: str | None, *, low: float = 0.0, strict: bool = True
) -> float:
    """``value`` as a float in ``unit`` (a quantity or a plain number already in it), above
    ``low`` (or at least ``low`` when not ``strict``); ValueError naming ``name`` otherwise."""
    if isinstance(value, Quantity):
        if unit is None:
            raise ValueError(f"{name}: expected a plain number, got {value!r}")
        try:
            number = float(value.to(unit).magnitude)
        except Exception:
            raise ValueError(f"{name}: expected a quantity in {unit}, got {value.units}") from None
    elif isinstance(value, Real) and not isinstance(value, bool):
        number = float(value)
    else:
        raise ValueError(f"{name}: expected a number{f' in {unit}' if unit else ''}, got {value!r}")
    ok = number > low if strict else number >= low
    if not (ok and math.isfinite(number)):
        sign = ">" if strict else ">="
        raise ValueError(f"{name}: must be finite and {sign} {low:g}, got {value!r}")
    return number


def _whole(value: Any, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{name}: expected a whole number >= {low}, got {value!r}")
    return int(value)


def _cluster(system: Any) -> Cluster:
    if not isinstance(system, Cluster):
        raise ValueError(
            f"system: expected a mlsys.Cluster (e.g. Systems.Clusters.Llama3_RoCE), got {type(system).__name__}"
        )
    return system


# -- training run -------------------------------------------------------------------------------


class TrainingRun:
    """A whole training run: steps x step time, stretched by failures and checkpoints."""

    @staticmethod
    def solve(
        model: ModelSpec,
        system: Cluster,
        tokens: Any,
        batch_size: int,
        parallelism: Parallelism | None = None,
        *,
        seq_len: int | None = None,
        precision: str | None = None,
        efficiency: float | None = None,
        checkpoint: Any = None,
        region: str | None = None,
        pue: float | None = None,
        usd_per_gpu_hour: float | None = None,
    ) -> FleetLedger:
        """Train ``model`` on ``tokens`` tokens (a number) in global batches of ``batch_size``
        sequences. ``checkpoint`` (bytes) defaults to the training state: the weights plus
        Adam's moments and fp32 master copy (2 + 12 B per parameter in fp16). ``region`` names
        the grid for carbon (required: no silent default); ``pue`` defaults to the data-centre
        average; ``usd_per_gpu_hour`` to the book's $2. Results: steps, step time, MFU,
        feasibility, compute and wall time (days), goodput, interruptions, checkpoint
        interval, GPU-hours, cost, facility energy, carbon (with embodied) and water."""
        cluster = _cluster(system)
        total_tokens = _number(tokens, "tokens", None)
        if region is None:
            raise ValueError("region: name the grid the run draws from (e.g. 'US average')")
        step = Engine.solve(
            model=model,
            system=cluster,
            batch_size=batch_size,
            precision=precision,
            efficiency=efficiency,
            seq_len=seq_len,
            phase="train",
            parallelism=parallelism,
        )
        tokens_per_step = batch_size * (step.inputs.node.seq_len or 1)
        steps = math.ceil(total_tokens / tokens_per_step)
        step_s = step.latency.to("s").magnitude
        compute_h = steps * step_s / 3600.0
        if checkpoint is None:
            bpv = BYTES_PER_VALUE[step.precision]
            checkpoint = model.params * (bpv + f.optimizer_bytes_per_param(bpv)) * ureg.byte
        failures = Reliability.solve(cluster, compute_h * ureg.hour, checkpoint)
        goodput = failures.goodput or 0.0
        if goodput <= 0.0:
            raise ValueError(
                "checkpoint: the job fails faster than it checkpoints and recovers; goodput is zero"
            )
        wall_h = compute_h / goodput
        devices = cluster.count
        gpu_hours = devices * wall_h
        price = (
            GPU_USD_PER_HOUR.value
            if usd_per_gpu_hour is None
            else _number(usd_per_gpu_hour, "usd_per_gpu_hour", "USD/hour")
        )
        it_j = (
            steps * step.energy.to("J").magnitude
            + devices * cluster.node.static_w * (wall_h - compute_h) * 3600.0
        )
        footprint = Sustainability.solve(
            energy=it_j * ureg.joule, region=region, pue=pue, devices=devices, hours=wall_h
        )
        interruptions = failures.failure_rate.magnitude * wall_h
        values = {
            "steps": steps,
            "step_time": step.latency,
            "mfu": step.mfu,
            "feasible": step.feasible,
            "memory_per_device": step.memory_footprint,
            "compute_time": _q(compute_h / 24.0, "day"),
            "time_to_train": _q(wall_h / 24.0, "day"),
            "goodput": goodput,
            "interruptions": interruptions,
            "checkpoint_interval": failures.checkpoint_interval,
            "gpu_hours": _q(gpu_hours, "hour"),
            "cost": _q(gpu_hours * price, "USD"),
            "energy": footprint.energy,
            "carbon": footprint.carbon,
            "embodied_carbon": footprint.embodied_carbon,
            "water": footprint.water,
        }
        math_ = Math(
            {
                "time_to_train": Derivation(
                    "time_to_train",
                    r"T_{train} = \frac{\lceil D / (B \cdot s) \rceil \cdot T_{step}}{G}",
                    (
                        _v("D", "training tokens", total_tokens, "token"),
                        _v("B s", "tokens per step", tokens_per_step, "token"),
                        Variable("T_{step}", "step time", step.latency),
                        _v("G", "goodput after failures and checkpoints", goodput, "dimensionless"),
                    ),
                    values["time_to_train"],
                ),
                "cost": Derivation(
                    "cost",
                    r"C = N \cdot T_{train} \cdot p_{GPU}",
                    (
                        _v("N", "devices", devices, "dimensionless"),
                        _v("T_{train}", "wall time", wall_h, "hour"),
                        _v("p_{GPU}", "price per GPU-hour", price, "USD/hour"),
                    ),
                    values["cost"],
                ),
                **{k: footprint.math[k] for k in ("carbon", "energy")},
                "goodput": failures.math["goodput"],
            }
        )
        choice = {
            "model": model.name,
            "system": cluster.name,
            "tokens": total_tokens,
            "batch_size": batch_size,
            "region": region,
        }
        return FleetLedger("TrainingRun", choice, values, math_)


# -- the design space of parallelism plans -------------------------------------------------------


def _node_solver(*args: Any) -> tuple[Any, dict[str, float]]:
    """One node's resolved inputs and raw floats, as ``mlsys.fleet_step`` splits them, from
    ``(model, system, batch_size, precision, efficiency, seq_len, phase, runtime)``."""
    keywords = dict(zip(("seq_len", "phase", "runtime"), args[5:], strict=True))
    node = Engine.solve(*args[:5], **keywords)
    return node.inputs, node._raw


class PlanSearch:
    """Every parallelism plan of a training step on a cluster, solved as one batch: plans
    whose devices run the same microbatch share one node solve (``fleet_step.solve_steps``), so
    a few hundred plans take milliseconds."""

    @staticmethod
    def solve(
        model: ModelSpec,
        system: Cluster,
        batch_size: int,
        *,
        plans: Sequence[Parallelism] | None = None,
        seq_len: int | None = None,
        precision: str | None = None,
        efficiency: float | None = None,
        zero: int = 0,
    ) -> FleetLedger:
        """Solve ``plans`` (default: ``mlsys.parallelism.plans`` of the cluster with ZeRO
        stage ``zero``) and report every profile, the feasible ones, and the feasible plan with
        the highest MFU as ``best`` (None when no plan fits in memory)."""
        cluster = _cluster(system)
        if plans is None:
            plans = enumerate_plans(
                cluster.count, model, batch_size, per_node=cluster.per_node, zero=zero
            )
        if not plans:
            raise ValueError(
                f"plans: no plan splits a batch of {batch_size} over {cluster.count} devices"
            )
        profiles = solve_steps(
            model,
            [(cluster, plan, batch_size) for plan in plans],
            precision,
            efficiency,
            seq_len=seq_len,
            phase="train",
            runtime=None,
            node_solver=_node_solver,
        )
        fits = [p for p in profiles if p.feasible]
        best = max(fits, key=lambda p: p.mfu) if fits else None
        values = {
            "profiles": profiles,
            "feasible": fits,
            "best": best,
            "best_plan": best.parallelism if best else None,
            "best_mfu": best.mfu if best else None,
        }
        math_ = Math({"best_mfu": best.math["mfu"]}) if best else Math({})
        choice = {"model": model.name, "system": cluster.name, "batch_size": batch_size}
        return FleetLedger("PlanSearch", choice, values, math_)


# -- sustainability -----------------------------------------------------------------------------


class Sustainability:
    """Carbon, energy and water of a job: ``CO2 = E_IT x PUE x CI + embodied``."""

    @staticmethod
    @memoized  # pure; a sweep asks again for each setting that leaves the run's energy unchanged
    def solve(
        energy: Any,
        region: str | None = None,
        *,
        grid_intensity_by_hour: Sequence[float] | None = None,
        start_hour: int = 0,
        pue: float | None = None,
        devices: int = 0,
        hours: float = 0.0,
    ) -> FleetLedger:
        """``energy`` is the IT energy (J or kWh quantity). The grid is ``region``'s (see
        ``mlsys.constants.GRID_CARBON_INTENSITY``) or ``grid_intensity_by_hour``, 24 values in
        gCO2/kWh with the job spread evenly over ``hours`` from ``start_hour``; one of the two
        is required. ``devices`` and ``hours`` amortise the devices' embodied carbon."""
        it_j = _number(energy, "energy", "joule", strict=False)
        duration_h = _number(hours, "hours", None, strict=False)
        count = _whole(devices, "devices", low=0)
        if grid_intensity_by_hour is not None:
            profile = [
                _number(v, "grid_intensity_by_hour", None, strict=False)
                for v in grid_intensity_by_hour
            ]
            if len(profile) != 24:
                raise ValueError(
                    f"grid_intensity_by_hour: expected 24 hourly values, got {len(profile)}"
                )
            hour0 = _whole(start_hour, "start_hour", low=0) % 24
            span = max(1, math.ceil(duration_h))
            intensity = sum(profile[(hour0 + h) % 24] for h in range(span)) / span
            where = f"hourly profile from {hour0}:00"
        elif region is not None:
            intensity = grid_intensity(region).value
            where = region
        else:
            raise ValueError(
                "region: name the grid (or pass grid_intensity_by_hour); no default grid"
            )
        ratio = DATACENTER_PUE.value if pue is None else _number(pue, "pue", None)
        if ratio < 1.0:
            raise ValueError(f"pue: facility power is at least IT power (PUE >= 1), got {pue!r}")
        facility_j = ff.facility_energy_j(it_j, ratio)
        operational = ff.operational_carbon_kg(facility_j, intensity)
        embodied = ff.amortised_embodied_kg(
            count, duration_h, EMBODIED_KG_PER_GPU.value, HARDWARE_LIFETIME_HOURS.value
        )
        water_l = it_j / J_PER_KWH * WATER_L_PER_KWH.value
        values = {
            "energy_it": _q(it_j / J_PER_KWH / 1e3, "MWh"),
            "energy": _q(facility_j / J_PER_KWH / 1e3, "MWh"),
            "grid_intensity": _q(intensity, "gCO2/kWh"),
            "region": where,
            "pue": ratio,
            "operational_carbon": _q(operational / 1e3, "tonne"),
            "embodied_carbon": _q(embodied / 1e3, "tonne"),
            "carbon": _q((operational + embodied) / 1e3, "tonne"),
            "water": _q(water_l, "liter"),
        }

        def math_() -> Math:
            return Math(
                {
                    "energy": Derivation(
                        "energy",
                        r"E_{facility} = E_{IT} \cdot PUE",
                        (
                            _v("E_{IT}", "IT energy", it_j / J_PER_KWH / 1e3, "MWh"),
                            _v("PUE", "power usage effectiveness", ratio, "dimensionless"),
                        ),
                        values["energy"],
                    ),
                    "carbon": Derivation(
                        "carbon",
                        ff.LATEX["carbon"],
                        (
                            _v(
                                "E_{IT} PUE", "facility energy", facility_j / J_PER_KWH / 1e3, "MWh"
                            ),
                            _v("CI", f"grid intensity ({where})", intensity, "gCO2/kWh"),
                            _v(
                                "C_{embodied}",
                                "amortised manufacturing carbon",
                                embodied / 1e3,
                                "tonne",
                            ),
                        ),
                        values["carbon"],
                    ),
                }
            )

        choice = {"region": where, "pue": ratio, "devices": count, "hours": duration_h}
        return FleetLedger("Sustainability", choice, values, math_)


# -- serving at scale ---------------------------------------------------------------------------


def _queue_length_tail(utilization: float, choices: int, quantile: float) -> tuple[float, int]:
    """Mean requests per server and the ``quantile`` of the queue length a request joins, for
    random routing (``choices=1``: M/M/1, P(Q >= i) = rho^i) or the shorter of ``choices``
    queues (Mitzenmacher 2001: P(Q >= i) = rho^((d^i - 1)/(d - 1)))."""

    def tail(i: int) -> float:
        exponent = i if choices == 1 else (choices**i - 1) / (choices - 1)
        return utilization**exponent

    mean = utilization / (1.0 - utilization) if choices == 1 else sum(tail(i) for i in range(1, 64))
    # The smallest i with tail(i + 1) <= 1 - quantile, solved in closed form (a step-by-step
    # search takes ~log(1 - q) / log(rho) steps: tens of thousands near saturation), then
    # nudged so floating-point rounding gives the same i the search would.
    i = 0
    if 0.0 < utilization < 1.0:
        need = math.log(1.0 - quantile) / math.log(utilization)  # exponent reaching the tail
        if choices == 1:
            reach = math.ceil(need)
        else:
            reach = math.ceil(math.log(1.0 + (choices - 1) * need) / math.log(choices))
        i = max(0, reach - 1)
        while i > 0 and tail(i) <= 1.0 - quantile:
            i -= 1
    while tail(i + 1) > 1.0 - quantile:
        i += 1
    return mean, i


class ServingFleet:
    """LLM serving on a cluster cut into tensor-parallel replicas."""

    #: Queues a router compares per request: random (1) or the shorter of two (Mitzenmacher).
    ROUTING: ClassVar[Mapping[str, int]] = MappingProxyType({"random": 1, "power_of_two": 2})

    @staticmethod
    @memoized  # pure; a sweep asks again for each setting that leaves the fleet unchanged
    def solve(
        model: ModelSpec,
        system: Cluster,
        arrival_rate: Any,
        *,
        prompt_tokens: int = 1024,
        output_tokens: int = 256,
        batch_size: int = 32,
        tp: int = 1,
        precision: str | None = None,
        disaggregated: bool = False,
        routing: str = "random",
        kv_cache: str = "paged",
    ) -> FleetLedger:
        """Serve ``arrival_rate`` requests/s of ``prompt_tokens`` in and ``output_tokens`` out.
        Each replica is ``tp`` devices decoding ``batch_size`` sequences at once. Colocated
        replicas pause decoding for every prefill (TPOT grows by the prefill share);
        disaggregated pools split the devices by work and ship each prompt's KV cache over the
        scale-out fabric. Queueing treats a replica as one server of mean service time
        ``prefill + output x TPOT / batch``; ``routing`` "random" or "power_of_two". The KV
        cache is ``kv_cache`` "paged" (vLLM) or "contiguous" (pre-allocated), which decides how
        much of the memory left after the weights holds live sequences."""
        cluster = _cluster(system)
        rate = _number(arrival_rate, "arrival_rate", "1/second")
        shape = model.transformer
        if shape is None or not shape.decoder:
            raise ValueError(
                f"model: serving at scale needs a decoder transformer, got {model.name}"
            )
        prompt = _whole(prompt_tokens, "prompt_tokens")
        output = _whole(output_tokens, "output_tokens")
        batch = _whole(batch_size, "batch_size")
        tp = _whole(tp, "tp")
        if routing not in ServingFleet.ROUTING:
            raise ValueError(
                f"routing: expected one of {', '.join(ServingFleet.ROUTING)}, got {routing!r}"
            )
        if not isinstance(disaggregated, bool):
            raise ValueError(f"disaggregated: expected True or False, got {disaggregated!r}")
        if cluster.count % tp or tp > cluster.count:
            raise ValueError(f"tp: {cluster.count} devices do not split into replicas of tp={tp}")
        replicas = cluster.count // tp
        replica = Cluster(
            node=cluster.node,
            count=tp,
            per_node=min(tp, cluster.per_node),
            scale_up=cluster.scale_up,
            scale_out=cluster.scale_out,
            oversubscription=cluster.oversubscription,
        )
        plan = Parallelism(tp=tp)
        prefill = Engine.solve(
            model=model,
            system=replica,
            batch_size=1,
            precision=precision,
            seq_len=prompt,
            phase="prefill",
            parallelism=plan,
        )
        context = min(prompt + output, shape.max_seq_len)
        decode = Engine.solve(
            model=model,
            system=replica,
            batch_size=batch,
            precision=precision,
            seq_len=context,
            phase="decode",
            parallelism=plan,
        )
        bpv = BYTES_PER_VALUE[decode.precision]
        kv_token = f.kv_cache_bytes_per_token(shape.n_layers, shape.kv_dim, bpv)
        weights = model.params * bpv
        if kv_cache not in KV_CACHE_WASTE:
            raise ValueError(
                f"kv_cache: expected one of {', '.join(KV_CACHE_WASTE)}, got {kv_cache!r}"
            )
        kv_room = (cluster.node.ram_bytes * tp - weights) * (1.0 - KV_CACHE_WASTE[kv_cache].value)
        seq_capacity = max(0.0, kv_room) / (kv_token * context)
        t_prefill = prefill.latency.to("s").magnitude
        t_decode = decode.latency.to("s").magnitude
        transfer = 0.0
        if disaggregated:
            prefill_work = rate * t_prefill
            decode_work = rate * output * t_decode / batch
            prefill_replicas = max(1, round(replicas * prefill_work / (prefill_work + decode_work)))
            decode_replicas = max(1, replicas - prefill_replicas)
            if prefill_replicas + decode_replicas > replicas:
                raise ValueError(
                    f"system: {replicas} replica(s) cannot be split into prefill and decode pools"
                )
            transfer = prompt * kv_token / tp / cluster.scale_out_bps
            rho = max(prefill_work / prefill_replicas, decode_work / decode_replicas)
            tpot = t_decode
        else:
            per_replica = rate / replicas
            prefill_share = per_replica * t_prefill
            if prefill_share >= 1.0:
                raise ValueError("arrival_rate: prefills alone exceed every replica's time")
            tpot = t_decode / (1.0 - prefill_share)
            rho = prefill_share + per_replica * output * tpot / batch
        if rho >= 1.0:
            raise ValueError(
                f"arrival_rate: {rate:g} requests/s load the replicas to {rho:.0%}; the queue grows without bound"
            )
        service = t_prefill + output * tpot / batch
        mean_queue, tail_queue = _queue_length_tail(rho, ServingFleet.ROUTING[routing], TAIL)
        per_server_rate = rho / service
        wait = max(0.0, mean_queue / per_server_rate - service)
        ttft = wait + t_prefill + transfer
        ttft_p99 = tail_queue * service + t_prefill + transfer
        e2e = ttft + output * tpot
        values = {
            "ttft": _q(ttft * 1e3, "ms"),
            "ttft_p99": _q(ttft_p99 * 1e3, "ms"),
            "tpot": _q(tpot * 1e3, "ms"),
            "latency": _q(e2e * 1e3, "ms"),
            "kv_per_token": _q(kv_token, "byte"),
            "kv_per_replica": _q(kv_token * context * batch, "byte"),
            "max_sequences_per_replica": seq_capacity,
            "feasible": batch <= seq_capacity,
            "replicas": replicas,
            "utilization": rho,
            "in_flight": ff.little_in_flight(rate, e2e),
            "throughput": _q(rate * output, "token/second"),
            "tokens_per_second_capacity": _q(replicas * batch / t_decode, "token/second"),
        }

        def math_() -> Math:
            return Math(
                {
                    "kv_per_token": Derivation(
                        "kv_per_token",
                        r"M_{KV} = 2 \cdot L \cdot H_{kv} d_{head} \cdot b",
                        (
                            _v("L", "layers", shape.n_layers, "dimensionless"),
                            _v(
                                "H_{kv} d_{head}",
                                "key width per layer",
                                shape.kv_dim,
                                "dimensionless",
                            ),
                            _v("b", "bytes per value", bpv, "byte"),
                        ),
                        values["kv_per_token"],
                    ),
                    "in_flight": Derivation(
                        "in_flight",
                        ff.LATEX["little"],
                        (
                            _v(r"\lambda", "arrival rate", rate, "1/second"),
                            _v("W", "time in system", e2e, "second"),
                        ),
                        _q(values["in_flight"], "dimensionless"),
                    ),
                    "tpot": Derivation(
                        "tpot",
                        r"TPOT = \frac{T_{decode}}{1 - \lambda_r T_{prefill}}"
                        if not disaggregated
                        else r"TPOT = T_{decode}",
                        (
                            Variable("T_{decode}", "decode step of the batch", decode.latency),
                            Variable("T_{prefill}", "prefill of one prompt", prefill.latency),
                        ),
                        values["tpot"],
                    ),
                }
            )

        choice = {
            "model": model.name,
            "system": cluster.name,
            "arrival_rate": rate,
            "tp": tp,
            "batch_size": batch,
            "disaggregated": disaggregated,
            "routing": routing,
            "kv_cache": kv_cache,
        }
        return FleetLedger("ServingFleet", choice, values, math_)


# -- scheduling ---------------------------------------------------------------------------------


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival waits in an M/M/c queue with ``offered_load`` = lambda/mu
    (Erlang C), computed through the Erlang B recursion for stability."""
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    utilization = offered_load / servers
    return blocking / (1.0 - utilization * (1.0 - blocking))


class ClusterQueue:
    """Jobs of ``job_gpus`` devices (gang-scheduled: all or nothing) sharing a cluster."""

    @staticmethod
    @memoized  # pure; a sweep asks again for each setting that leaves the queue unchanged
    def solve(
        system: Cluster,
        arrival_rate: Any,
        mean_job_time: Any,
        job_gpus: int,
        *,
        service_cv: float = 1.0,
        preemptions_per_job: float = 0.0,
        checkpoint_interval: Any = 0.0,
        restart_time: Any = 0.0,
    ) -> FleetLedger:
        """Queue wait (Allen-Cunneen M/G/c: Erlang C x (1 + C_s^2)/2, which is Kingman's
        ``rho/(1-rho) (1+C^2)/2 E[S]`` with one slot), idle devices that no gang fits, and the
        preemption tax: each preemption loses half a checkpoint interval plus a restart."""
        cluster = _cluster(system)
        lam = _number(arrival_rate, "arrival_rate", "1/hour")
        mean_h = _number(mean_job_time, "mean_job_time", "hour")
        gang = _whole(job_gpus, "job_gpus")
        cv = _number(service_cv, "service_cv", None, strict=False)
        preemptions = _number(preemptions_per_job, "preemptions_per_job", None, strict=False)
        interval_h = _number(checkpoint_interval, "checkpoint_interval", "hour", strict=False)
        restart_h = _number(restart_time, "restart_time", "hour", strict=False)
        slots = cluster.count // gang
        if slots < 1:
            raise ValueError(f"job_gpus: {gang} exceeds the cluster's {cluster.count} devices")
        tax_h = preemptions * (interval_h / 2.0 + restart_h)
        service_h = mean_h + tax_h
        load = lam * service_h
        rho = load / slots
        if rho >= 1.0:
            raise ValueError(
                f"arrival_rate: {lam:g} jobs/h of {service_h:g} h on {slots} gang slots is {rho:.0%} utilisation; the queue grows without bound"
            )
        waiting = erlang_c(slots, load)
        wait_h = waiting / (slots / service_h - lam) * (1.0 + cv**2) / 2.0
        values = {
            "utilization": rho,
            "slots": slots,
            "idle_devices": cluster.count - slots * gang,
            "probability_of_waiting": waiting,
            "queue_wait": _q(wait_h, "hour"),
            "preemption_tax": tax_h / mean_h,
            "turnaround": _q(wait_h + service_h, "hour"),
        }
        math_ = Math(
            {
                "queue_wait": Derivation(
                    "queue_wait",
                    r"W_q = \frac{C(c, \lambda E[S])}{c/E[S] - \lambda}\cdot\frac{1+C_s^2}{2}",
                    (
                        _v("c", "gang slots", slots, "dimensionless"),
                        _v(r"\lambda", "arrival rate", lam, "1/hour"),
                        _v("E[S]", "mean service time with preemption tax", service_h, "hour"),
                        _v("C_s", "service-time coefficient of variation", cv, "dimensionless"),
                    ),
                    values["queue_wait"],
                )
            }
        )
        return FleetLedger(
            "ClusterQueue",
            {"system": cluster.name, "job_gpus": gang, "arrival_rate": lam},
            values,
            math_,
        )


# -- storage and data loading ------------------------------------------------------------------


class DataPipeline:
    """What storage must sustain to keep a training step fed and to absorb checkpoints."""

    @staticmethod
    def solve(
        step: FleetProfile,
        bytes_per_sample: Any,
        checkpoint: Any = None,
        write_bandwidth: Any = None,
    ) -> FleetLedger:
        """Required read bandwidth = global batch x bytes per sample / step time; a checkpoint
        of ``checkpoint`` bytes written by every device at once at ``write_bandwidth`` (default
        the book's 100 GB/s) stalls the step for size / bandwidth."""
        if not isinstance(step, FleetProfile):
            raise ValueError(
                f"step: expected a FleetProfile from Engine.solve on a Cluster, got {type(step).__name__}"
            )
        per_sample = _number(bytes_per_sample, "bytes_per_sample", "byte")
        step_s = step.latency.to("s").magnitude
        read = step.batch_size * per_sample / step_s
        values = {
            "read_bandwidth": _q(read / 1e9, "GB/s"),
            "per_device_read": _q(read / step.devices / 1e6, "MB/s"),
        }
        if checkpoint is not None:
            size = _number(checkpoint, "checkpoint", "byte")
            bandwidth = (
                CHECKPOINT_WRITE_BPS.value
                if write_bandwidth is None
                else _number(write_bandwidth, "write_bandwidth", "byte/second")
            )
            stall = size / bandwidth
            values["checkpoint_stall"] = _q(stall, "second")
            values["checkpoint_stall_steps"] = stall / step_s
            values["per_device_write"] = _q(size / step.devices / stall / 1e6, "MB/s")
        math_ = Math(
            {
                "read_bandwidth": Derivation(
                    "read_bandwidth",
                    r"B_{read} = \frac{B \cdot s_{sample}}{T_{step}}",
                    (
                        _v("B", "global batch", step.batch_size, "sample"),
                        _v("s_{sample}", "bytes per sample", per_sample, "byte"),
                        Variable("T_{step}", "step time", step.latency),
                    ),
                    values["read_bandwidth"],
                )
            }
        )
        return FleetLedger("DataPipeline", {"bytes_per_sample": per_sample}, values, math_)


# -- federated and OTA device fleets ----------------------------------------------------------


class FederatedRound:
    """One round of federated learning (or an OTA update wave) over a fleet of devices."""

    @staticmethod
    def solve(
        population: int,
        cohort: int,
        model_bytes: Any,
        local_time: Any,
        *,
        duty: float = 1.0,
        connectivity: float = 1.0,
        charging: float = 1.0,
        uplink: Any = 1e6,
        downlink: Any = 10e6,
        upload: bool = True,
    ) -> FleetLedger:
        """Participation = duty x connectivity x charging of ``population`` devices; a round
        waits for the slowest of ``cohort`` clients, each working for an exponential time of
        mean ``local_time`` (expected maximum = mean x H_n), after downloading the model at
        ``downlink`` and before uploading its update at ``uplink`` (byte/s). Bytes per round =
        cohort x 2 x model. An OTA update wave is a round with ``upload=False`` (devices only
        download and install; ``local_time`` is the install time)."""
        people = _whole(population, "population")
        n = _whole(cohort, "cohort")
        size = _number(model_bytes, "model_bytes", "byte")
        mean_s = _number(local_time, "local_time", "second", strict=False)
        if not isinstance(upload, bool):
            raise ValueError(f"upload: expected True or False, got {upload!r}")
        shares = {
            k: _number(v, k, None)
            for k, v in (("duty", duty), ("connectivity", connectivity), ("charging", charging))
        }
        for key, share in shares.items():
            if share > 1.0:
                raise ValueError(f"{key}: a fraction in (0, 1], got {share!r}")
        up = _number(uplink, "uplink", "byte/second")
        down = _number(downlink, "downlink", "byte/second")
        participation = shares["duty"] * shares["connectivity"] * shares["charging"]
        available = people * participation
        if n > available:
            raise ValueError(
                f"cohort: {n} clients wanted but only {available:.0f} of {people} are eligible"
            )
        straggler = ff.expected_max_exponential(n, mean_s)
        transfers = 2.0 if upload else 1.0
        round_s = size / down + straggler + (size / up if upload else 0.0)
        values = {
            "participation": participation,
            "eligible_devices": available,
            "round_time": _q(round_s / 60.0, "minute"),
            "straggler_time": _q(straggler / 60.0, "minute"),
            "bytes_per_round": _q(n * transfers * size / 1e9, "GB"),
        }
        math_ = Math(
            {
                "round_time": Derivation(
                    "round_time",
                    r"T_{round} = \frac{M}{B_{down}} + \bar{t}\, H_n + \frac{M}{B_{up}}",
                    (
                        _v("M", "model size", size, "byte"),
                        _v("n", "cohort", n, "dimensionless"),
                        _v(r"\bar{t}", "mean local training time", mean_s, "second"),
                    ),
                    values["round_time"],
                )
            }
        )
        return FleetLedger("FederatedRound", {"population": people, "cohort": n}, values, math_)


# -- privacy, robustness, responsible engineering -------------------------------------------


class TrustCosts:
    """What privacy, robustness and responsible engineering cost, on measured multipliers."""

    @staticmethod
    @memoized  # pure; a sweep asks again for each setting that leaves the run unchanged
    def solve(
        training_time: Any,
        inference_latency: Any,
        *,
        epsilon: float = 8.0,
        delta: float = 1e-5,
        clip: float = 1.0,
        attack_steps: int | None = None,
    ) -> FleetLedger:
        """Gaussian DP-SGD noise for (epsilon, delta) at clip norm ``clip`` and its step
        slowdown; adversarial training with a ``attack_steps``-step attack (K+1 passes,
        default PGD-7); fairness-aware training, per-inference monitoring and explanations."""
        train_h = _number(training_time, "training_time", "hour")
        infer_ms = _number(inference_latency, "inference_latency", "ms")
        eps = _number(epsilon, "epsilon", None)
        dlt = _number(delta, "delta", None)
        if dlt >= 1.0:
            raise ValueError(f"delta: a probability in (0, 1), got {delta!r}")
        c = _number(clip, "clip", None)
        k = (
            PGD_ATTACK_STEPS.value
            if attack_steps is None
            else _whole(attack_steps, "attack_steps", low=0)
        )
        sigma = ff.dp_gaussian_sigma(c, eps, dlt)
        costs = RESPONSIBLE_COSTS
        values = {
            "dp_noise_sigma": sigma,
            "dp_training_time": _q(train_h * DP_SGD_STEP_SLOWDOWN.value, "hour"),
            "adversarial_training_time": _q(train_h * (k + 1.0), "hour"),
            "responsible_training_time": _q(
                train_h * (1.0 + costs["training_overhead"].value), "hour"
            ),
            "monitored_latency": _q(infer_ms + costs["monitoring_s"].value * 1e3, "ms"),
            "explanation_latency": _q(infer_ms * costs["explanation_factor"].value, "ms"),
        }

        def math_() -> Math:
            return Math(
                {
                    "dp_noise_sigma": Derivation(
                        "dp_noise_sigma",
                        r"\sigma = \frac{C\sqrt{2\ln(1.25/\delta)}}{\varepsilon}",
                        (
                            _v("C", "clip norm", c, "dimensionless"),
                            _v(r"\delta", "delta", dlt, "dimensionless"),
                            _v(r"\varepsilon", "epsilon", eps, "dimensionless"),
                        ),
                        _q(sigma, "dimensionless"),
                    )
                }
            )

        return FleetLedger(
            "TrustCosts", {"epsilon": eps, "delta": dlt, "attack_steps": k}, values, math_
        )


# -- operations at scale ----------------------------------------------------------------------


class Operations:
    """The arithmetic of running ML at scale: error budgets, canaries, A/B tests, benchmark
    regressions and fan-out tails (Volume 2, chapters on operations and performance)."""

    @staticmethod
    def solve(
        *,
        slo: float = 0.999,
        period: Any = 30 * 24 * 3600.0,
        request_rate: Any = 1000.0,
        canary_share: float = 0.01,
        canary_events: float = 10_000.0,
        baseline_rate: float = 0.05,
        lift: float = 0.005,
        benchmark_cv: float = 0.05,
        benchmark_runs: int = 10,
        fast_share: float = 0.99,
        fan_out: int = 100,
    ) -> FleetLedger:
        """Error budget of ``slo`` over ``period`` (s), time for a canary on ``canary_share``
        of ``request_rate`` (requests/s) to see ``canary_events`` requests, A/B samples per
        arm to detect ``lift`` on ``baseline_rate`` (5 % two-sided, 80 % power), the smallest
        regression ``benchmark_runs`` runs of coefficient of variation ``benchmark_cv`` detect,
        and the chance a ``fan_out``-way request meets a slow server."""
        target = _number(slo, "slo", None)
        if target >= 1.0:
            raise ValueError(f"slo: a fraction below 1, got {slo!r}")
        period_s = _number(period, "period", "second")
        rate = _number(request_rate, "request_rate", "1/second")
        share = _number(canary_share, "canary_share", None)
        events = _number(canary_events, "canary_events", None)
        base = _number(baseline_rate, "baseline_rate", None)
        delta = _number(lift, "lift", None)
        for name, value in (
            ("canary_share", share),
            ("baseline_rate", base),
            ("fast_share", fast_share),
        ):
            if not 0.0 < value <= 1.0 or (name == "baseline_rate" and value >= 1.0):
                raise ValueError(f"{name}: a fraction in (0, 1), got {value!r}")
        cv = _number(benchmark_cv, "benchmark_cv", None)
        runs = _whole(benchmark_runs, "benchmark_runs", low=2)
        fan = _whole(fan_out, "fan_out")
        budget = ff.error_budget_s(period_s, target)
        canary = ff.canary_duration_s(events, rate, share)
        samples = ff.ab_sample_size(base, delta)
        values = {
            "error_budget": _q(budget / 60.0, "minute"),
            "canary_duration": _q(canary / 60.0, "minute"),
            "ab_samples_per_arm": samples,
            "ab_duration": _q(2.0 * samples / rate / 3600.0, "hour"),
            "detectable_regression": ff.detectable_regression(cv, runs),
            "tail_probability": ff.tail_amplification(fast_share, fan),
        }

        def math_() -> Math:
            return Math(
                {
                    "error_budget": Derivation(
                        "error_budget",
                        r"B = T (1 - SLO)",
                        (
                            _v("T", "period", period_s / 86400.0, "day"),
                            _v("SLO", "objective", target, "dimensionless"),
                        ),
                        values["error_budget"],
                    ),
                    "canary_duration": Derivation(
                        "canary_duration",
                        r"T_{canary} = \frac{n}{r p}",
                        (
                            _v("n", "requests the canary must see", events, "dimensionless"),
                            _v("r", "request rate", rate, "1/second"),
                            _v("p", "canary traffic share", share, "dimensionless"),
                        ),
                        values["canary_duration"],
                    ),
                    "ab_samples_per_arm": Derivation(
                        "ab_samples_per_arm",
                        r"n = \frac{(z_{\alpha/2} + z_\beta)^2 \, 2p(1-p)}{\delta^2}",
                        (
                            _v("p", "baseline rate", base, "dimensionless"),
                            _v(r"\delta", "lift to detect", delta, "dimensionless"),
                        ),
                        _q(samples, "dimensionless"),
                    ),
                    "tail_probability": Derivation(
                        "tail_probability",
                        r"P = 1 - p^N",
                        (
                            _v("p", "fast replies", fast_share, "dimensionless"),
                            _v("N", "fan-out", fan, "dimensionless"),
                        ),
                        _q(values["tail_probability"], "dimensionless"),
                    ),
                }
            )

        return FleetLedger("Operations", {"slo": target, "fan_out": fan}, values, math_)


__all__ = [
    "ClusterQueue",
    "DataPipeline",
    "FederatedRound",
    "Operations",
    "PlanSearch",
    "ServingFleet",
    "Sustainability",
    "TrainingRun",
    "TrustCosts",
    "erlang_c",
]
