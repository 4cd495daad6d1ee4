"""Engine.solve against values derived by hand, one case per device class.

Each expected number is written out from the formulas in mlsys/formulas.py and the registry
constants, so a change to either shows up here as a diff a reviewer can check with a pencil.
"""

import pytest

from mlsys import Engine, Models, Systems, ureg


def close(quantity, expected, unit, rel=1e-6):
    assert quantity.to(unit).magnitude == pytest.approx(expected, rel=rel)


def test_datacenter_resnet50_on_h100_int8_batch_64():
    p = Engine.solve(
        model=Models.ResNet50, system=Systems.H100, batch_size=64, precision="int8", efficiency=0.5
    )
    # W = 64 x 8.2e9 FLOP; T_c = W / (1979e12 FLOP/s x 0.5)
    close(p.latency_compute, 64 * 8.2e9 / (1979e12 * 0.5) * 1e3, "ms")
    # Q = 25,557,032 B of int8 weights + 64 x 10.8e6 activation bytes; T_m = Q / 3.35e12 B/s
    q = 25_557_032 + 64 * 10.8e6
    close(p.latency_memory, q / 3.35e12 * 1e3, "ms")
    # compiled runtime: 20 us fixed + 54 layers x 1 kernel x 3 us = 0.182 ms
    close(p.latency_overhead, 0.182, "ms")
    t = 64 * 8.2e9 / (1979e12 * 0.5) + 0.182e-3  # compute-bound
    close(p.latency, t * 1e3, "ms")
    close(p.throughput, 64 / t, "sample/s")
    assert p.bottleneck == "Compute"
    close(p.memory_footprint, 25_557_032 + 64 * 1.6e6, "byte")
    # E = 90 W x T + e_op x W + e_byte x Q, with e_op = 0.7 x 610 W / 1979e12, e_byte = 0.3 x 610 / 3.35e12
    e = 90 * t + 0.7 * 610 / 1979e12 * 64 * 8.2e9 + 0.3 * 610 / 3.35e12 * q
    close(p.energy, e, "J")
    assert p.feasible is True


def test_edge_resnet50_on_orin_batch_1_is_memory_bound():
    p = Engine.solve(
        model=Models.ResNet50,
        system=Systems.JetsonAGXOrin,
        batch_size=1,
        precision="int8",
        efficiency=0.4,
    )
    close(p.latency_compute, 8.2e9 / (138e12 * 0.4) * 1e3, "ms")
    close(p.latency_memory, (25_557_032 + 10.8e6) / 204.8e9 * 1e3, "ms")
    close(p.latency_overhead, 0.030 + 54 * 0.0075, "ms")  # TensorRT on Jetson
    assert p.bottleneck == "Memory"
    close(p.latency, (25_557_032 + 10.8e6) / 204.8e9 * 1e3 + 0.435, "ms")


def test_mobile_contract_example():
    # The guide's own example (section 6.1).
    p = Engine.solve(
        model=Models.ResNet50,
        system=Systems.Mobile,
        batch_size=32,
        precision="int8",
        efficiency=0.5,
    )
    tc = 32 * 8.2e9 / (45e12 * 0.5)
    tm = (25_557_032 + 32 * 10.8e6) / 77e9
    to = 0.4e-3 + 54 * 15e-6
    close(p.latency, (max(tc, tm) + to) * 1e3, "ms")
    assert p.bottleneck == "Compute"


def test_tiny_dscnn_on_stm32l4r5():
    p = Engine.solve(
        model=Models.DSCNN,
        system=Systems.STM32L4R5,
        batch_size=1,
        precision="int8",
        efficiency=0.15,
    )
    # SMLAD peak: 2 MAC/cycle x 2 FLOP/MAC x 120 MHz = 480 MFLOP/s
    close(p.latency_compute, 5.4e6 / (480e6 * 0.15) * 1e3, "ms")
    close(p.latency_memory, (23_756 + 80e3) / 480e6 * 1e3, "ms")
    # TFLite Micro: 6,000 cycles fixed + 13 layers x 2,400 cycles at 120 MHz
    close(p.latency_overhead, (6_000 + 13 * 2_400) / 120e6 * 1e3, "ms")
    close(p.memory_footprint, 23_756 + 16e3, "byte")


