"""Each fleet law against a value derived by hand (numbers in the comments)."""

import math

import pytest

from mlsys import (
    Cluster,
    ClusterQueue,
    Collectives,
    Engine,
    Fabrics,
    Models,
    Parallelism,
    Reliability,
    ServingFleet,
    Sustainability,
    Systems,
    ureg,
)
from mlsys import fleet_formulas as ff
from mlsys.fleet_constants import AIR_COOLED_RACK_LIMIT_W

A100_NODE = Cluster(node=Systems.A100, count=8)
H100_FLEET = Cluster(node=Systems.H100, count=1024, per_node=8)


def ms(quantity):
    return quantity.to("ms").magnitude


def llama70b_step(zero=1, virtual_stages=1):
    """Llama-3-70B, 1,024 sequences of 4,096 tokens, on 1,024 H100: TP8 PP4 DP32, 8 microbatches."""
    plan = Parallelism(tp=8, pp=4, dp=32, microbatches=8, zero=zero, virtual_stages=virtual_stages)
    return Engine.solve(
        model=Models.Llama3_70B,
        system=H100_FLEET,
        batch_size=1024,
        phase="train",
        seq_len=4096,
        parallelism=plan,
    )


def test_ring_all_reduce_inside_one_a100_node():
    # NVLink3 300 GB/s x 0.8 = 240 GB/s, alpha 1 us: 2*7*1us + 2*7/8 * 1 GB / 240 GB/s.
    r = Collectives.all_reduce(size=1 * ureg.GB, system=A100_NODE)
    assert r.algorithm == "ring"
    assert ms(r.latency) == pytest.approx((14e-6 + 1.75 * 1e9 / 240e9) * 1e3, rel=1e-12)
    # busBW = algBW * 2(N-1)/N: 1 GB / 7.3057 ms * 1.75 = 239.5 GB/s (nccl-tests: ~230-250).
    assert r.bus_bandwidth.to("GB/s").magnitude == pytest.approx(239.54, rel=1e-4)


def test_tree_all_reduce_wins_for_small_messages_across_nodes():
    # 1 kB over 1,024 ranks: 2 * log2(1024) * (5 us + 1 kB / 40 GB/s) = 20 * 5.025 us.
    r = Collectives.all_reduce(size=1 * ureg.kB, system=H100_FLEET)
    assert r.algorithm == "tree"
    assert ms(r.latency) == pytest.approx(20 * 5.025e-3, rel=1e-12)


def test_hierarchical_all_reduce_sends_one_eighth_across_nodes():
    # In-node reduce-scatter and all-gather: 7 us + 7/8 * 1 GB / 360 GB/s each;
    # across 128 nodes a ring of 1 GB / 8: 2*127*5 us + 2*127/128 * 125 MB / 40 GB/s.
    inside = 7e-6 + 7 / 8 * 1e9 / 360e9
    across = 2 * 127 * 5e-6 + 2 * 127 / 128 * 125e6 / 40e9
    r = Collectives.all_reduce(size=1 * ureg.GB, system=H100_FLEET, algorithm="hierarchical")
    assert ms(r.latency) == pytest.approx((2 * inside + across) * 1e3, rel=1e-12)
    assert Collectives.all_reduce(size=1 * ureg.GB, system=H100_FLEET).algorithm == "hierarchical"


def test_all_gather_reduce_scatter_broadcast_all_to_all_inside_a_node():
    # (N-1) alpha + (N-1)/N M / beta for gathers and all-to-all; a pipelined chain broadcast.
    for op in ("all_gather", "reduce_scatter"):
        r = getattr(Collectives, op)(size=8 * ureg.GB, system=A100_NODE, algorithm="ring")
        assert ms(r.latency) == pytest.approx((7e-6 + 7 / 8 * 8e9 / 240e9) * 1e3, rel=1e-12)
    a2a = Collectives.all_to_all(size=8 * ureg.GB, system=A100_NODE)
    assert a2a.algorithm == "pairwise"
    assert ms(a2a.latency) == pytest.approx((7e-6 + 7 / 8 * 8e9 / 240e9) * 1e3, rel=1e-12)
    b = Collectives.broadcast(size=8 * ureg.GB, system=A100_NODE, algorithm="ring")
    assert ms(b.latency) == pytest.approx((7e-6 + 8e9 / 240e9) * 1e3, rel=1e-12)


