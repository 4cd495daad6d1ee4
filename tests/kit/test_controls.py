"""The Act step's controls: starting values, per-track options, and Engine.solve inputs."""

import itertools

import pytest

from labs.core.controls import (
    EngineControls,
    engine_inputs,
    ledger_inputs,
    serving_ledger,
    serving_slo,
    sweep_batches,
    usable,
)
from mlsys import DesignLedger, Models, Systems

EDGE = {"model": Models.ResNet50, "system": Systems.JetsonAGXOrin, "inputs": {"precision": "int8"}}
TINY = {"model": Models.TinyLSTM, "system": Systems.Tiny, "inputs": {}}
CLOUD = {"model": Models.Llama3_70B, "system": Systems.H100, "inputs": {"seq_len": 8192}}
PRECISION = {
    "param": "precision",
    "label": "Format",
    "options": ["fp32", "fp16", "int8"],
    "default": "fp16",
}
BATCH = {
    "param": "batch_size",
    "label": "Batch",
    "min": 1,
    "max": 64,
    "default": 1,
    "scale": "log2",
}
SEQ = {
    "param": "seq_len",
    "label": "Context",
    "min": 128,
    "max": 8192,
    "default": 2048,
    "step": 128,
}


def test_start_prefers_ledger_then_track_then_default():
    assert EngineControls([PRECISION], EDGE).value == {"precision": "int8"}  # the track's input
    assert EngineControls([PRECISION], EDGE, {"precision": "fp32"}).value == {
        "precision": "fp32"
    }  # the ledger
    assert EngineControls([PRECISION], {**EDGE, "inputs": {}}).value == {
        "precision": "fp16"
    }  # the default


def test_options_follow_the_tracks_node():
    controls = EngineControls([PRECISION], TINY, {"precision": "fp16"})
    # No fp16 on a Cortex-M7: not offered, and both the ledger's and the default fp16 are
    # passed over for the first option the node runs.
    assert controls.value == {"precision": "fp32"}
    assert "fp16" not in controls.elements["precision"].options


def test_transformer_only_controls_are_left_out_for_other_models():
    assert set(EngineControls([SEQ, BATCH], EDGE).value) == {"batch_size"}
    assert set(EngineControls([SEQ, BATCH], CLOUD).value) == {"seq_len", "batch_size"}


def test_log2_slider_offers_powers_of_two():
    assert EngineControls([BATCH], EDGE, {"batch_size": 16}).value == {"batch_size": 16}
    # A decision off the grid (batch 3 from an earlier lab) is kept as a step of its own, so the
    # student can always return to it.
    kept = EngineControls([BATCH], EDGE, {"batch_size": 3})
    assert kept.value == {"batch_size": 3}
    assert kept.elements["batch_size"].steps == [1, 2, 3, 4, 8, 16, 32, 64]


def test_engine_inputs_precedence_and_validation():
    decided = {"precision": "fp16", "batch_size": 4, "seq_len": 1024}
    inputs = engine_inputs(EDGE, {"batch_size": 8}, decided)
    assert inputs["precision"] == "fp16"  # the ledger beats the track's fixed input
    assert inputs["batch_size"] == 8  # the control beats the ledger
    assert inputs["seq_len"] is None  # a CNN takes no context length
    tiny = engine_inputs(TINY, {}, {"precision": "fp16", "runtime": "eager"})
    assert tiny["precision"] is None  # fp16 cannot run on the MCU: the decision is not used
    assert tiny["runtime"] is None
    assert engine_inputs(CLOUD)["seq_len"] == 8192


@pytest.mark.parametrize(
    ("param", "value", "track", "ok"),
    [
        ("precision", "fp8", CLOUD, True),
        ("precision", "fp8", EDGE, False),
        ("seq_len", 100_000, CLOUD, False),
        ("batch_size", True, EDGE, False),
        ("efficiency", 1.5, EDGE, False),
        ("phase", "decode", CLOUD, True),
        ("model", "NoSuchModel", EDGE, False),
    ],
)
def test_usable(param, value, track, ok):
    assert usable(param, value, track) is ok


def test_ledger_inputs_maps_keys_to_parameters():
    ledger = DesignLedger().record(4, "edge_guardian", {"data_format": "int8"})
    assert ledger_inputs(ledger, {"precision": "data_format", "runtime": "runtime_choice"}) == {
        "precision": "int8"
    }


def test_sweeps_and_serving_use_the_same_inputs():
    sweep = sweep_batches(EDGE, {}, {"precision": "fp16"}, largest=64)
    assert len(sweep.latency) == 7
    assert sweep.precision == "fp16"
    served = serving_ledger("edge_guardian", EDGE, {"batch_size": 1})
    assert served.performance.latency_p99 > served.performance.latency_p50
    assert serving_slo("edge_guardian").check("[time]")


def test_decisions_are_judged_against_the_selected_system():
    inputs = engine_inputs(CLOUD, {"system": "A100"}, {"precision": "fp8"})
    assert inputs["system"] is Systems.A100
    assert inputs["precision"] is None  # the A100 has no fp8: the decision is not carried
    assert engine_inputs(CLOUD, {}, {"precision": "fp8"})["precision"] == "fp8"


def test_a_fleet_pareto_sweeps_the_global_batches_its_plan_splits():
    from labs.core.configuration import engine_inputs, solve_inputs
    from labs.core.pareto import pareto_rows

    track = {
        "model": Models.Llama3_70B,
        "system": Systems.H100,
        "inputs": {"dp": 128, "tp": 8, "zero": 1, "batch_size": 512, "seq_len": 4096},
    }
    sweep = sweep_batches(track, {})
    assert sweep.batch_size == tuple(128 * 2**k for k in range(11))
    # Each point is the lab's own solve at that batch.
    at_512 = solve_inputs(engine_inputs(track, {"batch_size": 512}))
    assert sweep.latency[2] == at_512.latency
    # A bigger global batch at a fixed plan takes longer per step and, past the memory, cannot
    # load: those points never join the frontier.
    assert all(a < b for a, b in itertools.pairwise(sweep.latency))
    rows, _, _ = pareto_rows(sweep, "latency", "throughput")
    assert any(not fits for fits in sweep.feasible)
    assert all(
        row["kind"] != "Pareto frontier" or fits
        for row, fits in zip(rows, sweep.feasible, strict=True)
    )
