"""`labgen validate` proves each lab playable on every track: one located error per problem,
naming the KAT and the track, in the spec's own words (labgen/spec/pedagogy.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import restate_bars

KAT1_NUMBER = """      kind: number
      prompt: "How long does one pass take?"
      min: 0.001
      max: 10000
      unit: ms
      compare_to: latency
"""


def _only(found: list[str], *parts: str) -> list[str]:
    return [line for line in found if all(part in line for part in parts)]


def test_the_fixture_is_playable(messages, valid_text) -> None:
    assert messages(valid_text) == []


def test_a_number_prediction_must_say_what_it_is_judged_against(messages, valid_text, edit):
    text = edit(valid_text, "      compare_to: latency\n", "")
    assert messages(text) == ["55:5: missing key 'compare_to' in kat1.prediction.number"]


def test_a_number_prediction_in_the_wrong_dimension_can_never_be_judged(messages, valid_text, edit):
    text = edit(valid_text, "      unit: ms\n", "      unit: sample\n")
    found = messages(text)
    assert found
    assert all(line.startswith("60:13: kat1.prediction.unit:") for line in found)
    assert "cannot be compared" in found[0]


def test_the_right_answer_must_fit_the_input(messages, valid_text, edit):
    found = messages(edit(valid_text, "      max: 10000\n", "      max: 1\n"))
    cloud = _only(found, "track cloud_titan, KAT 1")
    assert cloud == [
        "59:12: kat1.prediction.max: track cloud_titan, KAT 1: the engine's answer is 22.88 ms, "
        "outside the input's [0.001, 1]: a student cannot type the right answer"
    ]


def test_a_time_question_must_be_about_a_design_that_loads(messages, valid_text, edit):
    # Llama-3-70B in fp32 needs 282 GB: its latency describes nothing that runs on an H100.
    text = edit(
        valid_text,
        "      compare_to: latency\n",
        "      compare_to: latency\n      at: {precision: fp32}\n",
    )
    cloud = _only(messages(text), "track cloud_titan, KAT 1")
    assert len(cloud) == 1
    assert "the question is about a design that cannot load" in cloud[0]
    assert "of 80 GB" in cloud[0]


def test_a_workload_question_may_be_about_a_design_that_does_not_load(messages, valid_text, edit):
    # FLOP count is what the workload is, loaded or not.
    text = edit(
        valid_text,
        "      compare_to: latency\n",
        "      compare_to: flops\n      at: {precision: fp32}\n",
    )
    text = edit(text, "      unit: ms\n", "      unit: TFLOP\n")
    assert not [m for m in messages(text) if "cannot load" in m]


def test_a_later_question_on_the_page_may_not_state_an_earlier_answer(messages, valid_text, edit):
    # KAT 2's question is on the page before KAT 1 is answered; a rounded 22.9 ms for Cloud
    # Titan's 22.88 ms answer would be judged right if typed.
    text = edit(
        valid_text,
        'prompt: "From batch 1 to 8 the FLOPs..."',
        'prompt: {cloud_titan: "One pass took about 22.9 ms. From batch 1 to 8 the FLOPs...", '
        'others: "From batch 1 to 8 the FLOPs..."}',
    )
    found = _only(messages(text), "track cloud_titan, KAT 1")
    assert len(found) == 1
    assert "this text says '22.9 ms', the answer KAT 1 asks the student to predict" in found[0]
    far = edit(text, "about 22.9 ms", "about 25 ms")
    assert not _only(messages(far), "track cloud_titan, KAT 1")


def test_a_choice_answer_must_be_backed_by_the_engine(messages, valid_text, edit):
    text = edit(valid_text, "relation: greater", "relation: less")
    found = messages(text)
    assert len(found) == 4  # one per track
    assert found[0].startswith(
        "76:14: kat2.prediction.claim: track cloud_titan, KAT 2: the claim backing "
        "'grow about 8x' does not hold in the engine (flops is not less than flops)"
    )


def test_a_largest_claim_picks_the_right_option_per_track(messages, valid_text, edit):
    text = edit(
        valid_text,
        '      options: ["stay the same", "grow about 8x"]\n      answer: "grow about 8x"\n'
        "      claim: {left: {field: flops, at: {batch_size: 8}}, relation: greater, right: {field: flops}}\n",
        '      options: ["the weights", "the activations"]\n      answer: "the activations"\n'
        "      claim: {largest: {the weights: memory_weights, the activations: memory_activations}}\n",
    )
    found = messages(text)
    assert _only(found, "track cloud_titan, KAT 2") == [
        "75:15: kat2.prediction.answer: track cloud_titan, KAT 2: the answer is 'the activations', "
        "but the engine's largest at the stated configuration is 'the weights'"
    ]


def test_a_conceptual_claim_is_declared_not_judged(messages, valid_text, edit):
    text = edit(
        valid_text,
        "      claim: {left: {field: flops, at: {batch_size: 8}}, relation: greater, right: {field: flops}}\n",
        '      claim: {conceptual: "Counting FLOPs is arithmetic the student does by hand."}\n',
    )
    assert messages(text) == []


def test_an_earlier_kat_may_not_show_a_later_answer(messages, valid_text, edit):
    # KAT 2 now asks for the latency at its start, which KAT 1's waterfall shows at that setting.
    text = edit(
        valid_text,
        '      kind: choice\n      prompt: "From batch 1 to 8 the FLOPs..."\n'
        '      options: ["stay the same", "grow about 8x"]\n      answer: "grow about 8x"\n'
        "      claim: {left: {field: flops, at: {batch_size: 8}}, relation: greater, right: {field: flops}}\n",
        KAT1_NUMBER,
    )
    found = messages(text)
    assert found
    assert found[0].startswith(
        "67:17: kat1.instrument: track cloud_titan, KAT 1 shows latency = 22.88 ms (cards, "
        "instrument or math peek), which KAT 2 asks the student to predict"
    )


def test_a_later_question_at_a_configuration_the_earlier_kat_cannot_reach_is_fair(
    messages, valid_text, edit
):
    text = edit(
        valid_text,
        '      kind: choice\n      prompt: "From batch 1 to 8 the FLOPs..."\n'
        '      options: ["stay the same", "grow about 8x"]\n      answer: "grow about 8x"\n'
        "      claim: {left: {field: flops, at: {batch_size: 8}}, relation: greater, right: {field: flops}}\n",
        KAT1_NUMBER.replace("max: 10000", "max: 100000") + "      at: {batch_size: 8}\n",
    )
    assert messages(text) == []


@pytest.mark.parametrize(
    ("bar", "expected"),
    [
        ('at_most: "0.001 ms"', "no setting of the KAT's controls brings latency at most 1 µs"),
        (
            'at_most: "100 ms", wall: "It cannot be done."',
            "declared a wall, but the controls reach",
        ),
    ],
)
def test_targets_are_reachable_or_honest_walls(messages, valid_text, edit, bar, expected):
    text = edit(
        valid_text,
        '    reflection:\n      prompt: "Which bar dominates?"\n',
        '    reflection:\n      prompt: "Which bar dominates?"\n'
        f"    targets:\n      - {{track: edge_guardian, field: latency, {bar}}}\n",
    )
    found = messages(text)
    assert len(found) == 1
    assert found[0].startswith("71:9: kat1.targets[0]") or found[0].startswith("71:")
    assert "track edge_guardian, KAT 1" in found[0]
    assert expected in found[0]


def test_a_reachable_target_is_proven(messages, valid_text, edit):
    text = edit(
        valid_text,
        '    reflection:\n      prompt: "Which bar dominates?"\n',
        '    reflection:\n      prompt: "Which bar dominates?"\n'
        '    targets:\n      - {track: edge_guardian, field: latency, at_most: "7.5 ms"}\n',
    )
    assert messages(text) == []


def test_a_lever_that_moves_nothing_shown_is_an_error_unless_it_is_the_lesson(
    messages, valid_text, edit
):
    text = edit(valid_text, "instruments: [waterfall]", "instruments: [waterfall, scorecard]")
    text = edit(
        text,
        "        step: 0.05\n    instrument: waterfall\n",
        "        step: 0.05\n    instrument: scorecard\n    metrics: [memory_footprint]\n",
    )
    found = messages(text)
    assert len(found) == 4
    assert found[0] == (
        "93:16: kat3.controls[0].param: track cloud_titan, KAT 3: moving efficiency changes none "
        "of the numbers this KAT shows (memory_footprint); hide it on this track or declare it "
        "the lesson (lesson: ...)"
    )
    lesson = edit(
        text,
        "        step: 0.05\n",
        '        step: 0.05\n        lesson: "Efficiency is time, not bytes."\n',
    )
    assert messages(lesson) == []


def test_a_start_off_the_grid_can_never_be_returned_to(messages, valid_text, edit):
    found = messages(edit(valid_text, "        default: 0.5\n", "        default: 0.52\n"))
    assert found
    assert found[0].startswith("97:18: kat3.controls[0].default: track cloud_titan, KAT 3:")
    assert "starts at 0.52, off the slider's steps" in found[0]


def test_shared_text_may_not_speak_of_another_tracks_world(messages, valid_text, edit):
    text = edit(
        valid_text,
        '"How long does one pass take?"',
        '"How long does one pass (for the LLM: one token) take?"',
    )
    assert messages(text) == [
        "57:15: kat1.prediction.prompt: KAT 1: text shared by every track mentions 'LLM', which "
        "only cloud_titan has; write it per track (cloud_titan: ..., others: ...)"
    ]


def test_per_track_text_reaches_only_its_track(messages, valid_text, edit):
    per_track = (
        "      prompt:\n"
        '        cloud_titan: "How long does decoding one token take?"\n'
        '        others: "How long does one pass take?"\n'
    )
    assert (
        messages(edit(valid_text, '      prompt: "How long does one pass take?"\n', per_track))
        == []
    )
    missing = per_track.replace('        others: "How long does one pass take?"\n', "")
    found = messages(edit(valid_text, '      prompt: "How long does one pass take?"\n', missing))
    assert found == [
        "58:9: kat1.prediction.prompt: no value for edge_guardian, mobile_nomad, "
        "tiny_pioneer: name every track or add 'others'"
    ]


def test_labgen_list_counts_conceptual_claims(project, valid_text, edit, monkeypatch, capsys):
    from labgen.cli import main
    from labgen.commands.listing import conceptual_claims

    text = edit(
        valid_text,
        "      claim: {left: {field: flops, at: {batch_size: 8}}, relation: greater, right: {field: flops}}\n",
        '      claim: {conceptual: "Counting FLOPs is arithmetic the student does by hand."}\n',
    )
    assert conceptual_claims(text.encode()) == 1
    assert conceptual_claims(valid_text.encode()) == 0
    (project / "chapters/vol1/ch05_nn_compute.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["build", "ch05"]) == 0
    capsys.readouterr()
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "Conceptual claims (declared, not judged by the engine): 1: v1ch05 (1)" in out


def test_a_number_that_does_not_move_is_a_reveal_wherever_it_is_shown(messages, valid_text, edit):
    # KAT 3 asks the footprint at an efficiency KAT 1 cannot set; but efficiency moves no byte,
    # and KAT 1's fit card shows the same footprint at its own settings.
    text = edit(
        valid_text,
        '      kind: text\n      prompt: "Will it fit?"\n',
        '      kind: number\n      prompt: "How many GB does the design hold?"\n'
        "      min: 0.000001\n      max: 100000\n      unit: GB\n"
        "      compare_to: memory_footprint\n      at: {efficiency: 0.9}\n",
    )
    found = messages(text)
    assert found
    assert all("which KAT 3 asks the student to predict" in line for line in found)
    assert found[0].startswith(
        "67:17: kat1.instrument: track cloud_titan, KAT 1 shows memory_footprint"
    )


def _with_histogram(valid_text, edit):
    """The fixture filed as Volume 1 Lab 13 (where the P99 histogram unlocks, on one node) with
    KAT 3 observing the P99 histogram."""
    text = edit(
        restate_bars(valid_text, 13),
        "  volume: 1\n  number: 5\n  slug: nn_compute",
        "  volume: 1\n  number: 13\n  slug: model_serving",
    )
    text = edit(text, "instruments: [waterfall]", "instruments: [waterfall, p99_histogram]")
    text = edit(
        text,
        '    instrument: waterfall\n    reflection:\n      prompt: "Justify."',
        '    instrument: p99_histogram\n    reflection:\n      prompt: "Justify."',
    )
    return edit(
        text,
        "        step: 0.05\n",
        '        step: 0.05\n        lesson: "Memory-bound: faster arithmetic buys nothing."\n',
    )


@pytest.mark.parametrize(
    ("bar", "expected"),
    [
        ('{track: edge_guardian, field: latency_p99, at_most: "10 ms"}', None),
        (
            '{track: edge_guardian, field: latency_p99, at_most: "0.01 ms"}',
            "no setting of the KAT's controls brings latency_p99 at most 10 µs",
        ),
        ('{track: cloud_titan, field: latency_p99, at_most: "1 ms", wall: "One card."}', None),
    ],
)
def test_an_slo_on_the_p99_is_proven_by_the_serving_simulation(
    check, valid_text, edit, bar, expected
):
    text = _with_histogram(valid_text, edit) + f"    targets:\n      - {bar}\n"
    found = [p.message for p in check(text, name="vol1/ch13_model_serving.yaml")]
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1
        assert expected in found[0]


def test_a_p99_bar_needs_the_histogram_that_simulates_it(messages, valid_text, edit):
    text = edit(
        valid_text,
        '    reflection:\n      prompt: "Which bar dominates?"\n',
        '    reflection:\n      prompt: "Which bar dominates?"\n'
        '    targets:\n      - {track: edge_guardian, field: latency_p99, at_most: "10 ms"}\n',
    )
    found = messages(text)
    assert len(found) == 1
    assert "needs the serving simulation, which only the p99_histogram instrument runs" in found[0]


def test_no_text_read_before_a_prediction_states_its_answer(messages, valid_text, edit):
    # Cloud Titan's KAT 1 answer is 22.88 ms; its scenario gives it away.
    text = edit(
        valid_text,
        'scenario: "Cloud scenario."',
        'scenario: "Cloud scenario: one pass takes 22.88 ms."',
    )
    found = messages(text)
    assert found == [
        "30:15: tracks.cloud_titan.scenario: track cloud_titan, KAT 1: this text says "
        "'22.88 ms', the answer KAT 1 asks the student to predict"
    ]
    # A number that merely ends like the answer is not the answer.
    assert (
        messages(edit(valid_text, 'scenario: "Cloud scenario."', 'scenario: "It is 122.88 ms."'))
        == []
    )


@pytest.mark.parametrize(
    ("number", "typed"),
    [(6409794.3, "6409794"), (0.000545189, "0.000545189"), (22.88056, "22.8806"), (0.0, "0")],
)
def test_answers_are_typed_in_plain_digits(number, typed):
    from labgen.spec.pedagogy import as_typed

    assert as_typed(number) == typed
    assert "e" not in as_typed(number)


def _launch(guardrails: dict[str, str]) -> str:
    """A launch review on KAT 1: two bars per track, the edge track's given."""
    loose = '{field: latency, at_most: "100 s"}, {field: memory_footprint, at_least: "1 B"}'
    lines = ["    launch: true\n    targets:\n"]
    for track in ("cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer"):
        bars = guardrails.get(track, loose)
        for bar in bars.split("}, {"):
            body = bar.strip("{} ")
            lines.append(f"      - {{track: {track}, {body}}}\n")
    return "".join(lines)


