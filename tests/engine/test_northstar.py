"""Each track's north-star metric is computable from mlsys alone (guide section 3.1)."""

import pytest

from mlsys import Engine, Models, Systems, ureg
from mlsys import northstar as ns


def test_cloud_titan_tokens_per_second_and_samples_per_dollar():
    p = Engine.solve(
        model=Models.Llama3_70B, system=Systems.Cloud, batch_size=16, precision="int8", seq_len=1024
    )
    per_dollar = ns.samples_per_dollar(p, 2.0 * ureg.USD / ureg.hour)
    # 2 USD/hour buys 1800 s per dollar: samples/dollar = tokens/s x 1800
    assert per_dollar.magnitude == pytest.approx(p.throughput.to("token/s").magnitude * 1800)
    bigger = Engine.solve(
        model=Models.Llama3_70B, system=Systems.Cloud, batch_size=64, precision="int8", seq_len=1024
    )
    assert (
        ns.samples_per_dollar(bigger, 2.0 * ureg.USD / ureg.hour) > per_dollar
    )  # batching amortises weights


def test_edge_guardian_deadline():
    p = Engine.solve(model=Models.ResNet50, system=Systems.Edge, batch_size=1, precision="int8")
    verdict = ns.meets_deadline(p, 10 * ureg.ms)
    assert verdict.met
    assert verdict.slack.to("ms").magnitude == pytest.approx(10 - p.latency.to("ms").magnitude)
    slow = Engine.solve(model=Models.ResNet50, system=Systems.Edge, batch_size=64, precision="fp32")
    assert not ns.meets_deadline(slow, 10 * ureg.ms).met


def test_mobile_nomad_thermal_budget_throttles_when_exceeded():
    p = Engine.solve(
        model=Models.ARFilterNet, system=Systems.Glasses, batch_size=1, precision="int8"
    )
    ok = ns.thermal_check(p, 60 / ureg.s)
    assert not ok.throttled
    assert ok.sustained_rate.to("1/s").magnitude == pytest.approx(60)
    tight = ns.thermal_check(p, 60 / ureg.s, budget=0.35 * ureg.W)
    assert tight.throttled
    assert tight.sustained_rate < 60 / ureg.s
    # At the sustained rate the average power equals the budget (hand check of the inversion).
    at_limit = ns.average_power(p, tight.sustained_rate, idle="static")
    assert at_limit.to("W").magnitude == pytest.approx(0.35, rel=1e-9)


def test_tiny_pioneer_duty_cycled_power_sram_and_latency():
    p = Engine.solve(model=Models.TinyLSTM, system=Systems.Tiny, batch_size=1, precision="int8")
    assert ns.meets_deadline(p, 10 * ureg.ms).met
    assert ns.fits_memory(p) > 0 * ureg.byte
    one_per_second = ns.average_power(p, 1 / ureg.s)
    # P = E x rate + P_sleep x (1 - rate x T)
    expected = p.energy.to("J").magnitude + Systems.Tiny.sleep_w * (1 - p.latency.to("s").magnitude)
    assert one_per_second.to("W").magnitude == pytest.approx(expected)
    continuous = ns.average_power(p, 100 / ureg.s)
    assert continuous > 1 * ureg.mW  # the nemesis: continuous enhancement cannot stay under 1 mW
    fp32 = Engine.solve(model=Models.TinyLSTM, system=Systems.Tiny, batch_size=1, precision="fp32")
    assert ns.fits_memory(fp32) < 0 * ureg.byte  # fp32 weights overflow the SRAM


def test_average_power_refuses_overlapping_events():
    p = Engine.solve(model=Models.DSCNN, system=Systems.STM32L4R5, batch_size=1, precision="int8")
    with pytest.raises(ValueError, match="events_per_s"):
        ns.average_power(p, 100 / ureg.s)
