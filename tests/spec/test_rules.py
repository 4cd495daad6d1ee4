"""Every rule of the spec format, each shown failing at the exact node with a readable message."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest

import mlsys
from labgen.book import Chapter, chapter
from labgen.book import chapter as book_chapter
from labgen.spec import SpecIndex, check_spec_bytes, default_registries
from labgen.spec.index import LedgerWriteRef
from labgen.spec.rules import check_nemesis_bars
from mlsys.personas import Personas

from .conftest import restate_bars, restate_fleet_bars


def test_the_fixture_is_valid(messages, valid_text) -> None:
    assert messages(valid_text) == []


def test_every_problem_in_a_file_is_reported_at_once(messages, valid_text, edit) -> None:
    text = edit(valid_text, '  title: "A test lab"', '  titel: "A test lab"')
    text = edit(text, "    model: ResNet50", "    model: ResNet5O")
    text = edit(text, "      kind: choice", "      kind: choise")
    text = edit(text, "  - Predict the bottleneck.", "  - Understand the bottleneck.")
    text = edit(text, "        default: int8", "        default: fp8")
    text = edit(text, "instruments: [waterfall]", "instruments: [waterfall, pareto]")
    found = messages(text)
    assert found == [
        "6:3: unknown key 'titel'; did you mean 'title'?",
        "11:5: objectives[1]: objective starts with 'Understand', which nobody can observe; "
        "start with an action verb the lab lets the student do (Predict, Quantify, Diagnose, ...)",
        "20:26: instruments[1]: instrument 'pareto' unlocks in Volume 1 chapter 9 "
        "(data_selection); this is chapter 5, and labs never use an instrument before the book "
        "introduces it",
        "36:12: tracks.edge_guardian.model: unknown model 'ResNet5O'; did you mean 'ResNet50'?",
        "66:18: kat1.controls[0].default: default 'fp8' is not one of the options (fp32, fp16, int8)",
        "72:13: kat2.prediction.kind: kind 'choise' is not allowed here; did you mean 'choice'?",
    ]


# -- shape ---------------------------------------------------------------------------------------


def test_missing_key_points_at_its_parent(messages, valid_text, edit) -> None:
    text = edit(valid_text, '    nemesis: "Edge nemesis: 7.5 ms."\n', "")
    assert messages(text) == ["35:3: missing key 'nemesis' in tracks.edge_guardian"]


def test_unknown_key_lists_the_allowed_keys_when_nothing_is_close(
    messages, valid_text, edit
) -> None:
    text = edit(valid_text, "  gain: throughput\n", "  gain: throughput\n  zzz: 1\n")
    assert messages(text) == ["19:3: unknown key 'zzz' (allowed here: summary, gain, cost)"]


def test_tracks_are_exactly_the_four(messages, valid_text, edit) -> None:
    text = edit(valid_text, "  tiny_pioneer:", "  tiny_pioner:")
    assert messages(text) == ["47:3: unknown key 'tiny_pioner'; did you mean 'tiny_pioneer'?"]


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        ("Know the bottleneck.", "objective starts with 'Know', which nobody can observe"),
        ("Predicts the bottleneck.", "'Predicts' is not one; did you mean 'Predict'?"),
        ("the bottleneck.", "'the' is not one"),
    ],
)
def test_objectives_start_with_an_action_verb(
    messages, valid_text, edit, objective, expected
) -> None:
    text = edit(valid_text, "  - Predict the bottleneck.", f"  - {objective}")
    (found,) = messages(text)
    assert found.startswith("11:5: objectives[1]: ")
    assert expected in found


def test_objective_verbs_are_case_insensitive(messages, valid_text, edit) -> None:
    assert messages(edit(valid_text, "  - Predict the", "  - predict the")) == []


def test_exactly_three_objectives(messages, valid_text, edit) -> None:
    text = edit(
        valid_text, "  - Explain the trade-off.\n", "  - Explain the trade-off.\n  - Trace it.\n"
    )
    assert messages(text) == ["10:3: objectives: expected exactly 3 objectives, found 4"]


def test_types_are_not_coerced(messages, valid_text, edit) -> None:
    text = edit(valid_text, "  number: 5", '  number: "5"')
    assert messages(text) == ["4:11: chapter.number: expected a whole number, got '5'"]


def test_yaml_booleans_get_a_quoting_hint(messages, valid_text, edit) -> None:
    text = edit(valid_text, "  gain: throughput", "  gain: on")
    (found,) = messages(text)
    assert "got the boolean true (YAML reads yes/no/on/off/true/false as booleans" in found


def test_blank_text_is_refused(messages, valid_text, edit) -> None:
    text = edit(valid_text, '    scenario: "Tiny scenario."', '    scenario: "   "')
    assert messages(text) == ["50:15: tracks.tiny_pioneer.scenario: must not be blank"]


def test_text_length_is_bounded(messages, valid_text, edit) -> None:
    text = edit(valid_text, '  title: "A test lab"', f'  title: "{"x" * 121}"')
    assert messages(text) == ["6:10: chapter.title: text is 121 characters; at most 120 allowed"]


def test_reading_url_must_be_https(messages, valid_text, edit) -> None:
    text = edit(
        valid_text, '    section: "Chapter 5"', '    section: "Chapter 5"\n    url: "http://x"'
    )
    (found,) = messages(text)
    assert found.startswith("9:10: chapter.reading.url: 'http://x' does not have the required form")


def test_todo_markers_are_rejected_and_hide_their_shape_errors(messages, valid_text, edit) -> None:
    text = edit(valid_text, "    model: ResNet50", "    model: TODO pick one")
    text = edit(text, '    scenario: "Mobile scenario."', '    scenario: "TODO: write it"')
    assert messages(text) == [
        "36:12: tracks.edge_guardian.model: unfinished: replace the TODO marker with the real content",
        "44:15: tracks.mobile_nomad.scenario: unfinished: replace the TODO marker with the real content",
    ]


# -- KATs ----------------------------------------------------------------------------------------


def test_choice_answer_must_be_an_option(messages, valid_text, edit) -> None:
    text = edit(valid_text, '      answer: "grow about 8x"', '      answer: "grow about 9x"')
    assert messages(text) == [
        "75:15: kat2.prediction.answer: answer 'grow about 9x' is not one of the options; "
        "did you mean 'grow about 8x'?"
    ]


def test_choice_options_are_distinct(messages, valid_text, edit) -> None:
    text = edit(
        valid_text, '["stay the same", "grow about 8x"]', '["grow about 8x", "grow about 8x"]'
    )
    assert messages(text) == [
        "74:16: kat2.prediction.options: option 'grow about 8x' is listed twice"
    ]


def test_number_prediction_bounds_and_unit(messages, valid_text, edit) -> None:
    text = edit(valid_text, "      min: 0.001\n      max: 10000", "      min: 5\n      max: 5")
    text = edit(text, "      unit: ms", "      unit: blorps")
    found = messages(text)
    assert found[0] == "59:12: kat1.prediction.max: max (5.0) must be greater than min (5.0)"
    assert found[1].startswith("60:13: kat1.prediction.unit: unknown unit 'blorps'")


def test_compare_to_must_be_a_profile_quantity(messages, valid_text, edit) -> None:
    text = edit(valid_text, "      compare_to: latency", "      compare_to: bottleneck")
    (found,) = messages(text)
    assert found.startswith(
        "61:19: kat1.prediction.compare_to: unknown PerformanceProfile field 'bottleneck'"
    )


def test_compare_to_unit_must_convert(messages, valid_text, edit) -> None:
    text = edit(valid_text, "      unit: ms\n", "      unit: sample/s\n")
    assert messages(text) == [
        "60:13: kat1.prediction.unit: unit 'sample/s' cannot be compared with latency (measured in ms)"
    ]


def test_compatible_units_are_accepted(messages, valid_text, edit) -> None:
    text = edit(valid_text, "      unit: ms\n", "      unit: s\n")
    assert messages(edit(text, "      min: 0.001\n", "      min: 0.000001\n")) == []


def test_a_control_param_is_an_engine_keyword(messages, valid_text, edit) -> None:
    text = edit(valid_text, "      - param: efficiency", "      - param: eficiency")
    assert messages(text) == [
        "93:16: kat3.controls[0].param: param 'eficiency' is not allowed here; did you mean 'efficiency'?"
    ]


def test_controls_of_a_kat_bind_distinct_params(messages, valid_text, edit) -> None:
    extra = (
        "      - param: batch_size\n        label: Again\n        min: 1\n        max: 8\n"
        "        default: 1\n        unit: sample\n    instrument: waterfall\n    reflection:\n"
        '      prompt: "Pick a batch size."'
    )
    text = edit(
        valid_text,
        '    instrument: waterfall\n    reflection:\n      prompt: "Pick a batch size."',
        extra,
    )
    assert messages(text) == [
        "85:16: kat2.controls[1].param: another control of KAT 2 already sets batch_size"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "        default: 1\n        scale",
            "        default: 3\n        scale",
            "82:18: kat2.controls[0].default: default 3 is not a power of two (scale log2)",
        ),
        (
            "        max: 256\n",
            "        max: 1\n",
            "81:14: kat2.controls[0].max: max (1) must be greater than min (1)",
        ),
        (
            "        scale: log2\n",
            "        scale: log2\n        step: 2\n",
            "84:15: kat2.controls[0].step: step does not apply to scale log2 (values double)",
        ),
        (
            "        unit: sample\n",
            "        unit: ms\n",
            "84:15: kat2.controls[0].unit: batch_size is counted in sample; unit 'ms' is not that unit",
        ),
        (
            "        default: 0.5\n",
            "        default: 1.5\n",
            "97:18: kat3.controls[0].default: must be less than or equal to 1, got 1.5",
        ),
        (
            "        min: 0.1\n",
            "        min: 0\n",
            "95:14: kat3.controls[0].min: must be greater than 0, got 0",
        ),
    ],
)
def test_slider_rules(messages, valid_text, edit, old, new, expected) -> None:
    assert messages(edit(valid_text, old, new)) == [expected]


def test_linear_slider_must_land_on_its_steps(messages, valid_text, edit) -> None:
    text = edit(
        valid_text,
        "        default: 1\n        scale: log2\n",
        "        default: 4\n        step: 7\n",
    )
    assert messages(text) == [
        "81:14: kat2.controls[0].max: max 256 is not reached from min 1 in steps of 7",
        "82:18: kat2.controls[0].default: default 4 is not on a step from min 1",
    ]


def test_choice_options_name_registry_entries(messages, valid_text, edit) -> None:
    text = edit(valid_text, "options: [fp32, fp16, int8]", "options: [fp32, bf16, int8]")
    (found,) = messages(text)
    assert found.startswith("65:25: kat1.controls[0].options[1]: unknown precision 'bf16'")


# -- engine --------------------------------------------------------------------------------------


def test_control_start_must_run_on_every_track(messages, valid_text, edit) -> None:
    text = edit(valid_text, "        default: int8", "        default: fp16")
    assert messages(text) == [
        "66:18: kat1.controls[0].default: track tiny_pioneer, KAT 1: default precision 'fp16' "
        "cannot be used with TinyLSTM on STM32H743 (the control offers fp32, int8); set "
        "tracks.tiny_pioneer.inputs.precision for this track"
    ]


def test_track_input_wins_over_the_control_default(messages, valid_text, edit) -> None:
    text = edit(valid_text, "        default: int8", "        default: fp16")
    text = edit(
        text,
        '    stakeholder_prompt: "Tiny question."',
        '    stakeholder_prompt: "Tiny question."\n    inputs: {precision: int8}',
    )
    assert messages(text) == []


def test_track_input_must_be_offered_by_the_control(messages, valid_text, edit) -> None:
    text = edit(
        valid_text, "    inputs:\n      precision: int8", "    inputs:\n      precision: fp8"
    )
    assert messages(text) == [
        "34:18: tracks.cloud_titan.inputs.precision: track cloud_titan, KAT 1: precision starts "
        "at 'fp8', but the control offers fp32, fp16, int8"
    ]


def test_track_inputs_are_checked_by_the_engine_once_per_track(messages, valid_text, edit) -> None:
    text = edit(
        valid_text, "    model: TinyLSTM", "    model: TinyLSTM\n    inputs: {phase: decode}"
    )
    assert messages(text) == [
        "49:21: tracks.tiny_pioneer.inputs.phase: track tiny_pioneer: phase: TinyLSTM is not a "
        "transformer; it takes 'train' (a training step) or no phase (inference), got 'decode'"
    ]


def test_every_slider_end_is_solved(messages, valid_text, edit) -> None:
    control = (
        "      - param: seq_len\n        label: Context\n        min: 1\n        max: 1048576\n"
        "        default: 1\n        scale: log2\n        unit: token\n"
    )
    text = edit(valid_text, "      - param: efficiency\n", control + "      - param: efficiency\n")
    # The LLM track fails at the slider's far end, longer than the model's context window; the
    # other tracks do not show a seq_len control at all (their models are not transformers).
    (found,) = messages(text)
    assert found.startswith(
        "96:14: kat3.controls[0].max: track cloud_titan, KAT 3: with seq_len = 1048576: "
        "seq_len: must be a whole number of tokens in [1, "
    )


def test_a_kat_needs_a_control_on_every_track(messages, valid_text, edit) -> None:
    control = "      - param: phase\n        label: Phase\n        options: [prefill, decode]\n        default: decode\n"
    text = edit(
        valid_text,
        "      - param: efficiency\n        label: Efficiency\n        min: 0.1\n        max: 1.0\n"
        "        default: 0.5\n        step: 0.05\n",
        control,
    )
    found = messages(text)
    assert [line.split(": no control")[0] for line in found] == [
        "93:7: kat3.controls: track edge_guardian, KAT 3",
        "93:7: kat3.controls: track mobile_nomad, KAT 3",
        "93:7: kat3.controls: track tiny_pioneer, KAT 3",
    ]


def test_precision_options_are_offered_per_system(messages, valid_text, edit) -> None:
    # fp8 only runs on the H100; the other tracks simply do not offer it.
    text = edit(valid_text, "options: [fp32, fp16, int8]", "options: [fp32, fp16, fp8, int8]")
    assert messages(text) == []


def test_a_control_with_nothing_to_offer_on_a_track(messages, valid_text, edit) -> None:
    text = edit(
        valid_text,
        "options: [fp32, fp16, int8]\n        default: int8",
        "options: [fp16, fp8]\n        default: fp16",
    )
    # Cloud Titan starts at int8, which the control no longer offers (reported on its own).
    text = edit(text, "    inputs:\n      precision: int8", "    inputs:\n      precision: fp8")
    (found,) = messages(text)
    assert found == (
        "65:18: kat1.controls[0].options: track tiny_pioneer, KAT 1: none of the precision "
        "options can be used with TinyLSTM on STM32H743"
    )


# -- instruments -----------------------------------------------------------------------------------


def test_instruments_unlock_by_chapter(messages, valid_text, edit) -> None:
    text = edit(valid_text, "instruments: [waterfall]", "instruments: [waterfall, p99_histogram]")
    text = edit(
        text,
        '    instrument: waterfall\n    reflection:\n      prompt: "Justify."',
        '    instrument: p99_histogram\n    reflection:\n      prompt: "Justify."',
    )
    assert messages(text) == [
        "20:26: instruments[1]: instrument 'p99_histogram' unlocks in Volume 1 chapter 13 "
        "(model_serving); this is chapter 5, and labs never use an instrument before the book "
        "introduces it"
    ]


def _filed_in_volume_2(valid_text, edit) -> str:
    """The fixture as Volume 2 Lab 1: each track's plan is one data-parallel H100 (a cluster
    of one; the KATs' batch of 1 cannot split further)."""
    text = edit(
        restate_fleet_bars(valid_text, 1),
        "  volume: 1\n  number: 5\n  slug: nn_compute",
        "  volume: 2\n  number: 1\n  slug: ml_intro",
    )
    text = edit(
        text,
        "    inputs:\n      precision: int8\n",
        "    inputs:\n      precision: fp16\n      dp: 1\n",
    )
    for system in ("JetsonAGXOrin", "SnapdragonAR1", "STM32H743"):
        text = edit(
            text,
            f"    system: {system}\n",
            "    system: H100\n    inputs: {dp: 1, precision: fp16}\n",
        )
    return text


