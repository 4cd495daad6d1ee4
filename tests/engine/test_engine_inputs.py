"""Bad input raises ValueError naming the parameter and what is allowed; no silent fallback."""

import itertools
import math

import pytest

from mlsys import Engine, Models, Systems

BASE = {
    "model": Models.ResNet50,
    "system": Systems.H100,
    "batch_size": 8,
    "precision": "fp16",
    "efficiency": 0.5,
}


@pytest.mark.parametrize(
    ("change", "parameter", "hint"),
    [
        ({"batch_size": 0}, "batch_size", ">= 1"),
        ({"batch_size": -3}, "batch_size", ">= 1"),
        ({"batch_size": 2.5}, "batch_size", "whole number"),
        ({"batch_size": True}, "batch_size", "whole number"),
        ({"batch_size": "8"}, "batch_size", "whole number"),
        ({"precision": "fp64"}, "precision", "fp32, fp16, fp8, int8"),
        ({"precision": "FP16"}, "precision", "not one of"),
        ({"efficiency": 0.0}, "efficiency", "(0, 1]"),
        ({"efficiency": 1.5}, "efficiency", "(0, 1]"),
        ({"efficiency": -0.1}, "efficiency", "(0, 1]"),
        ({"efficiency": math.nan}, "efficiency", "(0, 1]"),
        ({"efficiency": "high"}, "efficiency", "number"),
        ({"model": "ResNet50"}, "model", "ModelSpec"),
        ({"system": Models.ResNet50}, "system", "SystemSpec"),
        ({"seq_len": 128}, "seq_len", "only to transformers"),
        ({"phase": "decode"}, "phase", "is not a transformer; it takes 'train'"),
        ({"runtime": "jax"}, "runtime", "compiled, eager"),
    ],
)
def test_invalid_input_names_the_parameter(change, parameter, hint):
    with pytest.raises(ValueError, match=rf"^{parameter}:") as caught:
        Engine.solve(**{**BASE, **change})
    assert hint in str(caught.value)


def test_precision_the_system_cannot_run():
    with pytest.raises(
        ValueError, match=r"^precision: V100 cannot run 'int8'; it runs fp32, fp16$"
    ):
        Engine.solve(**{**BASE, "system": Systems.V100, "precision": "int8"})
    with pytest.raises(ValueError, match=r"precision: STM32H743 cannot run 'fp16'"):
        Engine.solve(model=Models.DSCNN, system=Systems.Tiny, precision="fp16")


def test_transformer_specific_inputs():
    with pytest.raises(ValueError, match=r"^phase: BERTBase supports 'prefill'"):
        Engine.solve(model=Models.BERTBase, system=Systems.T4, phase="decode")
    with pytest.raises(ValueError, match=r"^seq_len: .*\[1, 8192\]"):
        Engine.solve(model=Models.Llama3_8B, system=Systems.H100, seq_len=100_000)
    with pytest.raises(ValueError, match=r"^phase:"):
        Engine.solve(model=Models.Llama3_8B, system=Systems.H100, phase="finetune")
    with pytest.raises(ValueError, match=r"^precision: a training step needs a floating-point"):
        Engine.solve(model=Models.Llama3_8B, system=Systems.H100, phase="train", precision="int8")


def test_documented_defaults_not_fallbacks():
    p = Engine.solve(model=Models.Llama3_8B, system=Systems.H100)
    assert p.precision == Systems.H100.default_precision
    assert p.efficiency == Systems.H100.typical_efficiency
    assert p.phase == "decode"
    assert p.seq_len == Models.Llama3_8B.transformer.default_seq_len
    assert p.runtime == Systems.H100.default_runtime


def test_sweep_rejects_bad_arrays():
    with pytest.raises(ValueError, match=r"^batch_size:"):
        Engine.sweep(**{**BASE, "batch_size": [1, 0, 4]})  # zero samples
    with pytest.raises(ValueError, match=r"^batch_size:"):
        Engine.sweep(**{**BASE, "batch_size": [1.5, 2.0]})
    with pytest.raises(ValueError, match=r"^batch_size:"):
        Engine.sweep(**{**BASE, "batch_size": []})
    with pytest.raises(ValueError, match=r"^efficiency:"):
        Engine.sweep(**{**BASE, "efficiency": [0.5, 1.2]})
    with pytest.raises(ValueError, match=r"^efficiency:"):
        Engine.sweep(**{**BASE, "batch_size": [1, 2, 4], "efficiency": [0.5, 0.6]})


def test_sweep_broadcasts_batch_against_efficiency():
    swept = Engine.sweep(**{**BASE, "batch_size": [1, 2, 4], "efficiency": [0.2, 0.5, 1.0]})
    assert len(swept.latency) == 3
    assert swept.batch_size == (1, 2, 4)
    assert swept.efficiency == (0.2, 0.5, 1.0)
    assert swept.precision == BASE["precision"]
    grid = Engine.sweep(**{**BASE, "batch_size": range(1, 10_001)})
    assert len(grid.throughput) == 10_000
    latencies = [value.magnitude for value in grid.latency]
    assert all(a <= b for a, b in itertools.pairwise(latencies))


def test_a_sweep_field_that_is_not_a_profile_field_is_refused():
    with pytest.raises(AttributeError, match="latency_dispatch"):
        _ = Engine.sweep(**{**BASE, "batch_size": [1, 2]}).latency_dispatch


def test_registry_lookups_suggest_names():
    with pytest.raises(KeyError, match="did you mean 'ResNet50'"):
        Models.get("Resnet50")
    with pytest.raises(AttributeError, match="did you mean 'H100'"):
        _ = Systems.H10
    assert Systems.Cloud is Systems.H100
    assert Systems.Tiny.single_node
