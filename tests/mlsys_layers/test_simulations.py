"""Simulations against numbers derived by hand from the registries and the queueing/resource
formulas. Each derivation is written out so a reviewer can redo it with a pencil."""

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsys import (
    Applications,
    BaseSimulation,
    Engine,
    Personas,
    ReliabilitySimulation,
    ResourceSimulation,
    ServingSimulation,
    SystemLedger,
    Systems,
    ureg,
)
from mlsys.ledger import NotEvaluated
from mlsys.simulations import queue_response_times

YEAR_S = 8760 * 3600.0

# DS-CNN on Systems.Tiny (STM32H743: 480 MHz, int8 peak 2 MAC/cycle = 4 FLOP/cycle, bus 8 B/cycle,
# efficiency 0.30, active 0.25 W so static 0.93 x 0.25 = 0.2325 W and TDP 1.3 x 0.25 = 0.325 W,
# sleep 30 uW; TFLite Micro: 6,000 cycles fixed + 2,400 cycles per layer):
#   T_compute  = 5.4e6 FLOP / (1.92e9 FLOP/s x 0.30)          = 9.375 ms
#   T_memory   = (23,756 + 80,000) B / 3.84e9 B/s              = 0.0270 ms
#   T_overhead = (6,000 + 13 x 2,400) / 480e6 s                = 0.0775 ms
#   T          = 9.375 + 0.0775                                = 9.4525 ms
#   e_flop = 0.7 x (0.325 - 0.2325) / 1.92e9; e_byte = 0.3 x 0.0925 / 3.84e9
#   E      = 0.2325 x T + e_flop x 5.4e6 + e_byte x 103,756    = 2.38057 mJ
DOORBELL_T = 9.4525e-3
DOORBELL_E = 0.2325 * DOORBELL_T + 0.7 * 0.0925 / 1.92e9 * 5.4e6 + 0.3 * 0.0925 / 3.84e9 * 103_756
# One request per second, asleep at 30 uW in between:
#   P = E x 1/s + 30e-6 W x (1 - 1/s x T)                      = 2.41028 mW
DOORBELL_P = DOORBELL_E * 1.0 + 30e-6 * (1.0 - DOORBELL_T)


def test_engine_inputs_of_the_hand_derivation():
    profile = Engine.solve(model=Applications.Doorbell.model, system=Systems.Tiny, precision="int8")
    assert profile.latency.to("s").magnitude == pytest.approx(DOORBELL_T)
    assert profile.energy.to("J").magnitude == pytest.approx(DOORBELL_E)


# -- ResourceSimulation -----------------------------------------------------------------------


def test_doorbell_in_quebec_by_hand():
    ledger = ResourceSimulation(Applications.Doorbell, Personas.TinyPioneer).evaluate(
        {"region": "Quebec"}
    )
    s = ledger.sustainability
    # Ten million devices (Tiny Pioneer's scale) for one year of 8,760 h, PUE 1 off the grid:
    #   E = 2.41028e-3 W x 3.1536e7 s x 1e7                        = 7.601e11 J = 211,141 kWh
    #   C = 211,141 kWh x 2 gCO2/kWh                               = 422.28 kg
    energy = DOORBELL_P * YEAR_S * 10_000_000
    assert s.average_power.to("W").magnitude == pytest.approx(DOORBELL_P)
    assert s.energy.to("J").magnitude == pytest.approx(energy)
    assert s.carbon_kg == pytest.approx(energy / 3.6e6 * 2.0 / 1000.0)
    assert s.carbon_kg == pytest.approx(422.28, rel=1e-4)
    assert s.carbon_kg_per_node == pytest.approx(s.carbon_kg / 1e7)
    assert s.carbon.to("gCO2").magnitude == pytest.approx(s.carbon_kg * 1000)
    assert (s.region, s.nodes, s.pue) == ("Quebec", 10_000_000, 1.0)
    assert s.energy_per_sample.to("J/sample").magnitude == pytest.approx(DOORBELL_E)
    # A device its owner bought: the cost is its electricity at 12.68 cents/kWh.
    e = ledger.economics
    assert e.basis == "electricity"
    assert e.cost.to("USD").magnitude == pytest.approx(energy / 3.6e6 * 0.1268)
    # One sample per second per device: 3.1536e7 x 1e7 samples per year.
    assert e.samples.to("sample").magnitude == pytest.approx(YEAR_S * 1e7)
    assert e.samples_per_dollar.to("sample/USD").magnitude == pytest.approx(
        YEAR_S * 1e7 / e.cost.magnitude
    )
    assert ledger.performance.utilization == pytest.approx(DOORBELL_T * 1.0)