@pytest.mark.parametrize("name", ["roofline", "pareto"])
def test_volume_2_has_the_volume_1_instruments_that_draw_a_fleet(
    check, valid_text, edit, name
) -> None:
    text = edit(
        _filed_in_volume_2(valid_text, edit),
        "instruments: [waterfall]",
        f"instruments: [fleet_waterfall, {name}]",
    )
    text = text.replace("    instrument: waterfall\n", "    instrument: fleet_waterfall\n")
    text = edit(
        text,
        '    instrument: fleet_waterfall\n    reflection:\n      prompt: "Justify."',
        f'    instrument: {name}\n    reflection:\n      prompt: "Justify."',
    )
    found = [p.message for p in check(text, name="vol2/ch01_ml_intro.yaml")]
    # The roofline is unlocked and draws each device of the cluster (what the KAT's levers
    # move on each track is the pedagogy proofs' business, not this test's).
    assert not [m for m in found if name in m or "one node" in m or "unlocks" in m], found
    assert found, "the pedagogy proofs ran on the cluster"


@pytest.mark.parametrize("name", ["waterfall", "p99_histogram"])
def test_a_single_node_instrument_is_refused_in_volume_2(check, valid_text, edit, name) -> None:
    text = edit(
        _filed_in_volume_2(valid_text, edit),
        "instruments: [waterfall]",
        f"instruments: [waterfall, {name}]",
    )
    found = [p.message for p in check(text, name="vol2/ch01_ml_intro.yaml")]
    assert any(f"instrument {name!r} models one node" in m for m in found), found