def test_pipeline_bubble_fraction_and_step_bubble():
    assert ff.pipeline_bubble_fraction(4, 8) == pytest.approx(3 / 11)
    step = llama70b_step()
    comm = step.communication
    busy = max(ms(step.latency_compute), ms(step.latency_memory)) + ms(comm["tp"]) + ms(comm["ep"])
    bubble = ms(step.latency_bubble)
    assert bubble == pytest.approx(3 / 8 * busy, rel=1e-12)
    assert bubble / (busy + bubble) == pytest.approx(3 / 11, rel=1e-12)


def test_interleaved_schedule_divides_the_bubble_and_multiplies_the_sends():
    # Narayanan et al. 2021, 2.2.2; Dubey et al. 2024, 3.3.2: bubble ratio (p-1)/(v m).
    assert ff.pipeline_bubble_fraction(4, 8, 2) == pytest.approx(3 / 19)
    assert ff.pipeline_bubble_time(16, 16, 1.0, 8) == pytest.approx(15 / 128)
    # The first device holds p + (p-1)/v microbatches (Korthikanti et al. 2022), at most m.
    assert ff.pipeline_microbatches_in_flight(4, 8) == 4
    assert ff.pipeline_microbatches_in_flight(4, 8, 2) == pytest.approx(4 + 3 / 2)
    assert ff.pipeline_microbatches_in_flight(16, 16, 8) == 16

    plain, interleaved = llama70b_step(), llama70b_step(virtual_stages=2)
    comm = interleaved.communication
    busy = max(ms(interleaved.latency_compute), ms(interleaved.latency_memory)) + ms(comm["tp"])
    assert ms(interleaved.latency_bubble) == pytest.approx(3 / (2 * 8) * busy, rel=1e-12)
    assert ms(interleaved.latency_bubble) == pytest.approx(ms(plain.latency_bubble) / 2)
    assert ms(comm["pp"]) == pytest.approx(2 * ms(plain.communication["pp"]), rel=1e-12)
    acts = [s.footprint_breakdown["activations"].to("byte").magnitude for s in (plain, interleaved)]
    assert acts[1] == pytest.approx(acts[0] * (4 + 3 / 2) / 4, rel=1e-12)
    assert interleaved.latency < plain.latency


def test_zero_memory_per_device():
    # Llama-3-70B, fp16 mixed precision: 2 B weights, 2 B gradients, 12 B Adam + master per
    # parameter, split 32 ways by tp*pp, then ZeRO splits over dp=32.
    p = 70.6e9

    def breakdown(zero):
        step = llama70b_step(zero=zero)
        return {k: v.to("byte").magnitude for k, v in step.footprint_breakdown.items()}

    z1, z3 = breakdown(1), breakdown(3)
    assert z1["weights"] == pytest.approx(p * 2 / 32)
    assert z1["gradients"] == pytest.approx(p * 2 / 32)
    assert z1["optimizer"] == pytest.approx(p * 12 / 32 / 32)
    assert z3["weights"] == pytest.approx(p * 2 / 32 / 32)
    assert z3["gradients"] == pytest.approx(p * 2 / 32 / 32)
    assert z3["activations"] == z1["activations"]


