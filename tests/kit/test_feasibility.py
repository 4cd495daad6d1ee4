"""A design that cannot load is never shown as one that runs; a prediction is judged once, at
its stated configuration, and a revision is shown as one; an out-of-range number is refused
with a message, never clamped."""

from __future__ import annotations

import marimo as mo
import pytest

from labs.core.components import MetricCards, P99Histogram, ParetoCurve, PredictionComparison
from labs.core.configuration import stated_profile
from labs.core.controls import serving_ledger, sweep_batches
from labs.core.pareto import frontier_caption
from labs.core.predictions import LockedPrediction, PredictionInput, PredictionLock
from mlsys import Engine, Models, Quantity, Systems

CLOUD = {"model": Models.Llama3_70B, "system": Systems.H100, "inputs": {"seq_len": 4096}}


@pytest.fixture
def too_big():
    """Llama-3-70B at fp16 on one 80 GB H100: 141 GB of weights alone."""
    return Engine.solve(
        model=Models.Llama3_70B, system=Systems.H100, batch_size=1, precision="fp16", seq_len=4096
    )


def test_cards_say_a_design_does_not_fit(too_big, visible_text, page_html):
    text = visible_text(MetricCards(too_big, fields=["latency"]))
    assert "Does not fit: cannot load" in text
    assert "GB > 80 GB" in text
    assert 'data-fit="does-not-fit"' in page_html(MetricCards(too_big, fields=["latency"]))


def test_the_verdict_warns_that_the_design_cannot_load(too_big, visible_text):
    verdict = PredictionComparison(10.0, too_big.latency, unit="ms", design=too_big)
    assert "At this configuration the design cannot load" in visible_text(verdict)
    assert "does not fit in 80 GB" in visible_text(verdict)


def test_an_unloadable_design_is_not_called_overloaded_or_on_time(too_big, visible_text):
    track = {**CLOUD, "inputs": {"precision": "fp16", "seq_len": 4096}}
    serving = serving_ledger("cloud_titan", track, {"batch_size": 1})
    text = visible_text(P99Histogram(serving, design=too_big))
    assert "This design cannot load" in text
    assert "overloaded" not in text
    assert "meets the SLO" not in text


def test_the_pareto_caption_never_contradicts_itself(too_big, visible_text):
    assert frontier_caption(0, 11).startswith("None of the 11 configurations fits in memory")
    sweep = sweep_batches({**CLOUD, "inputs": {"precision": "fp16", "seq_len": 4096}})
    text = visible_text(ParetoCurve(sweep, design=too_big))
    assert "0 of" not in text
    assert "Your design (does not fit)" in text


def test_the_first_prediction_is_judged_and_a_revision_is_shown(visible_text):
    profile = stated_profile([], CLOUD | {"inputs": {"precision": "int8", "seq_len": 4096}})
    answer = profile.latency.to("ms").magnitude
    locked = LockedPrediction(first=answer, latest=answer * 3, unit="ms")
    text = visible_text(PredictionComparison(locked, profile.latency))
    assert "within 0 % of the engine" in text
    assert "You revised your prediction to" in text


def test_an_out_of_range_number_is_refused_with_a_message(visible_text):
    prediction = PredictionInput.number("How long?", 0.1, 100, "ms")
    prediction._update(5000)
    with pytest.raises(mo.MarimoStopError) as stopped:
        PredictionLock(prediction)
    assert "5000 ms is outside what this question accepts (0.1 to 100 ms)" in visible_text(
        stopped.value.output
    )


def test_targets_are_checked_live_and_walls_say_why(visible_text, page_html):
    from labs.core.components import TargetCheck

    small = Engine.solve(model=Models.ResNet50, system=Systems.JetsonAGXOrin, batch_size=1)
    met = TargetCheck(small, [{"field": "latency", "at_most": "100 ms"}])
    assert 'data-target="met"' in page_html(met)
    assert "Latency ≤ 100 ms : your design 613 µs, met." in visible_text(met)
    wall = TargetCheck(
        small, [{"field": "latency", "at_most": "1 µs", "wall": "No node this small is that fast."}]
    )
    assert 'data-target="missed"' in page_html(wall)
    assert "not met. No setting here meets it. No node this small is that fast." in visible_text(
        wall
    )
    assert visible_text(TargetCheck(small, [])) == ""


def test_an_unloadable_design_meets_no_target(too_big, page_html, visible_text):
    from labs.core.components import TargetCheck

    card = TargetCheck(too_big, [{"field": "latency", "at_most": "10 s"}])
    assert 'data-target="missed"' in page_html(card)
    assert "cannot load" in visible_text(card)