def test_declared_instruments_are_observed(messages, valid_text, edit) -> None:
    text = edit(valid_text, "instruments: [waterfall]", "instruments: [waterfall, scorecard]")
    assert messages(text) == [
        "20:26: instruments[1]: instrument 'scorecard' is declared but no KAT observes it"
    ]


def test_kats_observe_declared_instruments(messages, valid_text, edit) -> None:
    text = edit(
        valid_text,
        '    instrument: waterfall\n    reflection:\n      prompt: "Justify."',
        '    instrument: scorecard\n    reflection:\n      prompt: "Justify."',
    )
    assert messages(text) == [
        "99:17: kat3.instrument: KAT 3 observes 'scorecard', which is not declared in instruments"
    ]


# -- chapter ---------------------------------------------------------------------------------------


def test_slug_matches_the_master_list(messages, valid_text, edit) -> None:
    text = edit(valid_text, "  slug: nn_compute", "  slug: nn_arch")
    assert messages(text) == [
        "5:9: chapter.slug: Volume 1 chapter 5 is 'nn_compute' in the master list (labgen/book.py), not 'nn_arch'"
    ]


def test_file_name_matches_the_chapter(messages, valid_text) -> None:
    assert messages(valid_text, name="vol1/ch06_nn_arch.yaml") == [
        "2:1: this spec is v1ch05 (nn_compute) and must be saved as vol1/ch05_nn_compute.yaml "
        "under the chapters folder, not vol1/ch06_nn_arch.yaml"
    ]
    assert len(messages(valid_text, name="vol2/ch05_nn_compute.yaml")) == 1


