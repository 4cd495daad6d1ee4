"""Predict before you see: the inputs start empty, the lock stops the KAT with the guide's
message and the locked look while they are, and the comparison states how far off a prediction
was using mlsys."""

from __future__ import annotations

import marimo
import marimo as mo
import pytest

from labs.core.components import (
    LOCK_MESSAGE,
    PredictionComparison,
    PredictionInput,
    PredictionLock,
)
from labs.core.predictions import NumberPrediction, is_empty
from labs.core.style import css
from mlsys import compare_prediction, ureg

# -- a two-KAT-cell notebook, run headless the way labs run --------------------------------------
lock_app = marimo.App()


@lock_app.cell
def _():
    import marimo as mo

    from labs.core.components import PredictionInput, PredictionLock

    return PredictionInput, PredictionLock, mo


@lock_app.cell
def _(PredictionInput):
    kat1_prediction = PredictionInput.number("How long does one batch take?", 0.1, 100.0, "ms")
    return (kat1_prediction,)


@lock_app.cell
def _(PredictionLock, kat1_prediction, mo):
    PredictionLock(kat1_prediction)
    kat1_engine_answer = "the engine says 4.43 ms"
    mo.md(kat1_engine_answer)
    return (kat1_engine_answer,)


def test_lab_is_locked_until_the_prediction_is_given(page_html):
    outputs, defs = lock_app.run()
    assert "kat1_engine_answer" not in defs
    locked = page_html(outputs[-1])
    assert LOCK_MESSAGE in locked
    assert 'data-lock="locked"' in locked
    assert "the engine says" not in locked

    outputs, defs = lock_app.run(defs={"kat1_prediction": 12.0})
    assert defs["kat1_engine_answer"] == "the engine says 4.43 ms"
    unlocked = page_html(outputs[-1])
    assert LOCK_MESSAGE not in unlocked
    assert "the engine says 4.43 ms" in unlocked


def test_lock_message_is_the_guides():
    assert LOCK_MESSAGE.startswith("Enter your prediction")


@pytest.mark.parametrize(
    ("make", "answer"),
    [
        (lambda: PredictionInput.text("What bounds this layer?"), "Memory bandwidth"),
        (lambda: PredictionInput.choice("Which term dominates?", ["Compute", "Memory"]), "Memory"),
        (lambda: PredictionInput.number("Latency?", 0.1, 100.0, "ms"), 12.5),
    ],
    ids=["text", "choice", "number"],
)
def test_each_prediction_kind_locks_while_empty_and_unlocks_after(make, answer, page_html):
    prediction = make()
    with pytest.raises(mo.MarimoStopError) as stopped:
        PredictionLock(prediction)
    locked = page_html(stopped.value.output)
    assert LOCK_MESSAGE in locked
    assert css("lg-locked") in locked  # the blurred, unclickable task behind the message
    assert "blur(" in css("lg-locked")
    assert "pointer-events: none" in css("lg-locked")

    prediction._update(answer)
    locked = PredictionLock(prediction)
    assert (locked.first, locked.latest, locked.revised) == (answer, answer, False)


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_blank_text_is_not_a_prediction(blank):
    prediction = PredictionInput.text("Your guess?")
    prediction._update(blank)
    with pytest.raises(mo.MarimoStopError):
        PredictionLock(prediction)


def test_number_outside_its_range_keeps_the_lock():
    prediction = PredictionInput.number("Latency?", 1.0, 10.0, "ms")
    prediction._update(50.0)
    assert is_empty(prediction)
    prediction._update(5.0)
    assert not is_empty(prediction)
    assert prediction.quantity == ureg.Quantity(5.0, "ms")


def test_number_prediction_starts_empty_with_mo_ui_number_arguments():
    prediction = PredictionInput.number("Latency?", 0.5, 20.0, "ms", step=0.5)
    reference = mo.ui.number(start=0.5, stop=20.0, step=0.5)
    # The element is built from mo.ui.number's own arguments: if marimo renames them, fail here.
    assert prediction._component_args.keys() == reference._component_args.keys()
    assert prediction.value is None
    assert reference.value == 0.5
    assert isinstance(prediction, mo.ui.number)
    clone = prediction._clone()
    assert isinstance(clone, NumberPrediction)
    assert clone.unit == "ms"
    assert clone.value is None


@pytest.mark.parametrize(("low", "high", "unit"), [(5.0, 1.0, "ms"), (0.0, 1.0, "parsecs_per_joy")])
def test_number_prediction_refuses_bad_arguments(low, high, unit):
    with pytest.raises(ValueError, match=r"^(low, high|unit):"):
        PredictionInput.number("Latency?", low, high, unit)


