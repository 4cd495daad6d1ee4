"""Layer 5: simulations, the decision engine that turns a student's choice into a SystemLedger.

Every simulation is built on ``Engine.solve`` for the node's physics (latency, energy, memory)
and adds only domain bookkeeping on top: duty cycling, carbon and cost over a horizon
(``ResourceSimulation``), queueing under a request load (``ServingSimulation``), and deadline
misses and failures (``ReliabilitySimulation``). To build a new one, subclass ``BaseSimulation``,
declare the choice keys it accepts in ``CHOICES`` and implement ``evaluate``::

    class MySimulation(BaseSimulation):
        CHOICES = {"rate": Choice("1/s", "requests per second")}

        def evaluate(self, choice=None):
            resolved = self.resolve(choice)          # validates keys, fills defaults
            service = self.service(resolved)         # Engine.solve for one request
            return SystemLedger(...)

A choice is a dict. Quantities (``Quantity(30, "Hz")``) or plain numbers in the unit each key
documents are accepted; unknown keys and wrong units raise ValueError naming the key.
"""

from __future__ import annotations

import math
import random
import statistics
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from types import MappingProxyType
from typing import Any, ClassVar

from mlsys import formulas as f
from mlsys.applications import Application
from mlsys.constants import (
    CLOUD_GPU_USD_PER_HOUR,
    DATACENTER_PUE,
    DEFAULT_ELECTRICITY_REGION,
    DEFAULT_REGION,
    ELECTRICITY_USD_PER_KWH,
    GRID_CARBON_INTENSITY,
    NODE_MTBF_HOURS,
    NODE_MTTR_HOURS,
    RUNTIME_JITTER_FRACTION,
    grid_intensity,
)
from mlsys.derivation import Derivation, Math, Variable
from mlsys.engine import Engine, PerformanceProfile
from mlsys.hardware import Systems, SystemSpec
from mlsys.ledger import (
    Economics,
    NotEvaluated,
    Performance,
    Reliability,
    Sustainability,
    SystemLedger,
)
from mlsys.personas import Persona
from mlsys.units import Quantity

SECONDS_PER_HOUR = 3600.0
#: Default horizon of a resource estimate: one year of 365 days (h).
HOURS_PER_YEAR = 365.0 * 24.0
#: Share of simulated requests discarded while the queue warms up from empty.
WARMUP_FRACTION = 0.1


@dataclass(frozen=True)
class Choice:
    """One key a simulation accepts: the unit a plain number is read in (None for names,
    counts and ratios) and what it means."""

    unit: str | None
    help: str


#: Keys every simulation accepts: they pick the engine configuration of one request.
ENGINE_CHOICES: MappingProxyType[str, Choice] = MappingProxyType(
    {
        "system": Choice(None, "a SystemSpec or registry name (default: the application's)"),
        "precision": Choice(None, "fp32, fp16, int8 or fp8 (default: the application's)"),
        "batch_size": Choice(None, "samples per request (default: the application's)"),
        "efficiency": Choice(None, "fraction of dense peak (default: the system's calibrated)"),
        "runtime": Choice(None, "runtime name (default: the system's default runtime)"),
    }
)


@dataclass(frozen=True)
class Service:
    """One request on the node, as the engine solves it.

    ``latency_s`` (s), ``energy_j`` (J) and ``overhead_s`` (s, the dispatch tax within the
    latency) cover the whole request: for a decoder LLM, the prefill of the prompt plus every
    decode step. ``samples`` counts what the request delivers (generated tokens for an LLM,
    otherwise the batch). ``profile`` is the engine profile that dominates the request (decode
    for an LLM); ``footprint_profile`` the one with the largest memory footprint.
    """

    latency_s: float
    energy_j: float
    overhead_s: float
    samples: float
    sample_unit: str
    profile: PerformanceProfile
    footprint_profile: PerformanceProfile
    profiles: tuple[PerformanceProfile, ...]