def test_quebec_is_far_below_a_coal_heavy_grid():
    sim = ResourceSimulation(Applications.Doorbell, Personas.TinyPioneer)
    quebec = sim.evaluate({"region": "Quebec"}).sustainability.carbon_kg
    alberta = sim.evaluate({"region": "Alberta"}).sustainability.carbon_kg
    poland = sim.evaluate({"region": "Poland"}).sustainability.carbon_kg
    # Same energy, so the ratio is the grids': 670 / 2 and 662 / 2.
    assert alberta / quebec == pytest.approx(335.0)
    assert poland / quebec == pytest.approx(331.0)


def test_unknown_region_is_a_value_error_listing_known_regions():
    sim = ResourceSimulation(Applications.Doorbell, Personas.TinyPioneer)
    with pytest.raises(
        ValueError,
        match=r"region: unknown grid 'Mordor'; known regions: Quebec, Ontario, California, Alberta",
    ):
        sim.evaluate({"region": "Mordor"})


def test_without_a_persona_one_node_and_the_world_average_grid():
    ledger = ResourceSimulation(Applications.Doorbell).evaluate()
    assert ledger.persona is None
    assert ledger.sustainability.nodes == 1
    assert ledger.sustainability.region == "World average"
    assert ledger.sustainability.carbon_kg == pytest.approx(
        DOORBELL_P * YEAR_S / 3.6e6 * 436.0 / 1000
    )


def test_llm_chat_rents_an_h100_and_pays_the_datacentre_overhead():
    app = Applications.LLMChat
    ledger = ResourceSimulation(app, Personas.CloudTitan).evaluate(
        {"region": "California", "hours": 24}
    )
    # One request = prefill of 512 tokens + 256 decode steps at the mean context 512 + 128.
    kw = {"model": app.model, "system": Systems.H100, "precision": "int8"}
    prefill = Engine.solve(**kw, seq_len=512, phase="prefill")
    decode = Engine.solve(**kw, seq_len=640, phase="decode")
    t_req = prefill.latency.to("s").magnitude + 256 * decode.latency.to("s").magnitude
    e_req = prefill.energy.to("J").magnitude + 256 * decode.energy.to("J").magnitude
    # 0.1 requests/s; an H100 idles at its 90 W static power between requests; PUE 1.58.
    power = e_req * 0.1 + 90.0 * (1 - 0.1 * t_req)
    energy = power * 1.58 * 24 * 3600
    s = ledger.sustainability
    assert s.average_power.to("W").magnitude == pytest.approx(power)
    assert s.pue == 1.58
    assert s.carbon_kg == pytest.approx(energy / 3.6e6 * 175.0 / 1000)
    # Rental: $2.49 per hour for 24 h; 0.1 x 256 tokens per second for a day.
    assert ledger.economics.basis == "rental"
    assert ledger.economics.cost.to("USD").magnitude == pytest.approx(2.49 * 24)
    tokens = 0.1 * 256 * 24 * 3600
    assert ledger.economics.samples_per_dollar.to("token/USD").magnitude == pytest.approx(
        tokens / (2.49 * 24)
    )
    assert ledger.performance.latency.to("s").magnitude == pytest.approx(t_req)
    assert ledger.performance.throughput.to("token/s").magnitude == pytest.approx(256 / t_req)
    assert ledger.performance.feasible