def test_a_lever_declared_the_lesson_says_so_under_it(visible_text):
    from labs.core.controls import EngineControls

    control = {
        "param": "efficiency",
        "label": "Efficiency",
        "min": 0.1,
        "max": 1.0,
        "default": 0.5,
        "step": 0.1,
        "lesson": "Memory-bound: faster arithmetic buys nothing.",
    }
    shown = EngineControls([control], CLOUD | {"inputs": {}})
    assert "Memory-bound: faster arithmetic buys nothing." in visible_text(shown)


def test_a_launch_review_says_go_only_when_every_guardrail_passes(visible_text, page_html):
    from labs.core.components import TargetCheck
    from labs.core.targets import launch_decision

    small = Engine.solve(model=Models.ResNet50, system=Systems.JetsonAGXOrin, batch_size=1)
    guardrails = [
        {"field": "latency", "at_most": "1 ms", "guardrail": "Lab 2: the frame budget"},
        {"field": "memory_footprint", "at_most": "64 MB", "guardrail": "Lab 5: the memory cap"},
    ]
    go = TargetCheck(small, guardrails, launch=True)
    assert 'data-launch="go"' in page_html(go)
    assert "Launch: GO Every guardrail passes (2 of 2)." in visible_text(go)
    assert "Lab 2: the frame budget: Latency ≤ 1 ms" in visible_text(go)
    assert launch_decision(small, guardrails) == (True, [])

    # 613 µs misses a 0.5 ms budget: one failing guardrail is enough to stop the launch.
    tight = [{**guardrails[0], "at_most": "0.5 ms"}, guardrails[1]]
    stop = TargetCheck(small, tight, launch=True)
    assert 'data-launch="no-go"' in page_html(stop)
    assert "Launch: NO-GO 1 of 2 guardrails fail: Lab 2: the frame budget." in visible_text(stop)
    assert launch_decision(small, tight) == (False, ["Lab 2: the frame budget"])
    # Without the launch flag the same bars are plain targets, with no decision on top.
    assert "Launch" not in visible_text(TargetCheck(small, tight))


def test_a_design_that_cannot_load_never_launches(too_big, visible_text):
    from labs.core.components import TargetCheck

    card = TargetCheck(
        too_big,
        [{"field": "latency", "at_most": "10 s"}, {"field": "latency", "at_most": "20 s"}],
        launch=True,
    )
    text = visible_text(card)
    assert "Launch: NO-GO The design cannot load, so 2 of 2 guardrails fail" in text


def test_a_share_asked_in_percent_is_judged_in_percent(visible_text):
    # 1 - 0.99^20 = 18.2 %: the student typed percent, so the verdict speaks percent too.
    answer = Quantity(1 - 0.99**20, "dimensionless")
    locked = LockedPrediction(first=18.2, latest=18.2, unit="percent")
    text = visible_text(PredictionComparison(locked, answer))
    assert "You predicted 18.2 % ; the engine says 18.2 % :" in text
    assert "0.182" not in text


def test_chances_and_shares_read_in_percent_on_cards_and_bars(visible_text):
    # Lab 12: a request fanning out to 64 shards waits on a slow one 1 - 0.99^64 = 47.4 % of
    # the time; the card and a bar on it say so in percent, as the chapter does.
    from labs.core.components import TargetCheck
    from labs.core.configuration import engine_inputs, solve_inputs

    track = {"model": Models.ResNet50, "system": Systems.H100, "inputs": {}}
    run = solve_inputs(engine_inputs(track, {"dp": 8, "batch_size": 256, "fan_out": 64}, {}))
    cards = visible_text(MetricCards(run, fields=["tail_probability", "goodput"]))
    from labs.core.labels import field_label

    assert f"{field_label('tail_probability')} 47.4 %" in cards
    assert "0.474" not in cards
    bar = TargetCheck(run, [{"field": "tail_probability", "at_most": "0.5"}])
    assert "≤ 50 % : your design 47.4 %, met." in visible_text(bar)


def test_a_verdict_names_the_setting_it_judged_and_speaks_the_answers_unit(visible_text):
    # Lab 13 on Cloud Titan: the student reasoned 48 h, the engine says 40.6 h at the stated
    # 256 replicas while the slider still shows 1,024: the verdict says where it judged.
    locked = LockedPrediction(first=2.0, latest=2.0, unit="day")
    text = visible_text(
        PredictionComparison(
            locked, Quantity(40.6, "hour"), judged_at="Data-parallel replicas: 256"
        )
    )
    assert "You predicted 48 h ; the engine says 40.6 h" in text
    assert "for the question's setting (Data-parallel replicas: 256)" in text
    plain = visible_text(PredictionComparison(locked, Quantity(40.6, "hour")))
    assert "question's setting" not in plain