class BaseSimulation(ABC):
    """A simulation of one application on one node, optionally through a persona's eyes.

    Subclasses declare ``CHOICES`` (key -> ``Choice``) and implement ``evaluate(choice) ->
    SystemLedger`` with ``resolve`` and ``service``; they never compute physics of their own.
    """

    CHOICES: ClassVar[Mapping[str, Choice]] = MappingProxyType({})

    def __init__(self, application: Application, persona: Persona | None = None) -> None:
        if not isinstance(application, Application):
            raise ValueError(
                "application: expected an Application from mlsys.Applications (e.g. "
                f"Applications.Doorbell), got {type(application).__name__}"
            )
        if persona is not None and not isinstance(persona, Persona):
            raise ValueError(
                "persona: expected a Persona from mlsys.Personas (e.g. Personas.TinyPioneer), "
                f"got {type(persona).__name__}"
            )
        self.application = application
        self.persona = persona

    @property
    def scenario(self) -> Application:
        """The application simulated (the name the seed's extension example uses)."""
        return self.application

    @property
    def name(self) -> str:
        """Name of the simulation class, as recorded in its ledgers."""
        return type(self).__name__

    @abstractmethod
    def evaluate(self, choice: Mapping[str, Any] | None = None) -> SystemLedger:
        """Evaluate one choice (a dict of the keys in ``choices()``) into a SystemLedger."""

    @classmethod
    def choices(cls) -> dict[str, Choice]:
        """Every key ``evaluate`` accepts: the engine keys plus this simulation's own."""
        return {**ENGINE_CHOICES, **cls.CHOICES}

    def _get_system_archetype(self, choice: Mapping[str, Any] | None = None) -> SystemSpec:
        """The node simulated: ``choice["system"]`` if given, else the application's system."""
        return self.resolve(choice)["system"]

    # -- choices -------------------------------------------------------------------------------
    def resolve(self, choice: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validate ``choice`` and fill the engine keys' defaults from the application.

        Returns a new dict: ``system`` as a SystemSpec, ``precision``, ``batch_size``,
        ``efficiency`` (None = calibrated), ``runtime`` (None = default) plus the simulation's
        own keys exactly as given (read them with ``number``).
        """
        if choice is None:
            choice = {}
        if not isinstance(choice, Mapping):
            raise ValueError(f"choice: expected a dict, got {type(choice).__name__}")
        known = self.choices()
        unknown = sorted(str(key) for key in choice if key not in known)
        if unknown:
            raise ValueError(
                f"choice: {self.name} has no key {', '.join(repr(k) for k in unknown)}; "
                f"known keys: {', '.join(known)}"
            )
        app = self.application
        resolved = dict(choice)
        system = choice.get("system", app.system)
        if isinstance(system, str):
            try:
                system = Systems.get(system)
            except KeyError as error:
                raise ValueError(f"system: {error.args[0]}") from None
        resolved["system"] = system
        resolved["precision"] = choice.get("precision", app.precision)
        resolved["batch_size"] = choice.get("batch_size", app.batch_size)
        resolved.setdefault("efficiency", None)
        resolved.setdefault("runtime", None)
        return resolved

    @staticmethod
    def number(
        resolved: Mapping[str, Any],
        key: str,
        unit: str | None,
        default: Any,
        *,
        zero_allowed: bool = False,
    ) -> float:
        """``resolved[key]`` (or ``default``) as a float in ``unit``; a Quantity is converted.

        Raises ValueError naming ``key`` when the value is not a number, has the wrong
        dimension, is not finite, or is negative (or zero, unless ``zero_allowed``).
        """
        value = resolved.get(key, default)
        if isinstance(value, Quantity):
            try:
                value = value.to(unit or "dimensionless").magnitude
            except Exception as error:  # pint's DimensionalityError, in the student's words
                raise ValueError(f"{key}: {value:~P} cannot be read as {unit}") from error
        if isinstance(value, bool) or not isinstance(value, Real):
            raise ValueError(f"{key}: expected a number (in {unit}), got {value!r}")
        value = float(value)
        if not math.isfinite(value) or value < 0.0 or (value == 0.0 and not zero_allowed):
            bound = ">= 0" if zero_allowed else "> 0"
            raise ValueError(f"{key}: must be a finite number {bound} (in {unit}), got {value!r}")
        return value

    # -- the engine ----------------------------------------------------------------------------
    def service(self, resolved: Mapping[str, Any]) -> Service:
        """Solve one request of the application with ``Engine.solve`` (see ``Service``)."""
        app = self.application
        solve = {
            "model": app.model,
            "system": resolved["system"],
            "batch_size": resolved["batch_size"],
            "precision": resolved["precision"],
            "efficiency": resolved["efficiency"],
            "runtime": resolved["runtime"],
        }
        shape = app.model.transformer
        if shape is not None and shape.decoder:
            prompt, answer = app.prompt_tokens or 0, app.output_tokens or 0
            prefill = Engine.solve(**solve, seq_len=prompt, phase="prefill")
            # Decode steps attend over a context growing from the prompt to the full answer;
            # the middle of that range gives their mean cost (both terms are linear in it).
            decode = Engine.solve(**solve, seq_len=prompt + answer // 2, phase="decode")
            final = Engine.solve(**solve, seq_len=prompt + answer, phase="decode")
            steps = ((prefill, 1.0), (decode, float(answer)))
            batch = float(resolved["batch_size"])
            return Service(
                latency_s=sum(n * _seconds(p.latency) for p, n in steps),
                energy_j=sum(n * p.energy.to("J").magnitude for p, n in steps),
                overhead_s=sum(n * _seconds(p.latency_overhead) for p, n in steps),
                samples=batch * answer,
                sample_unit="token",
                profile=decode,
                footprint_profile=final,
                profiles=(prefill, decode, final),
            )
        profile = Engine.solve(**solve)
        return Service(
            latency_s=_seconds(profile.latency),
            energy_j=profile.energy.to("J").magnitude,
            overhead_s=_seconds(profile.latency_overhead),
            samples=float(resolved["batch_size"]),
            sample_unit="sample",
            profile=profile,
            footprint_profile=profile,
            profiles=(profile,),
        )

    @staticmethod
    def performance(service: Service, **queueing: Any) -> Performance:
        """The performance section for one request; ``queueing`` fills the load fields."""
        return Performance(
            latency=Quantity(service.latency_s * 1e3, "ms"),
            throughput=Quantity(service.samples / service.latency_s, f"{service.sample_unit}/s"),
            bottleneck=service.profile.bottleneck,
            feasible=service.footprint_profile.feasible,
            memory_footprint=service.footprint_profile.memory_footprint,
            **queueing,
        )

    def ledger(
        self,
        resolved: Mapping[str, Any],
        service: Service,
        performance: Performance,
        math_entries: dict[str, Derivation],
        *,
        sustainability: Sustainability | None = None,
        economics: Economics | None = None,
        reliability: Reliability | None = None,
    ) -> SystemLedger:
        """Assemble the SystemLedger; sections left None read as not evaluated."""
        shown = {k: v.name if isinstance(v, SystemSpec) else v for k, v in resolved.items()}
        return SystemLedger(
            simulation=self.name,
            application=self.application.name,
            persona=self.persona.key if self.persona else None,
            choice=MappingProxyType(shown),
            performance=performance,
            sustainability=sustainability or NotEvaluated("sustainability", self.name),
            economics=economics or NotEvaluated("economics", self.name),
            reliability=reliability or NotEvaluated("reliability", self.name),
            math=Math(math_entries),
            profile=service.profile,
        )

    def __repr__(self) -> str:
        persona = f", {self.persona.key}" if self.persona else ""
        return f"<{self.name} {self.application.name}{persona}>"


def _seconds(quantity: Quantity) -> float:
    return quantity.to("s").magnitude


def _var(symbol: str, description: str, value: float, unit: str) -> Variable:
    return Variable(symbol, description, Quantity(value, unit))


def _derivation(
    name: str, formula: str, variables: tuple[Variable, ...], result: Quantity
) -> Derivation:
    return Derivation(name, formula, variables, result)


# -- resources: energy, carbon, cost ----------------------------------------------------------


class ResourceSimulation(BaseSimulation):
    """Energy, operational carbon and cost of running the application over a horizon.

    Per node, the average power is duty-cycled: each request costs the engine's energy, and the
    node idles at its sleep power in between (``formulas.average_power``). Facility overhead
    (PUE) applies to data-centre GPUs. Energy over ``hours`` for ``nodes`` nodes (default: the
    persona's ``scale_factor``, else 1) is turned into carbon with the region's grid intensity
    (``formulas.carbon_kg``). Cost is the rental of a cloud GPU per hour when the system has a
    price in ``constants.CLOUD_GPU_USD_PER_HOUR``, otherwise the electricity it draws.
    """

    CHOICES = MappingProxyType(
        {
            "region": Choice(None, f"grid region (default {DEFAULT_REGION!r})"),
            "hours": Choice("hour", "horizon (default one year, 8,760 h)"),
            "rate": Choice("1/s", "requests per second (default: the application's)"),
            "nodes": Choice(None, "identical nodes deployed (default: persona scale, else 1)"),
            "pue": Choice(None, "facility power / IT power (default 1.58 for data centres)"),
            "usd_per_hour": Choice(
                "USD/hour", "rental per node-hour (default: constants; None: electricity only)"
            ),
            "usd_per_kwh": Choice("USD/kWh", "electricity price (default US average)"),
        }
    )

    def evaluate(self, choice: Mapping[str, Any] | None = None) -> SystemLedger:
        """Energy, carbon and cost of ``choice`` (see ``choices()``); ValueError on bad input,
        including an unknown region or a rate the node cannot keep up with."""
        resolved = self.resolve(choice)
        system: SystemSpec = resolved["system"]
        region_name = resolved.get("region", DEFAULT_REGION)
        grid = grid_intensity(region_name)
        region = next(n for n, v in GRID_CARBON_INTENSITY.items() if v is grid)
        hours = self.number(resolved, "hours", "hour", HOURS_PER_YEAR)
        rate = self.number(resolved, "rate", "1/s", self.application.rate)
        nodes = resolved.get("nodes", self.persona.scale_factor if self.persona else 1)
        if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 1:
            raise ValueError(f"nodes: expected a whole number of nodes >= 1, got {nodes!r}")
        datacenter = system.device_class == "datacenter_gpu"
        pue = self.number(resolved, "pue", None, DATACENTER_PUE.value if datacenter else 1.0)
        if pue < 1.0:
            raise ValueError(f"pue: facility power cannot be below IT power (>= 1), got {pue}")
        price = CLOUD_GPU_USD_PER_HOUR.get(system.name)
        usd_per_hour = resolved.get("usd_per_hour", price.value if price else None)
        if usd_per_hour is not None:
            usd_per_hour = self.number(resolved, "usd_per_hour", "USD/hour", usd_per_hour)
        usd_per_kwh = self.number(
            resolved,
            "usd_per_kwh",
            "USD/kWh",
            ELECTRICITY_USD_PER_KWH[DEFAULT_ELECTRICITY_REGION].value,
        )
        resolved.update(region=region, hours=hours, rate=rate, nodes=nodes, pue=pue)
        resolved.update(usd_per_hour=usd_per_hour, usd_per_kwh=usd_per_kwh)

        service = self.service(resolved)
        duty = rate * service.latency_s
        if duty > 1.0:
            raise ValueError(
                f"rate: {rate:g} requests/s of {service.latency_s * 1e3:.3g} ms each keep "
                f"{system.name} busy {duty:.0%} of the time; at most "
                f"{1.0 / service.latency_s:.4g} requests/s fit on one node"
            )
        node_w = f.average_power(service.energy_j, rate, service.latency_s, system.sleep_w)
        seconds = hours * SECONDS_PER_HOUR
        energy_j = node_w * pue * seconds * nodes
        carbon = f.carbon_kg(energy_j, grid.value)
        samples = rate * service.samples * seconds * nodes
        if usd_per_hour is not None:
            basis, cost = "rental", usd_per_hour * hours * nodes
        else:
            basis, cost = "electricity", f.energy_cost_usd(energy_j, usd_per_kwh)
        unit = service.sample_unit

        sustainability = Sustainability(
            energy=Quantity(energy_j, "J"),
            carbon_kg=carbon,
            average_power=Quantity(node_w, "W"),
            energy_per_sample=Quantity(service.energy_j / service.samples, f"J/{unit}"),
            grid_intensity=grid.quantity,
            region=region,
            horizon=Quantity(hours, "hour"),
            nodes=nodes,
            pue=pue,
        )
        economics = Economics(
            cost=Quantity(cost, "USD"),
            samples_per_dollar=Quantity(samples / cost, f"{unit}/USD"),
            basis=basis,
            samples=Quantity(samples, unit),
        )
        power_vars = (
            _var("E_{req}", "energy of one request (engine)", service.energy_j, "J"),
            _var(r"\lambda", "requests per second", rate, "1/s"),
            _var("T_{req}", "latency of one request (engine)", service.latency_s * 1e3, "ms"),
            _var("P_{sleep}", f"sleep power of {system.name}", system.sleep_w, "W"),
        )
        energy_vars = (
            _var("P", "average power of one node", node_w, "W"),
            _var("PUE", "facility overhead", pue, "dimensionless"),
            _var("H", "horizon", hours, "hour"),
            _var("N", "nodes", nodes, "dimensionless"),
        )
        carbon_vars = (
            _var("E", "energy drawn", energy_j / 3.6e6, "kWh"),
            _var("I", f"grid intensity of {region}", grid.value, "gCO2/kWh"),
        )
        if basis == "rental":
            cost_formula = r"C = p_{hour} \cdot H \cdot N"
            cost_vars = (
                _var("p_{hour}", f"rental of one {system.name}", usd_per_hour, "USD/hour"),
                _var("H", "horizon", hours, "hour"),
                _var("N", "nodes", nodes, "dimensionless"),
            )
        else:
            cost_formula = r"C = E \cdot p_{kWh}"
            cost_vars = (
                _var("E", "energy drawn", energy_j / 3.6e6, "kWh"),
                _var("p_{kWh}", "electricity price", usd_per_kwh, "USD/kWh"),
            )
        math_entries = {
            "average_power": _derivation(
                "average_power",
                r"P = E_{req} \lambda + P_{sleep} (1 - \lambda T_{req})",
                power_vars,
                sustainability.average_power,
            ),
            "energy": _derivation(
                "energy", r"E = P \cdot PUE \cdot H \cdot N", energy_vars, sustainability.energy
            ),
            "carbon_kg": _derivation(
                "carbon_kg", r"C_{CO_2} = E \cdot I", carbon_vars, sustainability.carbon
            ),
            "cost": _derivation("cost", cost_formula, cost_vars, economics.cost),
            "samples_per_dollar": _derivation(
                "samples_per_dollar",
                r"S/\$ = \frac{\lambda \cdot s_{req} \cdot H \cdot N}{C}",
                (
                    _var("s_{req}", "samples per request", service.samples, unit),
                    _var("C", "cost", cost, "USD"),
                ),
                economics.samples_per_dollar,
            ),
        }
        return self.ledger(
            resolved,
            service,
            self.performance(service, utilization=duty),
            math_entries,
            sustainability=sustainability,
            economics=economics,
        )


# -- serving: latency under a request load ------------------------------------------------------


def queue_response_times(
    rate: float,
    service_s: float,
    batch_size: int,
    requests: int,
    service_cv: float,
    seed: int,
) -> list[float]:
    """Response times (s) of ``requests`` Poisson arrivals at ``rate`` per second on one server.

    Requests are served in batches of ``batch_size`` (a batch starts once its last request has
    arrived and the previous batch is done) taking ``service_s`` seconds each, or gamma-
    distributed times of mean ``service_s`` and coefficient of variation ``service_cv``. Waits
    follow Lindley's recursion W_j = max(0, W_{j-1} + S_{j-1} - (F_j - F_{j-1})) over batch
    formation times F. The first ``WARMUP_FRACTION`` of the requests is dropped. Seeded with
    Python's own generator (no numpy, so the browser draws the same samples): the same
    arguments always give the same list.
    """
    rng = random.Random(seed)
    shape = 1.0 / service_cv**2 if service_cv > 0.0 else 0.0
    response: list[float] = []
    wait = previous_service = 0.0
    if batch_size == 1:
        # One request per batch: the same draws in the same order, without the per-batch lists
        # (the common case, and the one `labgen validate` simulates most).
        draw, gamma = rng.expovariate, rng.gammavariate
        for index in range(requests):
            gap = draw(rate)
            service = gamma(shape, service_s / shape) if shape else service_s
            if index:
                wait = max(0.0, wait + previous_service - gap)
            response.append(wait + service)
            previous_service = service
        return response[int(len(response) * WARMUP_FRACTION) :]
    for batch in range(requests // batch_size):
        # The gaps before each request of this batch; their sum is F_j - F_{j-1}.
        gaps = [rng.expovariate(rate) for _ in range(batch_size)]
        service = rng.gammavariate(shape, service_s / shape) if shape else service_s
        if batch:
            # Differences of arrival times, never absolute times: at low rates those grow so
            # large that subtracting them would lose the microseconds a histogram shows.
            wait = max(0.0, wait + previous_service - math.fsum(gaps))
        # F_j - A_i: the gaps after request i within its batch (zero for the batch's last).
        fills = [0.0] * batch_size
        after = 0.0
        for index in range(batch_size - 1, -1, -1):
            fills[index] = after
            after += gaps[index]
        response.extend(fill + wait + service for fill in fills)
        previous_service = service
    return response[int(len(response) * WARMUP_FRACTION) :]


class ServingSimulation(BaseSimulation):
    """Latency distribution of one node serving the application under a Poisson request load.

    The service time of a batch comes from ``Engine.solve``; queueing is simulated with a seeded
    generator (``queue_response_times``), so the same choice always gives the same histogram.
    With ``batch_size`` 1 and ``service_cv`` 0 this is the M/D/1 queue, whose mean wait the
    ledger's math shows next to the simulated one (Pollaczek-Khinchine). When the load reaches
    the node's capacity (utilization >= 1) the queue grows without bound: P50 and P99 are
    infinite and no samples are returned.
    """

    CHOICES = MappingProxyType(
        {
            "rate": Choice("1/s", "requests per second (default: the application's)"),
            "requests": Choice(None, "requests simulated (default 20,000)"),
            "seed": Choice(None, "seed of the arrival generator (default 0)"),
            "service_cv": Choice(None, "variation of service time, 0 = deterministic (default)"),
        }
    )
    DEFAULT_REQUESTS = 20_000

    def evaluate(self, choice: Mapping[str, Any] | None = None) -> SystemLedger:
        """P50, P99, utilization and latency samples (ms) of ``choice`` (see ``choices()``)."""
        resolved = self.resolve(choice)
        rate = self.number(resolved, "rate", "1/s", self.application.rate)
        requests = resolved.get("requests", self.DEFAULT_REQUESTS)
        seed = resolved.get("seed", 0)
        batch = resolved["batch_size"]
        for key, value, low in (("requests", requests, 10), ("seed", seed, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{key}: expected a whole number >= {low}, got {value!r}")
        if isinstance(batch, int) and not isinstance(batch, bool) and requests < 10 * batch:
            raise ValueError(f"requests: need at least 10 batches of {batch}, got {requests}")
        cv = resolved.get("service_cv", 0.0)
        if isinstance(cv, bool) or not isinstance(cv, int | float) or not 0.0 <= cv <= 10.0:
            raise ValueError(f"service_cv: expected a number in [0, 10], got {cv!r}")
        resolved.update(rate=rate, requests=requests, seed=seed, service_cv=float(cv))

        service = self.service(resolved)
        utilization = rate * service.latency_s / batch
        if utilization < 1.0:
            samples_s = queue_response_times(
                rate, service.latency_s, batch, requests, float(cv), seed
            )
            # Linear interpolation between order statistics (numpy's default percentile too).
            cuts = statistics.quantiles(samples_s, n=100, method="inclusive")
            p50, p99 = cuts[49], cuts[98]
            mean_s = statistics.fmean(samples_s)
        else:
            samples_s = []
            p50 = p99 = mean_s = math.inf
        performance = self.performance(
            service,
            utilization=utilization,
            latency_p50=Quantity(float(p50) * 1e3, "ms"),
            latency_p99=Quantity(float(p99) * 1e3, "ms"),
            latency_samples_ms=tuple(sample * 1e3 for sample in samples_s),
        )
        load_vars = (
            _var(r"\lambda", "requests per second", rate, "1/s"),
            _var("S", "service time of one batch (engine)", service.latency_s * 1e3, "ms"),
            _var("b", "requests per batch", batch, "dimensionless"),
        )
        entries = {
            "utilization": _derivation(
                "utilization",
                r"\rho = \frac{\lambda S}{b}",
                load_vars,
                Quantity(utilization, "dimensionless"),
            ),
            "latency_p99": _derivation(
                "latency_p99",
                r"R_{99} = \mathrm{P}_{99}\{F_j - A_i + W_j + S_j\},\ "
                r"W_j = \max(0,\ W_{j-1} + S_{j-1} - (F_j - F_{j-1}))",
                (
                    *load_vars,
                    _var("N", "simulated requests", requests, "dimensionless"),
                    _var("seed", "generator seed", seed, "dimensionless"),
                ),
                performance.latency_p99,
            ),
            "mean_response_simulated": _derivation(
                "mean_response_simulated",
                r"\bar{R} = \frac{1}{N} \sum_i R_i",
                (_var("N", "simulated requests", requests, "dimensionless"),),
                Quantity(mean_s * 1e3, "ms"),
            ),
        }
        if batch == 1:
            # Pollaczek-Khinchine: mean response of an M/G/1 queue, E[S^2] = S^2 (1 + cv^2).
            s = service.latency_s
            analytic = (
                s + rate * s * s * (1.0 + cv * cv) / (2.0 * (1.0 - utilization))
                if utilization < 1.0
                else math.inf
            )
            entries["mean_response_analytic"] = _derivation(
                "mean_response_analytic",
                r"\bar{R} = S + \frac{\lambda S^2 (1 + c_v^2)}{2 (1 - \rho)}",
                (
                    *load_vars[:2],
                    _var("c_v", "variation of service time", cv, "dimensionless"),
                    _var(r"\rho", "utilization", utilization, "dimensionless"),
                ),
                Quantity(analytic * 1e3, "ms"),
            )
        return self.ledger(resolved, service, performance, entries)


# -- reliability: deadlines and failures ------------------------------------------------------


class ReliabilitySimulation(BaseSimulation):
    """One node against its deadline and its failures.

    Each request takes the engine's latency T plus a jitter tail: an exponential delay of mean
    ``jitter`` (default: the runtime's fraction of its dispatch tax, from
    ``constants.RUNTIME_JITTER_FRACTION``). Requests arrive periodically at ``rate`` and a late
    one is dropped, so misses do not cascade. The miss rate against ``deadline`` D is
    exp(-(D - T) / jitter) when T <= D, and 1 when T > D or when T exceeds the request period
    (the node cannot keep up). Availability is MTBF / (MTBF + MTTR), with per-device-class
    defaults from ``constants``.
    """

    CHOICES = MappingProxyType(
        {
            "deadline": Choice("ms", "latency budget (default: the application's SLO)"),
            "jitter": Choice("ms", "mean of the exponential latency tail (default: runtime's)"),
            "rate": Choice("1/s", "requests per second (default: the application's)"),
            "mtbf": Choice("hour", "mean time between failures (default by device class)"),
            "mttr": Choice("hour", "mean time to repair (default by device class)"),
        }
    )

    def evaluate(self, choice: Mapping[str, Any] | None = None) -> SystemLedger:
        """Deadline-miss rate, availability and their combination for ``choice``."""
        resolved = self.resolve(choice)
        system: SystemSpec = resolved["system"]
        app = self.application
        deadline_s = self.number(resolved, "deadline", "ms", app.slo.to("ms").magnitude) / 1e3
        rate = self.number(resolved, "rate", "1/s", app.rate)
        service = self.service(resolved)
        runtime = service.profile.runtime
        if "jitter" in resolved:
            jitter_s = self.number(resolved, "jitter", "ms", None, zero_allowed=True) / 1e3
        else:
            if runtime not in RUNTIME_JITTER_FRACTION:
                raise ValueError(
                    f"jitter: no estimate for runtime {runtime!r}; pass choice['jitter'] in ms"
                )
            jitter_s = RUNTIME_JITTER_FRACTION[runtime].value * service.overhead_s
        mtbf_h = self.number(resolved, "mtbf", "hour", _by_class(NODE_MTBF_HOURS, system))
        mttr_h = self.number(resolved, "mttr", "hour", _by_class(NODE_MTTR_HOURS, system))
        resolved.update(deadline=deadline_s * 1e3, jitter=jitter_s * 1e3, rate=rate)
        resolved.update(mtbf=mtbf_h, mttr=mttr_h)

        latency_s = service.latency_s
        if latency_s * rate > 1.0 or latency_s > deadline_s:
            miss = 1.0
        elif jitter_s == 0.0:
            miss = 0.0
        else:
            miss = math.exp(-(deadline_s - latency_s) / jitter_s)
        availability = f.availability(mtbf_h, mttr_h)
        effective = 1.0 - availability * (1.0 - miss)
        reliability = Reliability(
            deadline=Quantity(deadline_s * 1e3, "ms"),
            deadline_miss_rate=miss,
            availability=availability,
            mtbf=Quantity(mtbf_h, "hour"),
            mttr=Quantity(mttr_h, "hour"),
            effective_miss_rate=effective,
        )
        entries = {
            "deadline_miss_rate": _derivation(
                "deadline_miss_rate",
                r"p_{miss} = e^{-(D - T) / \tau}\ \ (T \le D,\ \lambda T \le 1;\ \text{else } 1)",
                (
                    _var("D", "deadline", deadline_s * 1e3, "ms"),
                    _var("T", "latency of one request (engine)", latency_s * 1e3, "ms"),
                    _var(r"\tau", f"mean jitter of the {runtime} runtime", jitter_s * 1e3, "ms"),
                    _var(r"\lambda", "requests per second", rate, "1/s"),
                ),
                Quantity(miss, "dimensionless"),
            ),
            "availability": _derivation(
                "availability",
                r"A = \frac{MTBF}{MTBF + MTTR}",
                (
                    _var("MTBF", "mean time between failures", mtbf_h, "hour"),
                    _var("MTTR", "mean time to repair", mttr_h, "hour"),
                ),
                Quantity(availability, "dimensionless"),
            ),
            "effective_miss_rate": _derivation(
                "effective_miss_rate",
                r"p_{eff} = 1 - A (1 - p_{miss})",
                (
                    _var("A", "availability", availability, "dimensionless"),
                    _var("p_{miss}", "deadline-miss rate while up", miss, "dimensionless"),
                ),
                Quantity(effective, "dimensionless"),
            ),
        }
        return self.ledger(
            resolved, service, self.performance(service), entries, reliability=reliability
        )


def _by_class(table: Mapping[str, Any], system: SystemSpec) -> float:
    if system.device_class not in table:
        raise ValueError(
            f"system: no failure statistics for device class {system.device_class!r}; pass "
            "choice['mtbf'] and choice['mttr'] in hours"
        )
    return table[system.device_class].value


__all__ = [
    "ENGINE_CHOICES",
    "BaseSimulation",
    "Choice",
    "ReliabilitySimulation",
    "ResourceSimulation",
    "Service",
    "ServingSimulation",
    "queue_response_times",
]