def _with_launch(valid_text, edit, guardrails: dict[str, str]) -> str:
    return edit(
        valid_text,
        '    reflection:\n      prompt: "Which bar dominates?"\n',
        '    reflection:\n      prompt: "Which bar dominates?"\n' + _launch(guardrails),
    )


def test_a_launch_review_that_can_say_go_is_proven(messages, valid_text, edit):
    # int8 on the Orin meets both bars at once (613 µs, 27 MB).
    edge = '{field: latency, at_most: "1 ms"}, {field: memory_footprint, at_most: "60 MB"}'
    assert messages(_with_launch(valid_text, edit, {"edge_guardian": edge})) == []


def test_a_launch_review_whose_guardrails_pull_apart_can_never_say_go(messages, valid_text, edit):
    # Each bar alone is reachable (int8 is fast, fp32 is big), but no format is both: the
    # launch would stay NO-GO whatever the student does.
    edge = '{field: latency, at_most: "1 ms"}, {field: memory_footprint, at_least: "100 MB"}'
    found = messages(_with_launch(valid_text, edit, {"edge_guardian": edge}))
    assert len(found) == 1
    assert "kat1.launch: track edge_guardian, KAT 1: no single setting" in found[0]
    assert "(latency, memory_footprint)" in found[0]
    assert "the launch can never say GO" in found[0]


