"""mlsys.FleetReport: a training step on a cluster and its run, checked by hand and by property.

Hand-derived values use the book's assumptions (appendix_assumptions.qmd): 100 GB/s checkpoint
writes, Adam in mixed precision, $2 per GPU-hour.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsys import (
    Cluster,
    Engine,
    FleetReport,
    FleetScenario,
    Models,
    Parallelism,
    Reliability,
    Systems,
    ureg,
)


def _step(dp: int = 32, tp: int = 8, pp: int = 4, microbatches: int = 8) -> object:
    plan = Parallelism(dp=dp, tp=tp, pp=pp, microbatches=microbatches, zero=1)
    cluster = Cluster(node=Systems.H100, count=plan.devices)
    return Engine.solve(
        model=Models.Llama3_70B,
        system=cluster,
        batch_size=1024,
        precision="fp16",
        phase="train",
        seq_len=4096,
        parallelism=plan,
    )


def test_checkpoint_holds_weights_moments_and_master_copy() -> None:
    # fp16 weights (2 B) + two fp32 Adam moments (8 B) + fp32 master weights (4 B) = 14 B/param.
    report = FleetReport(_step())
    expected_gb = Models.Llama3_70B.params * 14 / 1e9
    assert report.checkpoint_size.to("GB").magnitude == pytest.approx(expected_gb)
    # Written at the book's 100 GB/s.
    assert report.checkpoint_write.to("s").magnitude == pytest.approx(expected_gb / 100.0)


def test_young_daly_interval_by_hand() -> None:
    report = FleetReport(_step())
    write_s = report.checkpoint_write.to("s").magnitude
    mtbf_s = report.mtbf.to("s").magnitude
    expected_min = math.sqrt(2 * write_s * mtbf_s) / 60.0
    assert report.optimal_checkpoint_interval.to("minute").magnitude == pytest.approx(expected_min)
    # With no interval chosen, the run checkpoints at the optimum.
    assert report.checkpoint_interval == report.optimal_checkpoint_interval


def test_mtbf_is_the_clusters_series_mtbf() -> None:
    step = _step()
    report = FleetReport(step)
    direct = Reliability.solve(step.system, 1 * ureg.day)
    assert report.mtbf.to("hour").magnitude == pytest.approx(direct.mtbf.to("hour").magnitude)


def test_goodput_by_hand_at_a_chosen_interval() -> None:
    report = FleetReport(_step(), FleetScenario(checkpoint_interval=10))
    tau = 600.0
    write = report.checkpoint_write.to("s").magnitude
    mtbf = report.mtbf.to("s").magnitude
    # Recovery: heartbeat 30 s + reschedule 60 s + restart 180 s + warm-up 120 s, plus reading
    # the checkpoint back at the write bandwidth.
    recover = 30 + 60 + 180 + 120 + write
    expected = 1 - write / tau - (tau / 2 + recover) / mtbf
    assert report.goodput.magnitude == pytest.approx(expected)


def test_the_optimum_beats_intervals_on_either_side() -> None:
    step = _step()
    best = FleetReport(step)
    tau = best.optimal_checkpoint_interval.to("minute").magnitude
    for factor in (0.25, 0.5, 2.0, 4.0):
        other = FleetReport(step, FleetScenario(checkpoint_interval=tau * factor))
        assert other.goodput < best.goodput


def test_time_and_cost_to_train_by_hand() -> None:
    step = _step()
    report = FleetReport(step, FleetScenario(train_tokens=1e12))
    steps = math.ceil(1e12 / (1024 * 4096))
    compute_h = steps * step.latency.to("hour").magnitude
    wall_h = compute_h / report.goodput.magnitude
    assert report.time_to_train.to("day").magnitude == pytest.approx(wall_h / 24)
    assert report.training_cost.to("USD").magnitude == pytest.approx(1024 * wall_h * 2.0)


def test_default_run_is_compute_optimal() -> None:
    report = FleetReport(_step())
    assert report.train_tokens == pytest.approx(20 * Models.Llama3_70B.params)


def test_step_fields_read_through_and_fractions_are_quantities() -> None:
    step = _step()
    report = FleetReport(step)
    assert report.latency == step.latency
    assert report.latency_bubble == step.latency_bubble
    assert report.mfu.magnitude == pytest.approx(step.mfu)
    assert report.scaling_efficiency.magnitude == pytest.approx(step.scaling_efficiency)
    assert report.devices.magnitude == 1024
    assert report.memory_capacity.to("GB").magnitude == pytest.approx(Systems.H100.ram_bytes / 1e9)


def test_every_consequence_has_its_derivation() -> None:
    report = FleetReport(_step())
    for name in (
        "mtbf",
        "checkpoint_size",
        "checkpoint_write",
        "optimal_checkpoint_interval",
        "checkpoint_interval",
        "goodput",
        "time_to_train",
        "training_cost",
        "queue_wait",
        "devices",
        "scaling_efficiency",
        "model_flops",
        "facility_power",
        "rack_power",
        "run_energy",
        "carbon",
        "embodied_carbon",
    ):
        result, value = report.math[name].result, getattr(report, name)
        assert result.to(value.units).magnitude == pytest.approx(value.magnitude)


def test_queue_waits_explode_near_saturation_for_heavy_tails() -> None:
    step = _step()

    def wait(load: float, cv: float) -> float:
        scenario = FleetScenario(queue_load=load, job_cv=cv)
        return FleetReport(step, scenario).queue_wait.to("hour").magnitude

    assert wait(0.5, 1) < wait(0.7, 1) < wait(0.9, 1) < wait(0.95, 1)
    # Kingman: the wait scales with (1 + C^2) / 2, so C = 4 waits 8.5x longer than C = 1.
    assert wait(0.9, 4) / wait(0.9, 1) == pytest.approx(8.5)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("checkpoint_interval", 0),
        ("checkpoint_interval", -5),
        ("train_tokens", 0),
        ("queue_load", 1.0),
        ("queue_load", 0.0),
        ("job_cv", -1),
        ("job_gpus", True),
    ],
)
def test_bad_scenarios_name_the_parameter(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        FleetScenario(**{field: value})


def test_a_single_node_profile_is_refused() -> None:
    profile = Engine.solve(model=Models.ResNet50, system=Systems.H100)
    with pytest.raises(ValueError, match="step"):
        FleetReport(profile)  # type: ignore[arg-type]


def test_a_gang_larger_than_the_cluster_is_refused() -> None:
    report = FleetReport(_step(dp=1, tp=8, pp=1, microbatches=1), FleetScenario(job_gpus=64))
    with pytest.raises(ValueError, match="job_gpus"):
        _ = report.queue_wait


@settings(max_examples=25, deadline=None)
@given(dp=st.sampled_from([8, 16, 32, 64, 128]))
def test_more_devices_never_lengthen_mtbf_nor_the_optimal_interval(dp: int) -> None:
    small = FleetReport(_step(dp=dp, tp=8, pp=1, microbatches=1))
    large = FleetReport(_step(dp=dp * 2, tp=8, pp=1, microbatches=1))
    assert large.mtbf < small.mtbf
    assert large.optimal_checkpoint_interval < small.optimal_checkpoint_interval
    # Young-Daly: the interval scales with the square root of the MTBF.
    ratio = small.optimal_checkpoint_interval / large.optimal_checkpoint_interval
    assert ratio.magnitude == pytest.approx(math.sqrt((small.mtbf / large.mtbf).magnitude))


@settings(max_examples=25, deadline=None)
@given(minutes=st.floats(min_value=1.0, max_value=600.0))
def test_goodput_is_a_fraction(minutes: float) -> None:
    goodput = FleetReport(_step(), FleetScenario(checkpoint_interval=minutes)).goodput.magnitude
    assert 0.0 <= goodput < 1.0


def test_carbon_of_the_run_by_hand() -> None:
    # Operational: facility energy (IT energy x PUE) x the grid's intensity; plus embodied.
    report = FleetReport(_step(), FleetScenario(region="France", cooling="liquid"))
    energy_mwh = report.run_energy.to("MWh").magnitude
    operational_t = energy_mwh * 1e3 * 56.0 / 1e6  # 56 gCO2/kWh (Ember 2023)
    expected = operational_t + report.embodied_carbon.to("tonne").magnitude
    assert report.carbon.to("tonne").magnitude == pytest.approx(expected)
    assert report.pue.magnitude == pytest.approx(1.06)
    dirtier = FleetReport(_step(), FleetScenario(region="India", cooling="liquid"))
    assert dirtier.carbon > report.carbon
    assert dirtier.run_energy == report.run_energy


def test_facility_and_rack_power_by_hand() -> None:
    report = FleetReport(_step(), FleetScenario(cooling="typical", servers_per_rack=4))
    # 128 DGX H100 servers of 10.2 kW (NVIDIA user guide) at PUE 1.55.
    assert report.facility_power.to("kW").magnitude == pytest.approx(128 * 10.2 * 1.55)
    assert report.rack_power.to("kW").magnitude == pytest.approx(4 * 10.2)


@pytest.mark.parametrize(
    ("field", "value"), [("region", "Atlantis"), ("cooling", "ice"), ("servers_per_rack", 0)]
)
def test_bad_facilities_name_the_parameter(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        FleetScenario(**{field: value})


# -- serving at scale ---------------------------------------------------------------------------


def _decode(dp: int = 8, tp: int = 8, precision: str = "fp16") -> object:
    plan = Parallelism(dp=dp, tp=tp)
    cluster = Cluster(node=Systems.H100, count=plan.devices)
    return Engine.solve(
        model=Models.Llama3_70B,
        system=cluster,
        batch_size=256,
        precision=precision,
        phase="decode",
        seq_len=2048,
        parallelism=plan,
    )


def test_kv_cache_by_hand() -> None:
    # Llama-3-70B: 80 layers, 8 KV heads of 128 dims; fp16 keys and values:
    # 2 x 80 x 8 x 128 x 2 B = 327,680 B per token.
    report = FleetReport(_decode(), FleetScenario(prompt_tokens=1024, output_tokens=256))
    assert report.kv_per_token.to("byte").magnitude == pytest.approx(2 * 80 * 8 * 128 * 2)
    context = 1024 + 256
    assert report.kv_per_replica.to("byte").magnitude == pytest.approx(327_680 * context * 32)
    assert report.kv_per_device.to("byte").magnitude == pytest.approx(327_680 * context * 32 / 8)
    weights = Models.Llama3_70B.params * 2
    assert report.serving_weights.to("byte").magnitude == pytest.approx(weights / 8)
    # Sequences of full context the paged cache holds: (8 x 80 GB - weights) x 0.96.
    room = (8 * Systems.H100.ram_bytes - weights) * (1 - 0.04)
    assert report.kv_capacity.magnitude == pytest.approx(room / (327_680 * context))
    contiguous = FleetReport(_decode(), FleetScenario(kv_cache="contiguous"))
    assert contiguous.kv_capacity.magnitude == pytest.approx(
        report.kv_capacity.magnitude * 0.30 / 0.96
    )
    # fp8 halves the bytes per token.
    fp8 = FleetReport(_decode(precision="fp8"))
    assert fp8.kv_per_token.to("byte").magnitude == pytest.approx(327_680 / 2)


def test_replicas_littles_law_and_cost_by_hand() -> None:
    report = FleetReport(_decode(dp=8, tp=8), FleetScenario(arrival_rate=10, output_tokens=256))
    assert report.replicas.magnitude == 8  # 64 devices in groups of tp = 8
    latency_s = report.request_latency.to("s").magnitude
    assert report.in_flight.magnitude == pytest.approx(10 * latency_s)
    assert report.request_latency.to("ms").magnitude == pytest.approx(
        report.ttft.to("ms").magnitude + 256 * report.tpot.to("ms").magnitude
    )
    assert report.serving_throughput.to("token/s").magnitude == pytest.approx(2560)
    # 64 GPUs at $2/h over 2,560 tokens/s x 3,600 s: $13.89 per million tokens.
    assert report.cost_per_million_tokens.to("USD").magnitude == pytest.approx(
        64 * 2.0 / (2560 * 3600) * 1e6
    )
    assert report.ttft_p99 >= report.ttft
    assert 0 < report.serving_utilization.magnitude < 1


def test_tpot_and_ttft_follow_the_engine() -> None:
    # Colocated: each decode step is stretched by the prefills that interrupt it,
    # TPOT = T_decode / (1 - lambda_r T_prefill); TTFT includes one prefill.
    step = _decode()
    report = FleetReport(step, FleetScenario(arrival_rate=10))
    replica = Cluster(node=Systems.H100, count=8)
    plan = Parallelism(tp=8)
    common = {"model": Models.Llama3_70B, "system": replica, "precision": "fp16"}
    prefill = Engine.solve(
        **common, batch_size=1, seq_len=1024, phase="prefill", parallelism=plan
    ).latency.to("s")
    decode = Engine.solve(
        **common, batch_size=32, seq_len=1280, phase="decode", parallelism=plan
    ).latency.to("s")
    share = 10 / 8 * prefill.magnitude
    assert report.tpot.to("s").magnitude == pytest.approx(decode.magnitude / (1 - share))
    assert report.ttft.to("s").magnitude >= prefill.magnitude
    # Disaggregated: decode runs alone, so TPOT is the decode step.
    split = FleetReport(step, FleetScenario(arrival_rate=10, serving_mode="disaggregated"))
    assert split.tpot.to("s").magnitude == pytest.approx(decode.magnitude)
    # Capacity: replicas x batch / T_decode tokens per second.
    assert report.serving_capacity.to("token/s").magnitude == pytest.approx(
        8 * 32 / decode.magnitude
    )
    # Power-of-two routing shortens the tail.
    two = FleetReport(step, FleetScenario(arrival_rate=30, routing="power_of_two"))
    one = FleetReport(step, FleetScenario(arrival_rate=30))
    assert two.ttft_p99 < one.ttft_p99


def test_a_saturating_rate_reads_infinite_latency() -> None:
    report = FleetReport(_decode(dp=1), FleetScenario(arrival_rate=1000))
    assert report.serving_saturated
    assert math.isinf(report.ttft.magnitude)
    assert math.isinf(report.request_latency.magnitude)
    assert report.serving_utilization.magnitude == 1.0
    # What does not depend on the rate is still there: capacity, KV cache, replicas.
    assert report.serving_capacity.magnitude > 0
    assert report.replicas.magnitude == 1
    assert report.cost_per_million_tokens.magnitude > 0
    assert "cost_per_million_tokens" in report.math
    # Saturated, the fleet serves the highest rate it sustains (prefills included): just under
    # it the queue is finite and the cost per token is the same.
    served = report.serving_throughput.to("token/s").magnitude / 256
    below = FleetReport(report.step, FleetScenario(arrival_rate=served * 0.999))
    assert not below.serving_saturated
    assert report.cost_per_million_tokens.magnitude == pytest.approx(
        below.cost_per_million_tokens.magnitude, rel=2e-3
    )
    assert served * 256 < report.serving_capacity.to("token/s").magnitude


def test_a_serving_step_derives_its_fields() -> None:
    report = FleetReport(_decode(), FleetScenario(arrival_rate=10))
    for name in (
        "ttft",
        "tpot",
        "request_latency",
        "kv_per_token",
        "kv_per_replica",
        "kv_capacity",
        "replicas",
        "serving_utilization",
        "in_flight",
        "serving_capacity",
        "cost_per_million_tokens",
    ):
        derivation, value = report.math[name], getattr(report, name)
        assert derivation.result.to(value.units).magnitude == pytest.approx(value.magnitude), name
    # A training step derives no serving fields.
    assert "ttft" not in FleetReport(_step()).math


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("arrival_rate", 0),
        ("arrival_rate", -1.0),
        ("prompt_tokens", 0),
        ("output_tokens", 2.5),
        ("serving_batch", True),
        ("serving_mode", "hybrid"),
        ("routing", "round_robin"),
        ("kv_cache", "sparse"),
    ],
)
def test_bad_serving_scenarios_name_the_parameter(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        FleetScenario(**{field: value})


def test_a_cnn_cannot_be_served_at_scale() -> None:
    plan = Parallelism(dp=8)
    step = Engine.solve(
        model=Models.ResNet50,
        system=Cluster(node=Systems.H100, count=8),
        batch_size=64,
        precision="fp16",
        parallelism=plan,
    )
    with pytest.raises(ValueError, match="model"):
        _ = FleetReport(step).ttft


def test_a_run_shorter_than_the_interval_loses_at_most_itself() -> None:
    # TinyLSTM's compute-optimal run on 16 H100s lasts about a second: no interval it is
    # offered comes round before it ends, so the interval changes nothing.
    plan = Parallelism(dp=16)
    step = Engine.solve(
        model=Models.TinyLSTM,
        system=Cluster(node=Systems.H100, count=16),
        batch_size=4096,
        precision="fp16",
        phase="train",
        parallelism=plan,
    )
    short = FleetReport(step, FleetScenario(checkpoint_interval=5))
    long = FleetReport(step, FleetScenario(checkpoint_interval=240))
    assert short.time_to_train.to("minute").magnitude < 5
    assert short.goodput.magnitude == pytest.approx(long.goodput.magnitude)
    assert short.goodput.magnitude > 0.999


def _field_device(**scenario: object) -> object:
    # A federated client: one Snapdragon 8 Gen 3 (dp 1) training MobileNetV2 locally.
    step = Engine.solve(
        model=Models.MobileNetV2,
        system=Cluster(node=Systems.Snapdragon8Gen3, count=1),
        batch_size=32,
        precision="fp16",
        phase="train",
        parallelism=Parallelism(dp=1),
    )
    return FleetReport(step, FleetScenario(**scenario))


def test_federated_round_by_hand() -> None:
    report = _field_device(
        population=1000,
        cohort=10,
        duty=0.5,
        connectivity=0.8,
        charging=0.5,
        local_steps=20,
        link_kbps=8000,
    )
    # 0.5 x 0.8 x 0.5 = 0.2 of 1000 devices are eligible.
    assert report.participation.magnitude == pytest.approx(0.2)
    assert report.eligible_devices.magnitude == pytest.approx(200)
    # fp16 MobileNetV2: 2 B x params; 10 clients download and upload it.
    model_bytes = Models.MobileNetV2.params * 2
    assert report.bytes_per_round.to("GB").magnitude == pytest.approx(10 * 2 * model_bytes / 1e9)
    # Straggler: 20 local steps x the step, times H_10 = 7381/2520.
    mean_s = 20 * report.step.latency.to("s").magnitude
    straggler_s = mean_s * 7381 / 2520
    assert report.straggler_time.to("s").magnitude == pytest.approx(straggler_s)
    # 8000 kbit/s = 1 MB/s each way: model down + straggler + model up.
    round_s = model_bytes / 1e6 + straggler_s + model_bytes / 1e6
    assert report.round_time.to("s").magnitude == pytest.approx(round_s)
    assert report.round_energy.to("J").magnitude == pytest.approx(
        20 * report.step.energy.to("J").magnitude
    )
    for name in (
        "participation",
        "eligible_devices",
        "round_time",
        "straggler_time",
        "bytes_per_round",
        "round_energy",
    ):
        result, value = report.math[name].result, getattr(report, name)
        assert result.to(value.units).magnitude == pytest.approx(value.magnitude)


def test_a_cohort_beyond_the_eligible_devices_is_refused() -> None:
    report = _field_device(population=1000, cohort=300, duty=0.5, charging=0.5)
    assert "round_time" not in report.math
    with pytest.raises(ValueError, match="cohort"):
        _ = report.round_time


def test_a_cluster_step_has_no_federated_derivations() -> None:
    assert "round_time" not in FleetReport(_step()).math


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("population", 0),
        ("cohort", 2.5),
        ("cohort", 20_000),
        ("duty", 0.0),
        ("connectivity", 1.5),
        ("charging", True),
        ("local_steps", 0),
        ("link_kbps", -8),
    ],
)
def test_bad_federated_scenarios_name_the_parameter(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        FleetScenario(**{field: value})


def test_operations_by_hand() -> None:
    report = FleetReport(_step())
    # 30 days x (1 - 0.999) = 43.2 min; 10,000 requests at 1% of 1000/s = 1000 s.
    assert report.error_budget.to("minute").magnitude == pytest.approx(43.2)
    assert report.canary_duration.to("s").magnitude == pytest.approx(1000.0)
    # (1.959964 + 0.841621)^2 x 2 x 0.05 x 0.95 / 0.005^2 = 29,825.7 per arm.
    assert report.ab_samples_per_arm.magnitude == pytest.approx(29_825.7, rel=1e-5)
    assert report.ab_duration.to("s").magnitude == pytest.approx(2 * 29_825.7 / 1000, rel=1e-5)
    # 1.96 x sqrt(2) x 0.05 / sqrt(10) = 4.38 %; 1 - 0.99^100 = 63.4 %.
    assert report.detectable_regression.magnitude == pytest.approx(0.0438261, rel=1e-5)
    assert report.tail_probability.magnitude == pytest.approx(1 - 0.99**100)
    for name in (
        "error_budget",
        "canary_duration",
        "ab_samples_per_arm",
        "ab_duration",
        "detectable_regression",
        "tail_probability",
    ):
        result, value = report.math[name].result, getattr(report, name)
        assert result.to(value.units).magnitude == pytest.approx(value.magnitude)


def test_operations_follow_their_parameters() -> None:
    scenario = FleetScenario(slo=0.9999, canary_share=0.1, fan_out=1, benchmark_runs=40)
    report = FleetReport(_step(), scenario)
    assert report.error_budget.to("minute").magnitude == pytest.approx(4.32)
    assert report.canary_duration.to("s").magnitude == pytest.approx(100.0)
    assert report.tail_probability.magnitude == pytest.approx(0.01)
    assert report.detectable_regression.magnitude == pytest.approx(0.0438261 / 2, rel=1e-5)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slo", 1.0),
        ("slo", 0),
        ("request_rate", 0),
        ("canary_share", 1.5),
        ("baseline_rate", 1.0),
        ("lift", -0.01),
        ("benchmark_cv", True),
        ("benchmark_runs", 1),
        ("fan_out", 0),
    ],
)
def test_bad_operations_scenarios_name_the_parameter(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        FleetScenario(**{field: value})


def test_trust_costs_by_hand() -> None:
    report = FleetReport(_step())
    train_days = report.time_to_train.to("day").magnitude
    latency_ms = report.step.latency.to("ms").magnitude
    # sigma = sqrt(2 ln(1.25 / 1e-5)) / 8 = 0.6056 at clip norm 1.
    assert report.dp_noise_sigma.magnitude == pytest.approx(math.sqrt(2 * math.log(125_000)) / 8)
    assert report.dp_training_time.to("day").magnitude == pytest.approx(2 * train_days)
    assert report.adversarial_training_time.to("day").magnitude == pytest.approx(8 * train_days)
    assert report.responsible_training_time.to("day").magnitude == pytest.approx(1.1 * train_days)
    assert report.monitored_latency.to("ms").magnitude == pytest.approx(latency_ms + 15)
    assert report.explanation_latency.to("ms").magnitude == pytest.approx(100 * latency_ms)
    for name in (
        "dp_noise_sigma",
        "dp_training_time",
        "adversarial_training_time",
        "responsible_training_time",
        "monitored_latency",
        "explanation_latency",
    ):
        result, value = report.math[name].result, getattr(report, name)
        assert result.to(value.units).magnitude == pytest.approx(value.magnitude)


def test_trust_costs_follow_epsilon_and_attack_steps() -> None:
    base = FleetReport(_step())
    report = FleetReport(_step(), FleetScenario(epsilon=1, attack_steps=0))
    assert report.dp_noise_sigma.magnitude == pytest.approx(8 * base.dp_noise_sigma.magnitude)
    assert report.adversarial_training_time.magnitude == pytest.approx(
        report.time_to_train.to("day").magnitude
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("epsilon", 0), ("epsilon", math.inf), ("attack_steps", -1), ("attack_steps", 2.5)],
)
def test_bad_trust_scenarios_name_the_parameter(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        FleetScenario(**{field: value})


@pytest.mark.parametrize("kv_cache", ["paged", "contiguous"])
def test_a_serving_step_fits_exactly_when_its_batch_fits_the_kv_cache(kv_cache) -> None:
    # The fit card of a serving step is the replica's memory: weights / tp + the batch's KV
    # cache / tp, with what the layout loses; it fits exactly up to kv_capacity sequences.
    probe = FleetReport(_decode(), FleetScenario(kv_cache=kv_cache))
    capacity = int(probe.kv_capacity.magnitude)
    for batch in (max(1, capacity // 2), capacity, capacity + 1, 2 * capacity + 2):
        report = FleetReport(_decode(), FleetScenario(kv_cache=kv_cache, serving_batch=batch))
        kept = 1 - {"paged": 0.04, "contiguous": 0.70}[kv_cache]
        expected = report.serving_weights + report.kv_per_device / kept
        assert report.memory_footprint.to("byte").magnitude == pytest.approx(
            expected.to("byte").magnitude
        )
        assert report.feasible == (batch <= capacity)
        fits_memory = report.memory_footprint <= report.memory_capacity * (1 + 1e-9)
        assert fits_memory == report.feasible


def test_disaggregation_of_one_replica_is_refused_when_the_report_is_made() -> None:
    # 8 H100 with tp 8 hold one replica: there is no second pool to split prefill from decode.
    # Refused at once, naming the input, not later on the first serving number read.
    step = Engine.solve(
        model=Models.Llama3_70B,
        system=Cluster(node=Systems.H100, count=8),
        batch_size=8,
        precision="fp8",
        phase="decode",
        seq_len=2048,
        parallelism=Parallelism(dp=1, tp=8),
    )
    with pytest.raises(ValueError, match=r"serving_mode: .* this plan has 1 \(8 devices / tp 8\)"):
        FleetReport(step, FleetScenario(serving_mode="disaggregated"))
    # Two replicas split; one colocated replica serves.
    assert (
        FleetReport(_decode(dp=2), FleetScenario(serving_mode="disaggregated")).ttft.magnitude > 0
    )
    assert FleetReport(step, FleetScenario(serving_mode="colocated")).replicas.magnitude == 1


def test_the_safeguards_bills_are_the_rental_of_their_wall_time() -> None:
    # By hand: N devices x wall hours x $2 per GPU-hour; DP-SGD doubles the wall time, a
    # 3-step attack quadruples it, fairness-aware training adds 10 %.
    report = FleetReport(_step(), FleetScenario(attack_steps=3))
    plain = report.training_cost.to("USD").magnitude
    assert report.dp_training_cost.to("USD").magnitude == pytest.approx(2.0 * plain)
    assert report.adversarial_training_cost.to("USD").magnitude == pytest.approx(4.0 * plain)
    assert report.responsible_training_cost.to("USD").magnitude == pytest.approx(1.1 * plain)
    hours = report.dp_training_time.to("hour").magnitude
    assert report.dp_training_cost.to("USD").magnitude == pytest.approx(1024 * hours * 2.0)
    for name in ("dp_training_cost", "adversarial_training_cost", "responsible_training_cost"):
        derivation = report.math[name]
        assert derivation.result.to("USD").magnitude == pytest.approx(
            getattr(report, name).to("USD").magnitude
        )


def test_a_safeguards_carbon_is_the_runs_carbon_times_its_wall_time_multiple() -> None:
    # Operational carbon follows the energy, embodied carbon the hours held: both scale with
    # the wall time, so DP-SGD emits 2x, a 3-step attack 4x, fairness-aware training 1.1x.
    report = FleetReport(_step(), FleetScenario(attack_steps=3, region="Poland"))
    plain = report.carbon.to("tonne").magnitude
    assert report.dp_training_carbon.to("tonne").magnitude == pytest.approx(2.0 * plain)
    assert report.adversarial_training_carbon.to("tonne").magnitude == pytest.approx(4.0 * plain)
    assert report.responsible_training_carbon.to("tonne").magnitude == pytest.approx(1.1 * plain)
    for name in ("dp_training_carbon", "adversarial_training_carbon"):
        assert report.math[name].result.to("tonne").magnitude == pytest.approx(
            getattr(report, name).to("tonne").magnitude
        )


def test_silent_corruption_grows_with_gpu_hours() -> None:
    # 1e-6 per GPU-hour (the book): 1,024 GPUs for T hours expect 1.024e-3 T corruptions, and
    # the chance of at least one is 1 - (1 - 1e-6)^(1024 T), about 1 - exp(-events).
    report = FleetReport(_step())
    hours = report.time_to_train.to("hour").magnitude
    events = report.sdc_events.magnitude
    assert events == pytest.approx(1e-6 * 1024 * hours)
    assert report.sdc_probability.magnitude == pytest.approx(-math.expm1(-events), rel=1e-5)
    assert report.math["sdc_probability"].result.magnitude == pytest.approx(
        report.sdc_probability.magnitude
    )
    # Twice the devices for the same work: more GPU-hours in all, never a smaller chance.
    bigger = FleetReport(_step(dp=64))
    assert bigger.sdc_probability.magnitude >= report.sdc_probability.magnitude


@settings(max_examples=20, deadline=None)
@given(dp=st.sampled_from([1, 2, 4, 8, 16, 32, 64]), steps=st.integers(min_value=0, max_value=10))
def test_safeguards_cost_at_least_the_plain_run_and_corruption_is_a_probability(dp, steps):
    report = FleetReport(_step(dp=dp, pp=1, microbatches=1), FleetScenario(attack_steps=steps))
    plain = report.training_cost.to("USD").magnitude
    for name in ("dp_training_cost", "adversarial_training_cost", "responsible_training_cost"):
        assert getattr(report, name).to("USD").magnitude >= plain * (1 - 1e-12)
    assert 0.0 <= report.sdc_probability.magnitude <= 1.0
    assert report.sdc_events.magnitude >= 0.0