def test_llama3_70b_decode_on_h100_int8():
    p = Engine.solve(
        model=Models.Llama3_70B,
        system=Systems.H100,
        batch_size=1,
        precision="int8",
        seq_len=2048,
        efficiency=0.39,
    )
    dense = 70.6e9 - 128_256 * 8192  # the embedding table is a lookup, not a matmul
    flops = 2 * dense + 4 * 80 * 2048 * 8192
    close(p.flops, flops, "FLOP")
    kv = 2048 * 2 * 80 * (8 * 128) * 1  # tokens x (K and V) x layers x kv width x 1 byte
    traffic = 70.6e9 + kv + 2 * 80 * (4 * 8192 + 2 * 1024 + 3 * 28672)
    close(p.bytes_moved, traffic, "byte")
    close(p.latency_memory, traffic / 3.35e12 * 1e3, "ms")
    assert p.bottleneck == "Memory"
    close(p.latency, (traffic / 3.35e12 + 20e-6 + 560 * 3e-6) * 1e3, "ms")
    assert p.throughput.units == ureg.Unit("token/second")
    close(p.memory_footprint, 70.6e9 + kv + (2 * 28672 + 2 * 8192), "byte")


def test_llama3_70b_fits_one_h100_only_at_int8():
    fp16 = Engine.solve(
        model=Models.Llama3_70B, system=Systems.H100, batch_size=1, precision="fp16", seq_len=2048
    )
    int8 = Engine.solve(
        model=Models.Llama3_70B, system=Systems.H100, batch_size=1, precision="int8", seq_len=2048
    )
    assert fp16.feasible is False
    assert int8.feasible is True
    # The footprint says why: 141.2 GB of fp16 weights alone exceed 80 GB.
    assert fp16.footprint_breakdown["weights"].to("GB").magnitude == pytest.approx(141.2)
    assert fp16.memory_footprint > Systems.H100.ram > int8.memory_footprint


def test_bert_is_an_encoder_one_sample_is_one_sequence():
    short = Engine.solve(
        model=Models.BERTBase, system=Systems.T4, batch_size=8, precision="fp16", seq_len=128
    )
    long = Engine.solve(
        model=Models.BERTBase, system=Systems.T4, batch_size=8, precision="fp16", seq_len=512
    )
    assert short.phase == "prefill"
    assert short.throughput.units == ureg.Unit("sample/second")
    assert long.flops > 4 * short.flops  # attention grows with the square of the length
    assert short.footprint_breakdown["kv_cache"].magnitude == 0


def test_keyword_spotter_meets_10ms_only_at_int8_on_the_tiny_archetype():
    int8 = Engine.solve(model=Models.DSCNN, system=Systems.Tiny, batch_size=1, precision="int8")
    fp32 = Engine.solve(model=Models.DSCNN, system=Systems.Tiny, batch_size=1, precision="fp32")
    assert int8.latency < 10 * ureg.ms < fp32.latency


def test_eager_runtime_pays_more_dispatch_tax_than_compiled():
    eager = Engine.solve(
        model=Models.ResNet50, system=Systems.H100, batch_size=1, precision="fp16", runtime="eager"
    )
    compiled = Engine.solve(
        model=Models.ResNet50,
        system=Systems.H100,
        batch_size=1,
        precision="fp16",
        runtime="compiled",
    )
    assert eager.latency_overhead > 10 * compiled.latency_overhead
    assert eager.runtime == "eager"


def test_math_carries_the_numbers_that_produced_each_field():
    p = Engine.solve(
        model=Models.ResNet50, system=Systems.H100, batch_size=8, precision="fp16", efficiency=0.4
    )
    latency = p.math["latency"]
    assert latency.result == p.latency
    assert r"\max" in latency.formula
    symbols = {v.symbol: v.value for v in p.math["latency_compute"].variables}
    assert symbols[r"\eta"].magnitude == 0.4
    assert symbols["P_{peak}"].to("TFLOP/s").magnitude == pytest.approx(989.4)
    assert set(p.math) >= {
        "latency",
        "latency_compute",
        "latency_memory",
        "latency_overhead",
        "throughput",
        "energy",
        "memory_footprint",
    }


def test_roofline_is_the_lower_of_peak_and_bandwidth_times_intensity():
    h100 = Systems.H100
    ridge = h100.ridge_point("fp16").to("FLOP/byte").magnitude
    assert ridge == pytest.approx(989.4e12 / 3.35e12)
    below = h100.attainable("fp16", 10.0).to("FLOP/s").magnitude
    above = h100.attainable("fp16", 10 * ridge).to("FLOP/s").magnitude
    assert float(below) == pytest.approx(3.35e12 * 10)
    assert float(above) == pytest.approx(989.4e12)
    p = Engine.solve(
        model=Models.ResNet50, system=h100, batch_size=64, precision="fp16", efficiency=0.5
    )
    assert p.achieved_flops.to("FLOP/s").magnitude == pytest.approx(
        p.flops.magnitude / p.latency.to("s").magnitude
    )
    assert p.achieved_flops <= h100.attainable("fp16", p.arithmetic_intensity)