def test_choice_values_may_be_quantities():
    sim = ResourceSimulation(Applications.Doorbell)
    plain = sim.evaluate({"hours": 48, "rate": 2.0})
    quantities = sim.evaluate({"hours": 2 * ureg.day, "rate": 120 / ureg.minute})
    assert quantities.sustainability.carbon_kg == pytest.approx(plain.sustainability.carbon_kg)
    with pytest.raises(ValueError, match=r"hours: 3 kg cannot be read as hour"):
        sim.evaluate({"hours": 3 * ureg.kg})


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (
            {"regoin": "Quebec"},
            r"choice: ResourceSimulation has no key 'regoin'; known keys: system, precision, batch_size, efficiency, runtime, region, hours",
        ),
        ({"hours": -1}, r"hours: must be a finite number > 0"),
        ({"nodes": 2.5}, r"nodes: expected a whole number of nodes >= 1, got 2.5"),
        ({"pue": 0.9}, r"pue: facility power cannot be below IT power"),
        (
            {"rate": 500},
            r"rate: 500 requests/s of 9.45 ms each keep STM32H743 busy 473% of the time; at most 105.8 requests/s fit",
        ),
        ({"system": "STM32H7"}, r"system: unknown system 'STM32H7'; did you mean"),
        ({"precision": "fp16"}, r"precision: STM32H743 cannot run 'fp16'"),
    ],
)
def test_resource_simulation_refuses_bad_choices(choice, message):
    with pytest.raises(ValueError, match=message):
        ResourceSimulation(Applications.Doorbell).evaluate(choice)


def test_resource_ledger_has_math_for_each_number_it_computed():
    ledger = ResourceSimulation(Applications.Doorbell).evaluate({"region": "Ontario"})
    assert set(ledger.math) == {
        "average_power",
        "energy",
        "carbon_kg",
        "cost",
        "samples_per_dollar",
    }
    carbon = ledger.math["carbon_kg"]
    assert carbon.result.to("kgCO2").magnitude == pytest.approx(ledger.sustainability.carbon_kg)
    values = {v.symbol: v.value for v in carbon.variables}
    assert values["I"].to("gCO2/kWh").magnitude == 30.0
    assert values["E"].to("J").magnitude == pytest.approx(
        ledger.sustainability.energy.to("J").magnitude
    )


# -- ServingSimulation ------------------------------------------------------------------------

# ResNet-50 int8 on the Orin, batch 1, compiled runtime (see tests/engine): compute 0.14855 ms,
# memory 0.17752 ms, dispatch 0.030 + 54 x 0.0075 = 0.435 ms, so D = 0.17752 + 0.435 ms.
ORIN_D = (25_557_032 + 10.8e6) / 204.8e9 + 0.435e-3