def test_chapter_numbers_exist(messages, valid_text, edit) -> None:
    text = edit(valid_text, "  number: 5", "  number: 0")
    assert messages(text) == ["4:11: chapter.number: must be greater than or equal to 1, got 0"]
    text = edit(valid_text, "  volume: 1", "  volume: 3")
    assert messages(text) == ["3:11: chapter.volume: expected 1 or 2, got 3"]


def test_volume_1_stays_on_one_node(messages, valid_text, monkeypatch) -> None:
    fleet = dataclasses.replace(mlsys.Systems.get("H100"), single_node=False)
    real_get = mlsys.Systems.get
    monkeypatch.setattr(
        mlsys.Systems, "get", lambda name: fleet if name == "H100" else real_get(name)
    )
    assert messages(valid_text) == [
        "29:13: tracks.cloud_titan.system: system 'H100' is not a single node; Volume 1 labs stay "
        "on one node (the Node Invariant), fleets start in Volume 2"
    ]


def _lab_01(text: str) -> str:
    # Lab 01 has only the metric cards: the waterfall unlocks in chapter 2.
    text = text.replace("  number: 5\n  slug: nn_compute", "  number: 1\n  slug: ml_intro")
    return restate_bars(text.replace("waterfall", "scorecard"), 1)


def test_lab_01_needs_dam_first(messages, valid_text) -> None:
    text = _lab_01(valid_text)
    found = messages(text, name="vol1/ch01_ml_intro.yaml")
    assert found == [
        "2:1: Lab 01 explores the D·A·M fundamentals before the track choice: add a 'dam' section "
        "(data, algorithm, machine, model, system)"
    ]


