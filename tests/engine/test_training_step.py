"""phase="train": one training step, hand-derived (formulas in mlsys.formulas)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsys import Engine, Models, Systems


def test_resnet50_mixed_precision_step_on_h100_by_hand() -> None:
    n = 25_557_032  # ResNet-50 parameters (Models.ResNet50.params)
    p = Engine.solve(
        model=Models.ResNet50,
        system=Systems.H100,
        batch_size=32,
        precision="fp16",
        efficiency=0.5,
        phase="train",
    )
    parts = {k: v.to("byte").magnitude for k, v in p.footprint_breakdown.items()}
    # fp16 weights and gradients (2 B each); Adam: two fp32 moments + fp32 master copy (12 B).
    assert parts["weights"] == parts["gradients"] == pytest.approx(2 * n)
    assert parts["optimizer"] == pytest.approx(12 * n)
    # Every tensor the forward pass writes is kept: 32 x 10.8e6 elements x 2 B.
    assert parts["activations"] == pytest.approx(32 * 10.8e6 * 2)
    assert parts["kv_cache"] == 0
    assert p.memory_footprint.to("byte").magnitude == pytest.approx(16 * n + 691.2e6)
    # W = 3 x 32 x 8.2 GFLOP on 989.4 TFLOP/s dense fp16 at eta 0.5.
    assert p.latency_compute.to("ms").magnitude == pytest.approx(3 * 32 * 8.2e9 / 494.7e12 * 1e3)
    # Q = 3 x activation traffic + N x (5 x 2 B + 2 x 12 B), over 3.35 TB/s.
    traffic = 3 * 691.2e6 + n * 34
    assert p.latency_memory.to("ms").magnitude == pytest.approx(traffic / 3.35e12 * 1e3)
    # Compiled runtime: 20 us fixed + 54 layers x (3 x 1 kernel) x 3 us.
    assert p.latency_overhead.to("ms").magnitude == pytest.approx(0.02 + 54 * 3 * 0.003)
    assert p.bottleneck == "Compute"


def test_fp32_training_also_holds_16_bytes_per_parameter() -> None:
    p = Engine.solve(model=Models.DSCNN, system=Systems.STM32H743, precision="fp32", phase="train")
    parts = p.footprint_breakdown
    n = Models.DSCNN.params
    # fp32 weights (4 B) + gradients (4 B) + two fp32 moments (8 B); no master copy.
    assert parts["optimizer"].to("byte").magnitude == pytest.approx(8 * n)
    state = sum(parts[k].to("byte").magnitude for k in ("weights", "gradients", "optimizer"))
    assert state == pytest.approx(16 * n)


def test_llama_3_8b_fine_tuning_does_not_fit_one_h100() -> None:
    # 8.03e9 parameters x 16 B = 128 GB of training state before any activation: the reason
    # the training chapter reaches for LoRA, sharding or a smaller model.
    p = Engine.solve(
        model=Models.Llama3_8B, system=Systems.H100, precision="fp16", phase="train", seq_len=2048
    )
    assert not p.feasible
    state = sum(p.footprint_breakdown[k] for k in ("weights", "gradients", "optimizer"))
    assert state.to("GB").magnitude == pytest.approx(16 * Models.Llama3_8B.params / 1e9)
    assert "M_{optimizer}" in {v.symbol for v in p.math["memory_footprint"].variables}
    assert "M_{gradients}" in p.math["memory_footprint"].formula


def test_integer_formats_cannot_train() -> None:
    with pytest.raises(ValueError, match=r"^precision: .* STM32H743 trains in fp32, got 'int8'"):
        Engine.solve(model=Models.DSCNN, system=Systems.STM32H743, precision="int8", phase="train")


@settings(max_examples=60, deadline=None)
@given(
    batch=st.integers(min_value=1, max_value=512),
    precision=st.sampled_from(["fp32", "fp16"]),
    efficiency=st.floats(min_value=0.05, max_value=1.0),
    model=st.sampled_from(["ResNet50", "MobileNetV2", "BERTBase", "Llama3_8B"]),
)
def test_a_step_is_three_forward_passes_of_work_and_holds_more(
    batch: int, precision: str, efficiency: float, model: str
) -> None:
    spec = Models.get(model)
    forward_phase = "prefill" if spec.transformer is not None else None
    common = {
        "model": spec,
        "system": Systems.A100,
        "batch_size": batch,
        "precision": precision,
        "efficiency": efficiency,
    }
    forward = Engine.solve(**common, phase=forward_phase)
    step = Engine.solve(**common, phase="train")
    assert step.latency_compute.to("s").magnitude == pytest.approx(
        3 * forward.latency_compute.to("s").magnitude
    )
    assert step.latency_memory > forward.latency_memory
    assert step.latency_overhead >= forward.latency_overhead
    assert step.memory_footprint > forward.memory_footprint
    terms = max(step.latency_compute, step.latency_memory) + step.latency_overhead
    assert step.latency.to("s").magnitude == pytest.approx(terms.to("s").magnitude)