def md1_wait_cdf(t, lam, d):
    """Erlang's M/D/1 waiting-time distribution: (1 - rho) sum_k [lam (kD - t)]^k / k! e^{-lam (kD - t)}."""
    total = 0.0
    for k in range(int(t // d) + 1):
        x = lam * (k * d - t)
        total += x**k / math.factorial(k) * math.exp(-x)
    return (1 - lam * d) * total


def md1_p99_response(lam, d):
    low, high = 0.0, 50 * d
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if md1_wait_cdf(mid, lam, d) < 0.99 else (low, mid)
    return d + low


def test_serving_at_half_load_matches_the_md1_queue():
    lam = 0.5 / ORIN_D  # utilization rho = lam x D = 0.5
    ledger = ServingSimulation(Applications.AutoDrive).evaluate({"rate": lam})
    perf = ledger.performance
    assert perf.latency.to("s").magnitude == pytest.approx(ORIN_D)
    assert perf.utilization == pytest.approx(0.5)
    samples = [ms / 1e3 for ms in perf.latency_samples_ms]
    assert len(samples) == 18_000  # 20,000 requests minus the 10 % warm-up
    # Pollaczek-Khinchine: mean response = D + rho D / (2 (1 - rho)) = 1.5 D.
    assert statistics.fmean(samples) == pytest.approx(1.5 * ORIN_D, rel=0.02)
    assert ledger.math["mean_response_analytic"].result.to("s").magnitude == pytest.approx(
        1.5 * ORIN_D
    )
    # An arrival finds the server idle with probability 1 - rho, and then waits exactly D.
    idle = [math.isclose(s, ORIN_D, rel_tol=1e-9) for s in samples]
    assert statistics.fmean(idle) == pytest.approx(0.5, abs=0.01)
    # P99 against Erlang's exact M/D/1 distribution (2.656 ms here).
    assert perf.latency_p99.to("s").magnitude == pytest.approx(
        md1_p99_response(lam, ORIN_D), rel=0.05
    )
    assert perf.latency_p50.to("s").magnitude == pytest.approx(statistics.median(samples))


def test_exponential_service_matches_the_mm1_mean():
    # service_cv = 1 makes service times exponential: M/M/1 mean response = D / (1 - rho) = 2.5 D at rho 0.6.
    lam = 0.6 / ORIN_D
    ledger = ServingSimulation(Applications.AutoDrive).evaluate(
        {"rate": lam, "service_cv": 1.0, "requests": 50_000}
    )
    assert statistics.fmean(ledger.performance.latency_samples_ms) / 1e3 == pytest.approx(
        2.5 * ORIN_D, rel=0.05
    )
    assert ledger.math["mean_response_analytic"].result.to("s").magnitude == pytest.approx(
        2.5 * ORIN_D
    )


def test_at_a_trickle_every_request_takes_exactly_the_service_time():
    ledger = ServingSimulation(Applications.AutoDrive).evaluate({"rate": 1e-3})
    assert ledger.performance.latency_p50.to("s").magnitude == pytest.approx(ORIN_D)
    assert ledger.performance.latency_p99.to("s").magnitude == pytest.approx(ORIN_D)


def test_same_inputs_give_the_same_histogram_and_the_seed_changes_it():
    sim = ServingSimulation(Applications.ARFilter)
    a = sim.evaluate({"rate": 200}).performance.latency_samples_ms
    b = (
        ServingSimulation(Applications.ARFilter)
        .evaluate({"rate": 200})
        .performance.latency_samples_ms
    )
    c = sim.evaluate({"rate": 200, "seed": 1}).performance.latency_samples_ms
    assert a == b
    assert a != c


def test_batching_trades_latency_for_capacity():
    app = Applications.AutoDrive
    d4 = (
        Engine.solve(model=app.model, system=app.system, batch_size=4, precision="int8")
        .latency.to("s")
        .magnitude
    )
    lam = 1200.0
    single = ServingSimulation(app).evaluate({"rate": lam})
    batched = ServingSimulation(app).evaluate({"rate": lam, "batch_size": 4})
    # rho = lam x D(b) / b: one request at a time 1200 x 0.6125 ms = 0.735; four at a time less.
    assert single.performance.utilization == pytest.approx(lam * ORIN_D)
    assert batched.performance.utilization == pytest.approx(lam * d4 / 4)
    assert batched.performance.utilization < single.performance.utilization
    # Every request of a batch waits for the batch to fill: at least D(4) end to end.
    assert min(batched.performance.latency_samples_ms) / 1e3 >= d4 * (1 - 1e-9)


def test_an_overloaded_node_has_an_infinite_tail_and_no_samples():
    ledger = ServingSimulation(Applications.AutoDrive).evaluate({"rate": 2.0 / ORIN_D})
    assert ledger.performance.utilization == pytest.approx(2.0)
    assert math.isinf(ledger.performance.latency_p99.magnitude)
    assert ledger.performance.latency_samples_ms == ()


def test_queue_recursion_on_a_tiny_hand_example():
    # With a huge rate every request of the run arrives almost at once: request i (after the
    # first) waits for the i requests before it, so response_i ~ (i + 1) x S.
    times = queue_response_times(
        rate=1e12, service_s=1.0, batch_size=1, requests=10, service_cv=0.0, seed=0
    )
    assert times == pytest.approx([float(i) for i in range(2, 11)], abs=1e-9)  # 10 % dropped


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ({"requests": 5}, r"requests: expected a whole number >= 10, got 5"),
        ({"seed": -1}, r"seed: expected a whole number >= 0, got -1"),
        ({"service_cv": -0.5}, r"service_cv: expected a number in \[0, 10\], got -0.5"),
        ({"rate": 0}, r"rate: must be a finite number > 0"),
        ({"batch_size": 0}, r"batch_size: must be >= 1"),
    ],
)
def test_serving_simulation_refuses_bad_choices(choice, message):
    with pytest.raises(ValueError, match=message):
        ServingSimulation(Applications.AutoDrive).evaluate(choice)