def test_a_launch_review_needs_two_guardrails_on_every_track(messages, valid_text, edit):
    text = _with_launch(valid_text, edit, {"tiny_pioneer": '{field: latency, at_most: "1 s"}'})
    found = messages(text)
    assert len(found) == 1
    assert "a launch review needs at least two guardrails" in found[0]
    assert "tiny_pioneer has fewer" in found[0]


def test_a_kat_sets_at_most_six_bars_a_track(messages, valid_text, edit):
    many = ", ".join(f'{{field: latency, at_most: "{n} s"}}' for n in range(1, 8))
    found = messages(_with_launch(valid_text, edit, {"mobile_nomad": many}))
    assert len(found) == 1
    assert "at most 6 bars a track (mobile_nomad has more)" in found[0]


def _kat2_stated_at(valid_text: str, edit, at: str) -> str:
    """The fixture with KAT 2's choice asked at ``at`` (its claim compares with batch 1)."""
    return edit(
        valid_text,
        "      claim: {left: {field: flops, at: {batch_size: 8}}, relation: greater, right: {field: flops}}\n",
        "      claim: {left: {field: flops}, relation: greater, right: {field: flops, at: {batch_size: 1}}}\n"
        f"      at: {at}\n",
    )


def test_a_question_can_state_its_configuration_per_track(messages, valid_text, edit):
    # KAT 2 asks about batch 8 on Cloud Titan and batch 16 elsewhere: each track's answer is
    # solved at its own stated batch, and the claim holds on every track.
    at = "{cloud_titan: {batch_size: 8}, others: {batch_size: 16}}"
    assert messages(_kat2_stated_at(valid_text, edit, at)) == []


