"""The KV-cache memory stack (Volume 2, Lab 10): one device of a serving replica, weights plus
the live KV cache plus what the layout loses, against the device memory. Values are checked
against the engine (mlsys.FleetReport) and by hand."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import altair as alt
import pytest

from labgen.instruments import BUILTIN_INSTRUMENTS
from labgen.rendering.render import KIT_IMPORTS
from labs.core import components, style
from labs.core.configuration import engine_inputs, solve_inputs
from labs.core.kvmemory import MAX_BARS, chart_batches, kv_memory_sweep
from mlsys import FleetReport, Models, Quantity, Systems

ROOT = Path(__file__).resolve().parents[2]

#: Cloud Titan serving Llama-3-70B: 8 replicas of 8 H100s, fp16, 32 sequences each.
TRACK = {
    "model": Models.Llama3_70B,
    "system": Systems.H100,
    "inputs": {
        "dp": 8,
        "tp": 8,
        "batch_size": 256,
        "seq_len": 2048,
        "phase": "decode",
        "precision": "fp16",
        "arrival_rate": 10,
        "prompt_tokens": 1024,
        "output_tokens": 256,
        "serving_batch": 32,
    },
}


def solve(**values):
    return solve_inputs(engine_inputs(TRACK, values, {}))


@pytest.fixture(scope="module")
def report():
    return solve()


def test_it_is_registered_for_volume_2_chapter_10(report):
    instrument = {i.id: i for i in BUILTIN_INSTRUMENTS}["kv_memory"]
    assert (instrument.unlock_volume, instrument.unlock_chapter) == (2, 10)
    assert instrument.component == "labs.core.components.KvMemoryStack"
    assert instrument.sweeps == "serving_batch"
    assert components.KvMemoryStack.__doc__
    assert KIT_IMPORTS["KvMemoryStack"] == "from labs.core.components import KvMemoryStack"
    macros = (ROOT / "labgen" / "templates" / "instruments.j2").read_text(encoding="utf-8")
    assert f"macro {instrument.macro}(k)" in macros
    for field in instrument.shows:
        assert isinstance(getattr(report, field), Quantity), field


def test_the_stack_by_hand(report):
    rows = kv_memory_sweep(report)
    # fp16 on 8 GPUs holds 1,141 sequences of 1,280 tokens: the bars run 1, 2, 4 ... 2,048.
    assert 1024 < report.kv_capacity.magnitude < 2048
    batches = chart_batches(report.kv_capacity.magnitude, 32)
    assert batches == tuple(2**i for i in range(12))
    assert sorted({row["batch"] for row in rows}) == list(batches)
    by = {(row["batch"], row["part"]): row["gb"] for row in rows}
    params = Models.Llama3_70B.params
    # Weights: 70.6 B parameters x 2 B over 8 devices = 17.65 GB per device.
    assert by[(1, "weights")] == pytest.approx(params * 2 / 8 / 1e9)
    # KV cache: 327,680 B per token x 1,280 tokens of context per sequence, over 8 devices.
    per_sequence_gb = 2 * 80 * 8 * 128 * 2 * 1280 / 8 / 1e9
    for batch in batches:
        assert by[(batch, "kv")] == pytest.approx(per_sequence_gb * batch)
    # Paged: each sequence reserves its KV cache over 96% (4% of what it reserves is lost).
    for batch in batches:
        assert by[(batch, "lost")] == pytest.approx(per_sequence_gb * batch * 0.04 / 0.96)
    # The engine's rule and the chart's agree: a bar fits under the device memory exactly when
    # the batch is at most kv_capacity.
    capacity = report.kv_capacity.magnitude
    for row in rows:
        assert row["fits"] == (row["batch"] <= capacity)
        assert row["fits"] == (row["total"] <= 80.0 + 1e-9)
    design = [row for row in rows if row["design"] and row["part"] == "kv"]
    assert design[0]["gb"] == pytest.approx(report.kv_per_device.to("GB").magnitude)
    # The design's bar is the fit card's number: the engine's footprint per device.
    assert design[0]["total"] == pytest.approx(report.memory_footprint.to("GB").magnitude)


def test_the_bars_reach_past_the_replica_s_own_capacity():
    # The last bar that fits and the first that does not are both drawn, whatever the capacity.
    assert chart_batches(484.5, 32) == (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
    assert chart_batches(6956.6, 32)[-2:] == (4096, 8192)
    assert chart_batches(0.0, 1) == (1,)
    assert chart_batches(1.0, 1) == (1, 2)
    # The design's own batch is reached even when it is far past the capacity.
    assert chart_batches(10.0, 5000)[-1] == 8192
    # A replica holding a million sequences is thinned to every other power, keeping the
    # first batch past the capacity (2**20).
    many = chart_batches(1e6, 32)
    assert len(many) <= MAX_BARS
    assert many[-2:] == (2**18, 2**20)
    assert many[0] == 1


def test_a_larger_replica_draws_more_bars(report):
    # Tensor parallel 8 in fp8 holds twice the sequences of fp16: the chart reaches 4,096.
    fp8 = solve(precision="fp8")
    assert fp8.kv_capacity > report.kv_capacity
    drawn = {row["batch"] for row in kv_memory_sweep(fp8)}
    assert (
        max(drawn)
        > fp8.kv_capacity.magnitude
        >= max(b for b in drawn if b <= fp8.kv_capacity.magnitude)
    )
    assert max(drawn) > max(row["batch"] for row in kv_memory_sweep(report))


def test_a_contiguous_cache_fits_fewer_sequences(report):
    contiguous = FleetReport(report.step, replace(report.scenario, kv_cache="contiguous"))
    paged_fit = {r["batch"] for r in kv_memory_sweep(report) if r["fits"]}
    contiguous_fit = {r["batch"] for r in kv_memory_sweep(contiguous) if r["fits"]}
    assert contiguous_fit < paged_fit
    assert contiguous.kv_capacity < report.kv_capacity


def test_the_card_marks_the_design_and_the_device_memory(
    report, vega_specs, visible_text, chart_colours
):
    card = components.KvMemoryStack(kv_memory_sweep(report), report)
    (spec,) = vega_specs(card)
    alt.Root.validate(spec)
    assert spec["description"]
    palette = {style.BLUE_LINE, style.RED_LINE, style.GREEN_LINE, style.INK, style.WHITE}
    assert chart_colours(spec["layer"]) <= palette
    (rule,) = spec["layer"][1]["data"]["values"]
    assert rule["device"] == pytest.approx(80.0)
    (marker,) = spec["layer"][2]["data"]["values"]
    assert marker["batch"] == 32
    text = visible_text(card)
    assert "Your batch (diamond)" in text
    assert "32 sequences" in text
    assert "Device memory (dashed)" in text
    assert "17.6 GB" in text or "17.7 GB" in text


def test_a_batch_too_large_says_it_does_not_fit(visible_text):
    big = solve(serving_batch=2048)
    assert big.kv_capacity.magnitude < 2048
    text = visible_text(components.KvMemoryStack(kv_memory_sweep(big), big))
    assert "does not fit" in text


def test_a_huge_batch_keeps_the_axis_on_the_device_memory(vega_specs, visible_text):
    # 8,192 sequences of fp16 need about 465 GB a device: the axis stays at 1.5 x 80 GB so the
    # bars that fit stay readable; the taller ones are clipped and the caption says so.
    big = solve(serving_batch=8192)
    rows = kv_memory_sweep(big)
    card = components.KvMemoryStack(rows, big)
    (spec,) = vega_specs(card)
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, pytest.approx(120.0)]
    (marker,) = spec["layer"][2]["data"]["values"]
    assert marker["total"] == pytest.approx(120.0)
    first_over = min(row["batch"] for row in rows if row["total"] > 120.0)
    assert f"From {first_over:,} sequences on, the bar leaves the chart." in visible_text(card)
    assert max(row["total"] for row in rows) > 400


def test_a_model_without_a_kv_cache_says_why(visible_text):
    cnn = {"model": Models.ResNet50, "system": Systems.H100, "inputs": {"dp": 8}}
    report = solve_inputs(engine_inputs(cnn, {"batch_size": 64, "precision": "fp16"}, {}))
    assert kv_memory_sweep(report) == []
    assert "no KV cache" in visible_text(components.KvMemoryStack([], report))


def test_it_redraws_fast(report):
    components.KvMemoryStack(kv_memory_sweep(report), report)
    start = time.perf_counter()
    other = solve(serving_batch=64)
    components.KvMemoryStack(kv_memory_sweep(other), other)
    assert time.perf_counter() - start < 0.25
