"""The Volume 2 instruments draw what the engine says about a step on a cluster and its run:
the scaling curve, the all-reduce chart, the checkpoint U-curve, the queue-wait curve and the
waterfall of a step. Values are checked against the engine and against the laws by hand."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path

import altair as alt
import pytest

from labgen.instruments import BUILTIN_INSTRUMENTS
from labgen.rendering.render import KIT_IMPORTS
from labs.core import components, style
from labs.core.checkpoint import checkpoint_sweep
from labs.core.comms import all_reduce_sweep, gradient_payload
from labs.core.configuration import engine_inputs, live_inputs, solve_inputs
from labs.core.queueing import HEAVY_CV, queue_sweep
from labs.core.scaling import DP_STEPS, scaling_rows, sweep_devices
from labs.core.waterfall import FLEET_SEGMENTS, waterfall_rows
from mlsys import Collectives, FleetReport, Models, Quantity, Systems
from mlsys import fleet_formulas as ff
from mlsys.collectives import links_of

ROOT = Path(__file__).resolve().parents[2]

#: Cloud Titan's fleet: Llama-3-70B on H100s, 8-way tensor parallel inside each node.
TRACK = {
    "model": Models.Llama3_70B,
    "system": Systems.H100,
    "inputs": {
        "dp": 64,
        "tp": 8,
        "zero": 1,
        "batch_size": 512,
        "seq_len": 4096,
        "precision": "fp16",
        "checkpoint_interval": 30,
        "queue_load": 0.72,
    },
}
PALETTE = {
    style.BLUE_LINE,
    style.RED_LINE,
    style.GREEN_LINE,
    style.INK,
    style.MUTED,
    style.RULE,
    style.PAPER,
    style.WHITE,
}


def solve(**values):
    return solve_inputs(engine_inputs(TRACK, values, {}))


@pytest.fixture(scope="module")
def report():
    return solve()


@pytest.fixture
def checked_specs(vega_specs, chart_colours):
    """``checked_specs(card, count)``: the card's ``count`` Vega-Lite specs, each valid, with
    alt text and coloured from the palette."""

    def check(card, count):
        specs = vega_specs(card)
        assert len(specs) == count
        for spec in specs:
            alt.Root.validate(spec)  # valid Vega-Lite
            assert spec["description"]  # alt text
            assert chart_colours(spec) <= PALETTE
        return specs

    return check


# -- the registry -------------------------------------------------------------------------------

NEW = {
    "fleet_waterfall": (1, "LatencyWaterfall"),
    "scaling_curve": (1, "ScalingCurve"),
    "comm_chart": (3, "CommChart"),
    "checkpoint_curve": (7, "CheckpointCurve"),
    "queue_curve": (8, "QueueCurve"),
}


@pytest.mark.parametrize("key", sorted(NEW))
def test_each_instrument_is_registered_for_volume_2(key, report):
    instrument = {i.id: i for i in BUILTIN_INSTRUMENTS}[key]
    chapter, component = NEW[key]
    assert (instrument.unlock_volume, instrument.unlock_chapter) == (2, chapter)
    assert instrument.component == f"labs.core.components.{component}"
    assert getattr(components, component).__doc__
    assert KIT_IMPORTS[component] == f"from labs.core.components import {component}"
    macros = (ROOT / "labgen" / "templates" / "instruments.j2").read_text(encoding="utf-8")
    assert f"macro {instrument.macro}(k)" in macros
    # Every field it declares is a number of the report it draws.
    for field in instrument.shows:
        assert isinstance(getattr(report, field), Quantity), field


def test_the_single_node_waterfall_keeps_its_fields():
    waterfall = {i.id: i for i in BUILTIN_INSTRUMENTS}["waterfall"]
    fleet = {i.id: i for i in BUILTIN_INSTRUMENTS}["fleet_waterfall"]
    assert waterfall.unlock_volume == 1
    assert set(fleet.shows) == {*waterfall.shows, "latency_communication", "latency_bubble"}


# -- the scaling curve ---------------------------------------------------------------------------


def test_sweep_devices_solves_each_width_that_splits_the_batch():
    values = {"dp": 48, "batch_size": 768}
    reports = sweep_devices(TRACK, values, {})
    widths = [r.parallelism.dp for r in reports]
    # 48 is the design's own width; 512 and 1024 replicas cannot split a batch of 768.
    assert widths == sorted([w for w in DP_STEPS if w <= 256] + [48])
    for r in reports:
        assert r.devices.magnitude == r.parallelism.dp * 8
        assert r.latency == solve(**{**values, "dp": r.parallelism.dp}).latency


def test_sweep_devices_reads_a_hidden_controls_one_value_as_the_lab_does():
    # NVLink4 is no scale-out fabric: the dropdown offers Ethernet100 alone, so it is hidden
    # and its one value applies (live_inputs), on the curve as on the design.
    controls = [{"param": "fabric", "options": ["NVLink4", "Ethernet100"], "default": "NVLink4"}]
    design = solve_inputs(live_inputs(controls, {}, TRACK, {}))
    reports = sweep_devices(TRACK, {}, {}, controls=controls)
    (same,) = [r for r in reports if r.parallelism.dp == 64]
    assert same.latency == design.latency
    assert same.latency != solve(dp=64).latency  # InfiniBand, the default fabric, is faster


def test_step_time_falls_and_efficiency_bends_as_devices_double():
    rows, _ = scaling_rows(sweep_devices(TRACK, {}, {}))
    steps = [row["step"] for row in rows]
    assert steps == sorted(steps, reverse=True)
    # The perfect line is the work divided perfectly: T_c / N, the engine's eff x T_step.
    for row in rows:
        assert row["perfect"] == pytest.approx(row["efficiency"] * row["step"])
        assert row["perfect"] <= row["step"]
    assert rows[-1]["efficiency"] < rows[0]["efficiency"]


def test_scaling_curve_marks_the_design_on_both_panels(report, checked_specs, visible_text):
    card = components.ScalingCurve(sweep_devices(TRACK, {}, {}), design=report)
    step, efficiency = checked_specs(card, 2)
    for spec, value in ((step, None), (efficiency, float(report.scaling_efficiency.magnitude))):
        (diamond,) = [layer for layer in spec["layer"] if layer["mark"].get("shape") == "diamond"]
        (mark,) = diamond["data"]["values"]
        assert mark["devices"] == 512
        if value is not None:
            assert mark["efficiency"] == pytest.approx(value)
    text = visible_text(card)
    assert "Your design" in text
    assert "512 devices" in text
    assert "Perfect scaling" in text


def test_scaling_curve_with_nothing_to_draw_says_why(visible_text):
    card = components.ScalingCurve([], design=None)
    assert "no curve to draw" in visible_text(card)


# -- the communication chart ---------------------------------------------------------------------


def test_all_reduce_sweep_times_are_the_collectives():
    # Pure data parallelism: the group is every device, nodes filled in order.
    pure = solve(tp=1)
    sweep = all_reduce_sweep(pure)
    cluster = pure.system
    assert (sweep.ranks, sweep.local) == (64, 8)
    assert sweep.algorithms == ("ring", "tree", "hierarchical")  # 64 devices span 8 nodes
    for row in sweep.rows[::7]:
        name = row["algorithm"].lower()
        truth = Collectives.all_reduce(size=row["size"], system=cluster, algorithm=name)
        assert row["time"] == pytest.approx(truth.latency.to("ms").magnitude)
    # Small messages pay latency (tree's log N hops win); large ones pay bandwidth (ring wins).
    times = {(r["algorithm"], r["size"]): r["time"] for r in sweep.rows}
    small, large = sweep.rows[0]["size"], sweep.rows[-1]["size"]
    assert times[("Tree", small)] < times[("Ring", small)]
    assert times[("Ring", large)] < times[("Tree", large)]


def test_payload_and_crossover_by_hand(report):
    sweep = all_reduce_sweep(report)
    # 8-way tensor parallel in nodes of 8: the 64 replicas sit one per node, all on InfiniBand.
    assert (sweep.ranks, sweep.local) == (64, 1)
    # One replica's gradients: 70.6 B parameters over 8 tensor-parallel ways, 2 bytes each.
    assert sweep.payload.to("byte").magnitude == pytest.approx(Models.Llama3_70B.params / 8 * 2)
    assert sweep.payload == gradient_payload(report)
    links = links_of(report.system)
    assert sweep.crossover.to("byte").magnitude == pytest.approx(links.alpha_out * links.beta_out)
    assert sweep.crossover.to("byte").magnitude == pytest.approx(
        ff.alpha_beta_crossover_bytes(links.alpha_out, links.beta_out)
    )


def test_the_fastest_time_at_the_payload_is_the_steps_gradient_sync():
    # Pure data parallelism: the engine's data-parallel all-reduce is this chart's at the payload.
    pure = solve(tp=1, zero=0)
    sweep = all_reduce_sweep(pure)
    fastest = min(time for _, time in sweep.at_payload)
    assert fastest.to("ms").magnitude == pytest.approx(pure.communication["dp"].to("ms").magnitude)
    assert sweep.payload.to("byte").magnitude == pytest.approx(pure.memory_weights.to("byte").m)


@pytest.mark.parametrize(
    ("tp", "dp", "pp", "ranks", "local"),
    [(1, 1024, 1, 1024, 8), (8, 128, 1, 128, 1), (2, 64, 2, 64, 4), (4, 16, 4, 16, 2)],
)
def test_the_chart_reduces_over_the_data_parallel_group_as_the_step_does(tp, dp, pp, ranks, local):
    # Issue 14: 128 replicas x tp 8 = 1,024 H100s. The gradient sync is 8 all-reduces at once,
    # each over the 128 replicas (one per node) and 70.6e9 / 8 params x 2 bytes = 17.65 GB;
    # over all 1,024 devices the chart said 197 ms where the step's sync takes 877 ms.
    design = solve(tp=tp, dp=dp, pp=pp, zero=0, batch_size=1024, microbatches=8 if pp > 1 else 1)
    assert design.system.count == tp * dp * pp
    sweep = all_reduce_sweep(design)
    assert (sweep.ranks, sweep.local) == (ranks, local)
    payload = Models.Llama3_70B.params / (tp * pp) * 2
    assert sweep.payload.to("byte").magnitude == pytest.approx(payload)
    # The algorithm the engine chose (the fastest) is the step's communication["dp"].
    engine = design.communication["dp"].to("ms").magnitude
    fastest = min(time.to("ms").magnitude for _, time in sweep.at_payload)
    assert fastest == pytest.approx(engine, rel=0.01)
    # And the point drawn at that size on the chart's line, by the ring law by hand when the
    # replicas sit one per node: 2 (N-1) alpha + 2 (N-1)/N M / beta on the scale-out links.
    if local == 1:
        links = links_of(design.system)
        ring = (
            2 * (ranks - 1) * links.alpha_out + 2 * (ranks - 1) / ranks * payload / links.beta_out
        )
        assert engine == pytest.approx(ring * 1e3, rel=0.01)
        assert sweep.algorithms == ("ring", "tree")  # hierarchical would be the ring again
    if (tp, dp) == (8, 128):
        assert engine == pytest.approx(876.9, abs=0.1)
        assert sweep.math["ring"].result.to("ms").magnitude == pytest.approx(876.9, abs=0.1)
        (g,) = [v for v in sweep.math["ring"].variables if v.symbol == "G"]
        assert g.value.magnitude == 1


def test_one_node_has_no_hierarchical_schedule_and_one_replica_no_chart(visible_text):
    inside = all_reduce_sweep(solve(dp=8, tp=1))  # 8 replicas in one node
    assert inside.algorithms == ("ring", "tree")
    alone = all_reduce_sweep(solve(dp=1, tp=1))
    assert alone.rows == ()
    assert "nothing to draw" in visible_text(components.CommChart(alone))
    # Eight devices, but one replica: tensor parallelism alone has no gradient sync.
    sharded = all_reduce_sweep(solve(dp=1))
    assert sharded.rows == ()
    assert solve(dp=1).communication["dp"].magnitude == 0


def test_comm_chart_draws_lines_and_both_rules(report, checked_specs, visible_text):
    sweep = all_reduce_sweep(report)
    card = components.CommChart(sweep)
    (spec,) = checked_specs(card, 1)
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    assert spec["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    rules = [layer["data"]["values"][0]["size"] for layer in spec["layer"][1:]]
    assert rules == pytest.approx(
        [sweep.crossover.to("byte").magnitude, sweep.payload.to("byte").magnitude]
    )
    text = visible_text(card)
    assert "Gradient payload" in text
    assert "crossover" in text
    assert "8 all-reduces at once" in text
    assert "64 data-parallel replicas (1 per node)" in text
    assert "Tree at the payload" in text
    assert sorted(sweep.math) == ["ring", "tree"]
    pure = components.CommChart(all_reduce_sweep(solve(tp=1)))
    assert "Hierarchical at the payload" in visible_text(pure)
    assert components.MathPeek(sweep.math) is not None


# -- the checkpoint U-curve ----------------------------------------------------------------------


def test_the_u_curve_bottoms_out_at_the_young_daly_interval(report):
    rows = checkpoint_sweep(report)
    optimum = next(row for row in rows if row["kind"] == "optimum")
    assert min(rows, key=lambda row: row["waste"]) is optimum
    # tau* = sqrt(2 T_write MTBF), by hand.
    write = report.checkpoint_write.to("s").magnitude
    mtbf = report.mtbf.to("s").magnitude
    assert optimum["interval"] * 60 == pytest.approx(math.sqrt(2 * write * mtbf))
    # The U: falling before the optimum, rising after it.
    wastes = [row["waste"] for row in rows]
    bottom = wastes.index(optimum["waste"])
    assert wastes[: bottom + 1] == sorted(wastes[: bottom + 1], reverse=True)
    assert wastes[bottom:] == sorted(wastes[bottom:])
    # Each point is the run at that interval.
    for row in rows[::5]:
        run = FleetReport(
            report.step, replace(report.scenario, checkpoint_interval=row["interval"])
        )
        assert row["goodput"] == pytest.approx(run.goodput.magnitude)


def test_checkpoint_curve_marks_the_optimum_and_the_chosen_interval(
    report, checked_specs, visible_text
):
    rows = checkpoint_sweep(report)
    assert any(row["interval"] == 30 for row in rows)  # the run's own interval
    card = components.CheckpointCurve(rows, report)
    (spec,) = checked_specs(card, 1)
    (diamond,) = [layer for layer in spec["layer"] if layer["mark"].get("shape") == "diamond"]
    assert diamond["data"]["values"][0]["interval"] == 30
    text = visible_text(card)
    assert "Young-Daly interval" in text
    assert "Your interval" in text
    assert "MTBF of the job" in text
    assert "Checkpoint write" in text


def test_the_young_daly_interval_moves_with_the_square_root_of_the_mtbf():
    small, large = solve(dp=16), solve(dp=64)  # 4x the devices: a quarter of the MTBF
    ratio = large.mtbf / small.mtbf
    optimum = checkpoint_sweep(large)
    assert ratio.magnitude == pytest.approx(0.25, rel=0.05)
    best = next(row["interval"] for row in optimum if row["kind"] == "optimum")
    best_small = next(
        row["interval"] for row in checkpoint_sweep(small) if row["kind"] == "optimum"
    )
    assert best / best_small == pytest.approx(math.sqrt(ratio.magnitude))


# -- the queue-wait curve ------------------------------------------------------------------------


def test_waits_rise_with_load_and_the_heavy_tail_waits_longest(report):
    rows = queue_sweep(report)
    curves = {}
    for row in rows:
        curves.setdefault(row["cv"], []).append((row["load"], row["wait"]))
    assert sorted(curves) == [0.0, 1.0, HEAVY_CV]
    for points in curves.values():
        waits = [wait for _, wait in sorted(points)]
        assert waits == sorted(waits)  # monotonic in load
        # Near saturation waits explode: 95% load waits far more than twice 50% load.
        assert dict(points)[0.95] > 20 * dict(points)[0.5]
    for load in (0.3, 0.5, 0.9):
        none, mine, heavy = (dict(curves[cv])[load] for cv in (0.0, 1.0, HEAVY_CV))
        assert none < mine < heavy
        # Allen-Cunneen: the wait scales with (1 + C^2) / 2.
        assert none / mine == pytest.approx(0.5)
        assert heavy / mine == pytest.approx((1 + HEAVY_CV**2) / 2)
    design = [row for row in rows if row["design"] and row["load"] == 0.72]
    assert design[0]["wait"] == pytest.approx(report.queue_wait.to("hour").magnitude)


def test_queue_curve_marks_the_design(report, checked_specs, visible_text):
    card = components.QueueCurve(queue_sweep(report), report)
    (spec,) = checked_specs(card, 1)
    (marker,) = spec["layer"][1]["data"]["values"]
    assert marker["load"] == 0.72
    assert marker["wait"] == pytest.approx(report.queue_wait.to("hour").magnitude)
    text = visible_text(card)
    assert "Your design" in text
    assert "72% load" in text
    assert "Heavy tail (C = 4)" in text
    assert "Identical jobs (C = 0)" in text


def test_a_job_larger_than_the_cluster_has_no_queue(visible_text):
    tiny = solve(dp=1, tp=1)  # one device; jobs need 8
    assert queue_sweep(tiny) == []
    assert "no job can ever start" in visible_text(components.QueueCurve([], tiny))


# -- the waterfall of a step ---------------------------------------------------------------------


def test_fleet_waterfall_adds_communication_and_bubble(checked_specs, layer_data, visible_text):
    step = solve(dp=16, pp=4, microbatches=8)
    rows = waterfall_rows(step)
    assert [row["role"] for row in rows] == [role for role, _ in FLEET_SEGMENTS]
    fields = {
        "compute": "latency_compute",
        "memory": "latency_memory",
        "overhead": "latency_overhead",
        "communication": "latency_communication",
        "bubble": "latency_bubble",
        "total": "latency",
    }
    unit = rows[-1]["unit"]
    by_role = {row["role"]: row for row in rows}
    for role, field in fields.items():
        assert by_role[role]["value"] == pytest.approx(getattr(step, field).to(unit).magnitude)
    assert by_role["bubble"]["value"] > 0
    assert by_role["communication"]["value"] > 0
    # T_step = max(T_compute, T_memory) + T_overhead + T_comm + T_bubble: the bubble ends where
    # the total does.
    assert by_role["bubble"]["end"] == pytest.approx(by_role["total"]["end"])
    card = components.LatencyWaterfall(step)
    (spec,) = checked_specs(card, 1)
    assert len(layer_data(spec)[0]) == 6
    text = visible_text(card)
    assert "Communication (exposed)" in text
    assert "Pipeline bubble" in text
    assert "Overhead (dispatch tax)" in text


def test_the_fleet_caption_names_the_largest_bar_with_the_tax_and_the_bubble(visible_text):
    # Issue 14: Tiny Pioneer's TinyLSTM on 16 H100s. The engine's bottleneck weighs compute,
    # memory and communication only and says "Communication" (30.1 us), but the dispatch tax
    # (74 us: the node's launches) is the longest bar of the 114 us step.
    tiny = {"model": Models.TinyLSTM, "system": Systems.H100, "inputs": {}}
    values = {"dp": 16, "batch_size": 4096, "precision": "fp16"}
    step = solve_inputs(engine_inputs(tiny, values, {}))
    assert step.bottleneck == "Communication"
    us = {name: getattr(step, name).to("us").magnitude for name in ("latency_overhead",)}
    assert us["latency_overhead"] == pytest.approx(74.0, abs=0.5)
    assert step.latency_communication.to("us").magnitude == pytest.approx(30.1, abs=0.5)
    text = visible_text(components.LatencyWaterfall(step))
    assert (
        "Overhead-bound (the dispatch tax): the largest term of the step, 74 µs of 114 µs" in text
    )
    assert "Communication-bound" not in text
    # Eight pipeline stages with one microbatch: 7/8 of the step is bubble,
    # (p - 1)/m x busy = 7 x (575.1 ms compute + 105.0 ms tensor-parallel) = 4.76 s.
    bubbly = solve(dp=8, tp=8, pp=8, microbatches=1, batch_size=64)
    assert bubbly.bottleneck == "Compute"
    assert bubbly.latency_bubble.to("s").magnitude == pytest.approx(4.76, abs=0.05)
    text = visible_text(components.LatencyWaterfall(bubbly))
    assert "Bubble-bound (the pipeline bubble): the largest term of the step, 4.76 s" in text
    # When the engine's three terms hold the largest bar, the caption agrees with it.
    step = solve(dp=16, pp=4, microbatches=8)
    assert step.bottleneck == "Compute"
    assert "Compute-bound: the largest term of the step" in visible_text(
        components.LatencyWaterfall(step)
    )


# -- speed ---------------------------------------------------------------------------------------


def test_each_instrument_redraws_fast(report):
    # A control move re-runs the sweep and the card; the budget is well under 300 ms in the
    # browser, so CPython must take a fraction of it (a generous bound for a loaded machine).
    draws = {
        "scaling": lambda: components.ScalingCurve(sweep_devices(TRACK, {}, {}), report),
        "comm": lambda: components.CommChart(all_reduce_sweep(report)),
        "checkpoint": lambda: components.CheckpointCurve(checkpoint_sweep(report), report),
        "queue": lambda: components.QueueCurve(queue_sweep(report), report),
    }
    for name, draw in draws.items():
        draw()
        start = time.perf_counter()
        draw()
        assert time.perf_counter() - start < 0.25, name


# -- in a lab ------------------------------------------------------------------------------------

LAYOUTS = {
    "charts": ("scaling_curve", "comm_chart", "checkpoint_curve"),
    "more": ("queue_curve", "fleet_waterfall", "scorecard"),
}


@pytest.fixture(scope="module")
def volume_2_spec():
    from labgen.spec.validate import load_spec

    return load_spec(ROOT / "chapters" / "vol2" / "ch01_ml_intro.yaml")


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_macro_renders_a_lab_that_runs_on_every_track(volume_2_spec, layout, tmp_path):
    from labgen.book import resolve
    from labgen.rendering.execute import run_lab
    from labgen.rendering.render import render_lab

    names = LAYOUTS[layout]
    spec = volume_2_spec
    kats = [
        kat.model_copy(update={"instrument": n}) for kat, n in zip(spec.kats, names, strict=True)
    ]
    spec = spec.model_copy(update={"kats": kats, "instruments": list(names)})
    lab = render_lab(
        spec,
        resolve("v2ch08"),
        spec_path="chapters/vol2/ch08_fleet_orch.yaml",
        spec_digest="0" * 64,
        instruments={i.id: i for i in BUILTIN_INSTRUMENTS},
    )
    path = tmp_path / "lab_08_fleet_orch.py"
    path.write_text(lab.source, encoding="utf-8")
    kinds = {
        "scaling_curve": "scaling_curve",
        "comm_chart": "comm_chart",
        "checkpoint_curve": "checkpoint_curve",
        "queue_curve": "queue_curve",
        "fleet_waterfall": "waterfall",
    }
    for track in ("cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer"):
        outputs, defs = run_lab(path, spec, track)
        page = " ".join(str(getattr(o, "text", o)) for o in outputs if o is not None)
        for index, name in enumerate(names, start=1):
            assert isinstance(defs[f"kat{index}_profile"], FleetReport)
            if name in kinds:
                assert f"data-instrument=&quot;{kinds[name]}&quot;" in page or (
                    f'data-instrument="{kinds[name]}"' in page
                ), (track, name)
        if "fleet_waterfall" in names:
            assert "Communication (exposed)" in page