def test_comparison_states_how_far_off_with_mlsys(visible_text, resnet_profile):
    prediction = PredictionInput.number("Latency?", 0.01, 1000.0, "ms")
    prediction._update(40.0)
    actual = resnet_profile.latency
    expected = compare_prediction(ureg.Quantity(40.0, "ms"), actual)
    text = visible_text(PredictionComparison(prediction, actual))
    assert expected.text in text
    assert "off by" in expected.text  # 40 ms is far from a few ms: the sentence says so


def test_comparison_of_a_close_prediction_says_within(page_html, resnet_profile):
    actual = resnet_profile.latency
    close = actual * 1.05
    rendered = page_html(PredictionComparison(close, actual))
    assert compare_prediction(close, actual).text in rendered
    assert 'data-verdict="close"' in rendered


def test_comparison_reads_a_typed_quantity_and_refuses_expressions(visible_text):
    actual = ureg.Quantity(4.0, "ms")
    typed = PredictionInput.text("Latency?")
    typed._update("8 ms")
    assert compare_prediction(ureg.Quantity(8, "ms"), actual).text in visible_text(
        PredictionComparison(typed, actual)
    )
    typed._update("2 ** 99999999 ms")
    unread = PredictionComparison(typed, actual)
    assert "off by" not in visible_text(unread)
    assert 'data-verdict="none"' in unread.text  # shown beside the answer, not judged


def test_comparison_of_choices(visible_text):
    choice = PredictionInput.choice("Bound by?", ["Compute", "Memory"])
    choice._update("Memory")
    assert "which differs from" in visible_text(PredictionComparison(choice, "Compute"))
    assert "which matches" in visible_text(PredictionComparison(choice, "Memory"))


def test_prompts_are_spec_text_and_cannot_inject(labels, visible_text):
    prompt = 'Guess <script>alert(1)</script> <img src=x onerror="alert(2)">'
    for element in (
        PredictionInput.text(prompt),
        PredictionInput.choice(prompt, ["a", "b"]),
        PredictionInput.number(prompt, 1.0, 2.0, "ms"),
    ):
        (label,) = labels(element)
        assert "<script" not in label.lower()
        assert "<img" not in label.lower()
        # ...and the student still reads the text as written.
        assert "<script>alert(1)</script>" in visible_text(element)


def test_a_number_prediction_shows_its_unit_right_beside_the_box(page_html, visible_text):
    prediction = PredictionInput.number("How many **FLOP** per byte?", 0.01, 1e5, "FLOP/byte")
    page = page_html(prediction)
    # prompt, then one row: the box (sized to a number, not the page) and the unit after it
    prompt, row = page.index(css("lg-prompt")), page.index(css("lg-number-row"))
    box, unit = page.index(css("lg-number-box")), page.index("data-unit")
    assert prompt < row < box < page.index("<marimo-number") < unit
    assert "flex: 0 1 12rem" in css("lg-number-box")
    assert page.count("<marimo-ui-element") == 1
    assert "FLOP/B</span>" in page  # the unit as the verdict writes it
    assert "How many FLOP per byte?" in visible_text(prediction)
    # marimo's own label (above the box) is kept out of sight, not out of screen readers
    assert "marimo-number::part(label)" in page
    assert "clip: rect(0 0 0 0)" in page
    assert "display: none" not in page


def test_a_number_prediction_is_named_in_plain_words_for_screen_readers(labels):
    # marimo uses its label attribute as the input's aria-label verbatim: no markup in it, and
    # nothing an HTML parser would read as a tag (the same string is rendered as the label).
    prediction = PredictionInput.number("Is **p99** <b> a<b & c &amp; d?", 1.0, 2.0, "ms")
    (label,) = labels(prediction)
    assert label == "Is p99 < b> a< b & c & d? (answer in ms)"
    clone = prediction._clone()
    assert labels(clone) == [label]
    assert clone.unit_shown == "ms"


def test_a_plain_count_shows_no_unit_word_beside_its_box(labels, page_html):
    # "dimensionless" beside the box reads as a unit to type; a count or ratio shows nothing.
    prediction = PredictionInput.number(
        "How many phones can join a round?", 1.0, 1e7, "dimensionless"
    )
    assert prediction.unit_shown == ""
    assert labels(prediction) == ["How many phones can join a round? (answer in a plain number)"]
    assert "dimensionless" not in page_html(prediction)
    share = PredictionInput.number("What share waits on a slow server?", 0.01, 100, "percent")
    assert share.unit_shown == "%"