def test_lab_01_with_dam_is_valid_and_uses_it_for_the_kats(messages, valid_text, edit) -> None:
    text = _lab_01(valid_text) + (
        "dam:\n  data: Data moves.\n  algorithm: Algorithms compute.\n  machine: Machines run.\n"
        "  model: MobileNetV2\n  system: T4\n"
    )
    assert messages(text, name="vol1/ch01_ml_intro.yaml") == []
    # The D·A·M workload is what the KATs solve, so a control it cannot start is reported there.
    broken = edit(text, "  system: T4\n", "  system: STM32H743\n")
    broken = edit(broken, "        default: int8", "        default: fp16")
    found = messages(broken, name="vol1/ch01_ml_intro.yaml")
    assert found == [
        "66:18: kat1.controls[0].default: dam, KAT 1: default precision 'fp16' cannot be used "
        "with MobileNetV2 on STM32H743 (the control offers fp32, int8); set dam.inputs.precision for this track"
    ]


def test_dam_only_in_lab_01(messages, valid_text) -> None:
    text = (
        valid_text
        + "dam:\n  data: d\n  algorithm: a\n  machine: m\n  model: ResNet50\n  system: H100\n"
    )
    assert messages(text) == ["102:1: only Lab 01 (v1ch01) has a 'dam' section"]