def test_a_per_track_configuration_must_cover_every_track(messages, valid_text, edit):
    found = messages(_kat2_stated_at(valid_text, edit, "{cloud_titan: {batch_size: 8}}"))
    assert len(found) == 1
    assert "no value for edge_guardian, mobile_nomad, tiny_pioneer" in found[0]


def test_per_track_answers_differ_by_track(valid_text, edit, tmp_path):
    from labgen.book import chapter as book_chapter
    from labgen.spec.pedagogy import lab_start, question
    from labgen.spec.validate import load_spec

    text = edit(
        valid_text,
        "      compare_to: latency\n",
        "      compare_to: latency\n"
        "      at: {edge_guardian: {precision: fp32}, others: {precision: int8}}\n",
    )
    path = tmp_path / "chapters" / "vol1" / "ch05_nn_compute.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    spec = load_spec(path)
    found = book_chapter(1, 5)
    edge = question(spec.kats[0], lab_start(spec, found, "edge_guardian"))
    # ResNet-50 on the Orin: fp32 4.30 ms where int8 takes 0.61 ms.
    assert edge.answer.to("ms").magnitude == pytest.approx(4.3029, rel=1e-3)
    tiny = question(spec.kats[0], lab_start(spec, found, "tiny_pioneer"))
    assert tiny.inputs["precision"] == "int8"


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(alphabet="0123456789.,( aMB_é٣", max_size=4),
    after=st.text(alphabet="0123456789.,) aMB_é٣", max_size=4),
    spelling=st.sampled_from(["5 MB", "18.3 ms", "1,024 GB", "0.6"]),
)
def test_a_stated_number_is_found_exactly_where_the_whole_number_regex_finds_it(
    before, after, spelling
):
    # _states replaces one compiled regex per spelling; it must agree with that regex.
    import re

    from labgen.spec.pedagogy import _states

    text = f"{before}{spelling}{after}"
    pattern = rf"(?<![\d.,]){re.escape(spelling)}(?![\w])"
    assert _states(text, spelling) == bool(re.search(pattern, text))


def test_a_number_the_engine_cannot_compute_on_a_track_is_reported_not_raised(messages, edit):
    # Lab 17 KAT 1 showing the serving fleet's time to first token: Cloud Titan serves
    # Llama-3-70B, but the other tracks train CNNs and small nets, which have no serving fleet.
    import re
    from pathlib import Path

    from labgen.spec.index import index_specs

    chapters = Path(__file__).resolve().parents[2] / "chapters"
    text = edit(
        (chapters / "vol2/ch17_ml_conclusion.yaml").read_text(encoding="utf-8"),
        "    metrics: [tail_probability]\n",
        "    metrics: [tail_probability, ttft]\n",
    )
    index = index_specs(sorted(chapters.glob("vol*/*.yaml")))
    found = messages(text, name="vol2/ch17_ml_conclusion.yaml", index=index)
    edge = [line for line in found if "track edge_guardian, KAT 1" in line]
    assert len(edge) == 1
    assert "this KAT shows ttft, which the engine cannot compute on this track" in edge[0]
    assert "needs a decoder transformer" in edge[0]
    assert re.match(r"\d+:\d+: kat1\.metrics: ", edge[0])  # located at the KAT's metrics
    assert not [line for line in found if "track cloud_titan, KAT 1" in line]
