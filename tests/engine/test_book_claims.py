"""The physics claims Volume 1's labs are built on, each with its hand-derived reason.

Issue 9 names two: Llama-3-70B at fp16 does not fit one H100, and a keyword spotter on a
Cortex-M meets 10 ms only with the right precision. The labs (ch01, ch05, ch10) rely on both.
"""

from __future__ import annotations

import pytest

from mlsys import Engine, Models, Systems, ureg


def test_llama_3_70b_fits_one_h100_only_below_16_bits() -> None:
    # 70.6e9 parameters x 2 bytes = 141 GB of weights at fp16 against 80 GB of HBM; at one byte
    # per weight, 70.6 GB fit with about 9 GB to spare for activations and the KV cache.
    fp16 = Engine.solve(model=Models.Llama3_70B, system=Systems.H100, precision="fp16")
    assert not fp16.feasible
    assert fp16.memory_footprint > Systems.H100.ram_bytes * ureg.byte
    for precision in ("fp8", "int8"):
        narrow = Engine.solve(model=Models.Llama3_70B, system=Systems.H100, precision=precision)
        assert narrow.feasible
        assert narrow.memory_footprint.to("GB").magnitude == pytest.approx(70.9, abs=0.5)


@pytest.mark.parametrize("efficiency", [None, 0.5])
def test_a_keyword_spotter_on_a_cortex_m7_meets_10_ms_only_at_int8(efficiency) -> None:
    # The DS-CNN is compute-bound on the MCU: int8 SIMD doubles the MACs per cycle (fp32 runs
    # on the scalar FPU), so the same work takes half the time.
    kws = {
        precision: Engine.solve(
            model=Models.DSCNN, system=Systems.STM32H743, precision=precision, efficiency=efficiency
        )
        for precision in ("fp32", "int8")
    }
    deadline = 10 * ureg.ms
    assert kws["fp32"].latency > deadline
    assert kws["int8"].latency < deadline
    assert (kws["fp32"].latency / kws["int8"].latency).to("").magnitude == pytest.approx(
        2, rel=0.05
    )