def test_series_mtbf_of_the_books_worked_example():
    # Book: 10,000 GPUs -> 0.2708 failures/h, MTBF 3.69 h (GPU 50k h and HBM 200k h per GPU,
    # NIC 150k h and PSU 100k h per 8-GPU node): 10,000/50k + 10,000/200k + 1,250/150k + 1,250/100k.
    fleet = Cluster(node=Systems.H100, count=10_000, per_node=8)
    r = Reliability.solve(system=fleet, duration=30 * ureg.day, checkpoint=2 * ureg.TB)
    rate = 0.2 + 0.05 + 1250 / 150_000 + 1250 / 100_000
    assert r.failure_rate.to("1/hour").magnitude == pytest.approx(rate)
    assert r.mtbf.to("hour").magnitude == pytest.approx(3.6923, rel=1e-4)
    assert r.interruptions == pytest.approx(rate * 720)
    assert r.survival == pytest.approx(math.exp(-rate * 720))


def test_young_daly_interval_and_goodput():
    # 2 TB at 100 GB/s = 20 s; tau = sqrt(2 * 20 s * 3.6923 h) = 729.2 s.
    fleet = Cluster(node=Systems.H100, count=10_000, per_node=8)
    r = Reliability.solve(system=fleet, duration=30 * ureg.day, checkpoint=2 * ureg.TB)
    mtbf_s = 3600 / (0.2 + 0.05 + 1250 / 150_000 + 1250 / 100_000)
    tau = math.sqrt(2 * 20 * mtbf_s)
    assert r.checkpoint_interval.to("s").magnitude == pytest.approx(tau)
    # Recovery: detect 30 + reschedule 60 + restart 180 + warm-up 120 + reload 20 s.
    assert r.recovery_time.to("s").magnitude == pytest.approx(410)
    assert r.goodput == pytest.approx(1 - 20 / tau - (tau / 2 + 410) / mtbf_s)


def test_a_device_fleet_is_available_not_checkpointed():
    # Independent units: availability = MTBF_unit / (MTBF_unit + recovery), no interval.
    fleet = Cluster(node=Systems.JetsonAGXOrin, count=100)
    r = Reliability.solve(system=fleet, duration=1 * ureg.year, coupled=False)
    unit_s = 3600 / (1 / 50_000 + 1 / 200_000 + 1 / 150_000 + 1 / 100_000)
    assert r.checkpoint_interval is None
    assert r.goodput == pytest.approx(unit_s / (unit_s + 390))


def test_queue_wait_is_kingmans_formula_with_one_gang_slot():
    # rho = 0.25/h * 2 h = 0.5, C_s = 1: W = 0.5/0.5 * (1+1)/2 * 2 h = 2 h.
    queue = ClusterQueue.solve(
        Cluster(node=Systems.H100, count=8), arrival_rate=0.25, mean_job_time=2, job_gpus=8
    )
    assert queue.queue_wait.to("hour").magnitude == pytest.approx(2.0)
    assert ff.kingman_wait(0.5, 1.0, 2.0) == pytest.approx(2.0)
    # Twice the variability (C_s = 2) multiplies the wait by (1+4)/2.
    noisy = ClusterQueue.solve(
        Cluster(node=Systems.H100, count=8),
        arrival_rate=0.25,
        mean_job_time=2,
        job_gpus=8,
        service_cv=2,
    )
    assert noisy.queue_wait.to("hour").magnitude == pytest.approx(5.0)


def test_kv_bytes_per_token_with_grouped_query_attention():
    # Llama-3-70B: 2 (K and V) x 80 layers x 8 KV heads x 128 x 2 B = 327,680 B = 320 KiB.
    serving = ServingFleet.solve(
        Models.Llama3_70B, Cluster(node=Systems.H100, count=16), arrival_rate=1, tp=8
    )
    assert serving.kv_per_token.to("KiB").magnitude == pytest.approx(320)
    assert serving.replicas == 2
    # Little's law: requests in flight = arrival rate x time in system.
    assert serving.in_flight == pytest.approx(1 * serving.latency.to("s").magnitude)