# -- ledger ----------------------------------------------------------------------------------------


def _index(*writes: tuple[int, str, str]) -> SpecIndex:
    index = SpecIndex()
    for number, key, source in writes:
        ref = LedgerWriteRef(chapter(1, number), key, source.partition(".")[2], source, None)  # type: ignore[arg-type]
        index.writes.append(ref)
    return index


_READ = "ledger:\n  reads:\n    - key: data_format\n      feeds: precision\n"


def test_ledger_reads_need_an_earlier_writer(messages, valid_text, edit) -> None:
    text = edit(valid_text, "ledger:\n", _READ)
    assert messages(text, index=_index((4, "data_format", "kat2.precision"))) == []
    assert messages(text, index=_index((6, "data_format", "kat2.precision"))) == [
        "23:12: ledger.reads[0].key: ledger key 'data_format' is not written by any earlier chapter's spec"
    ]
    assert messages(text, index=_index((3, "data_formats", "kat1.precision"))) == [
        "23:12: ledger.reads[0].key: ledger key 'data_format' is not written by any earlier "
        "chapter's spec; did you mean 'data_formats' (written by v1ch03)?"
    ]


def test_a_read_feeds_the_parameter_it_was_decided_with(messages, valid_text, edit) -> None:
    text = edit(valid_text, "ledger:\n", _READ)
    assert messages(text, index=_index((4, "data_format", "kat1.batch_size"))) == [
        "24:14: ledger.reads[0].feeds: 'data_format' is recorded from batch_size (v1ch04 "
        "kat1.batch_size); it cannot feed precision"
    ]


def test_the_latest_earlier_writer_counts(messages, valid_text, edit) -> None:
    text = edit(valid_text, "ledger:\n", _READ)
    index = _index((2, "data_format", "kat1.batch_size"), (4, "data_format", "kat3.precision"))
    assert messages(text, index=index) == []


