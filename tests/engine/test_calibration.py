"""The public calibration points (MLPerf, closed division) are reproduced within 25 %.

Each system's default efficiency and runtime overhead are calibrated against one of these; the
test keeps the calibration honest when formulas or constants change.
"""

import pytest

from mlsys import Engine, Models, Systems, ureg

WITHIN = 0.25


def assert_within(actual, expected):
    assert actual == pytest.approx(expected, rel=WITHIN), f"{actual:.4g} vs {expected:.4g}"


def test_h100_resnet50_offline_int8():
    # MLPerf Inference v4.0, NVIDIA: 88,714 samples/s (Offline = large batch throughput).
    p = Engine.solve(model=Models.ResNet50, system=Systems.H100, batch_size=256, precision="int8")
    assert_within(p.throughput.to("sample/s").magnitude, 88_714)


def test_a100_bert_large_offline():
    # MLPerf Inference v3.0, NVIDIA: 3,590.5 samples/s. TensorRT runs BERT unpadded, so the
    # effective sequence is the SQuAD average (~170 tokens; estimate), not the 384 pad length.
    p = Engine.solve(
        model=Models.BERTLarge, system=Systems.A100, batch_size=256, precision="int8", seq_len=170
    )
    assert_within(p.throughput.to("sample/s").magnitude, 3_590.5)


def test_orin_resnet50_single_stream():
    # MLPerf Inference v3.1, NVIDIA: 0.64 ms (p90) at batch 1.
    p = Engine.solve(
        model=Models.ResNet50, system=Systems.JetsonAGXOrin, batch_size=1, precision="int8"
    )
    assert_within(p.latency.to("ms").magnitude, 0.64)


def test_stm32l4r5_keyword_spotting_latency_and_energy():
    # MLPerf Tiny v1.0, ST: 75.1 ms and 3,372 uJ per inference.
    p = Engine.solve(model=Models.DSCNN, system=Systems.STM32L4R5, batch_size=1, precision="int8")
    assert_within(p.latency.to("ms").magnitude, 75.1)
    assert_within(p.energy.to("uJ").magnitude, 3_372)


def test_v100_eager_batch_one_is_overhead_dominated_and_almost_flat():
    # facts.md: PyTorch eager ResNet-50 on a V100 ~10 ms at batch 1, almost flat up to batch 8.
    b1 = Engine.solve(model=Models.ResNet50, system=Systems.V100, batch_size=1, precision="fp32")
    assert_within(b1.latency.to("ms").magnitude, 10.0)
    assert b1.latency_overhead > b1.latency_compute + b1.latency_memory
    h1 = Engine.solve(model=Models.ResNet50, system=Systems.V100, batch_size=1, precision="fp16")
    h8 = Engine.solve(model=Models.ResNet50, system=Systems.V100, batch_size=8, precision="fp16")
    assert h8.latency < 1.25 * h1.latency


def test_large_batch_int8_lands_at_30_to_60_percent_of_peak():
    p = Engine.solve(model=Models.ResNet50, system=Systems.H100, batch_size=256, precision="int8")
    achieved = (p.flops / p.latency).to("FLOP/s")
    fraction = (achieved / Systems.H100.peak("int8")).to("dimensionless").magnitude
    assert 0.30 <= fraction <= 0.60


def test_every_system_names_its_efficiency_source():
    for system in Systems:
        assert system.efficiency_source
        assert 0 < system.typical_efficiency <= 1
        assert system.sources, system.name
    assert ureg.Quantity(1, "TFLOP").to("FLOP").magnitude == 1e12