def test_carbon_of_gpt3_training_as_patterson_reports_it():
    # Patterson et al. 2021: 1,287 MWh (PUE 1.1) at 0.429 kg/kWh = 552 tCO2e.
    it_energy = 1287 / 1.1 * ureg.MWh
    run = Sustainability.solve(energy=it_energy, grid_intensity_by_hour=[429.0] * 24, pue=1.1)
    assert run.energy.to("MWh").magnitude == pytest.approx(1287)
    assert run.carbon.to("tonne").magnitude == pytest.approx(552.1, rel=1e-3)


@pytest.mark.parametrize(
    ("model", "kwargs"),
    [
        (Models.Llama3_8B, {"phase": "train", "batch_size": 4, "seq_len": 1024}),
        (Models.Llama3_8B, {"phase": "decode", "batch_size": 16}),
        (Models.Llama3_70B, {"phase": "prefill", "batch_size": 2}),
        (Models.ResNet50, {"phase": "train", "batch_size": 64}),
        (Models.ResNet50, {"batch_size": 32}),
    ],
)
def test_a_cluster_of_one_device_is_exactly_the_node(model, kwargs):
    node = Engine.solve(model=model, system=Systems.H100, **kwargs)
    step = Engine.solve(model=model, system=Cluster(node=Systems.H100, count=1), **kwargs)
    for field in (
        "latency",
        "latency_compute",
        "latency_memory",
        "latency_overhead",
        "throughput",
        "energy",
        "energy_per_sample",
        "power",
        "memory_footprint",
        "flops",
        "bytes_moved",
        "arithmetic_intensity",
        "achieved_flops",
        "memory_weights",
        "memory_activations",
        "memory_kv_cache",
        "memory_capacity",
    ):
        assert getattr(step, field) == getattr(node, field), field
    assert step.footprint_breakdown == node.footprint_breakdown
    assert (step.precision, step.efficiency, step.phase, step.seq_len, step.runtime) == (
        node.precision,
        node.efficiency,
        node.phase,
        node.seq_len,
        node.runtime,
    )
    assert step.bottleneck == node.bottleneck
    assert step.feasible == node.feasible
    assert step.latency_communication.magnitude == 0.0
    assert step.latency_bubble.magnitude == 0.0


def test_mfu_counts_six_flops_per_parameter_per_token():
    step = Engine.solve(
        model=Models.Llama3_8B,
        system=Cluster(node=Systems.H100, count=8),
        batch_size=8,
        phase="train",
        seq_len=2048,
    )
    expected = 6 * 8.03e9 * 8 * 2048 / (8 * 989.4e12 * step.latency.to("s").magnitude)
    assert step.mfu == pytest.approx(expected, rel=1e-12)
    assert set(step.math) >= {"latency", "latency_communication", "latency_bubble", "mfu"}


def test_expert_parallelism_shards_experts_and_pays_all_to_alls():
    # Mixtral 8x7B: experts hold 32 layers x 8 experts x 3 x 4,096 x 14,336 = 45.1 B of the
    # 46.7 B parameters; ep=8 keeps 1/8 of them per device.
    experts = 32 * 8 * 3 * 4096 * 14336
    step = Engine.solve(
        model=Models.Mixtral8x7B,
        system=Cluster(node=Systems.H100, count=16),
        batch_size=16,
        phase="train",
        seq_len=2048,
        parallelism=Parallelism(dp=16, ep=8),
    )
    weights = step.footprint_breakdown["weights"].to("byte").magnitude
    assert weights == pytest.approx(((46.7e9 - experts) + experts / 8) * 2)
    # Each MoE layer: 2 all-to-alls forward, 2 backward, of 2,048 tokens x 4,096 x 2 B x top-2
    # inside one node: 7 us + 7/8 x 33.5 MB / 360 GB/s each.
    message = 2048 * 4096 * 2 * 2
    one = 7e-6 + 7 / 8 * message / 360e9
    assert ms(step.communication["ep"]) == pytest.approx(32 * 4 * one * 1e3, rel=1e-12)
    # MFU counts the active parameters only (12.9 B of 46.7 B).
    active = 46.7e9 - 32 * 6 * 3 * 4096 * 14336
    expected = 6 * active * 16 * 2048 / (16 * 989.4e12 * step.latency.to("s").magnitude)
    assert step.mfu == pytest.approx(expected, rel=1e-12)


