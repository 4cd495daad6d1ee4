"""Properties every profile must have, over the whole registry (hypothesis)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsys import Engine, Models, Systems, ureg

SYSTEM_NAMES = Systems.names(aliases=False)
MODEL_NAMES = Models.names()


@st.composite
def configurations(draw):
    system = Systems.get(draw(st.sampled_from(SYSTEM_NAMES)))
    model = Models.get(draw(st.sampled_from(MODEL_NAMES)))
    precision = draw(st.sampled_from(system.precisions))
    kwargs = {
        "model": model,
        "system": system,
        "batch_size": draw(st.integers(1, 512)),
        "precision": precision,
        "efficiency": draw(st.floats(0.01, 1.0)),
        "runtime": draw(st.sampled_from(sorted(system.runtimes))),
    }
    if model.transformer is not None:
        kwargs["seq_len"] = draw(st.integers(1, model.transformer.max_seq_len))
        kwargs["phase"] = draw(
            st.sampled_from(["prefill", "decode"] if model.transformer.decoder else ["prefill"])
        )
    return kwargs


@settings(max_examples=300, deadline=None)
@given(configurations())
def test_latency_is_at_least_each_of_its_terms(kwargs):
    p = Engine.solve(**kwargs)
    assert p.latency >= p.latency_compute
    assert p.latency >= p.latency_memory
    assert p.latency >= p.latency_overhead
    total = max(p.latency_compute, p.latency_memory) + p.latency_overhead
    assert abs((p.latency - total).to("ms").magnitude) <= 1e-9 * total.to("ms").magnitude
    assert p.bottleneck == ("Compute" if p.latency_compute >= p.latency_memory else "Memory")


@settings(max_examples=300, deadline=None)
@given(configurations())
def test_units_of_every_field(kwargs):
    p = Engine.solve(**kwargs)
    for name in ("latency", "latency_compute", "latency_memory", "latency_overhead"):
        assert getattr(p, name).units == ureg.ms
    assert p.throughput.check("[sample] / [time]")
    assert p.energy.units == ureg.joule
    assert p.memory_footprint.units == ureg.byte
    assert isinstance(p.feasible, bool)
    assert p.bottleneck in ("Compute", "Memory")
    # throughput == batch_size / latency
    product = p.throughput.to("sample/s").magnitude * p.latency.to("s").magnitude
    assert product == pytest.approx(kwargs["batch_size"], rel=1e-12)


@settings(max_examples=300, deadline=None)
@given(configurations())
def test_energy_is_positive_and_never_above_tdp(kwargs):
    p = Engine.solve(**kwargs)
    assert p.energy.magnitude > 0
    ceiling = (kwargs["system"].tdp * p.latency).to("J").magnitude
    assert p.energy.to("J").magnitude <= ceiling * (1 + 1e-12)


@settings(max_examples=300, deadline=None)
@given(configurations())
def test_feasible_exactly_when_the_footprint_fits(kwargs):
    p = Engine.solve(**kwargs)
    assert p.feasible == (p.memory_footprint <= kwargs["system"].ram)


@settings(max_examples=200, deadline=None)
@given(configurations(), st.integers(1, 64))
def test_latency_never_falls_when_the_batch_grows(kwargs, extra):
    small = Engine.solve(**kwargs)
    large = Engine.solve(**{**kwargs, "batch_size": kwargs["batch_size"] + extra})
    assert large.latency >= small.latency


@settings(max_examples=200, deadline=None)
@given(configurations(), st.floats(0.0, 1.0))
def test_throughput_never_falls_when_efficiency_rises(kwargs, fraction):
    higher = kwargs["efficiency"] + (1.0 - kwargs["efficiency"]) * fraction
    low = Engine.solve(**kwargs)
    high = Engine.solve(**{**kwargs, "efficiency": higher})
    assert high.throughput >= low.throughput


@settings(max_examples=100, deadline=None)
@given(configurations())
def test_sweep_matches_solve_point_by_point(kwargs):
    batches = [1, kwargs["batch_size"], kwargs["batch_size"] + 7]
    swept = Engine.sweep(**{**kwargs, "batch_size": batches})
    for index, batch in enumerate(batches):
        single = Engine.solve(**{**kwargs, "batch_size": batch})
        assert swept.latency[index].magnitude == single.latency.magnitude
        assert swept.energy[index].magnitude == single.energy.magnitude
        assert bool(swept.feasible[index]) == single.feasible
        assert swept.bottleneck[index] == single.bottleneck