def test_ledger_writes_name_a_control_of_their_kat(messages, valid_text, edit) -> None:
    text = edit(valid_text, "      from: kat2.batch_size", "      from: kat3.batch_size")
    assert messages(text) == [
        "24:13: ledger.writes[0].from: KAT 3 has no control bound to 'batch_size' (its controls: efficiency)"
    ]
    text = edit(valid_text, "      from: kat2.batch_size", "      from: kat4.batch_size")
    (found,) = messages(text)
    assert found.startswith(
        "24:13: ledger.writes[0].from: 'kat4.batch_size' does not have the required form"
    )


def test_ledger_keys_are_unique(messages, valid_text, edit) -> None:
    text = edit(
        valid_text,
        "      label: Serving batch\n",
        "      label: Serving batch\n    - key: serving_batch\n      from: kat1.precision\n      label: Again\n",
    )
    assert messages(text) == [
        "26:12: ledger.writes[1].key: ledger key 'serving_batch' appears twice in writes"
    ]


def test_nothing_raises_for_odd_but_parseable_documents() -> None:
    for text in (
        "kats: 3",
        "kats: [1, 2, 3]",
        "tracks: [a]",
        "chapter: {volume: 1, number: 99}",
        "ledger: {writes: [{}]}",
        "instruments: [[1]]",
    ):
        result = check_spec_bytes(text.encode(), path=Path("x.yaml"))
        assert result.problems


def test_params_are_keywords_of_the_installed_engine(check, valid_text, edit) -> None:
    registries = default_registries()
    shrunk = dataclasses.replace(
        registries, solve_keywords=tuple(k for k in registries.solve_keywords if k != "efficiency")
    )
    path = Path("chapters/vol1/ch05_nn_compute.yaml")
    problems = check_spec_bytes(valid_text.encode(), path=path, registries=shrunk).problems
    assert [(p.line, p.column) for p in problems] == [(93, 16)]
    assert problems[0].message.startswith(
        "kat3.controls[0].param: efficiency is not a keyword of the installed mlsys.Engine.solve"
    )