# -- ReliabilitySimulation --------------------------------------------------------------------


def test_deadline_miss_rate_by_hand():
    # T = D_orin = 0.61252 ms; compiled runtime jitter = 0.1 x 0.435 ms = 0.0435 ms.
    # p = exp(-(0.75 - 0.61252) / 0.0435) = exp(-3.1604) = 0.04241.
    ledger = ReliabilitySimulation(Applications.AutoDrive).evaluate({"deadline": 0.75})
    r = ledger.reliability
    assert r.deadline_miss_rate == pytest.approx(math.exp(-(0.75e-3 - ORIN_D) / 0.0435e-3))
    assert r.deadline_miss_rate == pytest.approx(0.04241, rel=1e-3)
    # Edge default: MTBF 100,000 h, MTTR 24 h -> A = 100,000 / 100,024.
    assert r.availability == pytest.approx(100_000 / 100_024)
    assert r.effective_miss_rate == pytest.approx(1 - r.availability * (1 - r.deadline_miss_rate))
    assert r.deadline == 0.75 * ureg.ms


def test_eager_runtime_blows_the_ten_ms_loop():
    # Eager on the Orin: 0.5 ms + 54 layers x 3 kernels x 0.11 ms = 18.32 ms of dispatch > 10 ms.
    ledger = ReliabilitySimulation(Applications.AutoDrive, Personas.EdgeGuardian).evaluate(
        {"runtime": "eager"}
    )
    assert ledger.performance.latency.to("ms").magnitude > 18.32
    assert ledger.reliability.deadline_miss_rate == 1.0


def test_no_jitter_means_no_misses_and_a_node_that_cannot_keep_up_misses_everything():
    sim = ReliabilitySimulation(Applications.AutoDrive)
    assert sim.evaluate({"jitter": 0}).reliability.deadline_miss_rate == 0.0
    # 2,000 frames/s leave 0.5 ms per frame, less than the 0.6125 ms one frame takes.
    assert sim.evaluate({"rate": 2000}).reliability.deadline_miss_rate == 1.0


def test_availability_from_explicit_failure_and_repair_times():
    ledger = ReliabilitySimulation(Applications.LLMChat).evaluate(
        {"mtbf": 999, "mttr": 1 * ureg.hour}
    )
    assert ledger.reliability.availability == pytest.approx(0.999)


def test_h100_availability_from_the_llama3_failure_rate():
    ledger = ReliabilitySimulation(Applications.LLMChat).evaluate()
    mtbf = 16_384 * 54 * 24 / 419
    assert ledger.reliability.availability == pytest.approx(mtbf / (mtbf + 3.0))
    # Jitter scales with the whole request's dispatch tax: (1 prefill + 256 decode) launches of
    # 20 us + 560 kernels x 3 us = 1.7 ms each, so tau = 0.1 x 257 x 1.7 ms = 43.69 ms.
    tau = {v.symbol: v.value for v in ledger.math["deadline_miss_rate"].variables}[r"\tau"]
    assert tau.to("ms").magnitude == pytest.approx(43.69)


# -- the ledger every simulation returns ----------------------------------------------------------


def test_sections_a_simulation_does_not_evaluate_explain_themselves():
    ledger = ServingSimulation(Applications.Doorbell).evaluate()
    assert isinstance(ledger, SystemLedger)
    assert isinstance(ledger.sustainability, NotEvaluated)
    assert not ledger.sustainability
    with pytest.raises(
        AttributeError,
        match=r"ServingSimulation does not evaluate sustainability \(asked for sustainability.carbon_kg\)",
    ):
        _ = ledger.sustainability.carbon_kg
    metrics = ledger.metrics()
    assert "performance.latency_p99" in metrics
    assert not any(
        key.startswith(("sustainability", "economics", "reliability")) for key in metrics
    )
    assert "performance.latency_samples_ms" not in metrics


