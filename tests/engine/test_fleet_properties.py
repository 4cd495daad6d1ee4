"""Properties of the fleet laws (hypothesis) and bad input named by its parameter."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsys import (
    Cluster,
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
from mlsys.collectives import ALGORITHMS, OPERATIONS

sizes = st.floats(1e3, 1e11)
nodes = st.sampled_from([1, 2, 4, 16, 64])


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(OPERATIONS),
    st.sampled_from([None, *ALGORITHMS]),
    sizes,
    nodes,
    st.floats(1.0, 16.0),
)
def test_more_bandwidth_is_never_slower(operation, algorithm, size, count, factor):
    if operation == "all_to_all":
        algorithm = None
    base = Cluster(node=Systems.H100, count=8 * count)
    out, up = base.scale_out, base.scale_up
    faster = Cluster(
        node=Systems.H100,
        count=8 * count,
        scale_out=dataclasses.replace(out, bandwidth_bps=out.bandwidth_bps * factor),
        scale_up=dataclasses.replace(up, bandwidth_bps=up.bandwidth_bps * factor),
    )
    slow = getattr(Collectives, operation)(size=size, system=base, algorithm=algorithm)
    fast = getattr(Collectives, operation)(size=size, system=faster, algorithm=algorithm)
    assert fast.latency <= slow.latency * (1 + 1e-12)


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 64), st.integers(1, 512), st.integers(1, 64))
def test_more_microbatches_never_grow_the_bubble(stages, microbatches, more):
    assert ff.pipeline_bubble_fraction(stages, microbatches + more) <= ff.pipeline_bubble_fraction(
        stages, microbatches
    )


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 64), st.integers(1, 512), st.integers(1, 16), st.integers(1, 16))
def test_more_virtual_stages_never_grow_the_bubble(stages, microbatches, virtual, more):
    assert ff.pipeline_bubble_fraction(
        stages, microbatches, virtual + more
    ) <= ff.pipeline_bubble_fraction(stages, microbatches, virtual)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([1, 2, 4]), st.sampled_from([2, 4, 8, 16]))
def test_more_microbatches_never_grow_the_step_bubble_share(pp, microbatches):
    def share(m):
        step = Engine.solve(
            model=Models.Llama3_8B,
            system=Cluster(node=Systems.H100, count=8 * pp),
            batch_size=64,
            phase="train",
            seq_len=2048,
            parallelism=Parallelism(tp=8, pp=pp, microbatches=m),
        )
        return step.latency_bubble / step.latency

    assert share(2 * microbatches) <= share(microbatches) + 1e-12


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([Models.Llama3_8B, Models.ResNet50]), st.sampled_from([1, 2, 4, 8, 16]))
def test_weak_scaling_never_speeds_a_step(model, dp):
    def step(replicas):
        return Engine.solve(
            model=model,
            system=Cluster(node=Systems.A100, count=replicas),
            batch_size=4 * replicas,
            phase="train",
            parallelism=Parallelism(dp=replicas),
        )

    assert step(2 * dp).latency >= step(dp).latency


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([(1, 1), (2, 1), (8, 1), (8, 2), (4, 4)]),
    st.sampled_from([2, 4, 8]),
    st.sampled_from([0, 1, 2]),
    st.booleans(),
)
def test_zero_3_never_raises_per_device_memory(tp_pp, dp, zero, recompute):
    tp, pp = tp_pp

    def footprint(stage):
        return Engine.solve(
            model=Models.Llama3_8B,
            system=Cluster(node=Systems.H100, count=tp * pp * dp),
            batch_size=8 * dp,
            phase="train",
            seq_len=1024,
            parallelism=Parallelism(
                tp=tp, pp=pp, dp=dp, microbatches=8, zero=stage, recompute=recompute
            ),
        ).memory_footprint

    assert footprint(3) <= footprint(zero)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4096), st.integers(1, 4096))
def test_more_devices_never_lengthen_mtbf(count, more):
    small = Reliability.solve(
        system=Cluster(node=Systems.H100, count=count, per_node=1), duration=1 * ureg.day
    )
    large = Reliability.solve(
        system=Cluster(node=Systems.H100, count=count + more, per_node=1), duration=1 * ureg.day
    )
    assert large.mtbf <= small.mtbf


# -- bad input names its parameter -----------------------------------------------------------

LLAMA = Models.Llama3_70B
FLEET = Cluster(node=Systems.H100, count=64)


def solve_on_fleet(**kwargs):
    args = {"model": LLAMA, "system": FLEET, "batch_size": 64, "phase": "train", **kwargs}
    return Engine.solve(**args)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: Parallelism(tp=0), "tp"),
        (lambda: Parallelism(dp=2.5), "dp"),
        (lambda: Parallelism(zero=4), "zero"),
        (lambda: Parallelism(recompute="yes"), "recompute"),
        (lambda: Parallelism(dp=4, ep=3), "ep"),
        (lambda: Parallelism(pp=4, virtual_stages=0), "virtual_stages"),
        (lambda: Parallelism(dp=4, virtual_stages=2), "virtual_stages"),
        (
            lambda: solve_on_fleet(parallelism=Parallelism(dp=4, pp=16, virtual_stages=6)),
            "virtual_stages",
        ),
        (lambda: solve_on_fleet(parallelism=Parallelism(dp=8, tp=4)), "parallelism"),
        (
            lambda: solve_on_fleet(
                system=Cluster(node=Systems.H100, count=48), parallelism=Parallelism(tp=48)
            ),
            "tp",
        ),
        (lambda: solve_on_fleet(parallelism=Parallelism(dp=32, ep=2, tp=2)), "ep"),
        (lambda: solve_on_fleet(model=Models.Llama3_8B, parallelism=Parallelism(pp=64)), "pp"),
        (lambda: solve_on_fleet(batch_size=100, parallelism=Parallelism(dp=64)), "batch_size"),
        (lambda: solve_on_fleet(parallelism="tp=8"), "parallelism"),
        (
            lambda: solve_on_fleet(phase="decode", parallelism=Parallelism(dp=64, recompute=True)),
            "recompute",
        ),
        (
            lambda: Engine.solve(
                model=Models.ResNet50,
                system=FLEET,
                batch_size=64,
                parallelism=Parallelism(dp=8, tp=8),
            ),
            "tp",
        ),
        (
            lambda: Engine.solve(model=LLAMA, system=Systems.H100, parallelism=Parallelism()),
            "parallelism",
        ),
        (
            lambda: solve_on_fleet(phase="prefill", parallelism=Parallelism(dp=64, zero=3)),
            "zero",
        ),
        (lambda: solve_on_fleet(model="Llama3_70B"), "model"),
        (lambda: solve_on_fleet(batch_size=0), "batch_size"),
        (lambda: Cluster(node=Systems.H100, count=12, per_node=8), "count"),
        (lambda: Cluster(node=Systems.H100, count=0), "count"),
        (lambda: Cluster(node="H100", count=8), "node"),
        (lambda: Cluster(node=Systems.H100, count=8, oversubscription=0.5), "oversubscription"),
        (lambda: Cluster(node=Systems.H100, count=8, scale_out="IB"), "scale_out"),
        (lambda: Collectives.all_reduce(size=-1, system=FLEET), "size"),
        (lambda: Collectives.all_reduce(size=1 * ureg.s, system=FLEET), "size"),
        (lambda: Collectives.all_reduce(size=1e6, system=FLEET, algorithm="star"), "algorithm"),
        (lambda: Collectives.all_to_all(size=1e6, system=FLEET, algorithm="ring"), "algorithm"),
        (lambda: Collectives.all_reduce(size=1e6, system=FLEET, ranks=65), "ranks"),
        (lambda: Collectives.all_reduce(size=1e6, system=Systems.H100), "system"),
        (lambda: Reliability.solve(system=FLEET, duration=-1 * ureg.day), "duration"),
        (lambda: Reliability.solve(system=FLEET, duration=1 * ureg.GB), "duration"),
        (
            lambda: Reliability.solve(system=FLEET, duration=1 * ureg.day, checkpoint=0),
            "checkpoint",
        ),
        (
            lambda: Reliability.solve(
                system=FLEET, duration=1 * ureg.day, components={"gpu": ("rack", 1)}
            ),
            "components",
        ),
        (lambda: Sustainability.solve(energy=1 * ureg.MWh), "region"),
        (lambda: Sustainability.solve(energy=1 * ureg.MWh, region="US average", pue=0.9), "pue"),
        (
            lambda: Sustainability.solve(energy=1 * ureg.MWh, grid_intensity_by_hour=[1.0] * 23),
            "grid_intensity_by_hour",
        ),
        (lambda: ServingFleet.solve(LLAMA, FLEET, arrival_rate=1e6, tp=8), "arrival_rate"),
        (lambda: ServingFleet.solve(LLAMA, FLEET, arrival_rate=1, tp=3), "tp"),
        (lambda: ServingFleet.solve(Models.ResNet50, FLEET, arrival_rate=1), "model"),
    ],
)
def test_bad_input_is_a_value_error_naming_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=rf"^{parameter}:"):
        call()


def test_named_clusters_carry_their_sources_and_the_llama_3_cluster_is_roce():
    clusters = Systems.Clusters
    assert clusters.Llama3_RoCE.scale_out is Fabrics.RoCE400
    for cluster in clusters:
        assert cluster.sources.get("cluster", "").strip(), cluster.name
    for fabric in Fabrics:
        for field in ("bandwidth_bps", "latency_s", "energy_per_bit_j"):
            assert fabric.sources[field].strip(), (fabric.name, field)
            assert (field in fabric.estimates) == fabric.sources[field].startswith("estimate")
