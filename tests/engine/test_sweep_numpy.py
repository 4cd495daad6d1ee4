"""Engine.sweep's numpy fast path (CPython with numpy) gives exactly the numbers of its
point-by-point loop (the browser's way, where Pyodide has no numpy), over the whole registry."""

from __future__ import annotations

import gc
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import mlsys.engine as engine
from mlsys import Engine, Models, Systems

pytest.importorskip("numpy", reason="the fast path needs numpy (a dev dependency)")

#: Above NUMPY_SWEEP_MIN_POINTS, so the fast path runs where numpy is importable.
POINTS = 300


def _both_ways(monkeypatch: pytest.MonkeyPatch, **kwargs):
    fast = Engine.sweep(**kwargs)
    with monkeypatch.context() as blocked:
        blocked.setitem(sys.modules, "numpy", None)  # `import numpy` raises ImportError
        slow = Engine.sweep(**kwargs)
    return fast, slow


def _assert_identical(fast, slow) -> None:
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        assert a.inputs == b.inputs
        assert type(a.batch_size) is type(b.batch_size) is int
        assert type(a.efficiency) is type(b.efficiency) is float
        assert list(a._raw) == list(b._raw)
        for key in b._raw:
            # Same value and same Python type (a float stays a float): repr shows both.
            assert repr(a._raw[key]) == repr(b._raw[key]), key
        assert a.latency == b.latency
        assert a.energy == b.energy
        assert a.bottleneck == b.bottleneck
        assert a.feasible == b.feasible


def test_the_fast_path_runs_where_numpy_is_and_the_loop_where_it_is_not(monkeypatch):
    kwargs = {"model": Models.ResNet50, "system": Systems.H100, "batch_size": range(1, 301)}
    fast, slow = _both_ways(monkeypatch, **kwargs)
    assert type(fast[0]._raw).__name__ == "_SweptRow"
    assert type(slow[0]._raw) is dict
    _assert_identical(fast, slow)


@st.composite
def configurations(draw):
    system = Systems.get(draw(st.sampled_from(Systems.names(aliases=False))))
    model = Models.get(draw(st.sampled_from(Models.names())))
    kwargs = {
        "model": model,
        "system": system,
        "precision": draw(st.sampled_from(system.precisions)),
        "runtime": draw(st.sampled_from(sorted(system.runtimes))),
        "phase": draw(st.sampled_from(model.phases)) if model.phases else None,
    }
    if model.transformer is not None:
        kwargs["seq_len"] = draw(st.integers(1, model.transformer.max_seq_len))
    try:  # e.g. a training step in an integer format is refused, by both paths alike
        Engine.solve(**kwargs)
    except ValueError:
        assume(False)
    start = draw(st.integers(1, 100_000))
    kwargs["batch_size"] = range(start, start + POINTS * draw(st.integers(1, 5)), 1)
    if draw(st.booleans()):  # one efficiency per point, paired with the batch sizes
        count = len(kwargs["batch_size"])
        kwargs["efficiency"] = [0.01 + 0.99 * ((i * 7919) % count) / count for i in range(count)]
    else:
        kwargs["efficiency"] = draw(st.floats(0.01, 1.0))
    return kwargs


@settings(max_examples=30, deadline=None)
@given(configurations())
def test_fast_path_and_loop_give_identical_points_over_the_registry(kwargs):
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, slow = _both_ways(monkeypatch, **kwargs)
    assert type(fast[0]._raw).__name__ == "_SweptRow"
    _assert_identical(fast, slow)


def test_each_fast_point_is_what_solve_returns():
    batches = [float(b) for b in range(1, POINTS + 1)]  # whole floats solve as ints
    swept = Engine.sweep(Models.Llama3_8B, Systems.H100, batches, phase="decode", seq_len=2048)
    assert type(swept[0]._raw).__name__ == "_SweptRow"
    for index in (0, 1, 137, POINTS - 1):
        single = Engine.solve(
            Models.Llama3_8B, Systems.H100, index + 1, phase="decode", seq_len=2048
        )
        assert swept[index].inputs == single.inputs
        assert dict(swept[index]._raw) == single._raw
        assert swept.latency[index] == single.latency


def test_one_batch_size_against_many_efficiencies(monkeypatch):
    efficiencies = [i / POINTS for i in range(1, POINTS + 1)]
    fast, slow = _both_ways(
        monkeypatch,
        model=Models.ResNet50,
        system=Systems.Mobile,
        batch_size=[8],
        efficiency=efficiencies,
    )
    assert [p.batch_size for p in fast] == [8] * POINTS
    _assert_identical(fast, slow)


def test_small_sweeps_and_huge_batches_take_the_loop():
    small = Engine.sweep(Models.ResNet50, Systems.H100, list(range(1, 11)))
    assert type(small[0]._raw) is dict
    # int64 products of batch and sequence length could overflow: Python's ints cannot.
    huge = Engine.sweep(Models.ResNet50, Systems.H100, [2**31 + i for i in range(POINTS)])
    assert type(huge[0]._raw) is dict


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        Engine.sweep(Models.ResNet50, Systems.H100, range(1, POINTS + 1))
        assert gc.isenabled() is enabled
        Engine.sweep(Models.ResNet50, Systems.H100, range(1, 11))
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_the_threshold_is_public_and_sane():
    assert 1 < engine.NUMPY_SWEEP_MIN_POINTS <= 10_000