def test_ledger_records_the_resolved_choice_and_the_engine_profile():
    ledger = ResourceSimulation(Applications.Hearable, Personas.TinyPioneer).evaluate(
        {"region": "france"}
    )
    assert ledger.simulation == "ResourceSimulation"
    assert ledger.application == "Hearable"
    assert ledger.persona == "tiny_pioneer"
    assert ledger.choice["system"] == "STM32H743"
    assert ledger.choice["region"] == "France"
    assert ledger.choice["nodes"] == 10_000_000
    assert ledger.profile.model.name == "TinyLSTM"
    with pytest.raises(TypeError):
        ledger.choice["region"] = "Quebec"  # read-only


def test_simulations_refuse_the_wrong_argument_types():
    with pytest.raises(
        ValueError, match=r"application: expected an Application from mlsys.Applications"
    ):
        ResourceSimulation("Doorbell")
    with pytest.raises(ValueError, match=r"persona: expected a Persona from mlsys.Personas"):
        ResourceSimulation(Applications.Doorbell, "tiny_pioneer")
    with pytest.raises(ValueError, match=r"choice: expected a dict, got str"):
        ResourceSimulation(Applications.Doorbell).evaluate("Quebec")


def test_a_custom_simulation_subclasses_base_simulation_as_the_seed_shows():
    class PowerPerFrame(BaseSimulation):
        def evaluate(self, choice=None):
            resolved = self.resolve(choice)
            system = self._get_system_archetype(choice)
            perf = Engine.solve(self.scenario.model, system, precision=resolved["precision"])
            service = self.service(resolved)
            assert perf.latency == service.profile.latency
            scale = self.persona.scale_factor
            return self.ledger(
                resolved, service, self.performance(service, utilization=float(scale)), {}
            )

    ledger = PowerPerFrame(Applications.Hearable, Personas.TinyPioneer).evaluate(
        {"system": "STM32H7A3"}
    )
    assert ledger.choice["system"] == "STM32H7A3"
    assert ledger.performance.utilization == 10_000_000.0
    with pytest.raises(TypeError):
        BaseSimulation(Applications.Hearable)  # abstract: evaluate is required


# -- properties ---------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(utilization=st.floats(0.01, 0.9), seed=st.integers(0, 2**32 - 1))
def test_tail_latency_is_ordered_and_never_below_the_service_time(utilization, seed):
    ledger = ServingSimulation(Applications.AutoDrive).evaluate(
        {"rate": utilization / ORIN_D, "seed": seed, "requests": 2_000}
    )
    perf = ledger.performance
    assert min(perf.latency_samples_ms) / 1e3 >= ORIN_D * (1 - 1e-9)
    assert perf.latency_p99 >= perf.latency_p50 >= perf.latency * (1 - 1e-9)
    assert perf.utilization == pytest.approx(utilization)


@settings(max_examples=25, deadline=None)
@given(
    hours=st.floats(1.0, 1e5),
    nodes=st.integers(1, 10**8),
    region=st.sampled_from(["Quebec", "Alberta", "India"]),
)
def test_carbon_is_proportional_to_horizon_nodes_and_grid(hours, nodes, region):
    sim = ResourceSimulation(Applications.Doorbell)
    ledger = sim.evaluate({"hours": hours, "nodes": nodes, "region": region})
    grid = ledger.sustainability.grid_intensity.to("gCO2/kWh").magnitude
    assert ledger.sustainability.carbon_kg == pytest.approx(
        DOORBELL_P * hours * 3600 * nodes / 3.6e6 * grid / 1000
    )


def test_one_request_batches_follow_lindley_exactly():
    """The batch-of-one path draws the same numbers in the same order as the batch recursion:
    W_j = max(0, W_(j-1) + S_(j-1) - gap_j), response = W_j + S_j."""
    import random

    from mlsys.simulations import WARMUP_FRACTION, queue_response_times

    for cv in (0.0, 0.5):
        rng = random.Random(7)
        shape = 1.0 / cv**2 if cv else 0.0
        expected, wait, previous = [], 0.0, 0.0
        for index in range(2000):
            gap = rng.expovariate(40.0)
            service = rng.gammavariate(shape, 0.01 / shape) if shape else 0.01
            if index:
                wait = max(0.0, wait + previous - gap)
            expected.append(wait + service)
            previous = service
        kept = expected[int(len(expected) * WARMUP_FRACTION) :]
        assert queue_response_times(40.0, 0.01, 1, 2000, cv, 7) == kept
