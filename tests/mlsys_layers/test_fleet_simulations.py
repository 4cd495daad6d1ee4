"""Layer-5 fleet simulations: each result against its law, derived by hand."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsys import (
    Cluster,
    ClusterQueue,
    DataPipeline,
    Engine,
    FederatedRound,
    FleetLedger,
    Models,
    Operations,
    Parallelism,
    PlanSearch,
    Reliability,
    ServingFleet,
    Sustainability,
    Systems,
    TrainingRun,
    TrustCosts,
    ureg,
)
from mlsys.fleet_simulations import _node_solver, _queue_length_tail, erlang_c
from mlsys.fleet_step import solve_steps

FLEET = Cluster(node=Systems.H100, count=64)


def test_training_run_is_steps_times_step_time_over_goodput():
    plan = Parallelism(tp=8, dp=8, microbatches=2)
    run = TrainingRun.solve(
        Models.Llama3_8B,
        FLEET,
        tokens=1e9,
        batch_size=64,
        parallelism=plan,
        seq_len=2048,
        region="France",
    )
    # ceil(1e9 / (64 x 2048)) = 7,630 steps.
    assert run.steps == 7630
    step = Engine.solve(
        model=Models.Llama3_8B,
        system=FLEET,
        batch_size=64,
        phase="train",
        seq_len=2048,
        parallelism=plan,
    )
    # The default checkpoint is the training state: 2 B weights + 12 B Adam per parameter.
    failures = Reliability.solve(FLEET, 1 * ureg.day, 8.03e9 * 14 * ureg.byte)
    assert run.goodput == pytest.approx(failures.goodput)
    wall_h = 7630 * step.latency.to("hour").magnitude / failures.goodput
    assert run.time_to_train.to("hour").magnitude == pytest.approx(wall_h)
    assert run.cost.to("USD").magnitude == pytest.approx(64 * wall_h * 2.0)
    assert run.interruptions == pytest.approx(failures.failure_rate.to("1/hour").magnitude * wall_h)
    assert run.mfu == pytest.approx(step.mfu)
    assert {"time_to_train", "cost", "carbon", "energy", "goodput"} <= set(run.math)


def test_training_run_names_its_grid():
    with pytest.raises(ValueError, match=r"^region:"):
        TrainingRun.solve(Models.Llama3_8B, FLEET, tokens=1e9, batch_size=64, seq_len=2048)


def test_sustainability_by_hour_embodied_and_water():
    profile = [100.0] * 24
    profile[22], profile[23], profile[0] = 400.0, 300.0, 200.0
    run = Sustainability.solve(
        energy=10 * ureg.MWh,
        grid_intensity_by_hour=profile,
        start_hour=22,
        hours=3,
        pue=1.2,
        devices=8,
    )
    # Mean of hours 22, 23 and 0: 300 g/kWh over 12 MWh of facility energy = 3.6 t.
    assert run.grid_intensity.to("gCO2/kWh").magnitude == pytest.approx(300)
    assert run.operational_carbon.to("tonne").magnitude == pytest.approx(3.6)
    # 8 GPUs x 150 kg x 3 h / (4 x 8,760 h).
    embodied_t = 8 * 150 * 3 / (4 * 8760) / 1000
    assert run.embodied_carbon.to("tonne").magnitude == pytest.approx(embodied_t)
    assert run.carbon.to("tonne").magnitude == pytest.approx(3.6 + embodied_t)
    # Water: 10,000 kWh of IT energy x 1.8 L/kWh.
    assert run.water.to("liter").magnitude == pytest.approx(18_000)


def test_a_cleaner_grid_cuts_carbon_in_proportion():
    dirty = Sustainability.solve(energy=1 * ureg.MWh, region="Poland", pue=1.1)
    clean = Sustainability.solve(energy=1 * ureg.MWh, region="France", pue=1.1)
    ratio = dirty.operational_carbon / clean.operational_carbon
    assert ratio.to("").magnitude == pytest.approx(662 / 56)


def test_queue_tails_of_random_and_power_of_two_routing():
    # Random: P(Q >= i) = 0.5^i, so 1 % of requests find 7 or more: the P99 length is 6.
    assert _queue_length_tail(0.5, 1, 0.99) == (pytest.approx(1.0), 6)
    # Two choices: P(Q >= i) = 0.5^(2^i - 1): 0.5, 0.125, 0.0078 -> the P99 length is 2.
    mean, tail = _queue_length_tail(0.5, 2, 0.99)
    assert tail == 2
    assert mean == pytest.approx(sum(0.5 ** (2**i - 1) for i in range(1, 10)))


def test_serving_colocated_tpot_pays_for_prefills():
    serving = ServingFleet.solve(
        Models.Llama3_70B,
        FLEET,
        arrival_rate=20,
        tp=8,
        batch_size=32,
        prompt_tokens=1024,
        output_tokens=256,
    )
    replica = Cluster(node=Systems.H100, count=8)
    plan = Parallelism(tp=8)
    prefill = Engine.solve(
        model=Models.Llama3_70B,
        system=replica,
        batch_size=1,
        seq_len=1024,
        phase="prefill",
        parallelism=plan,
    )
    decode = Engine.solve(
        model=Models.Llama3_70B,
        system=replica,
        batch_size=32,
        seq_len=1280,
        phase="decode",
        parallelism=plan,
    )
    share = 20 / 8 * prefill.latency.to("s").magnitude
    assert serving.tpot.to("ms").magnitude == pytest.approx(
        decode.latency.to("ms").magnitude / (1 - share)
    )
    # KV of a full replica batch: 32 sequences x 1,280 tokens x 320 KiB.
    assert serving.kv_per_replica.to("byte").magnitude == pytest.approx(32 * 1280 * 327_680)


def test_disaggregation_and_two_choices_cut_the_tail():
    kwargs = {"arrival_rate": 25, "tp": 8, "batch_size": 32}
    colocated = ServingFleet.solve(Models.Llama3_70B, FLEET, **kwargs)
    split = ServingFleet.solve(Models.Llama3_70B, FLEET, disaggregated=True, **kwargs)
    two = ServingFleet.solve(Models.Llama3_70B, FLEET, routing="power_of_two", **kwargs)
    assert split.tpot < colocated.tpot
    assert two.ttft_p99 <= colocated.ttft_p99


def test_erlang_c_and_the_preemption_tax():
    # Two servers, offered load 1: P(wait) = (1/2 * 2) / (1 + 1 + 1) = 1/3.
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    queue = ClusterQueue.solve(
        Cluster(node=Systems.H100, count=72),
        arrival_rate=0.25,
        mean_job_time=8,
        job_gpus=16,
        preemptions_per_job=2,
        checkpoint_interval=1,
        restart_time=0.1,
    )
    # 2 preemptions x (1 h / 2 + 0.1 h) = 1.2 h on an 8 h job; 72 GPUs hold 4 gangs of 16.
    assert queue.preemption_tax == pytest.approx(0.15)
    assert queue.slots == 4
    assert queue.idle_devices == 8
    assert queue.utilization == pytest.approx(0.25 * 9.2 / 4)


def test_data_pipeline_read_bandwidth_and_checkpoint_storm():
    step = Engine.solve(
        model=Models.Llama3_8B, system=FLEET, batch_size=64, phase="train", seq_len=2048
    )
    data = DataPipeline.solve(step, bytes_per_sample=8 * ureg.kB, checkpoint=1 * ureg.TB)
    step_s = step.latency.to("s").magnitude
    assert data.read_bandwidth.to("B/s").magnitude == pytest.approx(64 * 8000 / step_s)
    assert data.checkpoint_stall.to("s").magnitude == pytest.approx(10.0)
    assert data.checkpoint_stall_steps == pytest.approx(10.0 / step_s)


def test_federated_round_waits_for_the_slowest_client():
    fl = FederatedRound.solve(
        1_000_000,
        100,
        20 * ureg.MB,
        60 * ureg.s,
        duty=0.5,
        connectivity=0.6,
        charging=0.3,
        uplink=1 * ureg.MB / ureg.s,
        downlink=10 * ureg.MB / ureg.s,
    )
    harmonic = sum(1 / k for k in range(1, 101))
    assert fl.participation == pytest.approx(0.09)
    assert fl.straggler_time.to("s").magnitude == pytest.approx(60 * harmonic)
    assert fl.round_time.to("s").magnitude == pytest.approx(2 + 60 * harmonic + 20)
    assert fl.bytes_per_round.to("GB").magnitude == pytest.approx(4.0)
    with pytest.raises(ValueError, match=r"^cohort:"):
        FederatedRound.solve(1000, 500, 1e6, 1.0, duty=0.1)


def test_trust_costs():
    costs = TrustCosts.solve(100 * ureg.hour, 20 * ureg.ms, epsilon=8, delta=1e-5)
    assert costs.dp_noise_sigma == pytest.approx(math.sqrt(2 * math.log(1.25e5)) / 8)
    assert costs.adversarial_training_time.to("hour").magnitude == pytest.approx(800)
    assert costs.monitored_latency.to("ms").magnitude == pytest.approx(35)
    with pytest.raises(ValueError, match=r"^delta:"):
        TrustCosts.solve(1, 1, delta=2)


def test_fleet_ledger_names_what_it_has():
    ledger = FederatedRound.solve(10, 5, 1e6, 1.0)
    assert isinstance(ledger, FleetLedger)
    assert set(ledger.metrics()) >= {"round_time", "bytes_per_round"}
    with pytest.raises(AttributeError, match="round_time"):
        _ = ledger.carbon


def test_an_ota_wave_downloads_installs_and_uploads_nothing():
    wave = FederatedRound.solve(
        10_000, 1000, 50 * ureg.MB, 0, downlink=5 * ureg.MB / ureg.s, upload=False
    )
    assert wave.round_time.to("s").magnitude == pytest.approx(10.0)
    assert wave.bytes_per_round.to("GB").magnitude == pytest.approx(50.0)


def test_plan_search_picks_the_feasible_plan_with_the_best_mfu():
    search = PlanSearch.solve(
        Models.Llama3_70B, Cluster(node=Systems.H100, count=64), 64, seq_len=2048, zero=1
    )
    assert search.profiles
    assert all(p.feasible for p in search.feasible)
    assert search.best.mfu == max(p.mfu for p in search.feasible)
    assert search.best_plan.devices == 64
    # Pure data parallelism cannot hold 70 B parameters' training state in 80 GB.
    pure_dp = next(p for p in search.profiles if p.parallelism.dp == 64)
    assert not pure_dp.feasible


def test_a_batched_sweep_is_exactly_one_solve_per_case_and_shares_node_solves():
    case = {"model": Models.Llama3_70B, "system": Cluster(node=Systems.H100, count=64)}
    search = PlanSearch.solve(**case, batch_size=64, seq_len=2048, zero=1)
    for profile in search.profiles:
        plan = profile.parallelism
        alone = Engine.solve(**case, batch_size=64, seq_len=2048, phase="train", parallelism=plan)
        assert profile._raw == alone._raw
    calls = []

    def counting(*args):
        calls.append(args[2])
        return _node_solver(*args)

    def sweep(cases):
        keywords = {"seq_len": 2048, "phase": "train", "runtime": None, "node_solver": counting}
        return solve_steps(Models.Llama3_8B, cases, "fp16", None, **keywords)

    sizes = [Cluster(node=Systems.H100, count=8 * 2**k) for k in range(5)]
    weak = [(c, Parallelism(tp=8, dp=c.count // 8, microbatches=4), c.count // 2) for c in sizes]
    steps = sweep(weak)
    assert calls == [1]  # every replica runs microbatches of one sequence: one node solve
    assert [s.devices for s in steps] == [8, 16, 32, 64, 128]
    with pytest.raises(ValueError, match=r"^parallelism:"):
        sweep([(sizes[0], Parallelism(dp=4), 8)])


def test_operations_at_scale_by_hand():
    ops = Operations.solve(
        slo=0.999,
        period=30 * ureg.day,
        request_rate=1000,
        canary_share=0.01,
        canary_events=10_000,
        baseline_rate=0.05,
        lift=0.005,
        benchmark_cv=0.05,
        benchmark_runs=10,
        fast_share=0.99,
        fan_out=100,
    )
    # 30 days x 0.1 % = 43.2 min; 10,000 / (1,000/s x 1 %) = 1,000 s.
    assert ops.error_budget.to("minute").magnitude == pytest.approx(43.2)
    assert ops.canary_duration.to("s").magnitude == pytest.approx(1000)
    # (1.960 + 0.8416)^2 x 2 x 0.05 x 0.95 / 0.005^2 = 29,826 per arm.
    assert ops.ab_samples_per_arm == pytest.approx(29_826, rel=1e-4)
    # 1.96 x sqrt(2) x 5 % / sqrt(10) = 4.38 %.
    assert ops.detectable_regression == pytest.approx(0.04383, rel=1e-3)
    # The tail at scale: 1 - 0.99^100 = 63.4 %.
    assert ops.tail_probability == pytest.approx(1 - 0.99**100)
    with pytest.raises(ValueError, match=r"^slo:"):
        Operations.solve(slo=1.0)


def test_paged_kv_cache_holds_more_sequences_than_contiguous():
    # Per replica of 8 H100: 640 GB - 141.2 GB of weights, minus waste (4 % vs 70 %), over
    # 1,280 tokens x 320 KiB per sequence.
    kwargs = {"arrival_rate": 1, "tp": 8, "prompt_tokens": 1024, "output_tokens": 256}
    paged = ServingFleet.solve(Models.Llama3_70B, FLEET, **kwargs)
    contiguous = ServingFleet.solve(Models.Llama3_70B, FLEET, kv_cache="contiguous", **kwargs)
    room = 8 * 80e9 - 70.6e9 * 2
    per_sequence = 1280 * 327_680
    assert paged.max_sequences_per_replica == pytest.approx(room * 0.96 / per_sequence)
    assert contiguous.max_sequences_per_replica == pytest.approx(room * 0.30 / per_sequence)
    with pytest.raises(ValueError, match=r"^kv_cache:"):
        ServingFleet.solve(Models.Llama3_70B, FLEET, kv_cache="magic", **kwargs)


def _tail_by_search(utilization: float, choices: int, quantile: float) -> int:
    """The queue-length quantile found step by step (the definition the closed form follows)."""

    def tail(i: int) -> float:
        exponent = i if choices == 1 else (choices**i - 1) / (choices - 1)
        return utilization**exponent

    i = 0
    while tail(i + 1) > 1.0 - quantile:
        i += 1
    return i


@settings(max_examples=500, deadline=None)
@given(
    utilization=st.floats(0.0, 0.9999),
    choices=st.sampled_from([1, 2, 3]),
    quantile=st.sampled_from([0.5, 0.9, 0.99, 0.999]),
)
def test_queue_tail_closed_form_equals_the_search(utilization, choices, quantile):
    assert _queue_length_tail(utilization, choices, quantile)[1] == _tail_by_search(
        utilization, choices, quantile
    )