def test_bisection_bandwidth_and_scaling_efficiency():
    # 1,024 devices on 50 GB/s NICs, 2:1 oversubscribed: 512 x 50 GB/s / 2 = 12.8 TB/s.
    fleet = Cluster(node=Systems.H100, count=1024, oversubscription=2)
    assert fleet.bisection_bandwidth.to("TB/s").magnitude == pytest.approx(12.8)
    step = Engine.solve(
        model=Models.Llama3_8B, system=fleet, batch_size=1024, phase="train", seq_len=2048
    )
    # T_c / (N T_step): one device's share of compute over the step.
    share = ms(step.latency_compute) / ms(step.latency)
    assert step.scaling_efficiency == pytest.approx(share)
    assert 0 < step.scaling_efficiency < 1


def test_zero_3_reproduces_the_books_training_state_example():
    # Book (distributed training): 7 B x 16 B = 112 GB of training state; ZeRO-3 over 64
    # ranks leaves 1.75 GB each. Llama-3-8B: 8.03 B x 16 B / 64 = 2.0 GB.
    step = Engine.solve(
        model=Models.Llama3_8B,
        system=Cluster(node=Systems.H100, count=64),
        batch_size=64,
        phase="train",
        seq_len=1024,
        parallelism=Parallelism(dp=64, zero=3),
    )
    parts = step.footprint_breakdown
    state = sum(parts[k].to("byte").magnitude for k in ("weights", "gradients", "optimizer"))
    assert state == pytest.approx(8.03e9 * 16 / 64)


def test_a_slow_network_makes_the_step_communication_bound():
    # 8.03 B fp16 gradients (16 GB) ring-reduced over 100 Gb/s Ethernet at 0.8: ~3.2 s, far
    # more than the backward pass of 64 short sequences can hide.
    slow = Cluster(node=Systems.H100, count=64, scale_out=Fabrics.Ethernet100)
    step = Engine.solve(
        model=Models.Llama3_8B, system=slow, batch_size=64, phase="train", seq_len=256
    )
    assert step.bottleneck == "Communication"
    assert step.latency_communication > step.latency_compute


def test_oversubscription_divides_the_scale_out_bandwidth():
    # A flat ring across nodes at 2:1: 2*1023*5 us + 2*1023/1024 * 1 GB / (40 GB/s / 2).
    fat = Cluster(node=Systems.H100, count=1024, oversubscription=2)
    r = Collectives.all_reduce(size=1 * ureg.GB, system=fat, algorithm="ring")
    expected = 2 * 1023 * 5e-6 + 2 * 1023 / 1024 * 1e9 / 20e9
    assert ms(r.latency) == pytest.approx(expected * 1e3, rel=1e-12)


def test_rack_power_against_the_air_cooling_limit():
    # DGX H100: 10.2 kW; four to a rack is 40.8 kW, past the ~40 kW air can shed.
    fleet = Cluster(node=Systems.H100, count=1024)
    assert fleet.rack_power(4).to("kW").magnitude == pytest.approx(40.8)
    assert fleet.rack_power(4).to("W").magnitude > AIR_COOLED_RACK_LIMIT_W.value
    assert fleet.rack_power(3).to("W").magnitude < AIR_COOLED_RACK_LIMIT_W.value
    # 128 servers x 10.2 kW = 1.3056 MW of IT power.
    assert fleet.it_power.to("MW").magnitude == pytest.approx(1.3056)
    # A node type without a server datasheet: its devices' TDP.
    edge = Cluster(node=Systems.JetsonAGXOrin, count=4)
    assert edge.server_power.to("W").magnitude == pytest.approx(60)
    with pytest.raises(ValueError, match=r"^servers_per_rack:"):
        fleet.rack_power(0)