def test_a_fault_inside_the_engine_is_reported_not_raised(
    messages, valid_text, monkeypatch
) -> None:
    def broken_solve(**kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(mlsys.Engine, "solve", staticmethod(broken_solve))
    found = messages(valid_text)
    assert found
    assert all("mlsys.Engine.solve failed: ZeroDivisionError: division by zero" in f for f in found)


def test_encoders_are_offered_only_the_prefill_phase(messages, valid_text, edit) -> None:
    # BERT encodes; it has no decode phase, so the track is offered prefill alone.
    text = edit(valid_text, "    model: Llama3_70B", "    model: BERTLarge")
    control = "      - param: phase\n        label: Phase\n        options: [prefill, decode]\n        default: decode\n"
    text = edit(text, "      - param: efficiency\n", control + "      - param: efficiency\n")
    assert messages(text) == [
        "96:18: kat3.controls[0].default: track cloud_titan, KAT 3: default phase 'decode' cannot "
        "be used with BERTLarge on H100 (the control offers prefill); set tracks.cloud_titan.inputs.phase for this track"
    ]
    fixed = edit(
        text,
        "    inputs:\n      precision: int8",
        "    inputs:\n      precision: int8\n      phase: prefill",
    )
    assert messages(fixed) == []


# -- nemesis -------------------------------------------------------------------------------------


def test_nemesis_text_must_state_the_chapter_bar_from_the_persona(
    messages, valid_text, edit
) -> None:
    # Chapter 5's Edge Guardian bar is 7.5 ms (mlsys.personas); the old Lab 4 bar is stale.
    text = edit(valid_text, '"Edge nemesis: 7.5 ms."', '"Edge nemesis: 8 ms."')
    assert messages(text) == [
        "39:14: tracks.edge_guardian.nemesis: the text does not state this chapter's bar for "
        "The Deadline: 7.5 ms (mlsys.personas); write it as 7.5"
    ]


def test_nemesis_bar_may_use_thousands_separators(messages, valid_text, edit) -> None:
    text = edit(valid_text, "8,192 resident tokens", "8192 resident tokens")
    assert messages(text) == []


# -- nemesis bars in Volume 2 (the fleet tables) -------------------------------------------------


def _fleet_tracks(chapter: int, **overrides: str) -> dict[str, SimpleNamespace]:
    """Track texts that state every fleet bar of Volume 2 ``chapter`` (as a spec writer would,
    with the unit), with ``overrides`` replacing a track's text."""
    texts = {}
    for fleet in Personas.fleets():
        bar = fleet.nemesis.target(chapter)
        texts[fleet.key] = f"{fleet.nemesis.name}: {bar.magnitude:,g} {fleet.nemesis.unit}."
    texts.update(overrides)
    return {key: SimpleNamespace(nemesis=text) for key, text in texts.items()}


def _volume2(number: int) -> Chapter:
    return book_chapter(2, number)


@pytest.mark.parametrize("number", range(1, 18))
def test_volume2_nemesis_text_stating_every_fleet_bar_passes(number) -> None:
    assert list(check_nemesis_bars(_volume2(number), _fleet_tracks(number))) == []


def test_volume2_nemesis_text_must_state_the_fleet_bar_not_the_volume1_one() -> None:
    # Volume 2 chapter 11 (edge intelligence): Edge Guardian's exposure window is 10 hours; the
    # Volume 1 table's chapter 11 bar (4.5 ms) is the wrong table.
    chapter = _volume2(11)
    assert Personas.EdgeGuardian.fleet.nemesis.target(11).magnitude == 10
    tracks = _fleet_tracks(11, edge_guardian="The Deadline: 4.5 ms.")
    findings = list(check_nemesis_bars(chapter, tracks))
    assert [(f.path, f.message) for f in findings] == [
        (
            ("tracks", "edge_guardian", "nemesis"),
            "the text does not state this chapter's bar for The Exposure Window: 10 hour "
            "(mlsys.personas); write it as 10",
        )
    ]


def test_volume2_bar_must_stand_as_a_whole_number() -> None:
    # Chapter 17: Mobile Nomad's battery wall is 8 J; "18 J" or "0.8 J" does not state it.
    chapter = _volume2(17)
    for stale in ("The Battery Wall: 18 J.", "The Battery Wall: 0.8 J.", "8.5 J"):
        findings = list(check_nemesis_bars(chapter, _fleet_tracks(17, mobile_nomad=stale)))
        assert [f.path for f in findings] == [("tracks", "mobile_nomad", "nemesis")]
    for fine in ("8 J per round", "a budget of 8 joules", "(8 J)", "down to 8."):
        assert list(check_nemesis_bars(chapter, _fleet_tracks(17, mobile_nomad=fine))) == []


def test_volume2_cloud_budget_in_millions_and_thousands_separators() -> None:
    # Chapter 9: $12M (unit MUSD); Tiny Pioneer's chapter 6 bar is 1,000 kB, with or without
    # the separator.
    assert list(check_nemesis_bars(_volume2(9), _fleet_tracks(9, cloud_titan="$12M."))) == []
    for text in ("1,000 kB", "1000 kB"):
        tracks = _fleet_tracks(6, tiny_pioneer=text)
        assert list(check_nemesis_bars(_volume2(6), tracks)) == []
    findings = list(check_nemesis_bars(_volume2(6), _fleet_tracks(6, tiny_pioneer="11,000 kB")))
    assert [f.path for f in findings] == [("tracks", "tiny_pioneer", "nemesis")]


def test_volume1_nemesis_bars_keep_their_substring_match() -> None:
    # Unchanged Volume 1 behaviour: Edge Guardian's chapter 5 bar (7.5 ms) is found anywhere.
    tracks = {
        persona.key: SimpleNamespace(nemesis=f"x{persona.nemesis.targets[4]:,g}x")
        for persona in Personas.all()
    }
    assert list(check_nemesis_bars(book_chapter(1, 5), tracks)) == []
    tracks["edge_guardian"] = SimpleNamespace(nemesis="8 ms")
    findings = list(check_nemesis_bars(book_chapter(1, 5), tracks))
    assert [f.message for f in findings] == [
        "the text does not state this chapter's bar for The Deadline: 7.5 ms (mlsys.personas); "
        "write it as 7.5"
    ]
